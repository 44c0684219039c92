"""All of LlamaIndex that bnaGPT uses, and its subclasses: the stoppable Groq LLM and the memory.

Importing this module imports LlamaIndex (and with it transformers, openai, ...), which takes
seconds; only `utils/llm/engines.py` imports it, when the first engine is built or `warm_up()` runs.
"""

from __future__ import annotations

import base64
import operator
from typing import Any

import httpx
from llama_index.agent.openai import OpenAIAgent
from llama_index.core.chat_engine import SimpleChatEngine
from llama_index.core.llms import ChatMessage, ImageBlock, TextBlock
from llama_index.core.memory import ChatMemoryBuffer
from llama_index.core.utils import get_tokenizer
from llama_index.llms.groq import Groq
from openai.types.chat import ChatCompletionChunk
from pydantic import PrivateAttr, ValidationError

from models.assistant_settings import AssistantSettings
from models.message import Message
from settings import Settings
from utils.llm.attachments import data_url_tokens
from utils.llm.groq_requests import GroqRequests, Turn
from utils.llm.history_window import TokenCounter
from utils.llm.http_watch import RequestWatch
from utils.llm.limits import RequestContext
from utils.llm.traits import traits_of

__all__ = [
    "OpenAIAgent", "SimpleChatEngine", "StoppableGroq", "TranscriptMemory", "build_llm", "get_tokenizer",
    "prepare_sdk", "to_chat_message", "user_message",
]

# One TLS context for every client, made with this module (in the warm-up): loading the CA bundle
# is slow, and an engine is built again after a load, a settings change or a Stop.
TLS = httpx.create_ssl_context()


def prepare_sdk() -> None:
    """Do now what the OpenAI SDK and httpx leave to the first answer: import the SDK's resources
    and httpx's transport, and build the streamed chunk's validator."""
    import openai.resources  # noqa: F401  (what `client.chat` imports on first use)

    httpx.Client(verify=TLS).close()

    ChatCompletionChunk.model_validate(
        {"id": "warm-up", "object": "chat.completion.chunk", "created": 0, "model": "warm-up",
         "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}
    )


def to_chat_message(message: Message) -> ChatMessage:
    """The LlamaIndex `ChatMessage` for one turn: its text only (never its reasoning)."""
    return ChatMessage(role=message.role, content=message.content)


def user_message(text: str, images: Any = ()) -> ChatMessage:
    """A user message with images (PreparedImage) after its text: as ImageBlocks, which LlamaIndex sends
    as image_url parts (on a user message only). The bytes go in base64 already, so LlamaIndex never
    has to guess whether they are."""
    blocks = [TextBlock(text=text)] if text else []
    blocks += [ImageBlock(image=base64.b64encode(image.data), image_mimetype=image.media_type) for image in images]
    return ChatMessage(role="user", blocks=blocks)


class StoppableGroq(Groq):
    """Groq's LLM whose requests go through `GroqRequests` (limits, waits, reasoning), and whose
    answer can be stopped at any point: the stream ends at its next chunk and its HTTP response
    is closed, which tells Groq to stop generating."""

    _requests: GroqRequests | None = PrivateAttr(default=None)
    _context: RequestContext | None = PrivateAttr(default=None)
    _count: Any = PrivateAttr(default=None)

    _sockets: Any = PrivateAttr(default=None)

    def __init__(self, *, context: RequestContext, count: Any, **kwargs: Any) -> None:
        sockets = RequestWatch(self._request_sent)
        super().__init__(http_client=httpx.Client(verify=TLS, event_hooks={"request": [sockets.watch]}), **kwargs)
        self._context = context
        self._count = count
        self._sockets = sockets

    def begin_turn(self) -> Turn:
        """A fresh turn whose events the next stream hands on."""
        self._get_client()
        return self._requests.begin()

    def current_turn(self) -> Turn:
        """The turn being answered, where the agent's tools show their steps."""
        self._get_client()
        return self._requests.turn

    @property
    def max_tool_calls(self) -> int:
        """The tool calls a turn may make before the model must answer."""
        self._get_client()
        return self._requests.tool_cap

    def use_tools(self, builtin: list[dict], cap: int) -> None:
        """Offer Groq's built-in `builtin` tools with every request; at most `cap` tool calls a turn."""
        self._get_client()
        self._requests.builtin_tools, self._requests.tool_cap = list(builtin), cap

    def request_stop(self) -> None:
        """End the current answer now, wherever it is."""
        if self._requests is not None:
            self._requests.stop()

    def stream_chat(self, messages: Any, **kwargs: Any) -> Any:
        """Groq's stream, straight from the chat-completions stream, without LlamaIndex's callback
        wrapper: for every token it made a pydantic event holding the whole history (stream costs).
        bnaGPT registers no event handlers."""
        return self._stream_chat(messages, **kwargs)

    def _get_client(self) -> Any:
        client = super()._get_client()
        completions = client.chat.completions
        if "create" not in vars(completions):  # the client is made once and kept (reuse_client)
            self._requests = GroqRequests(completions.create, self._context, self._count, self._hang_up)
            completions.create = self._requests.create
            client._process_response_data = _chunks_validated(client._process_response_data)
            client._should_retry = _not_rate_limits(client._should_retry)
        return client

    def _request_sent(self) -> None:
        if self._requests is not None:
            self._requests.turn.sent.set()

    def _hang_up(self) -> None:
        self._sockets.hang_up()
        self._http_client.close()


def _not_rate_limits(sdk_should_retry: Any) -> Any:
    # A 429 is waited out in sight of the person (GroqRequests), never silently by the SDK.
    def should_retry(response: httpx.Response) -> bool:
        return response.status_code != 429 and sdk_should_retry(response)

    return should_retry


def _chunks_validated(process: Any) -> Any:
    # The SDK builds each streamed chunk with its pure-Python `construct_type`, CPU taken from the
    # browser drawing a long answer (B3). pydantic's compiled validator makes an equal
    # ChatCompletionChunk (extra fields such as Groq's `x_groq` kept) far faster; a chunk it
    # refuses, say a field in a shape Groq adds later, goes the SDK's way.
    def process_response_data(*, data: Any, cast_to: Any, response: Any) -> Any:
        if cast_to is ChatCompletionChunk and isinstance(data, dict):
            try:
                return ChatCompletionChunk.model_validate(data)
            except ValidationError:
                pass
        return process(data=data, cast_to=cast_to, response=response)

    return process_response_data


def build_llm(settings: Settings, assistant: AssistantSettings, counter: TokenCounter) -> StoppableGroq:
    """The Groq LLM with the chat's model, temperature, answer length and reasoning effort; timeout
    and retries bounded."""
    extra = {"response_format": {"type": "json_object"}} if assistant.json_mode else {}
    fields = traits_of(assistant.model).request_fields(assistant.reasoning_effort)
    if fields:
        extra["extra_body"] = fields  # Groq-only keys: the SDK would refuse them as arguments
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
        context=RequestContext.from_settings(settings),
        count=lambda message: count_message(message, counter),
    )


def count_message(message: dict, counter: TokenCounter) -> int:
    """A request message's tokens as the fitting counts them: its text, and its images by their size
    (read from the data URL's header; the memory's tokenizer would count them as nothing)."""
    content = message.get("content")
    if isinstance(content, str):
        return counter.alone(content)
    if not isinstance(content, list):
        return 0
    text = "".join(part.get("text", "") for part in content if isinstance(part, dict) and part.get("type") == "text")
    urls = [part["image_url"].get("url", "") for part in content if isinstance(part, dict)
            and part.get("type") == "image_url" and isinstance(part.get("image_url"), dict)]
    return counter.alone(text) + sum(data_url_tokens(url) for url in urls)


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
        # `get` tokenizes the whole history it holds once more, slow for a long one (B4); for the
        # list it was given, the count was already made from cached per-message counts.
        counted = self._counted
        if counted and len(messages) == len(counted[0]) and all(map(operator.is_, messages, counted[0])):
            return counted[1]
        return super()._token_count_for_messages(messages)
