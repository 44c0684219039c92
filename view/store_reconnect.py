"""When the conversation store can't be reached (a database that is down): the sidebar says so,
and a small fragment tries again every BNAGPT_STORE_RETRY_SECONDS; once the store answers, it
saves the turns an autosave could not and draws the whole page again. Chatting goes on meanwhile.
"""

from __future__ import annotations

import time

import streamlit as st

from controller.memory_chat import MemoryChatController

UNREACHABLE_KEY = "memory.store_unreachable"  # the last look at the store found it unreachable
LAST_TRY_KEY = "memory.store_last_try"  # when it was last tried (time.monotonic)


def note_reachable(reachable: bool) -> None:
    """Remember what the last look at the store found."""
    st.session_state[UNREACHABLE_KEY] = not reachable
    st.session_state[LAST_TRY_KEY] = time.monotonic()


def render_reconnect(controller: MemoryChatController) -> bool:
    """Save waiting turns if the store answered the list; else draw the fragment that keeps trying.
    True when the autosave status changed."""
    reachable = not st.session_state.get(UNREACHABLE_KEY)
    if reachable and controller.autosave_pending:
        return controller.retry_autosave()
    if reachable:
        return False
    seconds = controller.settings.store_retry_seconds
    st.fragment(run_every=seconds)(_try_again)(controller, seconds)
    return False


def _try_again(controller: MemoryChatController, seconds: float) -> None:
    # Not in the run that drew the page: that run has just tried (and a far database costs a timeout).
    if time.monotonic() - st.session_state.get(LAST_TRY_KEY, 0.0) >= seconds / 2:
        reachable = controller.reconnect()
        note_reachable(reachable)
        if reachable:
            st.rerun()  # the whole page: the list, and the autosave status
    st.caption(f":material/sync: Trying again every {seconds:g} s.")
