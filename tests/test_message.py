"""Message and StreamingMessage: the shapes every layer shares."""

from __future__ import annotations

import pytest
from llama_index.core.llms import ChatMessage, MessageRole

from models.message import Message, StreamingMessage
from utils.llama import build_simple_engine


@pytest.mark.parametrize(
    "message",
    [
        Message("user", "Hello **world** <b>not html</b> 🎉"),
        Message("assistant", ""),
        Message("user", "unanswered", error="Groq had a server error (500)."),
    ],
)
def test_dict_round_trip(message):
    assert Message.from_dict(message.to_dict()) == message


def test_dict_form_has_no_error_key_when_answered():
    assert Message("user", "hi").to_dict() == {"role": "user", "content": "hi"}


@pytest.mark.parametrize(
    "data, complaint",
    [
        ("just text", "JSON object"),
        ({"role": "user"}, "lacks content"),
        ({"role": "wizard", "content": "x"}, "unknown role"),
        ({"role": "user", "content": 3}, "must be text"),
    ],
)
def test_bad_dicts_are_refused_with_a_reason(data, complaint):
    with pytest.raises(ValueError, match=complaint):
        Message.from_dict(data)


def test_chat_message_round_trip():
    message = Message("assistant", "Sure: `code`")
    chat_message = message.to_chat_message()
    assert isinstance(chat_message, ChatMessage)
    assert chat_message.role == MessageRole.ASSISTANT and chat_message.content == "Sure: `code`"
    assert Message.from_chat_message(chat_message) == message


def test_streaming_message_yields_text_and_keeps_it(settings, fake_groq):
    fake_groq.reply_with("Hello there", chunks=["Hel", "lo", " there"])
    streaming = StreamingMessage(build_simple_engine(settings).stream_chat("hi", chat_history=[]))
    assert list(streaming) == ["Hel", "lo", " there"]
    assert streaming.finished and streaming.to_message() == Message("assistant", "Hello there")


def test_streaming_message_keeps_partial_text_when_cut(settings, fake_groq):
    fake_groq.cut_stream_after(2, "partial answer that never ends")
    streaming = StreamingMessage(build_simple_engine(settings).stream_chat("hi", chat_history=[]))
    with pytest.raises(Exception):
        list(streaming)
    assert streaming.text == "partial answer " and not streaming.finished
