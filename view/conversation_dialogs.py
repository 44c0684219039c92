"""The memory page's dialogs: replace, delete, discard unsaved messages, rename, import.

A dialog is drawn on every run while the sidebar state's `confirm` holds (action, name), so the
flow works the same in the browser and in AppTest (which cannot click into a dialog another
button opened). A dialog's answer is carried out by ConversationActions.
"""

from __future__ import annotations

import streamlit as st

from models.store import MAX_NAME_LENGTH, InvalidName, validate_name
from view.chat_view import escape_markdown
from view.conversation_actions import ConversationActions, close_dialog, quoted
from view.sidebar_state import RENAME_TO_KEY, import_box_key


def _yes_or_cancel(yes_label: str, yes_key: str) -> bool:
    yes_column, cancel_column = st.columns(2)
    if cancel_column.button("Cancel", width="stretch", key=f"{yes_key}.cancel"):
        close_dialog()
        st.rerun()
    return yes_column.button(yes_label, type="primary", width="stretch", key=yes_key)


@st.dialog("Replace saved conversation?", on_dismiss=close_dialog)
def _confirm_replace(actions: ConversationActions, name: str) -> None:
    # Either another conversation has this name, or ours was changed elsewhere meanwhile.
    st.markdown(f"{escape_markdown(actions.state.replace_reason)} Replace it with this chat?")
    if _yes_or_cancel("Replace", "memory.yes_replace"):
        actions.save(name, replace=True)


@st.dialog("Delete conversation?", on_dismiss=close_dialog)
def _confirm_delete(actions: ConversationActions, name: str) -> None:
    st.markdown(f"Delete {quoted(name)} from disk? This cannot be undone.")
    if _yes_or_cancel("Yes, delete", "memory.yes_delete"):
        actions.delete(name)


@st.dialog("Discard unsaved messages?", on_dismiss=close_dialog)
def _confirm_discard(actions: ConversationActions, name: str | None) -> None:
    controller = actions.controller
    unsaved = controller.unsaved_count
    save_name = controller.name or controller.suggested_name()
    st.markdown(f"This chat has {unsaved} unsaved message{'' if unsaved == 1 else 's'}. "
                f"Save it as {quoted(save_name)} first, or discard {'it' if unsaved == 1 else 'them'}.")
    save_column, discard_column, cancel_column = st.columns(3)
    if cancel_column.button("Cancel", width="stretch", key="memory.discard.cancel"):
        close_dialog()
        st.rerun()
    if discard_column.button("Discard", width="stretch", key="memory.yes_discard"):
        actions.switch(name)
    if save_column.button("Save", type="primary", width="stretch", key="memory.discard.save"):
        actions.save(save_name, then_leave_for=name)


def _same_name(typed: str, taken: str | None) -> bool:
    try:
        return taken is not None and validate_name(typed) == taken
    except InvalidName:
        return False


@st.dialog("Rename conversation", on_dismiss=close_dialog)
def _rename(actions: ConversationActions, name: str) -> None:
    # A form, so that Enter in the name box renames (or replaces, once asked) as the button does.
    with st.form("memory.rename_form", border=False):
        new_name = st.text_input("New name", key=RENAME_TO_KEY, max_chars=MAX_NAME_LENGTH)
        taken = actions.state.rename_taken
        replacing = _same_name(new_name, taken)
        if replacing:
            st.warning(f"A conversation named {quoted(taken)} already exists. Replace it with {quoted(name)}?")
        yes_column, cancel_column = st.columns(2)
        yes = yes_column.form_submit_button("Replace" if replacing else "Confirm rename", type="primary",
                                            width="stretch")
        if cancel_column.form_submit_button("Cancel", width="stretch"):
            close_dialog()
            st.rerun()
    if yes:
        actions.rename(name, new_name, replace=replacing)


@st.dialog("Import conversations", on_dismiss=close_dialog)
def _import(actions: ConversationActions, _: None) -> None:
    # Drawn only while open: a file box costs every rerun of the page something in the browser.
    files = st.file_uploader(
        "JSON files exported from bnaGPT, or the original app's saved_conversations.json",
        type=["json"], accept_multiple_files=True, key=import_box_key(actions.state.import_generation),
    )
    for problem in actions.state.import_problems:
        st.error(problem, icon=":material/error:")
    st.caption("A name already in use gets a suffix, such as “Trip (2)”: nothing is replaced.")
    if files:
        actions.import_files(files)


DIALOGS = {
    "replace": _confirm_replace,
    "delete": _confirm_delete,
    "discard": _confirm_discard,
    "rename": _rename,
    "import": _import,
}


def show_pending_dialog(actions: ConversationActions) -> None:
    """Draw the confirmation the person has been asked for, if any."""
    pending = actions.state.confirm
    if pending:
        action, name = pending
        DIALOGS[action](actions, name)
