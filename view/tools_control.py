"""The Tools control under a chat's header: Web search and Code, per conversation (saved with it),
so a person sees at a glance what the agent may do."""

from __future__ import annotations

from typing import Any

import streamlit as st

from models.tool_step import ToolChoice

WEB, CODE = ":material/travel_explore: Web search", ":material/terminal: Code"
SEARCHES_WITH = {"duckduckgo": "DuckDuckGo", "searxng": "your SearXNG", "tavily": "Tavily", "brave": "Brave Search",
                 "groq": "Groq's browser_search on gpt-oss (the others: SearXNG or DuckDuckGo)"}


def render_tools_control(controller: Any, state_prefix: str) -> None:
    """Draw the switches from the controller's choice; a change applies from the next message on."""
    key = f"{state_prefix}.tools"
    tools: ToolChoice = controller.tools
    st.session_state[key] = [name for name, on in ((WEB, tools.web_search), (CODE, tools.code)) if on]
    st.pills("Tools", [WEB, CODE], selection_mode="multi", key=key, on_change=_chosen, args=(controller, key),
             help="What the assistant may use to answer: search and read the web, or run Python in Groq's "
                  "sandbox (gpt-oss models). Saved with the conversation. Web search goes through "
                  f"{SEARCHES_WITH.get(controller.settings.search_provider, 'DuckDuckGo')}.")
    model = controller.assistant.model
    if controller.assistant.json_mode and tools.any:
        st.caption("JSON mode is on, so the assistant answers without tools.")
    elif tools.code and not model.startswith("openai/gpt-oss"):
        st.caption(f"Code runs on the gpt-oss models only, not on {model}.")


def _chosen(controller: Any, key: str) -> None:
    chosen = st.session_state.get(key) or []
    controller.set_tools(ToolChoice(web_search=WEB in chosen, code=CODE in chosen))
