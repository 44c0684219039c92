"""How a chat is answered, apart from its transcript: the assistant settings (shared by the pages of a
browser session unless a loaded conversation brought its own), the Tools switches, and the documents
removed from the conversation; and how a saved conversation or draft keeps them."""

from __future__ import annotations

from typing import Any

from models.assistant_settings import AssistantSettings, SharedAssistant
from models.tool_step import ToolChoice
from settings import Settings


class ChatSettings:
    """The part of a chat controller that says what answers, kept apart from how a turn is streamed."""

    default_tools = ToolChoice()  # the Tools control's switches in a new chat

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # The view hands every page of a browser session the same SharedAssistant.
        self.shared = SharedAssistant(
            AssistantSettings(model=settings.groq_model, max_answer_tokens=settings.max_answer_tokens))
        self.own_assistant: AssistantSettings | None = None  # a loaded conversation's own settings
        # Bumped whenever the assistant settings change from outside the settings panel (a
        # conversation loaded), so the view knows to show the new values.
        self.assistant_generation = 0
        self.tools = self.default_tools  # what the agent may use in this chat (saved with it)
        self.detached: frozenset[str] = frozenset()  # documents removed from this conversation (saved with it)

    @property
    def assistant(self) -> AssistantSettings:
        """The settings this chat answers with: its own when a loaded conversation brought them."""
        return self.shared.settings if self.own_assistant is None else self.own_assistant

    @assistant.setter
    def assistant(self, assistant: AssistantSettings) -> None:
        if self.own_assistant is None:
            self.shared.settings = assistant
        else:
            self.own_assistant = assistant

    def set_tools(self, tools: ToolChoice) -> None:
        """Let the agent use these tools from the next message on (saved with the conversation)."""
        self.tools = tools

    def saved_settings(self) -> dict[str, Any]:
        """What a saved conversation or draft keeps of how it is answered: the assistant settings,
        the Tools switches and the documents removed from it."""
        kept = {"detached_files": sorted(self.detached)} if self.detached else {}
        return {**self.assistant.to_dict(), "tools": self.tools.to_dict(), **kept}

    def restore_tools(self, saved: Any) -> None:
        """The Tools switches a saved conversation or draft had (the default for older files), and the
        documents removed from it."""
        saved = saved if isinstance(saved, dict) else {}
        self.tools = self.default_tools.updated_from(saved.get("tools"))
        detached = saved.get("detached_files")
        self.detached = frozenset(d for d in (detached if isinstance(detached, list) else ()) if isinstance(d, str))
