"""The HTTP side of tests/fake_groq.py: what it answers and how, one request at a time."""

import copy
import json
import select
import socket
import time
from http.server import BaseHTTPRequestHandler

from tests.fake_groq_answer import Answer, plan
from tests.fake_groq_audio import AUDIO_PATHS, answer_audio
from tests.fake_groq_models import MODELS, find
from tests.fake_groq_records import API_PREFIX, CHAT_PATH, ERROR_KINDS, RecordedRequest, Step, StreamRecord
from tests.fake_groq_rules import Decision, Refusal, check
from tests.fake_groq_sse import completion, stream_chunks, usage_for
from tests.fake_groq_tools import failed_generation_error, resolve, tool_stream

__all__ = ["API_PREFIX", "CHAT_PATH", "MODELS", "Handler", "RecordedRequest", "Step", "StreamRecord"]
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # needed for chunked transfer encoding and keep-alive
    # TCP_NODELAY: with Nagle's algorithm each small chunk after the first waited for the client's
    # delayed ACK, a delay added to every streamed answer (B2).
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
            self._hung_up()

    do_POST = do_GET

    def _hung_up(self):
        record = getattr(self, "record", None)
        if record is not None and not record.hung_up.is_set():
            record.hung_up_at = time.time()
            record.hung_up.set()

    def _hold(self, seconds: float) -> bool:
        """Hold the request `seconds`, watching for the client hanging up (False) or stop() (False)."""
        fake, deadline = self.server.fake, time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if fake._stopping.is_set():
                return False
            readable, _, _ = select.select([self.connection], [], [], min(left, 0.02))
            if readable:
                try:
                    closed = not self.connection.recv(1, socket.MSG_PEEK)
                except OSError:
                    closed = True
                if closed:
                    self._hung_up()
                    return False
                fake._stopping.wait(min(left, 0.02))  # bytes of a next request: not a hang-up
        return True

    def _route(self):
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.record = RecordedRequest(self.command, self.path, headers, body)
        with fake._lock:  # recorded before answering, so a test sees it even if the reply never arrives
            fake.requests.append(self.record)
        path = self.path.split("?", 1)[0]
        if path not in (CHAT_PATH, f"{API_PREFIX}/models", *AUDIO_PATHS):
            return self._error(404, f"Unknown request URL: {self.command} {self.path}")
        if self.headers.get("Authorization") != f"Bearer {fake.api_key}":
            return self._error(401, "Invalid API Key")
        if path in AUDIO_PATHS:
            return answer_audio(self, fake, path, raw)
        if path.endswith("/models"):
            with fake._lock:
                models = copy.deepcopy(fake.models)
            return self._json(200, {"object": "list", "data": models})
        if self.command != "POST" or not isinstance(body, dict):
            return self._error(400, "Expected a POST with a JSON object body")
        self._chat(fake, body)

    def _chat(self, fake, body: dict):
        self.stream_record = None
        try:
            decision = check(body, fake.models, fake.counting, fake.json_streaming)
            self.record.prompt_tokens, self.record.budget = decision.prompt_tokens, decision.budget
            self.record.requested = decision.requested
            charge, limit_headers = fake._admit(decision)
        except Refusal as refusal:
            model = body.get("model")
            known = isinstance(model, str) and find(fake.models, model) is not None
            headers = (fake.limit_headers(model) if known else {}) | refusal.headers
            return self._send_error(refusal.status, refusal.error(), headers)
        # A finished answer is charged what it used before its usage event goes out, as a client may send
        # its next request the moment it reads the end: charged later, that request would race the settling.
        self.settle = lambda tokens: fake._settle(charge, tokens)
        try:
            self._answer(fake, body, decision, limit_headers)
        finally:
            # The reservation becomes what was really used, still dated at the request's arrival; a scripted
            # failure uses nothing.
            failed = self.record.status not in (None, 200)
            fake._settle(charge, 0 if failed else decision.prompt_tokens + (self.record.completion_tokens or 0))
            if self.stream_record is not None:  # set last, so a test that waits on it sees the charge settled
                self.stream_record.ended.set()

    def _answer(self, fake, body: dict, decision: Decision, headers: dict[str, str]):
        """Answer an admitted request, noting on its record the completion tokens generated."""
        step = fake._next_step() or Step("reply", text=fake.default_reply(body, decision.images))
        if step.kind == "hang":
            if not self._hold(step.seconds):
                self.close_connection = True
                return
            step = Step("reply", text=fake.default_reply(body, decision.images))
        step = resolve(step, body)
        if step.kind == "fail":
            self.settle(0)  # before the client can read the error and look at the minute's usage
        if step.kind == "fail" and step.tool:
            return self._send_error(step.status, failed_generation_error(step), headers)
        if step.kind == "fail":
            if step.retry_after is not None:
                headers = headers | {"retry-after": f"{step.retry_after:g}"}
            return self._error(step.status, step.text, step.error_type, step.code, headers)
        reasoning = step.reasoning if step.reasoning is not None else fake.default_reasoning(body)
        answer = plan(step.text, step.chunks, reasoning, decision.reasoning, decision.budget)
        if step.tool and body.get("stream"):
            return tool_stream(self, step, decision, answer.reasoning, headers)
        if step.kind == "cut":
            answer.content = answer.content[: step.n_chunks]
        if not body.get("stream"):
            usage = usage_for(decision.prompt_tokens, answer.completion_tokens, answer.reasoning_tokens)
            self.record.completion_tokens = answer.completion_tokens
            self.settle(decision.prompt_tokens + answer.completion_tokens)
            return self._json(200, completion(decision.model, answer, usage), headers)
        self._stream(step, decision, answer, headers)

    def _stream(self, step: Step, decision: Decision, answer: Answer, headers: dict[str, str]):
        """Stream `answer`, noting the completion tokens generated before it ended, however it ended."""
        self._start(200, {"Content-Type": "text/event-stream", "Transfer-Encoding": "chunked"} | headers)
        cut = step.kind == "cut"
        usage = None if cut else usage_for(decision.prompt_tokens, answer.completion_tokens, answer.reasoning_tokens)
        fake = self.server.fake
        shown = len(answer.reasoning) + len(answer.content)
        record = StreamRecord(planned=1 + shown + (0 if usage is None else 3))  # as stream_chunks makes them
        with fake._lock:
            fake.streams.append(record)
        self.stream_record = record
        hidden = len(answer.hidden)  # hidden reasoning takes its time before the answer's first token
        began = time.monotonic()
        try:
            # Each chunk is made as it is due, so the first leaves at once however long the answer.
            chunks = stream_chunks(decision.model, answer.reasoning, answer.content, usage, answer.finish_reason)
            for index, chunk in enumerate(chunks):
                if step.tokens_per_second:
                    # Token k is due k / rate after the start (the role event at once, the closing events
                    # right after the last token): a fixed schedule, so per-chunk overheads never add up.
                    due = began + (min(index, shown) + (hidden if index else 0)) / step.tokens_per_second
                    # Wake early on stop() so shutdown is never held up by a slow stream.
                    if fake._stopping.wait(max(due - time.monotonic(), 0)):
                        break
                if usage is not None and index == shown + 1:  # the usage event: all was generated
                    self.settle(decision.prompt_tokens + answer.completion_tokens)
                self.wfile.write(chunk)  # OSError when the client hung up: do_GET ends the request
                self.wfile.flush()
                record.sent += 1
                record.last_sent_at = time.time()
                if record.sent == 2:
                    record.first_token_at = record.last_sent_at
                if index == shown:
                    record.last_token_at = record.last_sent_at
            else:
                record.finished = not cut
        finally:
            pieces = max(record.sent - 1, 0)
            sent_reasoning = min(pieces, len(answer.reasoning))
            self.record.completion_tokens = answer.tokens_sent(sent_reasoning, pieces - sent_reasoning)
        if cut and step.clean:
            self.wfile.write(b"0\r\n\r\n")  # the end of a chunked body: a clean close
            self.wfile.flush()
        elif cut:
            # Drop the connection mid-body (no final event, no [DONE], no zero-length chunk): incomplete chunked read.
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True

    def _start(self, status: int, headers: dict[str, str]):
        self.record.status = status
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    def _json(self, status: int, payload: dict, headers: dict[str, str] | None = None):
        data = json.dumps(payload).encode()
        self._start(status, {"Content-Type": "application/json", "Content-Length": str(len(data))} | (headers or {}))
        self.wfile.write(data)
        self.wfile.flush()

    def _send_error(self, status: int, error: dict, headers: dict[str, str] | None = None):
        self.record.error_code = error.get("code")
        self._json(status, {"error": error}, headers)

    def _error(self, status, message, error_type=None, error_code=None, headers=None):
        kind, code = ERROR_KINDS.get(status, ("api_error", None))
        self._send_error(status, {"message": message, "type": error_type or kind, "code": error_code or code}, headers)
