"""A fake Groq (OpenAI-compatible) server on 127.0.0.1 for tests, as strict as the real one: model table,
answer budgets, token counts, free-tier rate limits, reasoning and JSON mode. Standard library only, but for
tiktoken to count tokens."""

import contextlib
import copy
import socket
import threading
import time
from collections.abc import Callable
from http.server import ThreadingHTTPServer

from tests.fake_groq_audio import FakeAudio
from tests.fake_groq_http import API_PREFIX, CHAT_PATH, Handler, RecordedRequest, Step, StreamRecord
from tests.fake_groq_images import what_was_seen
from tests.fake_groq_limits import Charge, Limits, RateLimiter
from tests.fake_groq_models import DECOMMISSIONED, MODELS
from tests.fake_groq_rules import Decision
from tests.fake_groq_tokens import TokenCounting, text_of
from tests.fake_groq_tools import ToolScripts

__all__ = ["API_PREFIX", "CHAT_PATH", "DECOMMISSIONED", "MODELS", "FakeGroq", "Limits", "RecordedRequest",
           "StreamRecord", "TokenCounting"]

class FakeGroq(ToolScripts):
    """An in-process, scriptable stand-in for Groq's OpenAI-compatible API."""

    def __init__(self, api_key: str = "gsk_test_key", clock: Callable[[], float] = time.monotonic):
        self.api_key = api_key
        self.clock = clock  # dates rate-limit windows; a test may pass its own to skip waiting
        self.base_url = ""
        self.requests: list[RecordedRequest] = []
        self.streams: list[StreamRecord] = []  # one per streamed answer, in order
        self.models: list[dict] = copy.deepcopy(MODELS)  # what GET /models lists and chat knows; replaceable
        self.limits = Limits()  # every model's, but for those in limits_for
        self.limits_for: dict[str, Limits] = {}
        self.counting = TokenCounting()
        self.json_streaming = False  # Groq refuses response_format with stream; True lets a test allow it
        self._limiter = RateLimiter()
        self.audio = FakeAudio()  # /audio/transcriptions and /audio/speech (tests/fake_groq_audio.py)
        self._script: list[Step] = []
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> "FakeGroq":
        """Bind 127.0.0.1 on a free port and serve in a daemon thread."""
        self._stopping.clear()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)  # daemon_threads is already True
        self._server.fake = self  # how handlers find their FakeGroq
        port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{port}{API_PREFIX}"
        # A short poll interval keeps stop() fast.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake hanging handlers and close every socket."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            conns = list(self._connections)
        for conn in conns:  # keep-alive connections would otherwise park their threads
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> "FakeGroq":
        return self if self._server else self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def chat_requests(self) -> list[dict]:
        """JSON bodies of POST /chat/completions requests, in order."""
        with self._lock:
            return [r.body for r in self.requests if r.method == "POST" and r.path.split("?")[0] == CHAT_PATH]

    def reset(self) -> None:
        """Forget recorded requests, scripted behaviour and rate-limit usage; default models, limits and counting."""
        with self._lock:
            self.requests.clear()
            self.streams.clear()
            self._script.clear()
            self.models = copy.deepcopy(MODELS)
            self.limits, self.limits_for = Limits(), {}
            self.counting = TokenCounting()
            self.json_streaming = False
            self._limiter.clear()
            self.audio = FakeAudio()

    def limits_of(self, model: str) -> Limits:
        return self.limits_for.get(model, self.limits)

    def limit_headers(self, model: str) -> dict[str, str]:
        """The x-ratelimit-* headers `model` would get now."""
        with self._lock:
            return self._limiter.headers(model, self.limits_of(model), self.clock())

    def minute_usage(self, model: str) -> tuple[int, int]:
        """(requests, tokens) charged to `model` in the current rolling minute."""
        with self._lock:
            minute = self._limiter.minute(model, self.limits_of(model), self.clock())
            return len(minute), sum(c.tokens for c in minute)

    def reply_with(self, text: str, chunks: list[str] | None = None, tokens_per_second: float | None = None,
                   reasoning: str | None = None) -> None:
        """Answer the next chat request with `text`; a stream sends `chunks` verbatim if given, else word-ish
        tokens, at `tokens_per_second` when given (else as fast as it can). A reasoning model reasons
        `reasoning` first (None: default_reasoning); the request's parameters say whether it is shown."""
        self._push(Step("reply", text=text, chunks=chunks, tokens_per_second=tokens_per_second, reasoning=reasoning))

    def fail_with(self, status: int, message: str = "Something went wrong", retry_after: float | None = None,
                  error_type: str | None = None, code: str | None = None) -> None:
        """Answer the next chat request with an HTTP error in Groq's JSON error shape."""
        self._push(Step("fail", text=message, status=status, retry_after=retry_after, error_type=error_type,
                        code=code))

    def cut_stream_after(self, n_chunks: int, text: str = "This answer will be cut off midway",
                         reasoning: str | None = None, clean: bool = False) -> None:
        """Stream the reasoning (if any), then `n_chunks` tokens of `text`, then drop the connection; `clean`:
        end the body properly instead, without finish_reason, usage or [DONE]."""
        self._push(Step("cut", text=text, n_chunks=n_chunks, reasoning=reasoning, clean=clean))

    def hang(self, seconds: float) -> None:
        """Make the next chat request wait `seconds` before getting the default reply; a client hanging up
        meanwhile ends it (its RecordedRequest's `hung_up`)."""
        self._push(Step("hang", seconds=seconds))

    @staticmethod
    def default_reply(body: dict, images: tuple = ()) -> str:
        """The unscripted answer: 'Echo: ' plus the last user message, then what it saw of attachments (the
        images decoded, the passages given: tests/fake_groq_images.py)."""
        users = [text_of(m.get("content")) for m in body.get("messages", []) if isinstance(m, dict)
                 and m.get("role") == "user"]
        return "Echo: " + (users[-1] if users else "") + what_was_seen(users, images)

    @staticmethod
    def default_reasoning(body: dict) -> str:
        """What a reasoning model thinks when nothing is scripted: a short note on the last user message."""
        users = [m for m in body.get("messages", []) if isinstance(m, dict) and m.get("role") == "user"]
        words = text_of(users[-1].get("content")).split() if users else []
        gist = " ".join(words[:20]) + (" …" if len(words) > 20 else "")
        return f"The user wrote: {gist}. I will answer."

    def _push(self, step: Step) -> None:
        with self._lock:
            self._script.append(step)

    def _admit(self, decision: Decision) -> tuple[Charge, dict[str, str]]:
        with self._lock:
            return self._limiter.admit(decision.model, self.limits_of(decision.model), decision.requested,
                                       self.clock())

    def _settle(self, charge: Charge, tokens: int) -> None:
        with self._lock:
            charge.tokens = tokens

    def _next_step(self) -> Step | None:
        with self._lock:
            return self._script.pop(0) if self._script else None
