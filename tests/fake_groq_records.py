"""What tests/fake_groq.py records and is scripted with: requests as received, scripted steps,
streamed answers; and the paths and error kinds it answers with."""

import threading
import time
from dataclasses import dataclass, field

API_PREFIX = "/openai/v1"
CHAT_PATH = f"{API_PREFIX}/chat/completions"
# (type, code) per status for fail_with: 401, 413 and 429 follow what Groq sends; the others are stand-ins.
ERROR_KINDS = {
    400: ("invalid_request_error", "invalid_request"),
    401: ("invalid_request_error", "invalid_api_key"),
    404: ("invalid_request_error", "not_found"),
    413: ("tokens", "rate_limit_exceeded"),
    429: ("tokens", "rate_limit_exceeded"),
    500: ("internal_server_error", "internal_server_error"),
    503: ("internal_server_error", "service_unavailable"),
}


@dataclass
class RecordedRequest:
    """One request as the fake received it, and what the fake decided about it."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict | None
    received_at: float = field(default_factory=time.time)  # wall clock, comparable with a browser's
    status: int | None = None  # the HTTP status answered
    error_code: str | None = None  # the error's code when it was refused
    prompt_tokens: int | None = None  # as the fake counts them (chat requests that passed validation)
    budget: int | None = None  # the answer budget the request was held to
    requested: int | None = None  # prompt_tokens + budget: what rate limiting reserved
    completion_tokens: int | None = None  # generated, once the answer ended
    hung_up_at: float | None = None  # wall clock when the fake saw the client close the connection early
    hung_up: threading.Event = field(default_factory=threading.Event)  # set then


@dataclass
class Step:
    kind: str  # "reply" | "fail" | "cut" | "hang" | "tool_call"
    text: str = ""
    chunks: list[str] | None = None
    reasoning: str | None = None  # None: the model's default reasoning, if it reasons
    status: int = 200
    retry_after: float | None = None
    error_type: str | None = None
    code: str | None = None  # Groq's error code; else the usual one for the status
    n_chunks: int = 0
    seconds: float = 0.0
    tokens_per_second: float | None = None  # pace a stream like a real model; None: as fast as possible
    clean: bool = False  # a cut that ends the body properly (no finish_reason, no usage)
    tool: dict | None = None  # tool calling (tests/fake_groq_tools.py): the call, executed tools, failed_generation


@dataclass
class StreamRecord:
    """How one streamed answer went: chunks sent of those planned, and whether it was read to the end."""

    planned: int
    sent: int = 0
    finished: bool = False
    ended: threading.Event = field(default_factory=threading.Event)  # set when the server stops sending
    started_at: float = field(default_factory=time.time)  # wall clock when the response began
    last_sent_at: float | None = None  # wall clock after the newest chunk was written
    # Wall clock after the last token (reasoning or answer) was written, before the closing events: a
    # stream's time up to what a person reads, not up to when the fake got round to its end marker.
    last_token_at: float | None = None
    first_token_at: float | None = None  # wall clock after the first chunk past the role event was written
