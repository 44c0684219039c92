"""The one seam between bnaGPT and LlamaIndex: the Groq LLM, the simple engine and the agent.

Everything that knows how an answer is produced is built here from `Settings`, so tests
point it at a fake Groq server by changing settings, and a move from `OpenAIAgent` to
LlamaIndex's newer `FunctionAgent` touches this file only.
"""

from __future__ import annotations

from typing import Any, Sequence

from llama_index.agent.openai import OpenAIAgent
from llama_index.core.chat_engine import SimpleChatEngine
from llama_index.core.memory import ChatMemoryBuffer
from llama_index.llms.groq import Groq

from models.message import Message
from settings import Settings


def build_llm(settings: Settings) -> Groq:
    """The Groq LLM, with bounded timeout and retries so a person never waits long for an error."""
    return Groq(
        model=settings.groq_model,
        api_key=settings.groq_api_key,
        api_base=settings.groq_api_base,
        timeout=settings.request_timeout,
        max_retries=settings.max_retries,
        context_window=settings.context_window,
        max_tokens=settings.max_answer_tokens,
    )


def build_simple_engine(settings: Settings) -> SimpleChatEngine:
    """A chat engine that answers one message at a time (callers pass an empty history)."""
    return SimpleChatEngine.from_defaults(llm=build_llm(settings))


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


def build_agent(settings: Settings) -> OpenAIAgent:
    """An agent over Groq whose memory is set from the transcript at every turn."""
    llm = build_llm(settings)
    memory = TranscriptMemory.from_defaults(
        llm=llm,
        # Leave room for the answer inside the model's context window.
        token_limit=settings.memory_token_limit,
    )
    # The card asks for OpenAIAgent; LlamaIndex 0.12 marks it deprecated (warning once per
    # process) in favour of FunctionAgent, a move that will touch this file only.
    return OpenAIAgent.from_tools(tools=[], llm=llm, memory=memory)


def stream_agent_turn(agent: OpenAIAgent, history: Sequence[Message], prompt: str) -> Any:
    """Ask the agent `prompt` with `history` (failed turns left out) as its memory; streams."""
    chat_history = [message.to_chat_message() for message in history if message.is_history]
    return agent.stream_chat(prompt, chat_history=chat_history)
