"""The memory page's Saved conversations list: search, newest first, 50 at a time, and each
conversation's menu (Load, Rename, Export as Markdown or JSON, Delete).

A listed conversation's label is its name, then when it was last updated in grey, in the browser's
time zone (static/app.css sets the times in a column of their own). Exports are built only when
their button is clicked (a callable `data`), so listing 50 conversations reads no conversation file.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

from models.store import ConversationSummary
from view.chat_view import escape_markdown
from view.conversation_actions import ConversationActions
from view.sidebar_state import PAGE_SIZE, SEARCH_KEY, menu_key, name_token, sidebar_state

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
        return timezone(-timedelta(minutes=offset)) if offset is not None else UTC


def _reset_limit() -> None:
    sidebar_state().list_limit = PAGE_SIZE


def _show_more() -> None:
    sidebar_state().list_limit += PAGE_SIZE


@st.fragment
def render_conversation_list(actions: ConversationActions) -> None:
    """Search box, then the matching conversations, newest first, PAGE_SIZE at a time.

    A fragment: typing a search or "Show more" redraws only this list, not the transcript.
    """
    query = st.text_input(
        "Search conversations", key=SEARCH_KEY, placeholder="Search names and messages",
        icon=":material/search:", label_visibility="collapsed", on_change=_reset_limit,
    )
    limit = sidebar_state().list_limit
    listing = actions.listing(query, limit)
    if listing is None:
        return
    for problem in listing.problems:
        st.warning(problem, icon=":material/healing:")
    found = listing.conversations
    if not found:
        st.caption(f"No conversations match “{escape_markdown(query.strip())}”." if query.strip()
                   else "No saved conversations yet.")
        return
    now, zone = datetime.now(UTC), browser_zone()
    for summary in found:
        _conversation_item(actions, summary, updated_label(summary.updated, now, zone))
    if listing.more:
        st.caption(f"Showing {limit} of {listing.total}." if listing.total else f"Showing the newest {limit}.")
        st.button("Show more", key="memory.show_more", width="stretch", on_click=_show_more)


def _conversation_item(actions: ConversationActions, summary: ConversationSummary, when: str) -> None:
    token = name_token(summary.name)
    is_open = summary.name == actions.controller.name
    icon = ":material/radio_button_checked:" if is_open else ":material/chat_bubble:"
    label = escape_markdown(summary.name) + (f" :gray[{when}]" if when else "")  # the time: static/app.css
    # The menu's six elements are drawn only while it is open (opening it reruns this fragment):
    # with 50 conversations listed, every rerun of the page drew 300 elements instead of 50.
    menu = st.popover(label, icon=icon, width="stretch", key=menu_key(summary.name), on_change="rerun")
    if not menu.open:
        return
    with menu:
        st.caption(f"{summary.message_count} messages")
        if st.button("Load", type="primary", width="stretch", key=f"memory.load.{token}"):
            actions.leave_chat(summary.name)
        if st.button("Rename", icon=":material/edit:", width="stretch", key=f"memory.rename.{token}"):
            actions.ask("rename", summary.name)
            st.rerun()  # the whole page: dialogs are drawn outside this fragment
        for kind, label_text in (("markdown", "Export Markdown"), ("json", "Export JSON")):
            file_name, content = actions.export(summary.name, kind)
            st.download_button(
                label_text, data=content, file_name=file_name, mime=EXPORT_MIME[kind], on_click="ignore",
                icon=":material/download:", width="stretch", key=f"memory.export.{kind}.{token}",
            )
        if st.button("Delete", icon=":material/delete:", width="stretch", key=f"memory.delete.{token}"):
            actions.ask("delete", summary.name)
            st.rerun()

