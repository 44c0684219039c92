"""Which tools an engine gets for a chat's Tools choice, and what the model is told about them."""

from __future__ import annotations

from typing import Any

from models.tool_step import ToolChoice
from settings import Settings
from utils.llm.tools.calls import CODE_INTERPRETER


def runs_code(model: str) -> bool:
    """Groq's code_interpreter runs on the gpt-oss models only."""
    return model.startswith("openai/gpt-oss")


def equip(llm: Any, settings: Settings, model: str, choice: ToolChoice | None) -> list[Any]:
    """Give `llm` the chosen built-in tools; return the function tools for the agent. The system
    prompt stays the person's: the tools describe themselves."""
    if choice is None or not choice.any:
        return []
    from utils.llm.tools.web_tools import web_tools

    code = choice.code and runs_code(model)
    # A little past the cap, so the seam's tool_choice "none" ends a looping turn before LlamaIndex's
    # own cap would (which ends it with no answer at all).
    llm.use_tools([CODE_INTERPRETER] if code else [], settings.tool_steps)
    return web_tools(settings, llm.current_turn) if choice.web_search else []
