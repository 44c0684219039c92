"""What keeps a turn fast at Groq's speed: a bounded memory, batched text, LlamaIndex imported late."""

from __future__ import annotations

import random
import subprocess
import sys

import pytest
from llama_index.core.memory import ChatMemoryBuffer
from llama_index.core.utils import get_tokenizer

from controller.chat import Waiting, in_batches
from controller.memory_chat import MemoryChatController
from controller.simple_chat import SimpleChatController
from models.assistant_settings import AssistantSettings
from models.message import Message
from models.store import ConversationStore
from tests.app_driver import PROJECT_DIR
from tests.conftest import ask, sent_messages
from utils.llm import count_ahead, memory_token_limit, token_counter
from utils.llm.groq_llm import TranscriptMemory, to_chat_message
from utils.llm.history_window import TokenCounter, fitting_start

# Pieces that meet awkwardly at the space the buffer joins messages with: whitespace on either
# side, contractions, digits, punctuation runs, special-token text, blank messages.
PIECES = ["hello", " world", "it's", "'s", "42", "1234567", ".", "...!", "?", "\n", "\n\n", " ", "  ", "\t",
          "```", "**", "é", "日本", "😀", "<|endoftext|>", "-", "\r\n", "x", "don't", "The answer is", " a b ",
          "\n- item one", "# Title\n"]


def odd_text(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.choice([0, 1, 2, 3, 5, 8, 20])))


def odd_history(rng: random.Random, length: int) -> list[Message]:
    roles = rng.choice([["user", "assistant"], ["user", "assistant", "assistant", "system"]])
    return [Message(roles[index % len(roles)] if rng.random() < 0.9 else rng.choice(roles), odd_text(rng))
            for index in range(length)]


def buffer_keeps(history: list[Message], limit: int) -> list[tuple[str, str]] | None:
    """What LlamaIndex's own ChatMemoryBuffer sends of `history` (its quadratic trimming, for reference)."""
    chat = [to_chat_message(message) for message in history]
    try:
        kept = ChatMemoryBuffer.from_defaults(chat_history=chat, token_limit=limit).get()
    except IndexError:  # the buffer's own bug: it runs off the start of a history of answers only
        return None
    return [(message.role.value, message.content) for message in kept]


@pytest.fixture(scope="module")
def counter() -> TokenCounter:
    return TokenCounter(get_tokenizer())


def test_the_window_is_what_the_buffer_would_send(counter):
    rng = random.Random(6)
    for _ in range(300):
        history = odd_history(rng, rng.randint(0, 14))
        limit = rng.randint(1, 60)
        texts, roles = [m.content for m in history], [m.role for m in history]
        start, tokens = fitting_start(texts, roles, limit, counter)
        expected = buffer_keeps(history, limit)
        assert expected is None or [(m.role, m.content) for m in history[start:]] == expected, (history, limit)
        assert tokens == (len(get_tokenizer()(" ".join(texts[start:]))) if start < len(history) else 0)


def test_the_memory_sends_the_window_without_counting_it_again(counter):
    rng = random.Random(11)
    for _ in range(100):
        history, limit = odd_history(rng, rng.randint(1, 12)), rng.randint(1, 60)
        start, tokens = fitting_start([m.content for m in history], [m.role for m in history], limit, counter)
        chat = [to_chat_message(message) for message in history[start:]]
        memory = TranscriptMemory.from_defaults(token_limit=limit, tokenizer_fn=pytest.fail)  # must not tokenize
        memory.expect(chat, tokens)
        memory.set(chat)
        expected = buffer_keeps(history, limit)
        assert expected is None or [(m.role.value, m.content) for m in memory.get()] == expected


def test_a_long_conversation_sends_the_newest_messages_that_fit(settings, conversations_dir, fake_groq):
    store = ConversationStore(conversations_dir)
    history = [Message("user" if index % 2 == 0 else "assistant", f"message {index} about the weather today")
               for index in range(2000)]
    store.save("Long", history)
    chat = MemoryChatController(settings, store)
    chat.load("Long")
    ask(chat, "and tomorrow?")

    # The free tier's 8,000 tokens a minute hold a few hundred of these messages and the answer's room.
    [request] = [r for r in fake_groq.requests if r.method == "POST"]
    sent = sent_messages(request.body)
    assert request.status == 200 and request.requested <= 8000
    assert 100 < len(sent) < 1000
    assert sent[:-1] == [(m.role, m.content) for m in history[-(len(sent) - 1):]]  # the newest, in order
    assert sent[0][0] == "user" and sent[-2] == ("assistant", "message 1999 about the weather today")
    assert len(chat.messages) == 2002  # the transcript keeps everything
    assert chat.messages[-1].details.omitted_messages == 2000 - (len(sent) - 1)  # and says so, once


def test_a_failed_turn_is_left_out_before_the_window_is_cut(settings, conversations_dir, fake_groq):
    chat = MemoryChatController(settings, ConversationStore(conversations_dir))
    chat.messages = [Message("user", "lost", error="timed out"), Message("user", "kept"), Message("assistant", "yes")]
    ask(chat, "next")
    assert sent_messages(fake_groq.chat_requests()[-1]) == [("user", "kept"), ("assistant", "yes"), ("user", "next")]


class Clock:
    """A clock the test moves: each delta below arrives `step` seconds after the one before."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def paced(deltas: list[str], clock: Clock, step: float):
    for delta in deltas:
        clock.now += step
        yield delta


def test_batches_hand_on_the_first_delta_at_once_then_a_window_at_a_time():
    clock = Clock()
    deltas = [f"t{index} " for index in range(20)]
    batches = list(in_batches(paced(deltas, clock, 0.25), 1.0, clock))  # four deltas to a window
    assert batches[0] == "t0 "
    assert batches[1:] == ["t1 t2 t3 t4 ", "t5 t6 t7 t8 ", "t9 t10 t11 t12 ", "t13 t14 t15 t16 ", "t17 t18 t19 "]
    assert "".join(batches) == "".join(deltas)  # the last, partial batch is not lost


def test_slow_deltas_are_handed_on_one_by_one_and_nothing_comes_of_nothing():
    clock = Clock()
    assert list(in_batches(paced(["a", "b", "c"], clock, 1.5), 1.0, clock)) == ["a", "b", "c"]
    assert list(in_batches(iter([]), 1.0, clock)) == []


def test_a_fast_answer_arrives_in_few_batches_and_whole(settings, fake_groq):
    words = [f"w{index} " for index in range(500)]
    fake_groq.reply_with("".join(words), chunks=words, reasoning="")
    chat = SimpleChatController(settings)
    batches = [batch for batch in chat.stream_reply("go") if not isinstance(batch, Waiting)]
    assert "".join(batches) == "".join(words) == chat.messages[-1].content
    assert len(batches) < 100


def test_stop_keeps_every_batch_but_the_one_being_drawn(settings, fake_groq):
    words = [f"w{index} " for index in range(100)]
    fake_groq.reply_with("".join(words), chunks=words, tokens_per_second=200, reasoning="")
    chat = SimpleChatController(settings)
    stream = chat.stream_reply("talk")
    shown = [next(stream) for _ in range(3)]
    stream.close()
    assert len(shown[1].split()) > 1  # a batch, not a single word
    assert chat.messages[-1].content == shown[0] + shown[1] and chat.messages[-1].details.stopped


def test_pages_views_and_controllers_do_not_import_llamaindex_or_openai():
    code = (
        "import sys, controller.chat, controller.simple_chat, controller.memory_chat, view.chat_view,"
        " view.simple_chat, view.memory_chat, utils.llm, view.loaders;"
        " print(sorted(m for m in ('llama_index', 'openai', 'transformers', 'tiktoken') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_DIR, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_warm_up_makes_the_tokenizer_and_imports_llamaindex_behind_the_seam():
    import utils.llm
    from utils.llm.groq_llm import StoppableGroq

    utils.llm.warm_up()
    assert "utils.llm.groq_llm" in sys.modules and utils.llm.token_counter().alone("hello world") == 2
    assert issubclass(StoppableGroq, sys.modules["llama_index.llms.groq"].Groq)


def test_a_loaded_conversation_is_counted_ahead_so_its_next_turn_tokenizes_nothing(settings):
    history = [Message("user" if n % 2 == 0 else "assistant", f"counted ahead {n} " * 12) for n in range(300)]
    assistant = AssistantSettings(model=settings.groq_model)
    count_ahead(settings, assistant, history).join()
    counter = token_counter()
    misses = counter.alone.cache_info().misses, counter.join_cost.cache_info().misses
    limit = memory_token_limit(settings, assistant)
    fitting_start([m.content for m in history], [m.role for m in history], limit, counter)
    assert (counter.alone.cache_info().misses, counter.join_cost.cache_info().misses) == misses
