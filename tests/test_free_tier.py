"""Works on a free Groq key: every request fits the key's per-minute tokens, a 413 is refitted once,
short 429s are waited out in sight and long ones explained, long conversations go on."""

from __future__ import annotations

import dataclasses

import pytest

from controller.chat import ChatError, Waiting
from controller.memory_chat import MemoryChatController
from controller.simple_chat import SimpleChatController
from models.message import Message
from tests.conftest import answer_text, ask, sent_messages
from tests.fake_groq_limits import Limits

FREE_TIER = 8000


def chat_requests(fake_groq) -> list:
    return [request for request in fake_groq.requests if request.method == "POST"]


@pytest.mark.parametrize("page", ["simple", "memory"])
def test_the_first_message_is_answered_on_default_settings(settings, store, fake_groq, page):
    assert fake_groq.limits_of(settings.groq_model).tokens_per_minute == FREE_TIER
    chat = SimpleChatController(settings) if page == "simple" else MemoryChatController(settings, store)
    assert chat.assistant.max_answer_tokens == 8192  # more than the free tier allows in a minute
    assert ask(chat, "Hello!") == "Echo: Hello!"
    [request] = chat_requests(fake_groq)
    assert request.status == 200 and request.requested <= FREE_TIER


def test_a_413_is_fitted_to_the_limit_groq_names_and_answered_once_more(settings, fake_groq):
    # The app assumes a paid key's limit; Groq's 413 names the real one, and the app learns it.
    chat = SimpleChatController(dataclasses.replace(settings, tokens_per_minute=30000))
    assert ask(chat, "Hello!") == "Echo: Hello!"
    refused, answered = chat_requests(fake_groq)
    assert (refused.status, answered.status) == (413, 200)
    assert refused.requested > FREE_TIER >= answered.requested
    ask(chat, "Again")
    assert chat_requests(fake_groq)[-1].status == 200 and len(chat_requests(fake_groq)) == 3


def test_a_message_too_long_for_the_minute_says_so(settings, fake_groq):
    chat = SimpleChatController(settings)
    with pytest.raises(ChatError, match="too long for your Groq key's limit of 8,000 tokens a minute"):
        ask(chat, "word " * 9000)
    assert chat_requests(fake_groq) == []  # known before sending
    assert chat.messages[-1].error


def test_a_short_rate_limit_wait_is_counted_down_and_answered(settings, fake_groq):
    fake_groq.limits = Limits(requests_per_minute=1, minute_seconds=2.0)
    chat = SimpleChatController(settings)
    ask(chat, "one")
    events = list(chat.stream_reply("two"))
    countdown = [event.seconds for event in events if isinstance(event, Waiting) and event.seconds]
    assert countdown and countdown[0] <= 2 and countdown == sorted(countdown, reverse=True)
    assert answer_text(events) == "Echo: two"
    assert [request.status for request in chat_requests(fake_groq)] == [200, 429, 200]


def test_stop_ends_a_rate_limit_wait(settings, fake_groq):
    fake_groq.limits = Limits(requests_per_minute=1, minute_seconds=15.0)
    chat = SimpleChatController(settings)
    ask(chat, "one")
    stream = chat.stream_reply("two")
    event = next(stream)
    while not (isinstance(event, Waiting) and event.seconds):
        event = next(stream)
    stream.close()
    assert chat.messages[-1] == Message("user", "two", error="Stopped before any answer arrived.")
    assert [request.status for request in chat_requests(fake_groq)] == [200, 429]


def test_a_long_rate_limit_wait_says_when_to_try_again(settings, fake_groq):
    fake_groq.limits = Limits(requests_per_minute=1)
    chat = SimpleChatController(settings)
    ask(chat, "one")
    with pytest.raises(ChatError, match=r"rate limit was reached \(429\)\. Please try again in (59|60) seconds\."):
        ask(chat, "two")


def test_a_40_turn_conversation_goes_on_waiting_when_the_minute_is_used_up(settings, store, fake_groq):
    fake_groq.limits = Limits(minute_seconds=0.5)  # free-tier numbers, in a half-second "minute"
    chat = MemoryChatController(settings, store)
    waits = 0
    for turn in range(40):
        fake_groq.reply_with(f"Answer {turn}: " + "lorem ipsum dolor sit amet " * 40)
        events = list(chat.stream_reply(f"Question {turn}: " + "tell me more " * 20))
        waits += any(isinstance(event, Waiting) and event.seconds for event in events)
        assert answer_text(events).startswith(f"Answer {turn}: ")
    assert all(request.requested <= FREE_TIER for request in chat_requests(fake_groq))
    assert waits > 0  # the minute ran out along the way, and was waited out
    assert len(chat.messages) == 80 and not any(message.error for message in chat.messages)
    # The history sent was cut to fit: the oldest turns are left out, the newest kept.
    sent = sent_messages(fake_groq.chat_requests()[-1])
    assert sent[-1][1].startswith("Question 39") and ("user", chat.messages[0].content) not in sent


def test_a_loaded_20000_token_conversation_carries_on(settings, store, fake_groq):
    history = []
    for index in range(100):
        history += [Message("user", f"Question {index}: " + "what about the weather " * 20),
                    Message("assistant", f"Answer {index}: " + "it will be sunny and warm " * 20)]
    store.save("Long", history)
    chat = MemoryChatController(settings, store)
    chat.load("Long")
    assert ask(chat, "And tomorrow?") == "Echo: And tomorrow?"
    assert ask(chat, "And the day after?") == "Echo: And the day after?"
    first, second = chat.messages[-3].details, chat.messages[-1].details
    assert first.omitted_messages > 100 and second.omitted_messages is None  # said once
    # The first turn used most of the minute: rather than wait for it, the second goes with less history.
    requests = chat_requests(fake_groq)
    assert [request.status for request in requests] == [200, 429, 200]
    assert requests[0].prompt_tokens > 4000 > requests[2].prompt_tokens > 500
    assert all(request.requested <= FREE_TIER for request in requests)


def test_a_paid_keys_limit_is_learned_from_groqs_headers(settings, fake_groq):
    fake_groq.limits = Limits(tokens_per_minute=250000)
    chat = SimpleChatController(settings)
    ask(chat, "one")
    assert chat_requests(fake_groq)[-1].budget < FREE_TIER  # before Groq said, the free tier was assumed
    ask(chat, "two")
    assert chat_requests(fake_groq)[-1].budget == 8192  # then the whole Max answer tokens
