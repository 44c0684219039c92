"""The Chatbot With Memory's engine: an agent that remembers, and named saved conversations."""

from __future__ import annotations

from controller.chat import ChatController
from models.conversation_store import (
    Conversation,
    ConversationStore,
    ConversationSummary,
    Listing,
    validate_name,
)
from models.message import Message
from settings import Settings
from utils.llama import Answerer, build_agent


class MemoryChatController(ChatController):
    """One agent per browser session, rebuilt on load; each turn gives it the transcript as memory."""

    def __init__(self, settings: Settings, store: ConversationStore) -> None:
        super().__init__(settings)
        self.store = store
        # The saved conversation this chat is bound to (loaded or saved in this session):
        # saving under this name updates it in place; other names are never replaced silently.
        self.name: str | None = None
        self.revision: int | None = None
        self.saved_count = 0  # how many transcript messages the store already holds

    @property
    def unsaved_count(self) -> int:
        """How many transcript messages the store does not hold yet."""
        return len(self.messages) - self.saved_count

    @property
    def has_unsaved_turns(self) -> bool:
        """True when leaving this chat now would lose something the person typed."""
        return self.unsaved_count > 0

    def _build_engine(self) -> Answerer:
        return build_agent(self.settings, self.assistant)

    def _replace_from(self, start: int, turn: list[Message]) -> None:
        super()._replace_from(start, turn)
        # A regenerated (or stopped) answer changes what the store holds from `start` on.
        self.saved_count = min(self.saved_count, start)

    def new_chat(self) -> None:
        """Clear the transcript and the agent's memory; the next save asks for a name."""
        super().new_chat()
        self.name = self.revision = None
        self.saved_count = 0

    def save(self, name: str, *, replace: bool = False) -> ConversationSummary:
        """Save the transcript under `name`; raises ConversationExists unless it is ours to update."""
        ours = self.revision if validate_name(name) == self.name else None
        summary = self.store.save(
            name, self.messages, model=self.assistant.model, assistant=self.assistant.to_dict(),
            expected_revision=ours, replace=replace,
        )
        self.name, self.revision, self.saved_count = summary.name, summary.revision, len(self.messages)
        return summary

    def load(self, name: str) -> Conversation:
        """Show a saved conversation and carry on with its history as the agent's memory."""
        conversation = self.store.load(name)
        self.messages = list(conversation.messages)
        self.name, self.revision = conversation.summary.name, conversation.summary.revision
        self.saved_count = len(self.messages)
        if conversation.assistant is not None:  # files from before settings were saved keep the current ones
            self.assistant = self.assistant.updated_from(conversation.assistant)
        self.assistant_generation += 1
        self._engine = None  # a fresh agent for the loaded conversation
        return conversation

    def delete(self, name: str) -> None:
        """Delete a saved conversation; deleting the open one starts a new chat."""
        self.store.delete(name)
        if name == self.name:
            self.new_chat()

    def list_conversations(self) -> Listing:
        """The saved conversations, newest first, and what could not be read."""
        return self.store.list()

    def suggested_name(self) -> str:
        """A name for the save box: the bound name, else the start of the first message."""
        if self.name:
            return self.name
        first = next((m.content for m in self.messages if m.role == "user"), "")
        words = " ".join(first.split())
        return words if len(words) <= 60 else words[:57].rstrip() + "…"
