"""Message and its LlamaIndex form: the shapes every layer shares."""

from __future__ import annotations

import httpx
import openai
import pytest
from llama_index.core.llms import ChatMessage, MessageRole

from models.answer_details import AnswerDetails
from models.assistant_settings import AssistantSettings
from models.message import Message
from utils.llm import build_simple_engine
from utils.llm.groq_llm import to_chat_message


@pytest.mark.parametrize(
    "message",
    [
        Message("user", "Hello **world** <b>not html</b> 🎉"),
        Message("assistant", ""),
        Message("user", "unanswered", error="Groq had a server error (500)."),
        Message("assistant", "{}", details=AnswerDetails("m", 25, 310, 0.52, 596.2, stopped=True, json_mode=True)),
        Message("assistant", "cut", details=AnswerDetails("m", stopped=True)),
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


# Answer details


FULL_DETAILS = AnswerDetails("openai/gpt-oss-120b", 25, 310, 0.52, 596.2)


def test_details_dict_leaves_out_what_is_not_set_and_round_trips():
    bare = AnswerDetails("llama-3.1-8b-instant")
    assert bare.to_dict() == {"model": "llama-3.1-8b-instant"}
    assert AnswerDetails("m", seconds=0.0, stopped=True).to_dict() == {"model": "m", "seconds": 0.0, "stopped": True}
    keys = ["model", "prompt_tokens", "completion_tokens", "seconds", "tokens_per_second"]
    assert list(FULL_DETAILS.to_dict()) == keys
    for details in (bare, FULL_DETAILS, AnswerDetails("m", completion_tokens=3, json_mode=True)):
        assert AnswerDetails.from_dict(details.to_dict()) == details


def test_message_dict_carries_details_only_when_set():
    message = Message("assistant", "hi", details=AnswerDetails("m", completion_tokens=2))
    details = {"model": "m", "completion_tokens": 2}
    assert message.to_dict() == {"role": "assistant", "content": "hi", "details": details}
    assert "details" not in Message("assistant", "hi").to_dict()
    assert Message.from_dict({"role": "assistant", "content": "hi", "details": None}).details is None


@pytest.mark.parametrize(
    "data, complaint",
    [
        ([1], "must be a JSON object"),
        ({"seconds": 1.0}, "lack a model"),
        ({"model": 7}, "model must be text"),
        ({"model": "m", "prompt_tokens": -1}, "prompt_tokens must be a non-negative whole number"),
        ({"model": "m", "completion_tokens": 2.5}, "completion_tokens must be a non-negative whole number"),
        ({"model": "m", "completion_tokens": True}, "completion_tokens must be"),
        ({"model": "m", "seconds": "1.2"}, "seconds must be a non-negative number"),
        ({"model": "m", "seconds": float("nan")}, "seconds must be a non-negative number"),
        ({"model": "m", "tokens_per_second": False}, "tokens_per_second must be a non-negative number"),
        ({"model": "m", "stopped": "yes"}, "stopped must be true or false"),
        ({"model": "m", "json_mode": 1}, "json_mode must be true or false"),
    ],
)
def test_bad_details_are_refused_with_a_reason(data, complaint):
    with pytest.raises(ValueError, match=complaint):
        AnswerDetails.from_dict(data)
    with pytest.raises(ValueError, match=f"^details: .*{complaint}"):
        Message.from_dict({"role": "assistant", "content": "x", "details": data})


def test_message_refuses_details_of_the_wrong_type():
    with pytest.raises(ValueError, match="details must be AnswerDetails"):
        Message("assistant", "x", details={"model": "m"})


def test_details_ignore_keys_they_do_not_know():
    assert AnswerDetails.from_dict({"model": "m", "queue_seconds": 0.1}) == AnswerDetails("m")


@pytest.mark.parametrize(
    "details, caption",
    [
        (FULL_DETAILS, "openai/gpt-oss-120b · 25 → 310 tokens · 0.52 s · 596 tokens/s"),
        (AnswerDetails("m"), "m"),
        (AnswerDetails("m", seconds=3.0), "m · 3.00 s"),
        (AnswerDetails("m", 1234, 56789, 12.345, 4601.7), "m · 1,234 → 56,789 tokens · 12.3 s · 4,602 tokens/s"),
        (AnswerDetails("m", seconds=9.999), "m · 10.0 s"),
        (AnswerDetails("m", completion_tokens=40), "m · 40 tokens"),
        (AnswerDetails("m", prompt_tokens=12), "m · 12 prompt tokens"),
        (AnswerDetails("m", completion_tokens=8, seconds=0.4, stopped=True), "Stopped · m · 8 tokens · 0.40 s"),
        (AnswerDetails("m", 5, 9, json_mode=True), "m · JSON · 5 → 9 tokens"),
        (AnswerDetails("m", stopped=True, json_mode=True), "Stopped · m · JSON"),
    ],
)
def test_caption_shows_what_is_known(details, caption):
    assert details.caption() == caption


def test_chat_message_carries_the_text_and_never_the_reasoning():
    message = Message("assistant", "Sure: `code`", reasoning="They want code.")
    chat_message = to_chat_message(message)
    assert isinstance(chat_message, ChatMessage)
    assert chat_message.role == MessageRole.ASSISTANT and chat_message.content == "Sure: `code`"
    assert "They want code" not in str(chat_message.model_dump())


def test_reasoning_round_trips_through_the_dict_form():
    message = Message("assistant", "42", reasoning="Six times seven.")
    assert message.to_dict()["reasoning"] == "Six times seven." and Message.from_dict(message.to_dict()) == message
    assert "reasoning" not in Message("assistant", "42").to_dict()


def _simple_engine(settings):
    return build_simple_engine(settings, AssistantSettings(model=settings.groq_model))


def test_a_stream_yields_text_and_keeps_it(settings, fake_groq):
    fake_groq.reply_with("Hello there", chunks=["Hel", "lo", " there"])
    streaming = _simple_engine(settings).stream("hi", [])
    assert [event for event in streaming if isinstance(event, str)] == ["Hel", "lo", " there"]
    assert streaming.finished.finish_reason == "stop" and streaming.text == "Hello there"


def test_a_cut_stream_keeps_its_partial_text(settings, fake_groq):
    fake_groq.cut_stream_after(2, "partial answer that never ends")
    streaming = _simple_engine(settings).stream("hi", [])
    with pytest.raises((httpx.TransportError, openai.APIError)):  # as controller/errors.py tells a cut apart
        list(streaming)
    assert streaming.text == "partial answer " and streaming.finished is None
