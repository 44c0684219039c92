"""How tests/fake_groq.py encodes a chat answer: its usage counts, Groq's chat completion JSON, or
a stream of server-sent events sent with HTTP/1.1 chunked transfer encoding. Standard library only."""

import json
import re
import time
import uuid
from collections.abc import Iterator

TOKEN_RE = re.compile(r"\S+\s*|\s+")  # word-ish tokens that keep their spaces, so joining gives the text back


def text_of(content) -> str:
    """The text of a message's content: a plain string, or a list of multimodal parts."""
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return content if isinstance(content, str) else ""


def usage_for(body: dict, text: str) -> dict:
    """Token counts (words, near enough) and timings for answering the chat request `body` with `text`."""
    prompt = sum(len(text_of(m.get("content")).split()) for m in body.get("messages", []) if isinstance(m, dict))
    answer = len(text.split())
    # Groq's timing fields, in seconds; derived from the counts so that they are deterministic.
    timing = {"queue_time": 0.001, "prompt_time": prompt / 20000, "completion_time": answer / 500}
    timing = {name: round(seconds, 6) for name, seconds in timing.items()}
    timing["total_time"] = round(sum(timing.values()), 6)
    return {"prompt_tokens": prompt, "completion_tokens": answer, "total_tokens": prompt + answer, **timing}


def _new_id(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:24]}"


def completion(model: str, text: str, usage: dict) -> dict:
    """The JSON body of a non-streamed chat completion answering `text`."""
    message = {"role": "assistant", "content": text}
    return {
        "id": _new_id("chatcmpl-"), "object": "chat.completion", "created": int(time.time()),
        "model": model, "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": usage, "x_groq": {"id": _new_id("req_")},
    }


def http_chunk(data: bytes) -> bytes:
    """`data` framed as one chunk of a chunked transfer-encoded body."""
    return b"%X\r\n%s\r\n" % (len(data), data)


def stream_chunks(model: str, tokens: list[str], usage: dict | None) -> Iterator[bytes]:
    """The HTTP chunks of a streamed completion: a role event, then one content event per token.

    With `usage`, the stream is finished: a final event carrying the usage, `data: [DONE]` and the
    zero-length chunk that ends the body. With None it simply stops, as a stream cut off midway.
    """
    base = {"id": _new_id("chatcmpl-"), "object": "chat.completion.chunk", "created": int(time.time()), "model": model}

    def event(delta: dict, finish: str | None = None, **extra) -> bytes:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return http_chunk(b"data: " + json.dumps({**base, "choices": [choice], **extra}).encode() + b"\n\n")

    yield event({"role": "assistant", "content": ""})
    for token in tokens:
        yield event({"content": token})
    if usage is not None:
        yield event({}, "stop", x_groq={"id": _new_id("req_"), "usage": usage}, usage=usage)
        yield http_chunk(b"data: [DONE]\n\n")
        yield b"0\r\n\r\n"
