"""Drafts for both chat controllers: a chat without a name is written to the store's drafts area
from its first message, under an unguessable id the page keeps in its address, so a reload brings
it back. Naming it (the memory page's Save) or starting over removes it.
"""

from __future__ import annotations

from collections.abc import Sequence

from models.message import Message
from models.store import DraftArea, StoreError, new_draft_id


class KeepsDraft:
    """Mixed into a ChatController: `messages`, `assistant` and `assistant_generation` are its."""

    draft_page = "chat"  # which page's draft this is: a draft opens only on the page it came from
    drafts: DraftArea | None = None
    draft_id: str | None = None
    draft_problem: str | None = None  # why the last draft write failed, for the view
    draft_days: float = 0

    def use_drafts(self, drafts: DraftArea | None, days: float) -> None:
        """Keep drafts in `drafts` (None: not at all), removing those older than `days` days."""
        self.drafts, self.draft_days = drafts, days

    def keep_draft(self, pending: Sequence[Message] = ()) -> None:
        """Write the chat (and a message still being answered) as this tab's draft."""
        if self.drafts is None or getattr(self, "name", None) is not None:
            return
        messages = [*self.messages, *pending]
        if not messages:
            return
        try:
            if self.draft_id is None:
                self.drafts.remove_older_than(self.draft_days)  # a new draft is a good moment to tidy
                self.draft_id = new_draft_id()
            self.drafts.save(self.draft_id, self.draft_page, messages, self.saved_settings())
            self.draft_problem = None
        except (StoreError, OSError) as error:
            self.draft_problem = f"This chat could not be kept as a draft, so a reload would lose it: {error}"

    def restore_draft(self, draft_id: str) -> bool:
        """Show the draft `draft_id` (StoreError when it cannot be read); False when there is none here."""
        if self.drafts is None:
            return False
        draft = self.drafts.load(draft_id)
        if draft is None or draft.page != self.draft_page:
            return False
        self.messages = list(draft.messages)
        if draft.assistant is not None:
            self.assistant = self.assistant.updated_from(draft.assistant)
        self.restore_tools(draft.assistant)
        self.assistant_generation += 1
        self._engine = None
        self.draft_id = draft_id
        return True

    def drop_draft(self) -> None:
        """Forget this tab's draft and remove it from the store (it was named, or discarded)."""
        draft_id, self.draft_id, self.draft_problem = self.draft_id, None, None
        if self.drafts is not None and draft_id is not None:
            try:
                self.drafts.delete(draft_id)
            except (StoreError, OSError):
                pass  # left for the age limit to remove
