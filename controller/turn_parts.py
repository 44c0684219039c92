"""What a finished answer is recorded with: its details (model, tokens, time) and, in JSON mode,
whether it is the JSON object asked for. Plain functions of the stream and the settings it was asked with."""

from __future__ import annotations

import json
import time
from typing import Any

from models.answer_details import AnswerDetails
from models.assistant_settings import AssistantSettings
from models.message import Message


def answer_details(streaming: Any, began: float, history: list[Message], assistant: AssistantSettings
                   ) -> AnswerDetails:
    """Model, tokens and time of a finished answer, from the usage Groq sent with its last chunk."""
    wall = time.monotonic() - began
    usage = streaming.usage or {}
    completion = usage.get("completion_tokens")
    seconds = usage.get("total_time") or wall
    generating = usage.get("completion_time") or wall
    # Said once in a chat: from the first answer whose request left older messages out.
    noted = any(message.details and message.details.omitted_messages for message in history)
    return AnswerDetails(
        model=assistant.model,
        prompt_tokens=usage.get("prompt_tokens"),
        completion_tokens=completion,
        seconds=round(seconds, 3),
        tokens_per_second=round(completion / generating, 1) if completion and generating > 0 else None,
        json_mode=assistant.json_mode,
        thinking_seconds=streaming.thinking_seconds,
        omitted_messages=None if noted or not streaming.dropped else streaming.dropped,
        cut_at_limit=bool(streaming.finished and streaming.finished.finish_reason == "length"),
    )


def json_problem(text: str, json_mode: bool) -> str | None:
    """Why a JSON-mode answer is not a JSON object (None when it is, or JSON mode is off)."""
    if not json_mode:
        return None
    try:
        if isinstance(json.loads(text), dict):
            return None
    except ValueError:
        pass
    excerpt = " ".join(text.split())[:200]
    if not excerpt:
        return ("JSON mode is on, but the model gave no answer (it may have refused). "
                "Rephrase, or turn JSON mode off.")
    return f"JSON mode is on, but the model did not answer with a JSON object. It said: “{excerpt}”"


def redo_model(messages: list[Message], start: int | None, model: str) -> str:
    """The model that answers the question at `start` again: one that read its images before (that
    turn's one-click choice) rather than `model` that would go without them; else `model`."""
    from utils.llm import reads_images

    if start is None or reads_images(model):
        return model
    answered = next((m.details.model for m in messages[start + 1:] if m.details), None)
    return answered if answered and reads_images(answered) else model
