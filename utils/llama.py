"""The one seam between bnaGPT and LlamaIndex: the Groq LLM, the simple engine and the agent.

Everything that knows how an answer is produced is built here from `Settings` and the chat's
`AssistantSettings`, so tests point it at a fake Groq server by changing settings, and a move
from `OpenAIAgent` to LlamaIndex's newer `FunctionAgent` touches this file (and
utils/llama_groq.py) only.

LlamaIndex takes seconds to import, so pages, views and controllers import this module freely
and LlamaIndex is imported when the first engine is built, or ahead of that by `warm_up()`.
`StoppableGroq`, `TranscriptMemory` and `build_llm` live in utils/llama_groq.py and can be
imported from here too.
"""

from __future__ import annotations

import gc
import importlib
import queue
import threading
from typing import TYPE_CHECKING, Any, Sequence

from models.assistant_settings import AssistantSettings
from models.message import Message
from settings import Settings
from utils.history_window import TokenCounter, fitting_start

if TYPE_CHECKING:
    from utils.llama_groq import StoppableGroq, TranscriptMemory

_counter: TokenCounter | None = None
_heap_frozen = False
# One thread at a time imports LlamaIndex: a warm-up thread and a first answer importing the
# same packages at once could trip Python's import deadlock detection.
_lock = threading.Lock()


def __getattr__(name: str) -> Any:
    if name in ("StoppableGroq", "TranscriptMemory", "build_llm"):
        return getattr(_llama_index(), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _llama_index() -> Any:
    """utils/llama_groq.py, which imports all of LlamaIndex that bnaGPT uses."""
    with _lock:
        return importlib.import_module("utils.llama_groq")


def warm_up() -> None:
    """Import LlamaIndex and make its tokenizer now, so that the first answer does not wait for them;
    then keep what the process has loaded out of the garbage collector's full passes."""
    token_counter()
    _llama_index().prepare_sdk()
    global _heap_frozen
    with _lock:
        if _heap_frozen:
            return
        _heap_frozen = True
    # Streamlit, LlamaIndex, pydantic and the tokenizer leave ~230,000 objects that live as long as
    # the process. Each full collection walked them all, 150-400 ms with the GIL held, and a long
    # answer makes enough garbage to set one off, so the frame with its last words waited for it.
    # Frozen, they are skipped. (A collection here would find next to nothing: 32 objects.)
    gc.freeze()


def token_counter() -> TokenCounter:
    """The process's cached counter over the tokenizer LlamaIndex's memory uses."""
    global _counter
    if _counter is None:
        counter = TokenCounter(_llama_index().get_tokenizer())
        with _lock:
            _counter = _counter or counter
    return _counter


def usage_of(chunk: Any) -> dict | None:
    """The usage on a streamed chunk: `usage`, else Groq's `x_groq.usage` (sent on the last one)."""
    usage = getattr(chunk, "usage", None)
    if usage is not None:
        return usage.model_dump() if hasattr(usage, "model_dump") else dict(usage)
    x_groq = (getattr(chunk, "model_extra", None) or {}).get("x_groq")
    found = x_groq.get("usage") if isinstance(x_groq, dict) else None
    return dict(found) if isinstance(found, dict) else None


class Answerer:
    """A chat engine and its LLM: start a streamed answer, stop it, read what it cost."""

    def __init__(self, llm: StoppableGroq, engine: Any, memory: TranscriptMemory | None = None) -> None:
        self.llm = llm
        self.engine = engine
        self.memory = memory  # None: every message is answered on its own

    def stream(self, prompt: str, history: Sequence[Message]) -> Any:
        """Start answering `prompt`; a remembering engine gets the newest of `history` that fit its memory."""
        if self.memory is None:
            return Streamed(self.engine.stream_chat(prompt, chat_history=[]))
        kept = [message for message in history if message.is_history]  # failed turns left out
        texts, roles = [message.content for message in kept], [message.role for message in kept]
        start, tokens = fitting_start(texts, roles, self.memory.token_limit, token_counter())
        chat_history = [message.to_chat_message() for message in kept[start:]]
        self.memory.expect(chat_history, tokens)
        return Streamed(self.engine.stream_chat(prompt, chat_history=chat_history))

    def stop(self) -> None:
        """Stop the answer being streamed."""
        self.llm.request_stop()

    @property
    def usage(self) -> dict | None:
        """Groq's usage for the last finished answer."""
        return self.llm.usage


class Streamed:
    """A LlamaIndex streaming chat response whose `response_gen` waits for text instead of spinning.

    LlamaIndex's own `response_gen` polls the queue its worker thread fills with `time.sleep(0)`
    until the answer ends: a core kept busy for the whole answer, taken from the thread that
    reads Groq and from the server that sends the page (and, on one machine, from the browser).
    """

    POLL_SECONDS = 0.001  # how late the end of an answer is noticed (the worker sets a flag, puts nothing)

    def __init__(self, response: Any) -> None:
        self.response = response

    @property
    def response_gen(self) -> Any:
        """The answer's text deltas as they arrive; a failure in the worker is raised here."""
        response = self.response
        if not response.is_writing_to_memory:  # no worker thread: LlamaIndex reads the stream itself
            yield from response.response_gen
            return
        while True:
            if response.exception is not None:
                raise response.exception
            try:
                delta = response.queue.get(timeout=self.POLL_SECONDS)
            except queue.Empty:
                if response.is_done and response.queue.empty():
                    return
                continue
            if delta:
                yield delta


def _system_prompt(assistant: AssistantSettings) -> str | None:
    return assistant.instructions() or None


def build_simple_engine(settings: Settings, assistant: AssistantSettings) -> Answerer:
    """An engine that answers each message on its own, with the chat's system prompt."""
    llama_index = _llama_index()
    llm = llama_index.build_llm(settings, assistant)
    return Answerer(llm, llama_index.SimpleChatEngine.from_defaults(llm=llm, system_prompt=_system_prompt(assistant)))


def memory_token_limit(settings: Settings, assistant: AssistantSettings) -> int:
    """How much history is sent: `memory_tokens`, or less when the context window must also hold
    the longest answer and the system prompt."""
    # The agent sends its system prompt outside the memory, so the memory must leave room for it.
    system_tokens = token_counter().alone(assistant.instructions())
    return max(1, min(settings.memory_tokens, settings.context_window - assistant.max_answer_tokens - system_tokens))


def count_ahead(settings: Settings, assistant: AssistantSettings, history: Sequence[Message]) -> threading.Thread:
    """Count a loaded conversation's tokens in the background, so that its next turn finds them counted."""
    def count() -> None:
        kept = [message for message in history if message.is_history]
        limit = memory_token_limit(settings, assistant)
        fitting_start([message.content for message in kept], [message.role for message in kept], limit, token_counter())

    # About 0.2 s for 1,000 messages: spent while the person reads the loaded conversation, not after Enter.
    thread = threading.Thread(target=count, name="bnaGPT token count", daemon=True)
    thread.start()
    return thread


def build_agent(settings: Settings, assistant: AssistantSettings) -> Answerer:
    """An agent over Groq whose memory is set from the transcript at every turn."""
    llama_index = _llama_index()
    llm = llama_index.build_llm(settings, assistant)
    memory = llama_index.TranscriptMemory.from_defaults(llm=llm, token_limit=memory_token_limit(settings, assistant))
    # The card asks for OpenAIAgent; LlamaIndex 0.12 marks it deprecated (warning once per
    # process) in favour of FunctionAgent, a move that will touch this file and llama_groq.py only.
    agent = llama_index.OpenAIAgent.from_tools(tools=[], llm=llm, memory=memory, system_prompt=_system_prompt(assistant))
    return Answerer(llm, agent, memory)
