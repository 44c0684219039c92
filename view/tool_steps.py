"""The agent's tool steps on the page: live in a collapsible status box above the answer while
they run ("Searching the web: …", "Reading …", "Running Python" with its code and output), and
folded above a finished answer. Web titles are shown as text, links only for http(s) URLs."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

import streamlit as st

from models.tool_step import ToolStep
from view.text import escape_markdown

WORKING = "Using tools…"
ICONS = {"running": ":material/progress_activity:", "done": ":material/check_circle:",
         "failed": ":material/error:", "stopped": ":material/stop_circle:"}


def summary(steps: Iterable[ToolStep]) -> str:
    """The box's label once the steps are over: what was done, and how many failed."""
    steps = list(steps)
    reads = sum(step.kind == "read" for step in steps)
    parts = (["Searched the web"] if any(step.kind == "search" for step in steps) else []) + (
        [f"read {reads} page{'' if reads == 1 else 's'}"] if reads else []) + (
        ["ran Python"] if any(step.kind == "code" for step in steps) else [])
    failed = sum(step.state == "failed" for step in steps)
    label = ", ".join(parts) or "Used tools"
    label = label[0].upper() + label[1:]
    ends = [f"{failed} failed"] * bool(failed) + ["stopped"] * any(step.state == "stopped" for step in steps)
    return label + (f" ({', '.join(ends)})" if ends else "")


def _link(title: str, url: str) -> str:
    if not url.lower().startswith(("http://", "https://")):
        return escape_markdown(title)
    return f"[{escape_markdown(title or url)}]({quote(url, safe=':/?#[]@!$&*+,;=%~')})"


def draw_step(step: ToolStep) -> None:
    """One step: its label, what it found, its code and output, or why it failed."""
    st.markdown(f"{ICONS.get(step.state, '')} {escape_markdown(step.label)}")
    if step.results:
        st.markdown("\n".join(f"{number}. {_link(title, url)}" for number, (title, url) in enumerate(step.results, 1)))
    if step.state in ("failed", "stopped") and step.detail:
        st.caption(escape_markdown(step.detail))
    if step.code:
        st.code(step.code, language="python")
    if step.output:
        st.code(step.output, language="text")
    for image in step.images:
        try:
            st.image(base64.b64decode(image, validate=True))
        except (binascii.Error, ValueError, TypeError):
            st.caption("The chart the code made could not be shown.")


class LiveSteps:
    """The status box of one streamed answer, made when its first step arrives."""

    def __init__(self) -> None:
        self._slot = st.empty()
        self._box: Any = None
        self._steps: dict[int, ToolStep] = {}
        self._slots: dict[int, Any] = {}

    def show(self, step: ToolStep) -> None:
        if self._box is None:
            with self._slot.container():
                self._box = st.status(WORKING, expanded=True)
        self._steps[step.number] = step
        if step.number not in self._slots:
            with self._box:
                self._slots[step.number] = st.empty()
        with self._slots[step.number].container():
            draw_step(step)
        self._box.update(label=step.label if step.state == "running" else WORKING, state="running")

    @property
    def running(self) -> bool:
        return any(step.state == "running" for step in self._steps.values())

    def heartbeat(self) -> None:
        """Draw the running box again, as it is: Streamlit notices a Stop only when something is
        drawn, and a tool run (a slow page, Groq running code) sends nothing for a while."""
        running = [step for step in self._steps.values() if step.state == "running"]
        if self._box is not None and running:
            self._box.update(label=running[-1].label, state="running")

    def finish(self) -> None:
        """Fold the box once its steps are over (the answer has begun, or ended)."""
        if self._box is None or self.running:
            return
        failed = any(step.state == "failed" for step in self._steps.values())
        self._box.update(label=summary(self._steps.values()), state="error" if failed else "complete",
                         expanded=False)


def render_steps(steps: tuple[ToolStep, ...]) -> None:
    """A finished answer's steps, folded."""
    if not steps:
        return
    failed = any(step.state == "failed" for step in steps)
    with st.status(summary(steps), state="error" if failed else "complete", expanded=False):
        for step in steps:
            draw_step(step)
