"""The records the conversation store returns and the errors it raises (import them from `models.store`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from models.message import Message


@dataclass(frozen=True)
class ConversationSummary:
    """What the sidebar needs to know about a saved conversation, without its messages."""

    name: str
    created: str
    updated: str
    revision: int
    message_count: int
    model: str | None


@dataclass(frozen=True)
class Conversation:
    """A saved conversation: its summary, its messages and the assistant settings saved with it."""

    summary: ConversationSummary
    messages: list[Message]
    # The caller's settings (system prompt, model, temperature, ...) as the JSON object it saved.
    assistant: dict | None = None


@dataclass(frozen=True)
class Listing:
    """The saved conversations, newest first, and a sentence for each file that could not be read."""

    conversations: list[ConversationSummary]
    problems: list[str]
    # Asked for a page (`limit`): whether more follow, and how many match in all when that is known
    # without counting them (a database does not count a million rows to draw a sidebar).
    more: bool = False
    total: int | None = None


class StoreError(Exception):
    """Anything the store refuses or fails to do; str(error) is a sentence fit to show a person."""


class StoreUnavailable(StoreError):
    """The store cannot be reached now (a database that is down or far away); trying again may work."""

    def __init__(self) -> None:
        super().__init__("The conversation store can't be reached right now.")


class InvalidName(StoreError):
    """The name cannot be used for a conversation."""


class ConversationExists(StoreError):
    """Saving would overwrite a conversation the caller did not mean to replace."""

    def __init__(self, name: str, *, changed_elsewhere: bool = False) -> None:
        self.name = name
        changed = f"The conversation “{name}” was changed elsewhere since you opened it."
        super().__init__(changed if changed_elsewhere else f"A conversation named “{name}” already exists.")


class ConversationNotFound(StoreError):
    """No conversation is saved under that name."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"No saved conversation named “{name}”.")


class ConversationDamaged(StoreError):
    """The conversation's file could not be read; it was kept aside as `kept_as`."""

    def __init__(self, name: str, kept_as: Path) -> None:
        self.name = name
        self.kept_as = kept_as
        super().__init__(
            f"The saved conversation “{name}” could not be read; its file was kept aside as “{kept_as.name}”."
        )


class ImportProblem(StoreError):
    """A file offered for import holds nothing the store can import; nothing was taken from it."""

    def __init__(self, file_name: str, problem: str) -> None:
        self.file_name = file_name
        self.problem = problem
        super().__init__(f"“{file_name}” could not be imported: {problem}.")

