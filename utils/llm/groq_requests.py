"""Every chat request to Groq, as Groq really answers it: fitted to the key's limits, 413s and short
429s handled, JSON mode's refusal to stream worked around, and each streamed chunk's reasoning and
text handed to the turn being answered.

`GroqRequests.create` stands in for the OpenAI SDK's `chat.completions.create`, which LlamaIndex
calls, so LlamaIndex sees an ordinary stream and everything Groq-specific stays here.
"""

from __future__ import annotations

import dataclasses
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import openai
from openai.types.chat import ChatCompletionChunk

from utils.llm.events import Failed, Finished, Reasoning, Waiting
from utils.llm.limit_book import LIMITS
from utils.llm.limit_messages import error_code, error_message, minute_left, retry_seconds, too_large
from utils.llm.limits import Allowance, Fit, RequestContext, RequestTooLong
from utils.llm.tools.calls import ExecutedTools, plain_messages, tool_calls_first, with_tools
from utils.llm.traits import GONE

MOST_WAITS = 3  # short rate-limit waits in a row before the person is told instead


class StreamCut(Exception):
    """The stream ended without Groq's end marker (no finish_reason): the answer is incomplete."""


@dataclass
class Turn:
    """One answer being streamed: where its events go, and whether the person stopped it."""

    events: queue.Queue = field(default_factory=queue.Queue)
    stop: threading.Event = field(default_factory=threading.Event)
    ended: threading.Event = field(default_factory=threading.Event)  # Groq's stream finished or was stopped
    sent: threading.Event = field(default_factory=threading.Event)  # a request of it is on its way to Groq
    tool_calls: int = 0  # the agent's tool calls so far in this turn (utils/llm/tools/calls.py caps them)
    steps: int = 0  # tool steps shown so far, to number the next


class GroqRequests:
    """Wraps one OpenAI client's `chat.completions.create` for one LLM (one chat, one turn at a time)."""

    def __init__(self, create: Callable[..., Any], context: RequestContext, count: Callable[[dict], int],
                 close_client: Callable[[], None]) -> None:
        self._create = create
        self.context = context
        self._count = count
        self._close_client = close_client
        self.turn = Turn()
        self.turn.ended.set()
        self.builtin_tools: list[dict] = []  # Groq's own tools, offered beside the agent's (tools/calls.py)
        self.tool_cap = 6  # tool calls a turn before the model must answer

    def begin(self) -> Turn:
        """A fresh turn for the next answer."""
        self.turn = Turn()
        return self.turn

    def stop(self) -> None:
        """Stop the turn now: its connection is closed, whether it waits for Groq or streams."""
        turn = self.turn
        turn.stop.set()
        if not turn.ended.is_set():
            self._close_client()  # nothing else interrupts a read waiting for Groq's next byte

    def create(self, *, messages: Any, model: str, stream: bool = False, extra_body: dict | None = None,
               max_tokens: int | None = None, **kwargs: Any) -> Any:
        """The SDK's create, as Groq needs it; LlamaIndex's messages are sent as they are."""
        turn = self.turn
        messages = plain_messages(list(messages))
        allowance = self.context.allowance(model, max_tokens or kwargs.pop("max_completion_tokens", None) or 8192)
        fit = allowance.fit(messages, self._count)
        refitted, shrunk, waits = False, False, 0
        json_mode = "response_format" in kwargs
        kwargs = with_tools(kwargs, self.builtin_tools, turn, self.tool_cap)
        retried_tool = False
        while True:
            streamed = stream and not (json_mode and LIMITS.refuses_json_streaming(self.context.key, model))
            body = {**(extra_body or {}), "messages": fit.messages}
            try:
                # The SDK checks every message against its TypedDicts (slow for long histories);
                # LlamaIndex made them plain JSON already, so they ride in the body untouched.
                result = self._create(messages=[], model=model, stream=streamed, extra_body=body,
                                      max_completion_tokens=fit.budget, **kwargs)
            except openai.APIStatusError as error:
                self._learn(model, error.response)
                limits = too_large(error_message(error)) if error.status_code == 413 else None
                if limits and not refitted:
                    # Fitted once more to the limit Groq named, with its exact count of the prompt.
                    LIMITS.learn_limit(self.context.key, model, limits[0])
                    refitted = True
                    relearned = self.context.allowance(model, allowance.wanted)
                    fit = relearned.fit(messages, self._count, limits[1] - fit.budget)
                    continue
                if error.status_code == 429 and waits < MOST_WAITS and self._wait_out(error, turn):
                    waits += 1
                    continue
                left = minute_left(error_message(error)) if error.status_code == 429 and not shrunk else None
                smaller = self._fit_to(left, allowance, messages) if left else None
                if smaller is not None and not turn.stop.is_set():
                    # Rather than a wait of most of a minute: what is left of it now, with less history.
                    fit, shrunk = smaller, True
                    continue
                if json_mode and streamed and "stream" in error_message(error).lower():
                    LIMITS.refuses_json_streaming(self.context.key, model, learned=True)
                    continue
                if error_code(error) == "tool_use_failed" and not retried_tool and not turn.stop.is_set():
                    retried_tool = True  # Groq's advice for a malformed tool call: ask once more
                    continue
                if error_code(error) in ("model_decommissioned", "model_not_found"):
                    GONE.add(model)
                raise
            except openai.APIConnectionError:
                if not turn.stop.is_set():
                    raise
                turn.ended.set()  # the stop hung up on it
                return iter(())
            if turn.stop.is_set():
                _close(result)
                turn.ended.set()
                return iter(())
            if not stream:
                return result
            if streamed:
                self._learn(model, result.response)
                chunks = result
            else:
                chunks = _as_chunks(result)
            read = self._read(chunks, turn, model, fit)
            return tool_calls_first(read) if kwargs.get("tools") else read

    def _read(self, chunks: Any, turn: Turn, model: str, fit: Fit) -> Iterator[ChatCompletionChunk]:
        """Yield Groq's chunks to LlamaIndex while handing their reasoning and text to the turn."""
        finish, usage, texted = None, None, False
        put = turn.events.put
        executed = ExecutedTools(turn)
        try:
            for chunk in chunks:
                if turn.stop.is_set():
                    return
                if chunk.choices:
                    choice = chunk.choices[0]
                    reasoning = (choice.delta.model_extra or {}).get("reasoning")
                    if reasoning:
                        put(Reasoning(reasoning))
                    if choice.delta.content:
                        put(choice.delta.content)
                        texted = True
                    if choice.delta.tool_calls:
                        turn.tool_calls += sum(1 for call in choice.delta.tool_calls if call.id)
                        if texted:  # words before a tool call stay apart from the answer after it
                            put("\n\n")
                            texted = False
                    if (choice.delta.model_extra or {}).get("executed_tools"):
                        executed.show(choice.delta.model_extra["executed_tools"])
                    finish = choice.finish_reason or finish
                usage = _usage_of(chunk) or usage
                yield chunk
            if turn.stop.is_set():
                return
            if finish is None:
                raise StreamCut("Groq's stream ended without finishing the answer")
            if usage and usage.get("prompt_tokens"):
                raw = sum(self._count(message) for message in fit.messages)
                key = self.context.key
                LIMITS.learn_prompt(key, model, raw, len(fit.messages), usage["prompt_tokens"])
                LIMITS.release(key, model, fit.budget - (usage.get("completion_tokens") or fit.budget))
            if finish != "tool_calls":  # else the agent runs the tools and asks again, in this turn
                put(Finished(finish, usage, fit.dropped))
        except Exception as error:
            if not turn.stop.is_set():  # else: the stop hung up on the stream, as it meant to
                put(Failed(error))  # before `ended`: LlamaIndex may pass the error on after it
                raise
        finally:
            _close(chunks)
            if finish != "tool_calls" or turn.stop.is_set():
                turn.ended.set()

    def _fit_to(self, left: int, allowance: Allowance, messages: list) -> Fit | None:
        """The request fitted to `left` tokens as if they were the whole minute (None: not even the message fits)."""
        try:
            return dataclasses.replace(allowance, tokens_per_minute=left, available=None).fit(messages, self._count)
        except RequestTooLong:
            return None

    def _wait_out(self, error: openai.APIStatusError, turn: Turn) -> bool:
        """Count a short rate-limit wait down on the turn, then say to send again (False: too long, or stopped)."""
        seconds = retry_seconds(error.response.headers.get("retry-after"), error_message(error))
        if seconds is None or seconds > self.context.longest_wait:
            return False
        left = seconds
        while left > 0:
            turn.events.put(Waiting(max(1, round(left + 0.49))))
            step = min(1.0, left)
            if turn.stop.wait(step):
                return False
            left -= step
        return True

    def _learn(self, model: str, response: Any) -> None:
        headers = getattr(response, "headers", None)
        if headers is not None:
            LIMITS.learn_headers(self.context.key, model, headers)


def _usage_of(chunk: Any) -> dict | None:
    """The usage on a streamed chunk: `usage`, else Groq's `x_groq.usage` (sent on the last one)."""
    usage = getattr(chunk, "usage", None)
    if usage is not None:
        return usage.model_dump() if hasattr(usage, "model_dump") else dict(usage)
    x_groq = (getattr(chunk, "model_extra", None) or {}).get("x_groq")
    found = x_groq.get("usage") if isinstance(x_groq, dict) else None
    return dict(found) if isinstance(found, dict) else None


def _close(result: Any) -> None:
    close = getattr(result, "close", None)
    if close is not None:
        close()


def _as_chunks(completion: Any) -> Iterator[ChatCompletionChunk]:
    """A non-streamed completion as the two chunks a stream of it would end with."""
    choice = completion.choices[0]
    base = {"id": completion.id, "object": "chat.completion.chunk", "created": completion.created,
            "model": completion.model}
    delta = {"role": "assistant", "content": choice.message.content or ""}
    reasoning = (choice.message.model_extra or {}).get("reasoning")
    if reasoning:
        delta["reasoning"] = reasoning
    usage = completion.usage.model_dump() if completion.usage else None
    yield ChatCompletionChunk.model_validate({**base, "choices": [{"index": 0, "delta": delta}]})
    yield ChatCompletionChunk.model_validate(
        {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": choice.finish_reason}], "usage": usage})
