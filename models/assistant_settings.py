"""How the assistant answers: persona (system prompt), model, temperature, answer length, JSON mode.

Chosen per page in the sidebar's Assistant settings, applied from the next message on, and
saved with a conversation on the memory page (as the opaque `assistant` object in its file).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Any

MAX_SYSTEM_PROMPT_CHARS = 4000  # it is kept in a saved file's first line, which listing reads
TEMPERATURE_RANGE = (0.0, 2.0)  # what Groq accepts
ANSWER_TOKENS_RANGE = (16, 65536)  # Groq's largest completion limit (gpt-oss)
DEFAULT_TEMPERATURE = 1.0  # Groq's own default: the model as its makers tuned it
# Groq (like OpenAI) refuses JSON mode unless the messages ask for JSON, so the system prompt does.
JSON_INSTRUCTION = "Answer with a single JSON object and nothing else."
CUSTOM_PERSONA = "Custom"
REASONING_EFFORTS = ("low", "medium", "high")
PERSONAS = {
    "General assistant": (
        "You are bnaGPT, a helpful assistant. Answer clearly and accurately, and use Markdown "
        "(lists, tables, code blocks) when it makes the answer easier to read."
    ),
    "Concise helper": (
        "You are a concise helper. Give the shortest answer that is complete: no preamble, short "
        "sentences, bullet points for lists. Ask one question only when the request is ambiguous."
    ),
    "Patient teacher": (
        "You are a patient teacher. Explain step by step in plain words, define any term you use, "
        "give a small example, and end with one short question that checks understanding."
    ),
    "Electronics store attendant": (
        "You are a friendly attendant in an electronics store who knows phones, laptops, TVs, audio "
        "and accessories well. Ask what the customer needs and their budget, then suggest two or "
        "three options with their trade-offs. Never invent prices, stock or specifications."
    ),
}
DEFAULT_PERSONA = "General assistant"


def persona_of(system_prompt: str) -> str:
    """The ready persona whose prompt this is, else "Custom"."""
    for name, prompt in PERSONAS.items():
        if prompt == system_prompt.strip():
            return name
    return CUSTOM_PERSONA


@dataclass(frozen=True)
class AssistantSettings:
    """The settings every request of a chat is sent with."""

    model: str
    system_prompt: str = PERSONAS[DEFAULT_PERSONA]
    temperature: float = DEFAULT_TEMPERATURE
    max_answer_tokens: int = 8192
    json_mode: bool = False
    # How hard a model that takes it thinks before answering (gpt-oss: low, medium or high).
    reasoning_effort: str = "medium"

    def __post_init__(self) -> None:
        # Clamped rather than refused: these come from widgets and saved files, and an odd
        # value should never stop a chat from being answered or loaded.
        low, high = TEMPERATURE_RANGE
        temperature = float(self.temperature) if _is_number(self.temperature) else DEFAULT_TEMPERATURE
        object.__setattr__(self, "temperature", round(min(high, max(low, temperature)), 2))
        low, high = ANSWER_TOKENS_RANGE
        tokens = int(self.max_answer_tokens) if _is_number(self.max_answer_tokens) else 8192
        object.__setattr__(self, "max_answer_tokens", min(high, max(low, tokens)))
        object.__setattr__(self, "system_prompt", str(self.system_prompt)[:MAX_SYSTEM_PROMPT_CHARS])
        object.__setattr__(self, "json_mode", self.json_mode is True)
        if self.reasoning_effort not in REASONING_EFFORTS:
            object.__setattr__(self, "reasoning_effort", "medium")

    @property
    def persona(self) -> str:
        """The ready persona this system prompt is, else "Custom"."""
        return persona_of(self.system_prompt)

    def instructions(self) -> str:
        """The system message sent first on every request ("" sends none)."""
        parts = [self.system_prompt.strip()] + ([JSON_INSTRUCTION] if self.json_mode else [])
        return "\n\n".join(part for part in parts if part)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form saved with a conversation."""
        return asdict(self)

    def updated_from(self, data: Any) -> AssistantSettings:
        """These settings with whatever `data` (a saved `to_dict`) validly sets; the rest kept."""
        if not isinstance(data, dict):
            return self
        changes: dict[str, Any] = {}
        if isinstance(data.get("model"), str) and data["model"].strip():
            changes["model"] = data["model"].strip()
        if isinstance(data.get("system_prompt"), str):
            changes["system_prompt"] = data["system_prompt"]
        for key in ("temperature", "max_answer_tokens"):
            if _is_number(data.get(key)):
                changes[key] = data[key]
        if isinstance(data.get("json_mode"), bool):
            changes["json_mode"] = data["json_mode"]
        if data.get("reasoning_effort") in REASONING_EFFORTS:
            changes["reasoning_effort"] = data["reasoning_effort"]
        return replace(self, **changes)


class SharedAssistant:
    """One browser session's assistant settings, held by both pages' controllers."""

    def __init__(self, settings: AssistantSettings) -> None:
        self.settings = settings


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
