"""The HTTP side of tests/fake_groq.py: what it answers and how, one request at a time."""

import copy
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from tests.fake_groq_sse import TOKEN_RE, completion, stream_chunks, usage_for

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
    received_at: float = field(default_factory=time.time)  # wall clock, comparable with a browser's


@dataclass
class Step:
    kind: str  # "reply" | "fail" | "cut" | "hang"
    text: str = ""
    chunks: list[str] | None = None
    status: int = 200
    retry_after: float | None = None
    error_type: str | None = None
    code: str | None = None  # Groq's error code; else the usual one for the status
    n_chunks: int = 0
    seconds: float = 0.0
    tokens_per_second: float | None = None  # pace a stream like a real model; None: as fast as possible


@dataclass
class StreamRecord:
    """How one streamed answer went: chunks sent of those planned, and whether it was read to the end."""

    planned: int
    sent: int = 0
    finished: bool = False
    ended: threading.Event = field(default_factory=threading.Event)  # set when the server stops sending
    started_at: float = field(default_factory=time.time)  # wall clock when the response began
    last_sent_at: float | None = None  # wall clock after the newest chunk was written


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # needed for chunked transfer encoding and keep-alive
    # TCP_NODELAY: with Nagle's algorithm each small chunk after the first waited for the client's
    # delayed ACK, adding about 40 ms to every streamed answer.
    disable_nagle_algorithm = True

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
            with fake._lock:
                models = copy.deepcopy(fake.models)
            return self._json(200, {"object": "list", "data": models})
        if self.command != "POST" or not isinstance(body, dict):
            return self._error(400, "Expected a POST with a JSON object body")
        self._chat(fake, body)

    def _chat(self, fake: "FakeGroq", body: dict):
        step = fake._next_step() or Step("reply", text=fake.default_reply(body))
        if step.kind == "hang":
            # Wake early on stop() so shutdown is never held up by a hanging handler.
            if fake._stopping.wait(step.seconds):
                self.close_connection = True
                return
            step = Step("reply", text=fake.default_reply(body))
        if step.kind == "fail":
            return self._error(step.status, step.text, step.retry_after, step.error_type, step.code)
        model = body.get("model", "openai/gpt-oss-120b")
        usage = usage_for(body, step.text)
        if not body.get("stream"):
            return self._json(200, completion(model, step.text, usage))
        self._stream(step, model, usage)

    def _stream(self, step: Step, model: str, usage: dict):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        cut = step.kind == "cut"
        tokens = step.chunks if step.chunks is not None else TOKEN_RE.findall(step.text)
        tokens = tokens[: step.n_chunks] if cut else tokens
        usage = None if cut else usage
        fake = self.server.fake
        record = StreamRecord(planned=1 + len(tokens) + (0 if usage is None else 3))  # as stream_chunks makes them
        with fake._lock:
            fake.streams.append(record)
        began = time.monotonic()
        try:
            # Each chunk is made as it is due, so the first leaves at once however long the answer.
            for index, chunk in enumerate(stream_chunks(model, tokens, usage)):
                if step.tokens_per_second:
                    # Token k is due k / rate after the start (the role event at once, the closing events
                    # right after the last token): a fixed schedule, so per-chunk overheads never add up.
                    due = began + min(index, len(tokens)) / step.tokens_per_second
                    # Wake early on stop() so shutdown is never held up by a slow stream.
                    if fake._stopping.wait(max(due - time.monotonic(), 0)):
                        return
                self.wfile.write(chunk)  # OSError when the client hung up: do_GET ends the request
                self.wfile.flush()
                record.sent += 1
                record.last_sent_at = time.time()
            record.finished = not cut
        finally:
            record.ended.set()
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

    def _error(self, status, message, retry_after=None, error_type=None, error_code=None):
        kind, code = ERROR_KINDS.get(status, ("api_error", None))
        headers = {}
        if retry_after is not None:
            headers["retry-after"] = f"{retry_after:g}"
        error = {"message": message, "type": error_type or kind, "code": error_code or code}
        self._json(status, {"error": error}, headers)
