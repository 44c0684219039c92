"""Which tools an engine gets for a chat's Tools choice, and what the model is told about them."""

from __future__ import annotations

from typing import Any

from models.tool_step import ToolChoice
from settings import Settings
from utils.llm.tools.calls import BROWSER_SEARCH, CODE_INTERPRETER


def runs_code(model: str) -> bool:
    """Groq's code_interpreter (and browser_search) run on the gpt-oss models only."""
    return model.startswith("openai/gpt-oss")


def searches_on_groq(settings: Settings, model: str) -> bool:
    """Web search is Groq's built-in browser_search: chosen as the provider, on a model that has it
    (other models search through the function tool, with SearXNG or DuckDuckGo)."""
    return settings.search_provider == "groq" and runs_code(model)


def equip(llm: Any, settings: Settings, model: str, choice: ToolChoice | None) -> list[Any]:
    """Give `llm` the chosen built-in tools; return the function tools for the agent. The system
    prompt stays the person's: the tools describe themselves."""
    if choice is None or not choice.any:
        return []
    from utils.llm.tools.web_tools import web_tools

    on_groq = choice.web_search and searches_on_groq(settings, model)
    builtin = [BROWSER_SEARCH] if on_groq else []
    builtin += [CODE_INTERPRETER] if choice.code and runs_code(model) else []
    llm.use_tools(builtin, settings.tool_steps)
    if not choice.web_search:
        return []
    # Groq's browser_search replaces web_search; open_page stays, so a link the person gives is
    # still read by bnaGPT's own fetcher (private addresses refused), beside Groq's tools.
    tools = web_tools(settings, llm.current_turn)
    return [tool for tool in tools if tool.metadata.name == "open_page"] if on_groq else tools
