"""The simple engine and the agent, built from `Settings` and the chat's `AssistantSettings`, so
tests point them at a fake Groq server by changing settings, and a move from `OpenAIAgent` to
LlamaIndex's newer `FunctionAgent` touches this package only."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from models.assistant_settings import AssistantSettings
from models.message import Message, history_of
from models.tool_step import ToolChoice
from settings import Settings
from utils.llm.attachments import AttachedTurn, TurnFiles, attach
from utils.llm.history_window import fitting_start
from utils.llm.limits import RequestContext
from utils.llm.loading import llama_index, token_counter
from utils.llm.tools.equip import equip

if TYPE_CHECKING:
    from utils.llm.groq_llm import StoppableGroq, TranscriptMemory
    from utils.llm.turn_stream import TurnStream


class Answerer:
    """A chat engine and its LLM: start a streamed answer, stop it."""

    def __init__(self, llm: StoppableGroq, engine: Any, settings: Settings, assistant: AssistantSettings,
                 memory: TranscriptMemory | None = None) -> None:
        self.llm = llm
        self.engine = engine
        self.settings = settings
        self.assistant = assistant
        self.memory = memory  # None: every message is answered on its own

    def stream(self, prompt: str, history: Sequence[Message], files: TurnFiles | None = None) -> TurnStream:
        """Start answering `prompt` with `files` (images, documents); a remembering engine gets the newest
        of `history` that fit, with the images its last turns carried. The passages the model is given
        are the stream's `sources`."""
        from utils.llm.turn_stream import TurnStream  # with LlamaIndex, which building this engine imported

        turn = self.llm.begin_turn()
        classes, counter = llama_index(), token_counter()
        kept = history_of(history) if self.memory is not None else []  # failed and cut-off turns left out
        attached = attach(files, prompt, kept, self.settings, self.assistant, counter)
        before_question = [classes.user_message(*attached.message)] if attached.message else []
        if self.memory is None:
            stream = TurnStream(turn, lambda: self.engine.stream_chat(prompt, chat_history=before_question))
            stream.sources = attached.passages
            return stream
        limit = max(1, memory_token_limit(self.settings, self.assistant, prompt) - attached.tokens)
        start, tokens = fitting_start([message.content for message in kept], [message.role for message in kept],
                                      limit, counter)
        chat_history = [_as_chat_message(classes, message, index, attached)
                        for index, message in enumerate(kept) if index >= start] + before_question
        self.memory.token_limit = limit + attached.tokens
        self.memory.expect(chat_history, tokens + attached.tokens)
        stream = TurnStream(turn, lambda: self.engine.stream_chat(prompt, chat_history=chat_history), start)
        stream.sources = attached.passages
        return stream

    def stop(self) -> None:
        """Stop the answer being streamed, wherever it is."""
        self.llm.request_stop()


def _as_chat_message(classes: Any, message: Message, index: int, attached: AttachedTurn) -> Any:
    """One turn of history for LlamaIndex: with the images it still carries, or a placeholder for them."""
    if index in attached.history_images:
        return classes.user_message(message.content, attached.history_images[index])
    if index in attached.placeholders:
        return classes.user_message(f"{message.content}\n\n{attached.placeholders[index]}")
    return classes.to_chat_message(message)


def _fitting_history(history: Sequence[Message], limit: int) -> tuple[list[Message], int, int]:
    """The messages of `history` that are sent as history (failed turns left out), the index in
    them of the oldest one that still fits `limit` tokens, and the tokens from there on."""
    kept = history_of(history)  # failed and cut-off turns left out
    start, tokens = fitting_start([message.content for message in kept], [message.role for message in kept],
                                  limit, token_counter())
    return kept, start, tokens


def _system_prompt(assistant: AssistantSettings) -> str | None:
    return assistant.instructions() or None


def _agent(classes: Any, llm: Any, tools: list, memory: Any, prompt: str | None) -> Any:
    # The card asks for OpenAIAgent; LlamaIndex 0.12 marks it deprecated (warning once per
    # process) in favour of FunctionAgent, a move that will touch this package only. Its own cap on
    # tool calls sits past the seam's (utils/llm/tools/calls.py), which lets the model answer.
    return classes.OpenAIAgent.from_tools(tools=tools, llm=llm, memory=memory, system_prompt=prompt,
                                          max_function_calls=llm.max_tool_calls + 2)


def build_simple_engine(settings: Settings, assistant: AssistantSettings, tools: ToolChoice | None = None) -> Answerer:
    """An engine that answers each message on its own, with the chat's system prompt (an agent
    without memory when the chat's Tools are on)."""
    classes = llama_index()
    llm = classes.build_llm(settings, assistant, token_counter())
    function_tools = equip(llm, settings, assistant.model, None if assistant.json_mode else tools)
    if function_tools:
        engine = _agent(classes, llm, function_tools, None, _system_prompt(assistant))
    else:
        engine = classes.SimpleChatEngine.from_defaults(llm=llm, system_prompt=_system_prompt(assistant))
    return Answerer(llm, engine, settings, assistant)


def memory_token_limit(settings: Settings, assistant: AssistantSettings, prompt: str = "") -> int:
    """How much history is sent: `memory_tokens`, or less when the key's per-minute limit or the
    context window must also hold the system prompt, the new message and room for the answer."""
    # The agent sends its system prompt outside the memory, so the memory must leave room for it.
    counter = token_counter()
    system_tokens = counter.alone(assistant.instructions())
    allowance = RequestContext.from_settings(settings).allowance(assistant.model, assistant.max_answer_tokens)
    by_limit = allowance.history_tokens(system_tokens + counter.alone(prompt), 2)
    by_window = allowance.context_window - assistant.max_answer_tokens - system_tokens
    return max(1, min(settings.memory_tokens, by_window, by_limit))


def count_ahead(settings: Settings, assistant: AssistantSettings, history: Sequence[Message]) -> threading.Thread:
    """Count a loaded conversation's tokens in the background, so that its next turn finds them counted."""
    def count() -> None:
        _fitting_history(history, memory_token_limit(settings, assistant))

    # Spent while the person reads the loaded conversation, not after Enter (B4).
    thread = threading.Thread(target=count, name="bnaGPT token count", daemon=True)
    thread.start()
    return thread


def build_agent(settings: Settings, assistant: AssistantSettings, tools: ToolChoice | None = None) -> Answerer:
    """An agent over Groq whose memory is set from the transcript at every turn, with the chat's
    Tools (none in JSON mode, whose answer must be one JSON object)."""
    classes = llama_index()
    llm = classes.build_llm(settings, assistant, token_counter())
    memory = classes.TranscriptMemory.from_defaults(llm=llm, token_limit=memory_token_limit(settings, assistant))
    function_tools = equip(llm, settings, assistant.model, None if assistant.json_mode else tools)
    agent = _agent(classes, llm, function_tools, memory, _system_prompt(assistant))
    return Answerer(llm, agent, settings, assistant, memory)
