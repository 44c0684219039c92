"""What each Groq chat model can do, and which models Groq has told this process it no longer serves.

GET /models has no capability fields, so the few that matter are known here by model family:
which models think before they answer and how they are asked to, and which read images.
No LlamaIndex or Streamlit here.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from models.assistant_settings import REASONING_EFFORTS

DEFAULT_MODEL = "openai/gpt-oss-120b"
# Offered when Groq's live list cannot be had: current chat models only.
FALLBACK_MODELS: tuple[str, ...] = ("openai/gpt-oss-120b", "openai/gpt-oss-20b", "qwen/qwen3.8-27b")
DEFAULT_REASONING_EFFORT = "medium"
IMAGE_MODELS = frozenset({"qwen/qwen3.8-27b"})


@dataclass(frozen=True)
class ModelTraits:
    """How to ask one model for its reasoning, and whether it reads images."""

    reasons: bool = False
    efforts: tuple[str, ...] = ()  # the reasoning efforts a person may choose; () when it takes none
    reads_images: bool = False

    def request_fields(self, effort: str) -> dict:
        """Groq-only request fields for this model (sent in `extra_body`)."""
        if self.efforts:
            return {"reasoning_effort": effort if effort in self.efforts else DEFAULT_REASONING_EFFORT}
        if self.reasons:
            # Qwen puts its thinking inside the answer as <think>…</think> unless asked for it apart.
            return {"reasoning_format": "parsed"}
        return {}


def traits_of(model: str) -> ModelTraits:
    """The traits of `model`, by its family (gpt-oss takes an effort and refuses reasoning_format)."""
    images = model in IMAGE_MODELS
    if model.startswith("openai/gpt-oss"):
        return ModelTraits(reasons=True, efforts=REASONING_EFFORTS, reads_images=images)
    if model.startswith("qwen/"):
        return ModelTraits(reasons=True, reads_images=images)
    return ModelTraits(reads_images=images)


class GoneModels:
    """Models Groq answered as decommissioned or unknown, so they are never offered again in this process."""

    def __init__(self) -> None:
        self._gone: set[str] = set()
        self._lock = threading.Lock()

    def add(self, model: str) -> None:
        with self._lock:
            self._gone.add(model)

    def __contains__(self, model: object) -> bool:
        with self._lock:
            return model in self._gone

    def clear(self) -> None:
        with self._lock:
            self._gone.clear()

    def without_gone(self, models: tuple[str, ...] | list[str]) -> tuple[str, ...]:
        with self._lock:
            return tuple(model for model in models if model not in self._gone)


GONE = GoneModels()
