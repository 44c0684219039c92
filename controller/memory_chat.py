"""The Chatbot With Memory's engine: an agent that remembers, and named saved conversations.

A conversation with a name (saved or loaded in this session) is autosaved after every finished
turn, through the same store as Save, so a refresh, a closed tab or a restart loses nothing. An
autosave never overwrites a change made elsewhere (another tab): it is refused and reported.
A chat without a name is kept as a draft instead (`KeepsDraft`); saving it removes the draft.
"""

from __future__ import annotations

from controller.attachments import turn_files
from controller.chat import ChatController
from controller.drafts import KeepsDraft
from controller.exports import ExportsConversations
from models.assistant_settings import AssistantSettings
from models.attachments import Attachment
from models.message import Message
from models.store import (
    Conversation,
    ConversationExists,
    ConversationSummary,
    InvalidName,
    Listing,
    Store,
    StoreError,
    StoreUnavailable,
    unique_name,
    validate_name,
)
from models.tool_step import ToolChoice
from settings import Settings
from utils.llm import Answerer, TurnFiles, build_agent, count_ahead

SUGGESTED_NAME_LENGTH = 60
AUTOSAVE_UNREACHABLE = (
    "This turn is not saved yet: the conversation store can't be reached. It stays on this page, and "
    "bnaGPT keeps trying to save it into “{name}”."
)
AUTOSAVE_CONFLICT = (
    "“{name}” was changed in another tab or window, so this turn was not saved into it (nothing was "
    "overwritten). Save under a new name to keep both, or Save as “{name}” to replace it."
)


class MemoryChatController(KeepsDraft, ExportsConversations, ChatController):
    """One agent per browser session, rebuilt on load; each turn gives it the transcript as memory."""

    draft_page = "memory"
    default_tools = ToolChoice(web_search=True)  # a chat that remembers is where people look things up

    def __init__(self, settings: Settings, store: Store) -> None:
        super().__init__(settings)
        self.store = store
        self.files = store.files
        self.recordings = store.recordings
        # The saved conversation this chat is bound to (loaded or saved in this session):
        # saving under this name updates it in place; other names are never replaced silently.
        self.name: str | None = None
        self.revision: int | None = None
        self.saved_count = 0  # how many transcript messages the store already holds
        self.autosave_problem: str | None = None  # why the last autosave was refused, for the view

    @property
    def unsaved_count(self) -> int:
        """How many transcript messages the store does not hold yet."""
        return len(self.messages) - self.saved_count

    @property
    def has_unsaved_turns(self) -> bool:
        """True when leaving this chat now would lose something the person typed."""
        return self.unsaved_count > 0

    def _build_engine(self, assistant: AssistantSettings) -> Answerer:
        return build_agent(self.settings, assistant, self.tools)

    def conversation_files(self) -> list[Attachment]:
        """The documents attached anywhere in this conversation and not removed, first attached first:
        every later question may draw on them."""
        found: dict[str, Attachment] = {}
        for message in self.messages:
            for attachment in message.attachments:
                if attachment.kind == "document" and attachment.digest not in self.detached:
                    found.setdefault(attachment.digest, attachment)
        return list(found.values())

    def remove_file(self, digest: str) -> None:
        """Stop using a document in this conversation's later turns (its mention in the transcript stays);
        saved with the conversation."""
        self.detached = self.detached | {digest}
        self._autosave()
        self.keep_draft()

    def turn_files(self, question: Message, history: list[Message]) -> TurnFiles | None:
        """This question's images, and every document of the conversation (the question's own included)."""
        documents = {a.digest: a for a in (*self.conversation_files(), *question.attachments) if a.kind == "document"}
        images = [a for a in question.attachments if a.kind == "image"]
        return turn_files(self.files, images, documents.values(), self.settings)

    def _replace_from(self, start: int, turn: list[Message]) -> None:
        super()._replace_from(start, turn)
        # A regenerated (or stopped) answer changes what the store holds from `start` on.
        self.saved_count = min(self.saved_count, start)
        self._autosave()
        self.keep_draft()  # when the chat has no name

    def _autosave(self) -> None:
        """Write a named conversation after a finished turn; a refusal is kept for the view to show."""
        if self.name is None:
            return
        # Once more at once: a database that just came back may cut the first connection tried.
        for last in (False, True):
            try:
                self.save(self.name)
                return
            except ConversationExists:
                self.autosave_problem = AUTOSAVE_CONFLICT.format(name=self.name)
                return
            except StoreUnavailable:
                if last:
                    self.autosave_problem = AUTOSAVE_UNREACHABLE.format(name=self.name)
            except (StoreError, OSError) as error:
                self.autosave_problem = f"This turn was not saved into “{self.name}”: {error}"
                return

    @property
    def autosave_pending(self) -> bool:
        """True when finished turns of a named chat wait for the store to be reachable again."""
        return self.name is not None and self.autosave_problem == AUTOSAVE_UNREACHABLE.format(name=self.name)

    def retry_autosave(self) -> bool:
        """Try the waiting autosave again; True once nothing waits any more."""
        if self.autosave_pending:
            self._autosave()
        return not self.autosave_pending

    def reconnect(self) -> bool:
        """True once the store answers again and the turns waiting for it are saved."""
        try:
            self.store.exists("bnaGPT")  # any question will do: does the store answer?
        except (StoreError, OSError):
            return False
        return self.retry_autosave()

    def new_chat(self) -> None:
        """Clear the transcript and the agent's memory; the next save asks for a name; the session's
        assistant settings apply again."""
        super().new_chat()
        if self.own_assistant is not None:  # back to the session's settings, shown afresh
            self.own_assistant = None
            self.assistant_generation += 1
        self.name = self.revision = None
        self.saved_count = 0
        self.autosave_problem = None
        self.drop_draft()

    def save(self, name: str, *, replace: bool = False) -> ConversationSummary:
        """Save the transcript under `name`; raises ConversationExists unless it is ours to update."""
        ours = self.revision if validate_name(name) == self.name else None
        summary = self.store.save(
            name, self.messages, model=self.assistant.model, assistant=self.saved_settings(),
            expected_revision=ours, replace=replace,
        )
        self.name, self.revision, self.saved_count = summary.name, summary.revision, len(self.messages)
        self.autosave_problem = None
        self.drop_draft()  # the draft is a saved conversation now
        return summary

    def load(self, name: str) -> Conversation:
        """Show a saved conversation and carry on with its history as the agent's memory."""
        conversation = self.store.load(name)
        self.messages = list(conversation.messages)
        self.name, self.revision = conversation.summary.name, conversation.summary.revision
        self.saved_count = len(self.messages)
        self.autosave_problem = None
        self.drop_draft()
        # A conversation that brings its settings keeps them to itself; older files use the session's.
        self.own_assistant = (None if conversation.assistant is None
                              else self.shared.settings.updated_from(conversation.assistant))
        self.restore_tools(conversation.assistant)
        self.assistant_generation += 1
        self._engine = None  # a fresh agent for the loaded conversation
        count_ahead(self.settings, self.assistant, self.messages)
        return conversation

    def delete(self, name: str) -> None:
        """Delete a saved conversation; deleting the open one starts a new chat."""
        self.store.delete(name)
        if name == self.name:
            self.new_chat()

    def rename(self, old: str, new: str, *, replace: bool = False) -> ConversationSummary:
        """Rename a saved conversation; ConversationExists if `new` is taken and not `replace`."""
        summary = self.store.rename(old, new, replace=replace)
        if self.name == validate_name(old):
            self.name, self.revision = summary.name, summary.revision
        elif self.name == summary.name:
            # The open conversation was just replaced by another: this chat is unsaved again.
            self.name = self.revision = None
            self.saved_count = 0
            self.keep_draft()
        return summary

    def list_conversations(self, query: str = "", limit: int | None = None) -> Listing:
        """The saved conversations (those whose name or messages hold every word of `query`),
        newest first, and what could not be read."""
        return self.store.list(query, limit)

    def suggested_name(self) -> str:
        """A name for the save box: the bound name, else the first message's start, made unique."""
        if self.name:
            return self.name
        first = next((m.content for m in self.messages if m.role == "user"), "")
        words = " ".join(first.split())
        base = words if len(words) <= SUGGESTED_NAME_LENGTH else words[: SUGGESTED_NAME_LENGTH - 3].rstrip() + "…"
        try:
            base = validate_name(base)
        except InvalidName:
            return ""
        return unique_name(base, self.store.exists)
