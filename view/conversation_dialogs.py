"""The memory page's dialogs: replace, delete, discard unsaved messages, rename, import.

A dialog is drawn on every run while `memory.confirm` holds (action, name), so the flow works the
same in the browser and in AppTest (which cannot click into a dialog another button opened).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from models.store import MAX_NAME_LENGTH, InvalidName, validate_name
from view.chat_view import escape_markdown

if TYPE_CHECKING:
    from view.conversations_sidebar import ConversationsSidebar

CONFIRM_KEY = "memory.confirm"  # (action, name) awaiting an answer in a dialog
RENAME_TO_KEY = "memory.rename_to"  # the New name box
RENAME_TAKEN_KEY = "memory.rename_taken"  # a name found taken, awaiting a yes to replace it
IMPORT_GENERATION_KEY = "memory.import_generation"  # bumped to empty the file box after an import
IMPORT_PROBLEMS_KEY = "memory.import_problems"  # the last import's refusals, shown in the dialog


def quoted(name: str) -> str:
    """A conversation name in quotes, shown exactly as typed."""
    return f"“{escape_markdown(name)}”"


def clear_confirm() -> None:
    """Close whichever confirmation is open."""
    st.session_state[CONFIRM_KEY] = None


def _yes_or_cancel(yes_label: str, yes_key: str) -> bool:
    yes_column, cancel_column = st.columns(2)
    if cancel_column.button("Cancel", width="stretch", key=f"{yes_key}.cancel"):
        clear_confirm()
        st.rerun()
    return yes_column.button(yes_label, type="primary", width="stretch", key=yes_key)


@st.dialog("Replace saved conversation?", on_dismiss=clear_confirm)
def _confirm_replace(sidebar: ConversationsSidebar, name: str) -> None:
    # Either another conversation has this name, or ours was changed elsewhere meanwhile.
    st.markdown(f"{escape_markdown(sidebar.state['memory.replace_reason'])} Replace it with this chat?")
    if _yes_or_cancel("Replace", "memory.yes_replace"):
        sidebar.save(name, replace=True)


@st.dialog("Delete conversation?", on_dismiss=clear_confirm)
def _confirm_delete(sidebar: ConversationsSidebar, name: str) -> None:
    st.markdown(f"Delete {quoted(name)} from disk? This cannot be undone.")
    if _yes_or_cancel("Yes, delete", "memory.yes_delete"):
        sidebar.delete(name)


@st.dialog("Discard unsaved messages?", on_dismiss=clear_confirm)
def _confirm_discard(sidebar: ConversationsSidebar, name: str | None) -> None:
    unsaved = sidebar.controller.unsaved_count
    st.markdown(f"This chat has {unsaved} unsaved messages. Save it first, or discard them.")
    if _yes_or_cancel("Discard", "memory.yes_discard"):
        sidebar.switch(name)


def _same_name(typed: str, taken: str | None) -> bool:
    try:
        return taken is not None and validate_name(typed) == taken
    except InvalidName:
        return False


@st.dialog("Rename conversation", on_dismiss=clear_confirm)
def _rename(sidebar: ConversationsSidebar, name: str) -> None:
    new_name = st.text_input("New name", key=RENAME_TO_KEY, max_chars=MAX_NAME_LENGTH)
    taken = sidebar.state[RENAME_TAKEN_KEY]
    if _same_name(new_name, taken):
        st.warning(f"A conversation named {quoted(taken)} already exists. Replace it with {quoted(name)}?")
        if _yes_or_cancel("Replace", "memory.yes_rename_replace"):
            sidebar.rename(name, new_name, replace=True)
    elif _yes_or_cancel("Confirm rename", "memory.yes_rename"):
        sidebar.rename(name, new_name)


@st.dialog("Import conversations", on_dismiss=clear_confirm)
def _import(sidebar: ConversationsSidebar, _: None) -> None:
    # Drawn only while open: a file box costs every rerun of the page something in the browser.
    files = st.file_uploader(
        "JSON files exported from bnaGPT, or the original app's saved_conversations.json",
        type=["json"], accept_multiple_files=True, key=f"memory.import.{sidebar.state[IMPORT_GENERATION_KEY]}",
    )
    for problem in sidebar.state[IMPORT_PROBLEMS_KEY]:
        st.error(problem, icon=":material/error:")
    st.caption("A name already in use gets a suffix, such as “Trip (2)”: nothing is replaced.")
    if files:
        sidebar.import_files(files)


DIALOGS = {
    "replace": _confirm_replace,
    "delete": _confirm_delete,
    "discard": _confirm_discard,
    "rename": _rename,
    "import": _import,
}


def show_pending_dialog(sidebar: ConversationsSidebar) -> None:
    """Draw the confirmation the person has been asked for, if any."""
    pending = sidebar.state[CONFIRM_KEY]
    if pending:
        action, name = pending
        DIALOGS[action](sidebar, name)
