"""A typed message is sent to Groq before the page draws the rest of itself (B3), by an engine built while the
page waited: the reply started early answers like any other, and one the page never reads (a Stop
meanwhile) is kept as stopped."""

from __future__ import annotations

import inspect

from models.message import Message
from tests.conftest import ask, sent_messages, turns


def test_a_reply_started_early_is_under_way_before_it_is_read_and_answers_as_usual(memory_chat, fake_groq):
    fake_groq.reply_with("an early answer", chunks=["an ", "early ", "answer"], reasoning="")
    memory_chat.batch_seconds = 0  # each delta handed on by itself: none may be swallowed by the start
    stream = memory_chat.start_reply("early bird")
    # The turn's request is sent (its engine called) before the page reads a word of it.
    assert inspect.getgeneratorstate(stream) == inspect.GEN_SUSPENDED
    assert [piece for piece in stream if isinstance(piece, str)] == ["an ", "early ", "answer"]
    assert turns(memory_chat.messages) == [("user", "early bird"), ("assistant", "an early answer")]
    assert sent_messages(fake_groq.chat_requests()[-1]) == [("user", "early bird")]


def test_a_reply_started_early_returns_once_its_request_is_on_its_way(memory_chat, fake_groq):
    # Until then the page's drawing would only slow the thread that builds and sends the request (B3).
    fake_groq.reply_with("on its way", reasoning="")
    stream = memory_chat.start_reply("are you there?")
    assert memory_chat._engine.llm.current_turn().sent.is_set()
    assert "".join(piece for piece in stream if isinstance(piece, str)) == "on its way"
    assert sent_messages(fake_groq.chat_requests()[-1]) == [("user", "are you there?")]


def test_a_reply_started_early_and_never_read_is_kept_as_stopped(memory_chat, fake_groq):
    stream = memory_chat.start_reply("hello?")
    stream.close()  # the person pressed Stop while the page was drawing the transcript
    assert memory_chat.messages == [Message("user", "hello?", error="Stopped before any answer arrived.")]
    ask(memory_chat, "again")
    assert sent_messages(fake_groq.chat_requests()[-1]) == [("user", "again")]


def test_an_engine_prepared_while_the_page_waits_answers_the_next_message(memory_chat, fake_groq):
    built = []
    build = memory_chat._build_engine
    memory_chat._build_engine = lambda assistant: built.append(assistant) or build(assistant)
    memory_chat.prepare()  # a run that answers nothing (view/loaders.prepare_engine)
    assert len(built) == 1
    fake_groq.reply_with("ready", reasoning="")
    ask(memory_chat, "hello")
    assert len(built) == 1  # the message did not wait for an engine to be built
    assert sent_messages(fake_groq.chat_requests()[-1]) == [("user", "hello")]
