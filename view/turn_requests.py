"""What the person asks of a turn in a rerun, and the buttons under the last turn that ask it.

Callbacks set `(kind, value)` before the script runs: (SEND, text), (REGENERATE, None), (EDIT, text), or
(HELD, (model, with_images)) for a held message; tagged so that typing "regenerate" is just a message."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import streamlit as st

from controller.voice import keep_voice_mark
from view.message_actions import render_edit

SEND, REGENERATE, EDIT, HELD = "send", "regenerate", "edit", "held"
CONTINUE_PROMPT = "Continue."


def held_turn(controller: Any, pending: Any, model: str | None, with_images: bool) -> tuple[Iterator[Any], list]:
    """The stream that answers a held message (or a held Regenerate or Edit) as the person chose, and its files."""
    attachments = [a for a in pending.attachments if with_images or a.kind != "image"]
    if pending.redo == REGENERATE:
        stream = keep_voice_mark(controller, controller.stream_regenerated(model, attachments))
    elif pending.redo == EDIT:
        stream = controller.stream_edited(pending.prompt, model, attachments)
    else:
        stream = controller.stream_reply(pending.prompt, attachments, model)
    return stream, attachments


def render_turn_buttons(controller: Any, state_prefix: str) -> None:
    """The buttons under the last turn: Retry (a failed turn) or Regenerate, Continue (an answer cut at
    Max answer tokens) and Edit."""
    last_turn = controller.last_turn_start()
    if last_turn is None:
        return
    request, failed = f"{state_prefix}.request", controller.last_turn_failed()
    label, help_text = (("Retry", "Send the last message again; the new answer replaces the failed one.") if failed
                        else ("Regenerate", "Answer the last message again; the new answer replaces the old one."))
    with st.container(horizontal=True, gap="small"):
        st.button(label, icon=":material/refresh:", type="tertiary", key=f"{state_prefix}.{label.lower()}",
                  help=help_text, on_click=st.session_state.__setitem__, args=(request, (REGENERATE, None)))
        details = controller.messages[-1].details
        if controller.remembers and not failed and details and details.cut_at_limit:
            st.button("Continue", icon=":material/arrow_forward:", type="tertiary",
                      key=f"{state_prefix}.continue",
                      help=f"Send “{CONTINUE_PROMPT}”: the model goes on from where Max answer tokens cut it.",
                      on_click=st.session_state.__setitem__, args=(request, (SEND, CONTINUE_PROMPT)))
        render_edit(controller.messages[last_turn], f"{state_prefix}.edit",
                    lambda edited: st.session_state.__setitem__(request, (EDIT, edited)))
