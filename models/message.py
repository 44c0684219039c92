"""Chat messages as the app stores and shows them.

`Message` is the one shape a turn takes everywhere outside LlamaIndex: in the transcript,
in the JSON store and in tests. The LLM seam turns it into LlamaIndex's form.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from models.answer_details import AnswerDetails
from models.attachments import Attachment, Passage
from models.tool_step import ToolStep

ROLES = ("user", "assistant", "system")


@dataclass(frozen=True)
class Message:
    """One chat turn: who said it and what; `error` marks a user turn that got no answer."""

    role: str
    content: str
    # A failed turn stays in the transcript (and the store) so nothing the person typed is
    # lost, but it is never sent to the model as history.
    error: str | None = None
    # How an assistant answer was produced (model, usage, timing); None when not known.
    details: AnswerDetails | None = None
    # What a reasoning model thought before answering: shown and kept, never sent back as history.
    reasoning: str | None = None
    # A question spoken into the microphone: its transcript is the content, marked "from voice";
    # `recording` names the kept recording (Voice settings: keep recordings), relative to the store.
    voice: bool = False
    recording: str | None = None
    # What the agent's tools did for this answer (searches, pages read, Python run): shown and kept,
    # never sent back as history.
    steps: tuple[ToolStep, ...] = ()
    # Files the person attached to this turn (their bytes are in the store's file area, by digest).
    attachments: tuple[Attachment, ...] = ()
    # The document passages the model saw for this answer: cited in it and shown under Sources.
    sources: tuple[Passage, ...] = ()

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}; expected one of {', '.join(ROLES)}")
        if not isinstance(self.content, str):
            raise ValueError("message content must be text")
        if self.error is not None and not isinstance(self.error, str):
            raise ValueError("message error must be text")
        if self.details is not None and not isinstance(self.details, AnswerDetails):
            raise ValueError("message details must be AnswerDetails")
        if self.reasoning is not None and not isinstance(self.reasoning, str):
            raise ValueError("message reasoning must be text")
        if not isinstance(self.voice, bool):
            raise ValueError("message voice must be true or false")
        if self.recording is not None and not isinstance(self.recording, str):
            raise ValueError("message recording must be text")
        if not all(isinstance(step, ToolStep) for step in self.steps):
            raise ValueError("message steps must be ToolSteps")
        if not all(isinstance(attachment, Attachment) for attachment in self.attachments):
            raise ValueError("message attachments must be Attachments")
        if not all(isinstance(passage, Passage) for passage in self.sources):
            raise ValueError("message sources must be Passages")

    @property
    def is_history(self) -> bool:
        """True when the model should see this turn as part of the conversation."""
        return self.error is None

    @cached_property
    def fingerprint(self) -> bytes:
        """What the message is, in 16 bytes (its JSON form hashed): equal for equal messages. Made
        once (a Message never changes), so that saving a long conversation again, turn after turn,
        does not hash every message of it again."""
        encoded = json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True).encode("utf-8")
        return hashlib.blake2b(encoded, digest_size=16).digest()

    def to_dict(self) -> dict[str, Any]:
        """The JSON form used by the store: {"role", "content"} plus "error", "details", "reasoning", "voice",
        "recording", "steps", "attachments" and "sources" when set."""
        data: dict[str, Any] = {"role": self.role, "content": self.content}
        if self.error is not None:
            data["error"] = self.error
        if self.details is not None:
            data["details"] = self.details.to_dict()
        if self.reasoning:
            data["reasoning"] = self.reasoning
        if self.voice:
            data["voice"] = True
        if self.recording:
            data["recording"] = self.recording
        if self.steps:
            data["steps"] = [step.to_dict() for step in self.steps]
        if self.attachments:
            data["attachments"] = [attachment.to_json() for attachment in self.attachments]
        if self.sources:
            data["sources"] = [passage.to_json() for passage in self.sources]
        return data

    @classmethod
    def from_dict(cls, data: Any) -> Message:
        """Build a Message from its JSON form; ValueError names what is wrong."""
        if not isinstance(data, dict):
            raise ValueError("a message must be a JSON object")
        missing = [key for key in ("role", "content") if key not in data]
        if missing:
            raise ValueError(f"a message lacks {', '.join(missing)}")
        details = data.get("details")
        if details is not None:
            try:
                details = AnswerDetails.from_dict(details)
            except ValueError as error:
                raise ValueError(f"details: {error}") from None
        steps = data.get("steps") or []
        if not isinstance(steps, list):
            raise ValueError("steps must be a list")
        try:
            steps = tuple(ToolStep.from_dict(step) for step in steps)
        except (TypeError, ValueError) as error:
            raise ValueError(f"steps: {error}") from None
        attachments = _records(data, "attachments", Attachment.from_json)
        sources = _records(data, "sources", Passage.from_json)
        return cls(role=data["role"], content=data["content"], error=data.get("error"), details=details,
                   reasoning=data.get("reasoning"), voice=data.get("voice", False), recording=data.get("recording"),
                   steps=steps, attachments=attachments, sources=sources)


def _records(data: dict[str, Any], key: str, build) -> tuple:
    """A list field of a message's JSON form, each item built by `build`; ValueError names the field."""
    items = data.get(key) or []
    if not isinstance(items, list):
        raise ValueError(f"{key} must be a list")
    try:
        return tuple(build(item) for item in items)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{key}: {error}") from None


def history_of(messages: list[Message]) -> list[Message]:
    """What the model sees of a transcript: failed turns left out, both a question marked with an
    error and a question whose answer was cut off (the cut answer carries the error)."""
    kept: list[Message] = []
    for message in messages:
        if message.is_history:
            kept.append(message)
        elif message.role == "assistant" and kept and kept[-1].role == "user":
            kept.pop()
    return kept
