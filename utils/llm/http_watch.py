"""What one HTTP client's requests do on the wire, seen through httpcore's `trace` extension."""

from __future__ import annotations

import contextlib
import socket
import weakref
from collections.abc import Callable

import httpx


class RequestWatch:
    """The sockets one HTTP client opened, so that a stop can hang up on a request still waiting for
    Groq (closing the client alone leaves a blocked read waiting until the timeout), and the moment
    each request is fully sent, told to `on_sent`."""

    def __init__(self, on_sent: Callable[[], None]) -> None:
        self._open: weakref.WeakSet = weakref.WeakSet()
        self._on_sent = on_sent

    def watch(self, request: httpx.Request) -> None:
        request.extensions["trace"] = self._trace

    def _trace(self, event: str, info: dict) -> None:
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            sock = info["return_value"].get_extra_info("socket")
            if sock is not None:
                self._open.add(sock)
        elif event == "http11.send_request_body.complete":
            self._on_sent()

    def hang_up(self) -> None:
        for sock in list(self._open):
            with contextlib.suppress(OSError):  # closed already, or handed over to TLS
                sock.shutdown(socket.SHUT_RDWR)
