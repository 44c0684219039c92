"""The memory page's Saved conversations list: search, newest first, 50 at a time, and each
conversation's menu (Load, Rename, Export as Markdown or JSON, Delete).

A listed conversation's label is its name followed by when it was last updated, in grey, in the
browser's time zone. Exports are built only when their button is clicked (a callable `data`), so
listing 50 conversations reads no conversation file.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

from models.store import ConversationSummary, StoreError
from view.chat_view import escape_markdown

if TYPE_CHECKING:
    from view.conversations_sidebar import ConversationsSidebar

PAGE_SIZE = 50  # conversations drawn at first, and added by each "Show more"
SEARCH_KEY = "memory.search"
LIMIT_KEY = "memory.list_limit"
LIST_STATE_DEFAULTS = {SEARCH_KEY: "", LIMIT_KEY: PAGE_SIZE}
EXPORT_MIME = {"markdown": "text/markdown", "json": "application/json"}


def updated_label(iso_time: str, now: datetime, zone: tzinfo) -> str:
    """When a conversation was last updated, as a chat list shows it: 14:05, Yesterday, Mon, 3 Nov, 3 Nov 2024."""
    try:
        when = datetime.fromisoformat(iso_time).astimezone(zone)
    except (ValueError, TypeError):
        return ""
    today = now.astimezone(zone).date()
    days = (today - when.date()).days
    if days <= 0:
        return when.strftime("%H:%M")
    if days == 1:
        return "Yesterday"
    if days < 7:
        return when.strftime("%a")
    return f"{when.day} {when.strftime('%b')}" + ("" if when.year == today.year else f" {when.year}")


def browser_zone() -> tzinfo:
    """The person's time zone as the browser reports it (UTC when it does not)."""
    try:
        return ZoneInfo(st.context.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        offset = st.context.timezone_offset  # minutes behind UTC, as JavaScript reports it
        return timezone(-timedelta(minutes=offset)) if offset is not None else timezone.utc


def _reset_limit() -> None:
    st.session_state[LIMIT_KEY] = PAGE_SIZE


def _show_more() -> None:
    st.session_state[LIMIT_KEY] += PAGE_SIZE


@st.fragment
def render_conversation_list(sidebar: ConversationsSidebar) -> None:
    """Search box, then the matching conversations, newest first, PAGE_SIZE at a time.

    A fragment: typing a search or "Show more" redraws only this list, not the transcript.
    """
    controller = sidebar.controller
    query = st.text_input(
        "Search conversations", key=SEARCH_KEY, placeholder="Search names and messages",
        icon=":material/search:", label_visibility="collapsed", on_change=_reset_limit,
    )
    try:
        listing = controller.list_conversations(query)
    except (StoreError, OSError) as error:
        st.error(f"Saved conversations could not be listed: {error}")
        return
    for problem in listing.problems:
        st.warning(problem, icon=":material/healing:")
    found = listing.conversations
    if not found:
        st.caption(f"No conversations match “{escape_markdown(query.strip())}”." if query.strip()
                   else "No saved conversations yet.")
        return
    limit = st.session_state[LIMIT_KEY]
    now, zone = datetime.now(timezone.utc), browser_zone()
    for summary in found[:limit]:
        _conversation_item(sidebar, summary, updated_label(summary.updated, now, zone))
    if len(found) > limit:
        st.caption(f"Showing {limit} of {len(found)}.")
        st.button("Show more", key="memory.show_more", width="stretch", on_click=_show_more)


def menu_key(name: str) -> str:
    """The session-state key of a listed conversation's menu: True while it is open."""
    return f"memory.menu.{_token(name)}"


def _token(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:16]


def _conversation_item(sidebar: ConversationsSidebar, summary: ConversationSummary, when: str) -> None:
    token = _token(summary.name)
    is_open = summary.name == sidebar.controller.name
    icon = ":material/radio_button_checked:" if is_open else ":material/chat_bubble:"
    label = escape_markdown(summary.name) + (f" :gray[· {when}]" if when else "")
    # The menu's six elements are drawn only while it is open (opening it reruns this fragment):
    # with 50 conversations listed, every rerun of the page drew 300 elements instead of 50.
    menu = st.popover(label, icon=icon, width="stretch", key=menu_key(summary.name), on_change="rerun")
    if not menu.open:
        return
    with menu:
        st.caption(f"{summary.message_count} messages")
        if st.button("Load", type="primary", width="stretch", key=f"memory.load.{token}"):
            sidebar.leave_chat(summary.name)
        if st.button("Rename", icon=":material/edit:", width="stretch", key=f"memory.rename.{token}"):
            sidebar.ask("rename", summary.name)
            st.rerun()  # the whole page: dialogs are drawn outside this fragment
        for kind, label_text in (("markdown", "Export Markdown"), ("json", "Export JSON")):
            file_name, content = _deferred_export(sidebar, summary.name, kind)
            st.download_button(
                label_text, data=content, file_name=file_name, mime=EXPORT_MIME[kind], on_click="ignore",
                icon=":material/download:", width="stretch", key=f"memory.export.{kind}.{token}",
            )
        if st.button("Delete", icon=":material/delete:", width="stretch", key=f"memory.delete.{token}"):
            sidebar.ask("delete", summary.name)
            st.rerun()


def _deferred_export(sidebar: ConversationsSidebar, name: str, kind: str) -> tuple[str, Callable[[], bytes | str]]:
    """The download's file name now, and its content built only when the button is clicked."""
    controller = sidebar.controller
    file_name = controller.export_file_name(name, kind)

    def content() -> bytes | str:
        # Runs on Streamlit's server thread after the click, outside the script: no st.* here.
        try:
            return controller.export(name, kind)
        except (StoreError, OSError) as error:
            return f"“{name}” could not be exported: {error}\n"

    return file_name, content
