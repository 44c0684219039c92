"""A fake Groq (OpenAI-compatible) server on 127.0.0.1 for tests; standard library only."""

import contextlib
import json
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.fake_groq_sse import TOKEN_RE, completion, stream_chunks, text_of, usage_for

API_PREFIX = "/openai/v1"
CHAT_PATH = f"{API_PREFIX}/chat/completions"
MODELS = [
    {"id": "openai/gpt-oss-120b", "object": "model", "owned_by": "OpenAI", "active": True, "context_window": 131072},
    {"id": "llama-3.1-8b-instant", "object": "model", "owned_by": "Meta", "active": True, "context_window": 131072},
    {"id": "whisper-large-v3", "object": "model", "owned_by": "OpenAI", "active": True, "context_window": 448},
]
# (type, code) per status: 401 and 429 follow what Groq sends; the others are plausible stand-ins.
ERROR_KINDS = {
    400: ("invalid_request_error", "invalid_request"),
    401: ("invalid_request_error", "invalid_api_key"),
    404: ("invalid_request_error", "not_found"),
    429: ("tokens", "rate_limit_exceeded"),
    500: ("internal_server_error", "internal_server_error"),
    503: ("internal_server_error", "service_unavailable"),
}


@dataclass
class RecordedRequest:
    """One request as the fake received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict | None


@dataclass
class _Step:
    kind: str  # "reply" | "fail" | "cut" | "hang"
    text: str = ""
    chunks: list[str] | None = None
    status: int = 200
    retry_after: float | None = None
    error_type: str | None = None
    n_chunks: int = 0
    seconds: float = 0.0


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # needed for chunked transfer encoding and keep-alive

    def log_message(self, format, *args):  # noqa: A002 - signature fixed by the base class
        """Keep test output quiet."""

    def setup(self):
        super().setup()
        with self.server.fake._lock:
            self.server.fake._connections.add(self.connection)

    def finish(self):
        with self.server.fake._lock:
            self.server.fake._connections.discard(self.connection)
        super().finish()

    def do_GET(self):
        try:
            self._route()
        except OSError:
            # Client went away (e.g. it timed out while we hung); nothing left to answer.
            self.close_connection = True

    do_POST = do_GET

    def _route(self):
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        headers = {k.lower(): v for k, v in self.headers.items()}
        with fake._lock:  # recorded before answering, so a test sees it even if the reply never arrives
            fake.requests.append(RecordedRequest(self.command, self.path, headers, body))
        path = self.path.split("?", 1)[0]
        if path not in (CHAT_PATH, f"{API_PREFIX}/models"):
            return self._error(404, f"Unknown request URL: {self.command} {self.path}")
        if self.headers.get("Authorization") != f"Bearer {fake.api_key}":
            return self._error(401, "Invalid API Key")
        if path.endswith("/models"):
            return self._json(200, {"object": "list", "data": MODELS})
        if self.command != "POST" or not isinstance(body, dict):
            return self._error(400, "Expected a POST with a JSON object body")
        self._chat(fake, body)

    def _chat(self, fake: "FakeGroq", body: dict):
        step = fake._next_step() or _Step("reply", text=fake.default_reply(body))
        if step.kind == "hang":
            # Wake early on stop() so shutdown is never held up by a hanging handler.
            if fake._stopping.wait(step.seconds):
                self.close_connection = True
                return
            step = _Step("reply", text=fake.default_reply(body))
        if step.kind == "fail":
            return self._error(step.status, step.text, step.retry_after, step.error_type)
        model = body.get("model", "openai/gpt-oss-120b")
        usage = usage_for(body, step.text)
        if not body.get("stream"):
            return self._json(200, completion(model, step.text, usage))
        self._stream(step, model, usage)

    def _stream(self, step: _Step, model: str, usage: dict):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        cut = step.kind == "cut"
        tokens = step.chunks if step.chunks is not None else TOKEN_RE.findall(step.text)
        for chunk in stream_chunks(model, tokens[: step.n_chunks] if cut else tokens, None if cut else usage):
            self.wfile.write(chunk)
            self.wfile.flush()
        if cut:
            # Drop the connection mid-body (no final event, no [DONE], no zero-length chunk): incomplete chunked read.
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True

    def _json(self, status: int, payload: dict, headers: dict[str, str] | None = None):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _error(self, status, message, retry_after=None, error_type=None):
        kind, code = ERROR_KINDS.get(status, ("api_error", None))
        headers = {}
        if retry_after is not None:
            headers["retry-after"] = f"{retry_after:g}"
        error = {"message": message, "type": error_type or kind, "code": code}
        self._json(status, {"error": error}, headers)


class FakeGroq:
    """An in-process, scriptable stand-in for Groq's OpenAI-compatible API."""

    def __init__(self, api_key: str = "gsk_test_key"):
        self.api_key = api_key
        self.base_url = ""
        self.requests: list[RecordedRequest] = []
        self._script: list[_Step] = []
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> "FakeGroq":
        """Bind 127.0.0.1 on a free port and serve in a daemon thread."""
        self._stopping.clear()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)  # daemon_threads is already True
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
        """Forget recorded requests and any scripted behaviour."""
        with self._lock:
            self.requests.clear()
            self._script.clear()

    def reply_with(self, text: str, chunks: list[str] | None = None) -> None:
        """Answer the next chat request with `text`; a stream sends `chunks` verbatim if given, else word-ish tokens."""
        self._push(_Step("reply", text=text, chunks=chunks))

    def fail_with(self, status: int, message: str = "Something went wrong", retry_after: float | None = None,
                  error_type: str | None = None) -> None:
        """Answer the next chat request with an HTTP error in Groq's JSON error shape."""
        self._push(_Step("fail", text=message, status=status, retry_after=retry_after, error_type=error_type))

    def cut_stream_after(self, n_chunks: int, text: str = "This answer will be cut off midway") -> None:
        """Stream `n_chunks` tokens of `text` to the next chat request, then drop the connection."""
        self._push(_Step("cut", text=text, n_chunks=n_chunks))

    def hang(self, seconds: float) -> None:
        """Make the next chat request wait `seconds` before getting the default reply."""
        self._push(_Step("hang", seconds=seconds))

    @staticmethod
    def default_reply(body: dict) -> str:
        """The unscripted answer: 'Echo: ' plus the last user message."""
        users = [m for m in body.get("messages", []) if isinstance(m, dict) and m.get("role") == "user"]
        return "Echo: " + (text_of(users[-1].get("content")) if users else "")

    def _push(self, step: _Step) -> None:
        with self._lock:
            self._script.append(step)

    def _next_step(self) -> _Step | None:
        with self._lock:
            return self._script.pop(0) if self._script else None
