"""The memory page's sidebar: Save, New chat, the Saved conversations list and Import.

Its labels are a contract that browser automation relies on: Save, Conversation name,
Confirm save, New chat, Saved conversations, Load, Rename, New name, Confirm rename, Export
Markdown, Export JSON, Delete, Yes, delete, Show more, Import conversations.
The open conversation's name is kept in the page's address (`?chat=<name>`), so a reload, or
the link opened later, shows it again (`open_linked_conversation`).
"""

from __future__ import annotations

from typing import Callable

import streamlit as st

from controller.memory_chat import MemoryChatController
from models.store import ConversationExists, StoreError, validate_name
from view.assistant_panel import AssistantPanel
from view.conversation_dialogs import (
    CONFIRM_KEY, IMPORT_GENERATION_KEY, IMPORT_PROBLEMS_KEY, RENAME_TAKEN_KEY, RENAME_TO_KEY, clear_confirm, quoted,
    show_pending_dialog,
)
from view.conversation_list import LIST_STATE_DEFAULTS, render_conversation_list

LINK_PARAM = "chat"
STATE_DEFAULTS = {
    "memory.save_open": False,  # the name box under Save is showing
    CONFIRM_KEY: None,
    "memory.flash": None,  # (icon, text) to toast after the next rerun
    "memory.replace_reason": "",  # why saving needs a yes to replace
    RENAME_TO_KEY: "",
    RENAME_TAKEN_KEY: None,
    IMPORT_GENERATION_KEY: 0,
    IMPORT_PROBLEMS_KEY: [],
    **LIST_STATE_DEFAULTS,
}


def open_linked_conversation(controller: MemoryChatController) -> None:
    """In a new session, open the conversation named in the address, if it is still saved."""
    name = st.query_params.get(LINK_PARAM)
    if not name:
        return
    try:
        controller.load(name)
    except (StoreError, OSError) as error:
        del st.query_params[LINK_PARAM]
        st.session_state["memory.flash"] = (":material/link_off:", f"The linked conversation could not be opened. {error}")


class ConversationsSidebar:
    """Draws the sidebar and carries out what the person asks of it."""

    def __init__(self, controller: MemoryChatController, assistant_panel: AssistantPanel) -> None:
        self.controller = controller
        self.assistant_panel = assistant_panel
        self.state = st.session_state
        self._status_slot = None  # where the autosave status is drawn, so a turn can update it

    def render(self) -> None:
        """Draw Save / New chat / Saved conversations / Import, then any pending confirmation."""
        if self.state["memory.flash"]:
            icon, text = self.state["memory.flash"]
            self.state["memory.flash"] = None
            st.toast(text, icon=icon)
        self._keep_link()
        with st.sidebar:
            save_column, new_column = st.columns(2)
            if save_column.button("Save", type="primary", width="stretch", key="memory.save"):
                self.state["memory.save_open"] = True
                self.state["memory.save_name"] = self.controller.suggested_name()
            if new_column.button("New chat", width="stretch", key="memory.new_chat"):
                self.leave_chat(None)
            if self.state["memory.save_open"]:
                self._save_form()
            self._status_slot = st.empty()
            self.show_autosave_status()
            self.assistant_panel.render()
            st.subheader("Saved conversations")
            render_conversation_list(self)
            if st.button("Import conversations", icon=":material/upload_file:", width="stretch", key="memory.import"):
                self.state[IMPORT_PROBLEMS_KEY] = []
                self.ask("import", None)
        show_pending_dialog(self)

    def _keep_link(self) -> None:
        """Keep the open conversation's name in the address, so a reload comes back to it."""
        name = self.controller.name
        if name and st.query_params.get(LINK_PARAM) != name:
            st.query_params[LINK_PARAM] = name
        elif not name and LINK_PARAM in st.query_params:
            del st.query_params[LINK_PARAM]

    def show_autosave_status(self) -> None:
        """Say where turns are being saved, or why the last one could not be (drawn again after a turn)."""
        if self.controller.autosave_problem:
            self._status_slot.warning(self.controller.autosave_problem, icon=":material/sync_problem:")
        elif self.controller.name:
            self._status_slot.caption(f":material/cloud_done: Saving every turn to {quoted(self.controller.name)}.")
        else:
            self._status_slot.empty()

    def _save_form(self) -> None:
        st.text_input("Conversation name", key="memory.save_name", max_chars=120)
        if st.button("Confirm save", type="primary", width="stretch", key="memory.confirm_save"):
            self.save(self.state["memory.save_name"])

    def save(self, name: str, replace: bool = False) -> None:
        """Save the chat under `name`, asking first before replacing another conversation."""
        if not self.controller.messages:
            st.error("Nothing to save yet: send a message first.")
            return
        try:
            summary = self.controller.save(name, replace=replace)
        except ConversationExists as exists:
            self.state[CONFIRM_KEY] = ("replace", name)
            self.state["memory.replace_reason"] = str(exists)
            return
        except (StoreError, OSError) as error:
            st.error(str(error))
            return
        self.state["memory.save_open"] = False
        self._done(":material/check_circle:", f"Saved {quoted(summary.name)}.")

    def ask(self, action: str, name: str) -> None:
        """Open the dialog for `action` ("delete", "rename" or "import") on `name`."""
        if action == "rename":
            self.state[RENAME_TO_KEY] = name
            self.state[RENAME_TAKEN_KEY] = None
        self.state[CONFIRM_KEY] = (action, name)

    def leave_chat(self, name: str | None) -> None:
        """Load `name` (None: start a new chat), asking first if that would drop unsaved turns."""
        if self.controller.has_unsaved_turns:
            self.state[CONFIRM_KEY] = ("discard", name)
            st.rerun()  # the whole page, which draws the dialog (this may be the list's fragment)
        self.switch(name)

    def switch(self, name: str | None) -> None:
        """Load `name`, or start a new chat when it is None."""
        if name is None:
            self.controller.new_chat()
            self._done(":material/edit_square:", "Started a new chat.")
            return
        self._attempt(lambda: self.controller.load(name), ":material/folder_open:", f"Loaded {quoted(name)}.")

    def delete(self, name: str) -> None:
        """Delete a saved conversation (the dialog has asked)."""
        self._attempt(lambda: self.controller.delete(name), ":material/delete:", f"Deleted {quoted(name)}.")

    def rename(self, name: str, new_name: str, replace: bool = False) -> None:
        """Rename a saved conversation; a taken new name asks before replacing (in the dialog)."""
        try:
            summary = self.controller.rename(name, new_name, replace=replace)
        except ConversationExists:
            self.state[RENAME_TAKEN_KEY] = validate_name(new_name)
            st.rerun()
        except (StoreError, OSError) as error:
            st.error(str(error))
            return
        self._done(":material/edit:", f"Renamed {quoted(name)} to {quoted(summary.name)}.")

    def import_files(self, files: list) -> None:
        """Import uploaded files (the Import dialog): toast what was saved, or keep the dialog open with why not."""
        report = self.controller.import_files((file.name, file.getvalue()) for file in files)
        self.state[IMPORT_GENERATION_KEY] += 1  # a new, empty file box: the same files are not imported twice
        self.state[IMPORT_PROBLEMS_KEY] = report.problems
        if not report.imported:
            st.rerun()
        if report.problems:  # some files were refused: the dialog stays open to say which and why
            self.state["memory.flash"] = (":material/upload_file:", _imported_sentence(report.imported))
            st.rerun()
        self._done(":material/upload_file:", _imported_sentence(report.imported))

    def _attempt(self, action: Callable[[], object], icon: str, success: str) -> None:
        """Run a store action: show a refusal in place, or toast the success after a rerun."""
        try:
            action()
        except (StoreError, OSError) as error:
            clear_confirm()
            st.error(str(error))
            return
        self._done(icon, success)

    def _done(self, icon: str, text: str) -> None:
        """Close any confirmation, queue a toast and redraw the page (st.rerun never returns)."""
        self.state[CONFIRM_KEY] = None
        self.state["memory.flash"] = (icon, text)
        st.rerun()


def _imported_sentence(names: list[str]) -> str:
    count = len(names)
    return f"Imported {count} conversation{'s' if count > 1 else ''}: {', '.join(quoted(name) for name in names)}."
