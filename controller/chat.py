"""What both chat engines share: stream one turn, record it, stop it, regenerate it, and turn
failures into ChatError. No Streamlit here: views draw the events the generators yield (answer
text as `str`, the model's `Reasoning`, `Waiting` while nothing has arrived)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from controller.attachments import turn_files
from controller.batching import BATCH_SECONDS, LONGEST_BATCH_SECONDS, batch_seconds, in_batches
from controller.chat_settings import ChatSettings
from controller.turn_parts import answer_details, json_problem, redo_model
from models.answer_details import AnswerDetails
from models.assistant_settings import AssistantSettings
from models.attachments import Attachment, AttachmentRefused
from models.message import Message
from models.store import AttachedFiles, RecordingArea, StoreError
from settings import Settings
from utils.llm import CATALOG, GONE, Answerer, Reasoning, TurnFiles, Waiting, reads_images

__all__ = [
    "LONGEST_BATCH_SECONDS", "ChatController", "ChatError", "Reasoning", "Waiting", "batch_seconds", "in_batches",
]

NOTHING_RECEIVED = "Stopped before any answer arrived."


class ChatError(Exception):
    """An answer that could not be had; `str(error)` is the message to show."""


class ChatController(ChatSettings):
    """Keeps a transcript and streams answers; subclasses say which engine answers."""

    batch_seconds = BATCH_SECONDS  # 0: every delta is handed on by itself
    remembers = True  # the model sees the earlier turns (so it can continue an answer)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.messages: list[Message] = []
        self._engine: Answerer | None = None
        self._engine_for: tuple | None = None
        self.files: AttachedFiles | None = None  # where attached files are kept (the store's file area)
        self.recordings: RecordingArea | None = None  # where spoken questions' audio is kept (the store's)

    def configure(self, settings: Settings) -> None:
        """Use new settings from the next answer on (a key set while the page was open)."""
        if settings != self.settings:
            self.settings = settings
            self._engine = None

    def set_assistant(self, assistant: AssistantSettings) -> None:
        """Answer with these assistant settings from the next message on."""
        if assistant != self.assistant:
            self.assistant = assistant
            self._engine = None

    def new_chat(self) -> None:
        """Start over with an empty transcript (the assistant settings stay; the Tools start as default)."""
        self.messages = []
        self.tools = self.default_tools
        self.detached = frozenset()
        self._engine = None

    def last_turn_start(self) -> int | None:
        """Where the last turn (its question, then any answer) begins in the transcript."""
        for index in range(len(self.messages) - 1, -1, -1):
            if self.messages[index].role == "user":
                return index
        return None

    def stream_reply(self, prompt: str, attachments: Sequence[Attachment] = (), model: str | None = None
                     ) -> Iterator[str]:
        """Yield the answer's text as it arrives; the finished turn joins the transcript. `attachments`
        go with the question; `model` answers this turn only (one that reads its images)."""
        yield from self._stream_turn(Message("user", prompt, attachments=tuple(attachments)), len(self.messages),
                                     model=model)

    def start_reply(self, prompt: str) -> Iterator[Any]:
        """`stream_reply(prompt)` with its request already on its way, so that Groq answers while the page
        is drawn (B3). Close it if it is never read: the turn is then kept as stopped."""
        stream = self._stream_turn(Message("user", prompt), len(self.messages), announce=True)
        try:
            next(stream)  # returns as soon as the request is sent
        except ChatError as error:  # the failure is told where the answer would have been
            return _failing(error)
        return stream

    def last_turn_failed(self) -> bool:
        """The last turn got no finished answer (its question, or what arrived of its answer, has an error)."""
        start = self.last_turn_start()
        return start is not None and any(message.error for message in self.messages[start:])

    def redo_model(self) -> str:
        """The model that answers the last question again (see turn_parts.redo_model)."""
        return redo_model(self.messages, self.last_turn_start(), self.assistant.model)

    def redo_needs_image_reader(self) -> bool:
        """The last question has images the model that would answer it again cannot read (held, then)."""
        start = self.last_turn_start()
        return (start is not None and any(a.kind == "image" for a in self.messages[start].attachments)
                and not reads_images(self.redo_model()))

    def stream_regenerated(self, model: str | None = None, attachments: Sequence[Attachment] | None = None
                           ) -> Iterator[str]:
        """Answer the last question again (Regenerate, or Retry of a failed turn); the new answer replaces
        the old one (a failure keeps an old answer, and replaces an old failure). `model` answers this turn
        only; `attachments` replace the question's (sent without its images)."""
        start = self.last_turn_start()
        if start is not None:
            question, again = self.messages[start], model or self.redo_model()
            question = question if attachments is None else replace(question, attachments=tuple(attachments))
            yield from self._stream_turn(question, start, model=None if again == self.assistant.model else again)

    def stream_edited(self, prompt: str, model: str | None = None, attachments: Sequence[Attachment] | None = None
                      ) -> Iterator[Any]:
        """Send `prompt` in place of the last question, with its files (or `attachments`); the new turn
        replaces the old one (a failure keeps the edited words, marked as unanswered)."""
        start = self.last_turn_start()
        kept = attachments if attachments is not None else self.messages[start].attachments if start is not None else ()
        again = model or self.redo_model()
        yield from self._stream_turn(Message("user", prompt, attachments=tuple(kept)),
                                     len(self.messages) if start is None else start, keep_old=False,
                                     model=None if again == self.assistant.model else again)

    def prepare(self) -> None:
        """Build the engine the next message will use, now rather than when it is sent."""
        self._engine_for_turn(self.assistant)

    def _engine_for_turn(self, assistant: AssistantSettings) -> Answerer:
        wanted = (assistant, self.tools)
        if self._engine is None or self._engine_for != wanted:  # the other page may have changed them
            self._engine, self._engine_for = self._build_engine(assistant), wanted
        return self._engine

    def mark_question(self, start: int, **changes: Any) -> None:
        """Change the question at `start` (a spoken one is marked as such), kept like any turn."""
        if start < len(self.messages) and self.messages[start].role == "user":
            self._replace_from(start, [replace(self.messages[start], **changes), *self.messages[start + 1:]])

    def _stream_turn(self, question: Message, start: int, keep_old: bool | None = None,
                     model: str | None = None, announce: bool = False) -> Iterator[Any]:
        """Stream an answer to `question` given the transcript before `start`, which it then replaces;
        `announce` yields None first, once the request is sent."""
        question = Message("user", question.content, attachments=question.attachments)  # its old error gone
        prompt, history = question.content, self.messages[:start]
        if keep_old is None:
            keep_old = start < len(self.messages) and not self.last_turn_failed()
        regenerating = keep_old
        assistant = self.assistant if model is None else replace(self.assistant, model=model)
        engine = self._engine_for_turn(assistant)
        streaming, began, last = None, time.monotonic(), None
        try:
            streaming = engine.stream(prompt, history, self.turn_files(question, history))
            if announce:
                streaming.wait_until_sent()
                yield None
            for last in in_batches(streaming, self.batch_seconds):
                yield last
        except GeneratorExit:
            # Stopped by the person (or the page reran): keep what they saw, and no more.
            # The view dies drawing the batch it was just given, so that one was never shown.
            engine.stop()
            self._engine = None  # its worker may still be winding down
            text = streaming.text if streaming else ""
            shown = text[: len(text) - len(last)] if isinstance(last, str) else text
            self._keep_stopped(question, start, shown, began, streaming, assistant)
            raise
        except (AttachmentRefused, StoreError) as error:  # a file that cannot go: its own sentence
            raise self._fail(question, start, None, keep_old=regenerating, message=str(error)) from error
        except Exception as error:
            raise self._fail(question, start, error, keep_old=regenerating, waited=time.monotonic() - began,
                             partial=streaming) from error
        problem = json_problem(streaming.text, assistant.json_mode)
        if problem:
            raise self._fail(question, start, None, keep_old=regenerating, message=problem)
        answer = Message("assistant", streaming.text, details=answer_details(streaming, began, history, assistant),
                         reasoning=streaming.reasoning or None, steps=tuple(streaming.steps.values()),
                         sources=tuple(streaming.sources))
        self._replace_from(start, [question, answer])

    def turn_files(self, question: Message, history: list[Message]) -> TurnFiles | None:
        """What the seam may use besides the words: this question's own files."""
        attachments = question.attachments
        return turn_files(self.files, [a for a in attachments if a.kind == "image"],
                          [a for a in attachments if a.kind == "document"], self.settings)

    def _keep_stopped(self, question: Message, start: int, shown: str, began: float, streaming: Any,
                      assistant: AssistantSettings) -> None:
        steps = tuple(step.stopped() for step in streaming.steps.values()) if streaming else ()
        if not shown and not steps:
            self._replace_from(start, [replace(question, error=NOTHING_RECEIVED)])
            return
        details = AnswerDetails(
            model=assistant.model, seconds=round(time.monotonic() - began, 3),
            stopped=True, json_mode=assistant.json_mode, thinking_seconds=streaming.thinking_seconds,
        )
        # Stopped mid-tool with no words yet: the steps stay, on an answer marked as never given.
        answer = Message("assistant", shown, details=details, reasoning=streaming.reasoning or None, steps=steps,
                         sources=tuple(streaming.sources), error=None if shown else NOTHING_RECEIVED)
        self._replace_from(start, [question, answer])

    def _fail(self, question: Message, start: int, error: Exception | None, *, keep_old: bool,
              message: str | None = None, waited: float | None = None, partial: Any = None) -> ChatError:
        # Imported here: controller.errors imports the OpenAI SDK, which a page must not wait for
        # before it first shows; by the time an answer fails, LlamaIndex has imported it.
        from controller.errors import describe_failure

        model = self.assistant.model
        message = message or describe_failure(error, self.settings, model, waited)
        if model in GONE:
            # The Model box moves to a current model; the message names both.
            self.assistant = replace(self.assistant, model=CATALOG.replacement(
                self.settings.groq_api_base, self.settings.groq_api_key, self.settings.groq_model))
            self.assistant_generation += 1
            message += f" Assistant settings now use `{self.assistant.model}`."
        if not keep_old and partial is not None and partial.text:
            # What arrived stays readable, marked as cut; with its error it is never an answer (nor history).
            details = AnswerDetails(model=model, seconds=round(waited or 0.0, 3), json_mode=self.assistant.json_mode,
                                    thinking_seconds=partial.thinking_seconds, cut_off=True)
            cut = Message("assistant", partial.text, error=message, details=details,
                          reasoning=partial.reasoning or None, steps=tuple(partial.steps.values()))
            self._replace_from(start, [question, cut])
        elif not keep_old:
            # The person's words (and files) stay on screen and on disk, marked as unanswered.
            self._replace_from(start, [replace(question, error=message)])
        self._engine = None
        return ChatError(message)

    def _replace_from(self, start: int, turn: list[Message]) -> None:
        self.messages = self.messages[:start] + turn

    def _build_engine(self, assistant: AssistantSettings) -> Answerer:
        raise NotImplementedError


def _failing(error: Exception) -> Iterator[Any]:
    raise error
    yield  # a generator: the error comes when it is read
