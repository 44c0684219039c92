"""The page's address keeps the tab's draft (`?draft=<id>`), set when the first message is sent,
so that a reload shows the chat again (controller.drafts holds the writing). The memory page
names a saved conversation instead (`?chat=<name>`): an address holds one or the other.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from controller.drafts import KeepsDraft
from models.attachments import Attachment
from models.message import Message
from models.store import StoreError
from settings import Settings
from view.accounts import current_owner
from view.loaders import load_store

DRAFT_PARAM = "draft"
CHAT_PARAM = "chat"
GONE = "The unsaved chat in this link is gone (chats without a name are kept {days:g} days)."


def use_drafts(controller: KeepsDraft, settings: Settings) -> None:
    """Give a new controller the store's drafts area (none when the folder cannot be used)."""
    try:
        store = load_store(settings, current_owner())
    except OSError:
        return  # the chat still works; only a reload loses it
    controller.use_drafts(store.drafts, settings.draft_days)
    controller.files = store.files  # attached files live beside the drafts, in the same store
    controller.recordings = store.recordings  # and so do kept recordings


def open_linked_draft(controller: KeepsDraft, settings: Settings) -> None:
    """In a new session, show the draft the address names; say so when it cannot be."""
    draft_id = st.query_params.get(DRAFT_PARAM)
    if not draft_id or controller.drafts is None:
        return
    try:
        found = controller.restore_draft(draft_id)
    except StoreError as error:
        problem = str(error)
    else:
        problem = None if found else GONE.format(days=settings.draft_days)
    if problem:
        del st.query_params[DRAFT_PARAM]
        st.toast(problem, icon=":material/link_off:")


def begin_turn(controller: KeepsDraft, prompt: str, attachments: Sequence[Attachment] = ()) -> None:
    """Keep the chat, with the message being answered (and its files), as a draft before the answer starts."""
    start = controller.last_turn_start()
    regenerating = start is not None and controller.messages[start].content == prompt
    if getattr(controller, "name", None) is None:
        controller.keep_draft([] if regenerating else [Message("user", prompt, attachments=tuple(attachments))])
        sync_address(None, controller.draft_id)


def sync_address(name: str | None, draft_id: str | None) -> None:
    """Make the address name this conversation (`?chat=`) or this draft (`?draft=`), or neither."""
    for param, value in ((CHAT_PARAM, name), (DRAFT_PARAM, None if name else draft_id)):
        if value and st.query_params.get(param) != value:
            st.query_params[param] = value
        elif not value and param in st.query_params:
            del st.query_params[param]
