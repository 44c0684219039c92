"""What the memory page's sidebar does when asked: save, load or start a new chat, rename, delete,
export, import, and open the conversation a link names.

The sidebar, its list and its dialogs call these; none of them talks to the store. `attempt` is
the one place where the store's refusal (StoreError, or the disk's OSError) becomes a message for
the person; `attempt_in_place` shows it where the person is looking (sidebar, dialog or list).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import streamlit as st

from controller.memory_chat import MemoryChatController
from models.store import ConversationExists, Listing, StoreError, StoreUnavailable, validate_name
from view.chat_view import escape_markdown
from view.sidebar_state import RENAME_TO_KEY, SAVE_NAME_KEY, SidebarState, sidebar_state
from view.store_reconnect import note_reachable

LINK_PARAM = "chat"  # the page's address names the open conversation: ?chat=<name>
T = TypeVar("T")


def quoted(name: str) -> str:
    """A conversation name in quotes, shown exactly as typed."""
    return f"“{escape_markdown(name)}”"


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a store call returned, or why the store refused (`problem`, worded for the person)."""

    value: T | None = None
    problem: str | None = None
    unreachable: bool = False  # the store could not be reached (trying again later may work)


def attempt(action: Callable[[], T], lead: str = "") -> Outcome[T]:
    """Run a store call; a refusal becomes `lead` followed by the store's reason.

    A taken name is not a refusal but a question for the person, so ConversationExists is raised
    on for the caller to ask whether to replace.
    """
    try:
        return Outcome(action())
    except ConversationExists:
        raise
    except (StoreError, OSError) as error:
        return Outcome(problem=f"{lead}{error}", unreachable=isinstance(error, StoreUnavailable))


def attempt_in_place(action: Callable[[], T], lead: str = "") -> Outcome[T]:
    """`attempt`, showing a refusal as an error where it happened (the sidebar, a dialog, the list)."""
    outcome = attempt(action, lead)
    if outcome.problem is not None:
        st.error(outcome.problem)
    return outcome


def close_dialog() -> None:
    """Close whichever confirmation is open (also a dialog's on_dismiss callback)."""
    sidebar_state().confirm = None


def open_linked_conversation(controller: MemoryChatController) -> None:
    """In a new session, open the conversation named in the address, if it is still saved."""
    name = st.query_params.get(LINK_PARAM)
    if not name:
        return
    outcome = attempt(lambda: controller.load(name), "The linked conversation could not be opened. ")
    if outcome.problem is not None:
        if not outcome.unreachable:  # else the link stays, for a reload once the store is back
            del st.query_params[LINK_PARAM]
        sidebar_state().flash = (":material/link_off:", outcome.problem)


class ConversationActions:
    """Carries out what the person asks of the sidebar; a finished action reruns the page with a toast."""

    def __init__(self, controller: MemoryChatController) -> None:
        self.controller = controller

    @property
    def state(self) -> SidebarState:
        return sidebar_state()

    def listing(self, query: str, limit: int | None = None) -> Listing | None:
        """The saved conversations matching `query`, newest first (None, with why, if they cannot be listed)."""
        outcome = attempt_in_place(lambda: self.controller.list_conversations(query, limit),
                                   "Saved conversations could not be listed: ")
        note_reachable(not outcome.unreachable)
        return outcome.value

    def open_save(self) -> None:
        """Show the name box under Save, filled with a suggested name."""
        self.state.save_open = True
        st.session_state[SAVE_NAME_KEY] = self.controller.suggested_name()

    def save(self, name: str, replace: bool = False, then_leave_for: str | None | bool = False) -> None:
        """Save the chat under `name`, asking first before replacing another conversation; then load
        `then_leave_for` (None: a new chat) when given, as the Discard dialog's Save does."""
        if not self.controller.messages:
            st.error("Nothing to save yet: send a message first.")
            return
        before = self.controller.name
        try:
            outcome = attempt_in_place(lambda: self.controller.save(name, replace=replace))
        except ConversationExists as exists:
            self.state.confirm = ("replace", name)
            self.state.replace_reason = str(exists)
            if then_leave_for is not False:
                st.rerun()  # from a dialog: the page draws the question instead
            return
        if outcome.problem is None:
            self.state.save_open = False
            saved = outcome.value.name
            text = f"Saved {quoted(saved)}."
            if before and before != saved:  # Save as…: say where the next turns go
                text += f" New turns are saved to {quoted(saved)}; {quoted(before)} stays as it was."
            if then_leave_for is not False:
                self.switch(then_leave_for, also=text)
            self._done(":material/check_circle:", text, to_chat=True)

    def ask(self, action: str, name: str | None) -> None:
        """Open the dialog for `action` ("delete", "rename" or "import") on `name`."""
        if action == "rename":
            st.session_state[RENAME_TO_KEY] = name
            self.state.rename_taken = None
        elif action == "import":
            self.state.import_problems = []
        self.state.confirm = (action, name)

    def leave_chat(self, name: str | None) -> None:
        """Load `name` (None: start a new chat), asking first if that would drop unsaved turns."""
        if self.controller.has_unsaved_turns:
            self.state.confirm = ("discard", name)
            st.rerun()  # the whole page, which draws the dialog (this may be the list's fragment)
        self.switch(name)

    def switch(self, name: str | None, also: str = "") -> None:
        """Load `name`, or start a new chat when it is None (`also`: a sentence to say first)."""
        lead = f"{also} " if also else ""
        if name is None:
            self.controller.new_chat()
            self._done(":material/edit_square:", f"{lead}Started a new chat.", to_chat=True)
            return
        self._closing_attempt(lambda: self.controller.load(name), ":material/folder_open:",
                              f"{lead}Loaded {quoted(name)}.", to_chat=True)

    def delete(self, name: str) -> None:
        """Delete a saved conversation (the dialog has asked)."""
        self._closing_attempt(lambda: self.controller.delete(name), ":material/delete:", f"Deleted {quoted(name)}.")

    def rename(self, name: str, new_name: str, replace: bool = False) -> None:
        """Rename a saved conversation; a taken new name asks before replacing (in the dialog)."""
        try:
            outcome = attempt_in_place(lambda: self.controller.rename(name, new_name, replace=replace))
        except ConversationExists:
            self.state.rename_taken = validate_name(new_name)
            st.rerun()
        if outcome.problem is None:
            self._done(":material/edit:", f"Renamed {quoted(name)} to {quoted(outcome.value.name)}.")

    def export(self, name: str, kind: str) -> tuple[str, Callable[[], bytes | str]]:
        """A download's file name now, and its content built only when the button is clicked."""
        controller = self.controller

        def content() -> bytes | str:
            # Runs on Streamlit's server thread after the click, outside the script: no st.* here.
            outcome = attempt(lambda: controller.export(name, kind), f"“{name}” could not be exported: ")
            return outcome.value if outcome.problem is None else outcome.problem + "\n"

        return controller.export_file_name(name, kind), content

    def import_files(self, files: list) -> None:
        """Import uploaded files (the Import dialog): toast what was saved, or keep the dialog open with why not."""
        report = self.controller.import_files((file.name, file.getvalue()) for file in files)
        self.state.import_generation += 1  # a new, empty file box: the same files are not imported twice
        self.state.import_problems = report.problems
        if not report.imported:
            st.rerun()
        if report.problems:  # some files were refused: the dialog stays open to say which and why
            self.state.flash = (":material/upload_file:", _imported_sentence(report.imported))
            st.rerun()
        self._done(":material/upload_file:", _imported_sentence(report.imported))

    def _closing_attempt(self, action: Callable[[], object], icon: str, success: str, to_chat: bool = False) -> None:
        """Run a store call from a dialog: close it and show a refusal in place, or toast the success."""
        if attempt_in_place(action).problem is not None:
            close_dialog()
            return
        self._done(icon, success, to_chat=to_chat)

    def _done(self, icon: str, text: str, *, to_chat: bool = False) -> None:
        """Close any confirmation, queue a toast and redraw the page (st.rerun never returns);
        `to_chat`: the person goes back to the chat (a phone folds the sidebar away)."""
        self.state.confirm = None
        self.state.flash = (icon, text)
        self.state.close_sidebar = to_chat
        st.rerun()


def _imported_sentence(names: list[str]) -> str:
    count = len(names)
    return f"Imported {count} conversation{'s' if count > 1 else ''}: {', '.join(quoted(name) for name in names)}."
