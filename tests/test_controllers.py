"""The engines against the fake Groq server: real LlamaIndex client, agent and memory."""

from __future__ import annotations

import dataclasses
import re

import pytest

from controller.chat import ChatError
from controller.memory_chat import MemoryChatController
from controller.simple_chat import SimpleChatController
from models.message import Message
from models.store import ConversationExists
from tests.conftest import answer_text, ask, sent_messages, turns
from tests.fake_groq_limits import Limits


def test_simple_engine_sends_only_the_new_message(settings, fake_groq):
    controller = SimpleChatController(settings)
    assert ask(controller, "first question") == "Echo: first question"
    assert ask(controller, "second question") == "Echo: second question"

    bodies = fake_groq.chat_requests()
    assert [sent_messages(body) for body in bodies] == [
        [("user", "first question")],
        [("user", "second question")],
    ]
    assert all(body["stream"] is True and body["model"] == settings.groq_model for body in bodies)
    assert [m.content for m in controller.messages] == [
        "first question", "Echo: first question", "second question", "Echo: second question",
    ]


def test_memory_turn_two_carries_turn_one(memory_chat, fake_groq):
    fake_groq.reply_with("Nice to meet you, Ada.")
    ask(memory_chat, "My name is Ada.")
    ask(memory_chat, "What is my name?")

    second = fake_groq.chat_requests()[1]
    assert sent_messages(second) == [
        ("user", "My name is Ada."),
        ("assistant", "Nice to meet you, Ada."),
        ("user", "What is my name?"),
    ]


def test_every_earlier_turn_is_sent_exactly_once(memory_chat, fake_groq):
    # OpenAIAgent commits a streamed turn twice, racing; a fast answer once landed in memory twice.
    for prompt in ("one", "two", "three", "four"):
        ask(memory_chat, prompt)
    assert sent_messages(fake_groq.chat_requests()[-1]) == [
        ("user", "one"), ("assistant", "Echo: one"), ("user", "two"), ("assistant", "Echo: two"),
        ("user", "three"), ("assistant", "Echo: three"), ("user", "four"),
    ]


def test_memory_sends_only_what_fits_the_models_context_window(settings, store, fake_groq):
    # The window comes from Groq's model list, and the request must fit it with the answer's budget
    # (here a key whose per-minute limit is no constraint).
    fake_groq.models = [{**model, "context_window": 4096} if model["id"] == settings.groq_model else model
                        for model in fake_groq.models]
    fake_groq.limits = Limits.unlimited()
    roomy = dataclasses.replace(settings, max_answer_tokens=100, tokens_per_minute=10**6)
    controller = MemoryChatController(roomy, store)
    long_turn = "word " * 900  # about 900 tokens each way
    for index in range(4):
        ask(controller, f"{index} {long_turn}")
    ask(controller, "last")

    sent = sent_messages(fake_groq.chat_requests()[-1])
    assert sent[-1] == ("user", "last")
    assert 1 < len(sent) < len(controller.messages) - 1  # oldest turns dropped from the request...
    assert len(controller.messages) == 10  # ...but kept in the transcript
    assert all(request.status == 200 for request in fake_groq.requests)


def test_a_loaded_conversation_is_the_agents_memory(memory_chat, store, fake_groq):
    store.save("Trip", [Message("user", "Plan a trip to Lisbon"), Message("assistant", "Day 1: Alfama.")])

    memory_chat.load("Trip")
    ask(memory_chat, "And day 2?")

    assert sent_messages(fake_groq.chat_requests()[0]) == [
        ("user", "Plan a trip to Lisbon"),
        ("assistant", "Day 1: Alfama."),
        ("user", "And day 2?"),
    ]


def test_new_chat_forgets(memory_chat, fake_groq):
    ask(memory_chat, "remember 42")
    memory_chat.new_chat()
    ask(memory_chat, "what number?")

    assert sent_messages(fake_groq.chat_requests()[1]) == [("user", "what number?")]
    assert turns(memory_chat.messages) == [("user", "what number?"), ("assistant", "Echo: what number?")]


@pytest.mark.parametrize(
    "script, expected",
    [
        (lambda fake: fake.fail_with(500, "internal"), "Groq had a server error (500)"),
        (lambda fake: fake.fail_with(429, "Rate limit reached", retry_after=45), "try again in 45 seconds"),
        (lambda fake: fake.fail_with(503, "over capacity"), "Groq had a server error (503)"),
        (lambda fake: fake.cut_stream_after(0, "one two three four five six"), "cut off midway"),
    ],
    ids=["500", "429", "503", "cut-stream"],
)
def test_a_failed_turn_is_shown_kept_and_never_sent_as_history(memory_chat, fake_groq, script, expected):
    ask(memory_chat, "first")
    script(fake_groq)

    with pytest.raises(ChatError, match=re.escape(expected)):
        ask(memory_chat, "doomed question")
    ask(memory_chat, "try again")

    # The failed words stay in the transcript, marked, but never reach the model again.
    assert memory_chat.messages[2] == Message("user", "doomed question", error=str(memory_chat.messages[2].error))
    assert expected in memory_chat.messages[2].error
    assert sent_messages(fake_groq.chat_requests()[-1]) == [
        ("user", "first"), ("assistant", "Echo: first"), ("user", "try again"),
    ]


def test_rate_limit_time_comes_from_groqs_message_without_a_header(memory_chat, fake_groq):
    fake_groq.fail_with(429, "Rate limit reached for model. Please try again in 1m2.5s.")
    with pytest.raises(ChatError, match="try again in 62 seconds"):
        ask(memory_chat, "hello")


def test_wrong_key_says_how_to_set_it(settings, fake_groq):
    controller = SimpleChatController(dataclasses.replace(settings, groq_api_key="gsk_wrong"))
    with pytest.raises(ChatError) as failure:
        ask(controller, "hello")
    message = str(failure.value)
    assert "did not accept the API key (401)" in message and "GROQ_API_KEY" in message
    assert "gsk_wrong" not in message


def test_unreachable_server_is_named(settings):
    controller = SimpleChatController(dataclasses.replace(settings, groq_api_base="http://127.0.0.1:9/openai/v1"))
    with pytest.raises(ChatError, match="Could not reach Groq at http://127.0.0.1:9/openai/v1"):
        ask(controller, "hello")


def test_timeout_is_bounded(settings, fake_groq):
    fake_groq.hang(3)
    controller = SimpleChatController(dataclasses.replace(settings, request_timeout=0.3))
    with pytest.raises(ChatError, match=r"did not answer: bnaGPT waited 0\.\d seconds"):
        ask(controller, "hello")


def test_retries_are_bounded_by_settings(settings, fake_groq):
    fake_groq.fail_with(500, "boom")
    fake_groq.fail_with(500, "boom again")
    fake_groq.fail_with(500, "never asked")
    controller = SimpleChatController(dataclasses.replace(settings, max_retries=1))
    with pytest.raises(ChatError, match="server error"):
        ask(controller, "hello")
    assert len(fake_groq.chat_requests()) == 2


def test_a_stopped_answer_keeps_what_was_shown_and_memory_holds_exactly_that(memory_chat, fake_groq):
    fake_groq.reply_with(
        "a long and winding answer", chunks=["a ", "long ", "and ", "winding ", "answer"], reasoning="")
    memory_chat.batch_seconds = 0  # each delta handed on by itself (a fast stream would come in one batch)
    stream = memory_chat.stream_reply("tell me")
    assert [next(stream) for _ in range(3)] == ["a ", "long ", "and "]
    stream.close()  # the person pressed stop while "and " was being drawn: it never was

    [question, stopped] = memory_chat.messages
    assert (question, stopped.content) == (Message("user", "tell me"), "a long ")
    assert stopped.details.stopped and "Stopped" in stopped.details.caption()
    ask(memory_chat, "more")
    assert sent_messages(fake_groq.chat_requests()[-1]) == [
        ("user", "tell me"), ("assistant", "a long "), ("user", "more"),
    ]


def test_stopping_before_anything_was_shown_keeps_the_question_unanswered(memory_chat, fake_groq):
    stream = memory_chat.stream_reply("hello?")
    next(stream)
    stream.close()
    assert memory_chat.messages == [Message("user", "hello?", error="Stopped before any answer arrived.")]
    ask(memory_chat, "again")
    assert sent_messages(fake_groq.chat_requests()[-1]) == [("user", "again")]


def test_saving_updates_our_conversation_but_never_replaces_anothers(memory_chat, store, fake_groq):
    store.save("Someone else's", [Message("user", "keep me")])
    ask(memory_chat, "hello")

    first = memory_chat.save("Mine")
    ask(memory_chat, "again")
    second = memory_chat.save("Mine")  # ours: updated in place
    assert (first.revision, second.revision) == (1, 3)  # the turn in between was autosaved
    assert [m.content for m in store.load("Mine").messages] == ["hello", "Echo: hello", "again", "Echo: again"]

    with pytest.raises(ConversationExists):
        memory_chat.save("Someone else's")
    assert store.load("Someone else's").messages == [Message("user", "keep me")]
    memory_chat.save("Someone else's", replace=True)
    assert len(store.load("Someone else's").messages) == 4


def test_unsaved_turns_and_delete_of_the_open_conversation(memory_chat, store, fake_groq):
    assert not memory_chat.has_unsaved_turns
    ask(memory_chat, "hello")
    assert memory_chat.has_unsaved_turns
    memory_chat.save("Greeting")
    assert not memory_chat.has_unsaved_turns
    assert memory_chat.suggested_name() == "Greeting"

    memory_chat.delete("Greeting")
    assert memory_chat.messages == [] and memory_chat.name is None
    assert store.list().conversations == []


def test_suggested_name_is_the_start_of_the_first_message(memory_chat, fake_groq):
    ask(memory_chat, "  How do   I bake sourdough bread at home without a proofing basket or a Dutch oven?")
    suggestion = memory_chat.suggested_name()
    assert suggestion.startswith("How do I bake sourdough bread") and len(suggestion) <= 60


def test_an_edited_last_question_replaces_its_turn(memory_chat, fake_groq):
    ask(memory_chat, "one")
    ask(memory_chat, "twoo")
    assert answer_text(memory_chat.stream_edited("two")) == "Echo: two"
    assert turns(memory_chat.messages) == [("user", "one"), ("assistant", "Echo: one"),
                                           ("user", "two"), ("assistant", "Echo: two")]
    assert sent_messages(fake_groq.chat_requests()[-1]) == [
        ("user", "one"), ("assistant", "Echo: one"), ("user", "two")]
    fake_groq.fail_with(500, "boom")
    with pytest.raises(ChatError):
        answer_text(memory_chat.stream_edited("three"))
    # The edited words are kept, marked as unanswered, in place of the turn.
    assert turns(memory_chat.messages) == [("user", "one"), ("assistant", "Echo: one"), ("user", "three")]
    assert memory_chat.messages[-1].error
