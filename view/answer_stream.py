"""How an answer appears while it streams, and how a finished one is drawn again: a "Waiting for
Groq…" line until something arrives (a countdown while Groq's per-minute limit asks for a wait),
the model's thinking in a collapsible step above the answer, then the answer itself."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from typing import Any

import streamlit as st

from controller.chat import Reasoning, Waiting
from models.markdown_blocks import needs_whole
from models.message import Message
from models.tool_step import ToolStep
from view.attachments import render_sources
from view.streamed_markdown import MarkdownInBlocks, write_stream_in_blocks
from view.text import escape_markdown
from view.tool_steps import LiveSteps, render_steps

WAITING = "Waiting for Groq…"
RATE_LIMIT_WAIT = "Groq's per-minute limit: answering in {seconds} s…"
THINKING = "Thinking…"


def thought_label(seconds: float | None) -> str:
    """The Thinking step's label once the answer has begun."""
    if seconds is None:
        return "Thought"
    return f"Thought for {seconds:.0f} s" if seconds >= 1 else "Thought for less than a second"


class StreamedAnswer:
    """Draws one answer's events in the assistant's bubble: `write` draws the answer in blocks."""

    def __init__(self) -> None:
        self._thinking_slot = st.empty()
        self._steps = LiveSteps()  # the agent's tool steps, between its thinking and its answer
        self._status_slot = st.empty()
        self._status_shown = False  # a wait is shown: emptying an empty slot would redraw for nothing
        self._thinking: Any = None  # the st.status box, once the model thinks
        self._reasoning: MarkdownInBlocks | None = None
        self._text = ""
        self._thinking_began = 0.0
        self._answering = False
        self._waiting_since = time.monotonic()

    def write(self, events: Iterable[Any]) -> str:
        """Draw the answer's events; the answer's text once the stream has ended."""
        self._text = write_stream_in_blocks(self.text(events))
        return self._text

    def shows(self, content: str) -> bool:
        """Whether the answer on screen is `content` drawn as a finished answer draws it: blocks drawn
        apart cannot share link references or footnotes, so such an answer is drawn again whole."""
        return content == self._text and not needs_whole(content)

    def text(self, events: Iterable[Any]) -> Iterator[str]:
        """The answer's text; the reasoning and waits are drawn beside it as they come."""
        for event in events:
            if isinstance(event, str):
                self._begin_answer()
                self._steps.finish()
                yield event
            elif isinstance(event, ToolStep):
                self._clear_status()
                self._steps.show(event)
            elif isinstance(event, Reasoning):
                self._think(event.text)
            elif isinstance(event, Waiting) and not self._answering and self._thinking is None:
                # Drawn on every heartbeat: it is also what lets a Stop end a page that is waiting.
                if event.seconds:
                    self._status_slot.info(RATE_LIMIT_WAIT.format(seconds=event.seconds), icon=":material/timer:")
                else:
                    self._status_slot.caption(f"{WAITING} {time.monotonic() - self._waiting_since:.0f} s")
                self._status_shown = True
            elif isinstance(event, Waiting):
                self._steps.heartbeat()  # so that a Stop during a tool run ends it now
        self._steps.finish()

    def _clear_status(self) -> None:
        if self._status_shown:
            self._status_slot.empty()
            self._status_shown = False

    def _think(self, text: str) -> None:
        if self._thinking is None:
            self._clear_status()
            self._thinking_began = time.monotonic()
            with self._thinking_slot.container():
                # Made "complete", as leaving its `with` below would make it: leaving a running
                # status sends it again (after a 50 ms pause), a redraw of the page for nothing.
                self._thinking = st.status(THINKING, expanded=True, state="complete")
                with self._thinking:
                    self._reasoning = MarkdownInBlocks()
        self._reasoning.add(text)

    def _begin_answer(self) -> None:
        if self._answering:
            return
        self._answering = True
        self._clear_status()
        if self._thinking is not None:
            label = thought_label(time.monotonic() - self._thinking_began)
            self._thinking.update(label=label, state="complete", expanded=False)


def render_answer(message: Message, with_reasoning: bool = True) -> None:
    """A finished assistant answer: its thinking (folded), its text (a JSON answer pretty-printed)
    and how it was made."""
    details = message.details
    if message.reasoning and with_reasoning:
        with st.status(thought_label(details.thinking_seconds if details else None), state="complete", expanded=False):
            st.markdown(message.reasoning)
    if with_reasoning:  # else drawn live already, as the reasoning was
        render_steps(message.steps)
    if details and details.json_mode and not details.stopped:
        try:
            st.code(json.dumps(json.loads(message.content), indent=2, ensure_ascii=False), language="json")
        except ValueError:
            st.markdown(message.content)
    else:
        st.markdown(message.content)
    render_caption(message)


def render_caption(message: Message) -> None:
    """The line under an answer, and the one-time note that older messages are no longer sent."""
    render_sources(message)
    details = message.details
    if not details:
        return
    st.caption(escape_markdown(details.caption()))
    if details.omitted_messages:
        st.caption(
            f"To fit your Groq key's limits, the model no longer sees the oldest {details.omitted_messages:,} "
            "messages of this chat, only the newest. They stay here and in the saved conversation."
        )
