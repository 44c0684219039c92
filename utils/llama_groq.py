"""All of LlamaIndex that bnaGPT uses, and its subclasses: the stoppable Groq LLM and the memory.

Importing this module imports LlamaIndex (and with it transformers, openai, ...), which takes
seconds; only `utils/llama.py` imports it, when the first engine is built or `warm_up()` runs.
"""

from __future__ import annotations

import operator
import threading
from typing import Any, Sequence

import httpx
from llama_index.agent.openai import OpenAIAgent
from llama_index.core.chat_engine import SimpleChatEngine
from llama_index.core.memory import ChatMemoryBuffer
from llama_index.core.utils import get_tokenizer
from llama_index.llms.groq import Groq
from openai.types.chat import ChatCompletionChunk
from pydantic import PrivateAttr, ValidationError

from models.assistant_settings import AssistantSettings
from settings import Settings
from utils.llama import usage_of

__all__ = [
    "OpenAIAgent", "SimpleChatEngine", "StoppableGroq", "TranscriptMemory", "build_llm", "get_tokenizer", "prepare_sdk",
]

# One TLS context for every client, made with this module (in the warm-up): loading the CA bundle
# takes 40-70 ms, and an engine is built again after a load, a settings change or a Stop.
TLS = httpx.create_ssl_context()


def prepare_sdk() -> None:
    """Do now what the OpenAI SDK and httpx leave to the first answer: import the SDK's resources
    (~0.5 s) and httpx's transport (~50 ms), and build the streamed chunk's validator."""
    import openai.resources  # noqa: F401  (what `client.chat` imports on first use)

    httpx.Client(verify=TLS).close()

    ChatCompletionChunk.model_validate(
        {"id": "warm-up", "object": "chat.completion.chunk", "created": 0, "model": "warm-up",
         "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}
    )


class StoppableGroq(Groq):
    """Groq's LLM that records each stream's usage and can stop the stream it is reading.

    LlamaIndex reads a stream to its end in a worker thread even when nobody listens any more,
    so stopping has to happen here: the stream ends at the next chunk and its HTTP response is
    closed, which tells Groq to stop generating.
    """

    _stop: threading.Event = PrivateAttr(default_factory=threading.Event)
    _responses: dict = PrivateAttr(default_factory=dict)
    _usage: dict | None = PrivateAttr(default=None)

    def __init__(self, **kwargs: Any) -> None:
        responses: dict[int, httpx.Response] = {}  # by thread: the response each worker is reading

        def remember(response: httpx.Response) -> None:
            responses[threading.get_ident()] = response

        super().__init__(http_client=httpx.Client(verify=TLS, event_hooks={"response": [remember]}), **kwargs)
        self._responses = responses

    @property
    def usage(self) -> dict | None:
        """The usage Groq sent at the end of the last stream (None if it did not finish)."""
        return self._usage

    def request_stop(self) -> None:
        """End the current stream at its next chunk."""
        self._stop.set()

    def stream_chat(self, messages: Sequence[Any], **kwargs: Any) -> Any:
        """Groq's stream, ending early after `request_stop()`."""
        self._stop.clear()
        self._usage = None
        # Straight from the chat-completions stream, without LlamaIndex's callback wrapper around
        # `stream_chat`: for every token it makes a pydantic event holding the whole history, which
        # validates every message again (0.35 ms a token at 1,000 messages: 0.7 s of CPU for a
        # 2,000-token answer, growing with the conversation). bnaGPT registers no event handlers.
        chunks = self._stream_chat(messages, **kwargs)

        def until_stopped() -> Any:
            stopped = False
            try:
                for chunk in chunks:
                    if self._stop.is_set():
                        stopped = True
                        return
                    self._usage = usage_of(chunk.raw) or self._usage
                    yield chunk
            finally:
                chunks.close()
                response = self._responses.pop(threading.get_ident(), None)
                if stopped and response is not None:
                    response.close()

        return until_stopped()

    def _get_client(self) -> Any:
        client = super()._get_client()
        completions = client.chat.completions
        if "create" not in vars(completions):  # the client is made once and kept (reuse_client)
            completions.create = _with_messages_as_given(completions.create)
            client._process_response_data = _chunks_validated(client._process_response_data)
        return client


def _with_messages_as_given(create: Any) -> Any:
    # The OpenAI SDK checks each message against all six of its message TypedDicts before sending
    # (about 0.7 ms a message: most of a second for a long conversation, on every turn). LlamaIndex
    # has already made them plain JSON dicts, so they go into the request body untouched instead.
    def create_with_messages(*, messages: Any, extra_body: dict | None = None, **kwargs: Any) -> Any:
        return create(messages=[], extra_body={**(extra_body or {}), "messages": list(messages)}, **kwargs)

    return create_with_messages


def _chunks_validated(process: Any) -> Any:
    # The SDK builds each streamed chunk with its pure-Python `construct_type`: ~0.2 ms a chunk,
    # 0.4 s of CPU for a 2,000-token answer, while the browser needs the CPU to draw it. pydantic's
    # compiled validator makes an equal ChatCompletionChunk (extra fields such as Groq's `x_groq`
    # kept) in ~9 µs; a chunk it refuses, say a field in a shape Groq adds later, goes the SDK's way.
    def process_response_data(*, data: Any, cast_to: Any, response: Any) -> Any:
        if cast_to is ChatCompletionChunk and isinstance(data, dict):
            try:
                return ChatCompletionChunk.model_validate(data)
            except ValidationError:
                pass
        return process(data=data, cast_to=cast_to, response=response)

    return process_response_data


def build_llm(settings: Settings, assistant: AssistantSettings) -> StoppableGroq:
    """The Groq LLM with the chat's model, temperature and answer length; timeout and retries bounded."""
    extra = {"response_format": {"type": "json_object"}} if assistant.json_mode else {}
    return StoppableGroq(
        model=assistant.model,
        api_key=settings.groq_api_key,
        api_base=settings.groq_api_base,
        timeout=settings.request_timeout,
        max_retries=settings.max_retries,
        context_window=settings.context_window,
        temperature=assistant.temperature,
        max_tokens=assistant.max_answer_tokens,
        additional_kwargs=extra,
    )


class TranscriptMemory(ChatMemoryBuffer):
    """A ChatMemoryBuffer that holds exactly the transcript the controller gives it.

    OpenAIAgent's streaming path commits a turn twice, once from the caller's thread when
    streaming starts and once from its worker thread at the end, and the two race: a fast
    answer can land in memory twice, and a failed one can leave the question behind alone.
    So the agent's own writes are ignored and each turn starts from the history it is given,
    already cut to what fits the token limit (utils/history_window.py) with its count known.
    """

    _counted: tuple[list, int] | None = PrivateAttr(default=None)

    def put(self, message: Any) -> None:
        """Ignored: the controller sets the history at the start of each turn."""

    def put_messages(self, messages: list[Any]) -> None:
        """Ignored, as `put`."""

    def expect(self, messages: list[Any], tokens: int) -> None:
        """The next history set is `messages`, which `get` would count as `tokens` tokens."""
        self._counted = (messages, tokens)

    def _token_count_for_messages(self, messages: list[Any]) -> int:
        # `get` tokenizes the whole history it holds once more (~75 ms for a full 128k window);
        # for the list it was given, the count was already made from cached per-message counts.
        counted = self._counted
        if counted and len(messages) == len(counted[0]) and all(map(operator.is_, messages, counted[0])):
            return counted[1]
        return super()._token_count_for_messages(messages)
