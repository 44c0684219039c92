"""The one seam between bnaGPT and LlamaIndex: the Groq LLM, the simple engine and the agent.

Everything that knows how an answer is produced is built here from `Settings`, so tests
point it at a fake Groq server by changing settings, and a move from `OpenAIAgent` to
LlamaIndex's newer `FunctionAgent` touches this file only.
"""

from __future__ import annotations

import threading
from typing import Any, Sequence

from llama_index.agent.openai import OpenAIAgent
from llama_index.core.chat_engine import SimpleChatEngine
from llama_index.core.bridge.pydantic import PrivateAttr
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


class TurnMemory(ChatMemoryBuffer):
    """A ChatMemoryBuffer that tells when the agent has committed a finished turn.

    OpenAIAgent streams in a worker thread and copies the turn into memory only after
    the reader has seen the last token; without waiting for that, a quick next message
    would be sent without the previous turn.
    """

    _turn_committed: threading.Event = PrivateAttr(default_factory=threading.Event)

    def put_messages(self, messages: list[Any]) -> None:
        super().put_messages(messages)
        self._turn_committed.set()


def build_agent(settings: Settings, history: Sequence[Message] = ()) -> OpenAIAgent:
    """An agent over Groq whose memory starts with `history` (failed turns left out)."""
    llm = build_llm(settings)
    memory = TurnMemory.from_defaults(
        chat_history=[message.to_chat_message() for message in history if message.is_history],
        llm=llm,
        # Leave room for the answer inside the model's context window.
        token_limit=settings.memory_token_limit,
    )
    # The card asks for OpenAIAgent; LlamaIndex 0.12 marks it deprecated (warning once per
    # process) in favour of FunctionAgent, a move that will touch this file only.
    return OpenAIAgent.from_tools(tools=[], llm=llm, memory=memory)


def start_agent_turn(agent: OpenAIAgent, prompt: str) -> Any:
    """Send `prompt` to the agent; returns LlamaIndex's streaming response."""
    agent.memory._turn_committed.clear()
    return agent.stream_chat(prompt)


def wait_for_agent_turn(agent: OpenAIAgent, timeout: float = 10.0) -> None:
    """Block until the agent's worker thread has written the streamed turn into memory."""
    if not agent.memory._turn_committed.wait(timeout):
        raise TimeoutError("the agent did not record the finished turn in its memory")

