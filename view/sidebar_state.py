"""What the memory page's sidebar remembers between reruns, and the keys of its widgets.

Everything the sidebar itself sets is one typed `SidebarState`, kept once per session under
STATE_KEY. The boxes a person fills in keep their own keys below, because Streamlit holds a
widget's value under the widget's key; browser and AppTest helpers find them by these names.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import streamlit as st

STATE_KEY = "memory.sidebar"
SAVE_NAME_KEY = "memory.save_name"  # the Conversation name box, filled with a suggestion by Save
RENAME_TO_KEY = "memory.rename_to"  # the New name box, filled with the old name by Rename
SEARCH_KEY = "memory.search"  # the search box above Saved conversations
PAGE_SIZE = 50  # conversations drawn at first, and added by each "Show more"


@dataclass
class SidebarState:
    """The sidebar's own state in one session (mutated in place: it is the same object every rerun)."""

    flash: tuple[str, str] | None = None  # (icon, text) to toast after the next rerun
    save_open: bool = False  # the name box under Save is showing
    # (action, name) awaiting an answer in a dialog: "replace", "delete", "discard", "rename" or "import".
    confirm: tuple[str, str | None] | None = None
    replace_reason: str = ""  # why saving needs a yes to replace
    rename_taken: str | None = None  # a name found taken, awaiting a yes to replace it
    import_generation: int = 0  # bumped to empty the file box after an import
    import_problems: list[str] = field(default_factory=list)  # the last import's refusals, shown in the dialog
    list_limit: int = PAGE_SIZE  # how many matching conversations the list draws
    close_sidebar: bool = False  # fold the sidebar on a phone in the next run (after Load, Save, New chat)


def sidebar_state() -> SidebarState:
    """This session's sidebar state, made on first use."""
    if STATE_KEY not in st.session_state:
        st.session_state[STATE_KEY] = SidebarState()
    return st.session_state[STATE_KEY]


def menu_key(name: str) -> str:
    """The session-state key of a listed conversation's menu: True while it is open."""
    return f"memory.menu.{name_token(name)}"


def name_token(name: str) -> str:
    """A short stand-in for a conversation name in widget keys (names may hold any character)."""
    return hashlib.sha256(name.encode()).hexdigest()[:16]


def import_box_key(generation: int) -> str:
    """The Import dialog's file box: a new key after each import empties it."""
    return f"memory.import.{generation}"
