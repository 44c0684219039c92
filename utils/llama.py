"""The one seam between bnaGPT and LlamaIndex: the Groq LLM, the simple engine and the agent.

Everything that knows how an answer is produced is built here from `Settings` and the chat's
`AssistantSettings`, so tests point it at a fake Groq server by changing settings, and a move
from `OpenAIAgent` to LlamaIndex's newer `FunctionAgent` touches this file only.
"""

from __future__ import annotations

import threading
from typing import Any, Sequence

import httpx
from llama_index.agent.openai import OpenAIAgent
from llama_index.core.chat_engine import SimpleChatEngine
from llama_index.core.memory import ChatMemoryBuffer
from llama_index.core.utils import get_tokenizer
from llama_index.llms.groq import Groq
from pydantic import PrivateAttr

from models.assistant_settings import AssistantSettings
from models.message import Message
from settings import Settings


def usage_of(chunk: Any) -> dict | None:
    """The usage on a streamed chunk: `usage`, else Groq's `x_groq.usage` (sent on the last one)."""
    usage = getattr(chunk, "usage", None)
    if usage is not None:
        return usage.model_dump() if hasattr(usage, "model_dump") else dict(usage)
    x_groq = (getattr(chunk, "model_extra", None) or {}).get("x_groq")
    found = x_groq.get("usage") if isinstance(x_groq, dict) else None
    return dict(found) if isinstance(found, dict) else None


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

        super().__init__(http_client=httpx.Client(event_hooks={"response": [remember]}), **kwargs)
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
        chunks = super().stream_chat(messages, **kwargs)

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
    So the agent's own writes are ignored and each turn starts from `set(history)`; the
    buffer still decides, by its token limit, how much of that history is sent.
    """

    def put(self, message: Any) -> None:
        """Ignored: the controller sets the history at the start of each turn."""

    def put_messages(self, messages: list[Any]) -> None:
        """Ignored, as `put`."""


class Answerer:
    """A chat engine and its LLM: start a streamed answer, stop it, read what it cost."""

    def __init__(self, llm: StoppableGroq, engine: Any, remembers: bool) -> None:
        self.llm = llm
        self.engine = engine
        self.remembers = remembers

    def stream(self, prompt: str, history: Sequence[Message]) -> Any:
        """Start answering `prompt`; a remembering engine gets `history` (failed turns left out)."""
        kept = [message.to_chat_message() for message in history if message.is_history] if self.remembers else []
        return self.engine.stream_chat(prompt, chat_history=kept)

    def stop(self) -> None:
        """Stop the answer being streamed."""
        self.llm.request_stop()

    @property
    def usage(self) -> dict | None:
        """Groq's usage for the last finished answer."""
        return self.llm.usage


def _system_prompt(assistant: AssistantSettings) -> str | None:
    return assistant.instructions() or None


def build_simple_engine(settings: Settings, assistant: AssistantSettings) -> Answerer:
    """An engine that answers each message on its own, with the chat's system prompt."""
    llm = build_llm(settings, assistant)
    return Answerer(llm, SimpleChatEngine.from_defaults(llm=llm, system_prompt=_system_prompt(assistant)), False)


def memory_token_limit(settings: Settings, assistant: AssistantSettings) -> int:
    """How much history fits: the context window less the longest answer and the system prompt."""
    # The agent sends its system prompt outside the memory, so the memory must leave room for it.
    system_tokens = len(get_tokenizer()(assistant.instructions()))
    return max(1, settings.context_window - assistant.max_answer_tokens - system_tokens)


def build_agent(settings: Settings, assistant: AssistantSettings) -> Answerer:
    """An agent over Groq whose memory is set from the transcript at every turn."""
    llm = build_llm(settings, assistant)
    memory = TranscriptMemory.from_defaults(llm=llm, token_limit=memory_token_limit(settings, assistant))
    # The card asks for OpenAIAgent; LlamaIndex 0.12 marks it deprecated (warning once per
    # process) in favour of FunctionAgent, a move that will touch this file only.
    agent = OpenAIAgent.from_tools(tools=[], llm=llm, memory=memory, system_prompt=_system_prompt(assistant))
    return Answerer(llm, agent, True)
