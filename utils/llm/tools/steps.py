"""Tool steps put on the turn being answered, where the page picks them up as they happen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from models.tool_step import ToolStep

# The turn (utils/llm/groq_requests.Turn, not imported: it imports this package) being answered.
Turn = Any
CurrentTurn = Callable[[], Turn]


def begin_step(turn: Turn, kind: str, label: str, **fields: Any) -> ToolStep:
    """A new step, numbered in its turn and shown at once."""
    turn.steps += 1
    step = ToolStep(turn.steps, kind, label, **fields)
    turn.events.put(step)
    return step


def show(turn: Turn, step: ToolStep) -> ToolStep:
    """Show `step` as it is now (it replaces the earlier state of the same number)."""
    turn.events.put(step)
    return step


def short_url(url: str, most: int = 48) -> str:
    """A URL as a person reads it in a step: no scheme, cut with an ellipsis."""
    bare = url.split("://", 1)[-1]
    return bare if len(bare) <= most else bare[: most - 1] + "…"
