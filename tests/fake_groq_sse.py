"""How tests/fake_groq.py encodes a chat answer: its usage, Groq's chat completion JSON, or a stream of
server-sent events sent with HTTP/1.1 chunked transfer encoding. Standard library only."""

import json
import time
import uuid
from collections.abc import Iterator

from tests.fake_groq_answer import TOKEN_RE, Answer
from tests.fake_groq_tokens import text_of

__all__ = ["TOKEN_RE", "completion", "http_chunk", "stream_chunks", "text_of", "usage_for"]


def usage_for(prompt_tokens: int, completion_tokens: int, reasoning_tokens: int = 0) -> dict:
    """Groq's usage block: token counts plus timings derived from them, so that they are deterministic."""
    timing = {"queue_time": 0.001, "prompt_time": prompt_tokens / 20000, "completion_time": completion_tokens / 500}
    timing = {name: round(seconds, 6) for name, seconds in timing.items()}
    timing["total_time"] = round(sum(timing.values()), 6)
    usage = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
             "total_tokens": prompt_tokens + completion_tokens, **timing}
    if reasoning_tokens:
        usage["completion_tokens_details"] = {"reasoning_tokens": reasoning_tokens}
    return usage


def _new_id(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:24]}"


def completion(model: str, answer: Answer, usage: dict) -> dict:
    """The JSON body of a non-streamed chat completion."""
    message = {"role": "assistant", "content": "".join(answer.content)}
    if answer.reasoning:
        message["reasoning"] = "".join(answer.reasoning)
    return {
        "id": _new_id("chatcmpl-"), "object": "chat.completion", "created": int(time.time()),
        "model": model, "choices": [{"index": 0, "message": message, "finish_reason": answer.finish_reason}],
        "usage": usage, "x_groq": {"id": _new_id("req_"), "usage": usage},
    }


def http_chunk(data: bytes) -> bytes:
    """`data` framed as one chunk of a chunked transfer-encoded body."""
    return b"%X\r\n%s\r\n" % (len(data), data)


def stream_chunks(model: str, reasoning: list[str], content: list[str], usage: dict | None,
                  finish_reason: str = "stop") -> Iterator[bytes]:
    """The HTTP chunks of a streamed completion: a role event, one reasoning event per reasoning piece,
    then one content event per content piece.

    With `usage`, the stream is finished: a final event carrying `finish_reason` and the usage, `data: [DONE]`
    and the zero-length chunk that ends the body. With None it simply stops, as a stream cut off midway.
    """
    base = {"id": _new_id("chatcmpl-"), "object": "chat.completion.chunk", "created": int(time.time()), "model": model}

    def event(delta: dict, finish: str | None = None, **extra) -> bytes:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return http_chunk(b"data: " + json.dumps({**base, "choices": [choice], **extra}).encode() + b"\n\n")

    yield event({"role": "assistant", "content": ""})
    for piece in reasoning:
        yield event({"reasoning": piece})
    for piece in content:
        yield event({"content": piece})
    if usage is not None:
        yield event({}, finish_reason, x_groq={"id": _new_id("req_"), "usage": usage}, usage=usage)
        yield http_chunk(b"data: [DONE]\n\n")
        yield b"0\r\n\r\n"
