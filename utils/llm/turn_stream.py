"""One answer's events as the controller reads them, from a turn that a thread of its own drives."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from models.tool_step import ToolStep
from utils.llm.events import Failed, Finished, Reasoning, Waiting
from utils.llm.groq_requests import StreamCut, Turn


class TurnStream:
    """One answer's events: text as `str`, `Reasoning`, and `Waiting` while nothing arrives.

    The engine is called in a thread of its own, so reading never blocks for long: while nothing
    arrives a `Waiting` comes every `HEARTBEAT` seconds, and the page drawing it can be stopped.
    The whole text, the reasoning and how Groq ended the answer are kept.
    """

    HEARTBEAT = 0.25

    def __init__(self, turn: Turn, call: Callable[[], Any], dropped: int = 0) -> None:
        self.turn = turn
        self.text = ""
        self.reasoning = ""
        self.thinking_seconds: float | None = None
        self.finished: Finished | None = None
        self.dropped = dropped  # history left out to fit, before the request and in it
        self.steps: dict[int, ToolStep] = {}  # the tools' steps by number, each as it is now
        self.sources: list = []  # the document passages the model was given (Passage), for Sources
        self._thread = threading.Thread(target=self._run, args=(call,), name="bnaGPT answer", daemon=True)
        self._thread.start()

    def _run(self, call: Callable[[], Any]) -> None:
        try:
            response = call()
            # LlamaIndex reads the stream in a worker of its own; a failure there lands on the response.
            while not self.turn.ended.wait(0.05) and response.exception is None:
                if getattr(response, "is_done", False):
                    # The agent ended its turn on a stream that was no answer (a tool call it did not
                    # run): read as cut, never waited on forever.
                    self.turn.ended.set()
            if response.exception is not None:
                raise response.exception
        except BaseException as error:  # noqa: BLE001 - handed to the reader, who shows it
            self.turn.events.put(Failed(error))
            self.turn.sent.set()  # nothing more will be sent: a reader waiting for it reads the failure

    def wait_until_sent(self) -> None:
        """Return once the request is on its way to Groq (or failed), at most a heartbeat later: until
        then this thread would only take the interpreter from the one building the request (B3)."""
        self.turn.sent.wait(self.HEARTBEAT)

    def __iter__(self) -> Iterator[Any]:
        events, thinking_began = self.turn.events, None
        while True:
            try:
                event = events.get(timeout=self.HEARTBEAT)
            except queue.Empty:
                if self.turn.ended.is_set() and self.turn.stop.is_set():
                    return
                if self.turn.ended.is_set() and not self._thread.is_alive() and events.empty():
                    raise StreamCut("the answer ended with neither Groq's end marker nor an error") from None
                yield Waiting()
                continue
            if isinstance(event, Failed):
                raise event.error
            if isinstance(event, Finished):
                self.finished = event
                self.dropped += event.dropped
                return
            if isinstance(event, Reasoning):
                thinking_began = thinking_began or time.monotonic()
                self.reasoning += event.text
            elif isinstance(event, ToolStep):
                self.steps[event.number] = event
            elif isinstance(event, str):
                if thinking_began and self.thinking_seconds is None:
                    self.thinking_seconds = round(time.monotonic() - thinking_began, 1)
                self.text += event
            yield event

    @property
    def usage(self) -> dict | None:
        """Groq's usage for the finished answer."""
        return self.finished.usage if self.finished else None
