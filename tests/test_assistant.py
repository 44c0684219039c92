"""Assistant settings, stop and regenerate, against the fake Groq server: what reaches it, what is kept."""

from __future__ import annotations

import dataclasses
import json

import pytest

from controller.chat import ChatError
from controller.memory_chat import MemoryChatController
from controller.simple_chat import SimpleChatController
from models.assistant_settings import JSON_INSTRUCTION, PERSONAS, AssistantSettings
from models.message import Message
from tests.conftest import answer_text, ask, sent_messages, system_prompts
from utils.llm import memory_token_limit

TEACHER = PERSONAS["Patient teacher"]


@pytest.fixture(params=["simple", "memory"])
def any_chat(request, settings, store):
    return SimpleChatController(settings) if request.param == "simple" else MemoryChatController(settings, store)


def test_defaults_send_the_general_persona_with_groqs_default_temperature(any_chat, settings, fake_groq):
    ask(any_chat, "hello")
    [body] = fake_groq.chat_requests()
    assert body["messages"][0] == {"role": "system", "content": PERSONAS["General assistant"]}
    assert (body["model"], body["temperature"]) == (settings.groq_model, 1.0)
    assert "response_format" not in body and body["reasoning_effort"] == "medium"
    # The 8,192-token answer budget asked for is cut to what fits the free tier's 8,000 tokens a minute.
    [request] = [r for r in fake_groq.requests if r.body is body]
    assert request.status == 200 and request.requested <= 8000
    assert 6000 < body["max_completion_tokens"] < 8000


def test_each_setting_changes_the_request_from_the_next_message_on(any_chat, fake_groq):
    ask(any_chat, "before")
    any_chat.set_assistant(AssistantSettings(
        model="openai/gpt-oss-20b", system_prompt=TEACHER, temperature=0.3, max_answer_tokens=512,
        reasoning_effort="high",
    ))
    ask(any_chat, "after")
    before, after = fake_groq.chat_requests()
    assert before["model"] == "openai/gpt-oss-120b" and before["temperature"] == 1.0
    assert (after["model"], after["temperature"], after["max_completion_tokens"], after["reasoning_effort"]) == (
        "openai/gpt-oss-20b", 0.3, 512, "high")
    assert system_prompts(after) == [TEACHER]  # once, and first
    assert after["messages"][0]["role"] == "system"


def test_the_memory_keeps_the_history_when_the_settings_change(settings, store, fake_groq):
    chat = MemoryChatController(settings, store)
    ask(chat, "my name is Ada")
    chat.set_assistant(dataclasses.replace(chat.assistant, system_prompt=TEACHER))
    ask(chat, "what is my name?")
    last = fake_groq.chat_requests()[-1]
    assert system_prompts(last) == [TEACHER]
    assert sent_messages(last) == [("user", "my name is Ada"), ("assistant", "Echo: my name is Ada"),
                                   ("user", "what is my name?")]


def test_an_empty_system_prompt_sends_none(any_chat, fake_groq):
    any_chat.set_assistant(dataclasses.replace(any_chat.assistant, system_prompt="  "))
    ask(any_chat, "hi")
    assert system_prompts(fake_groq.chat_requests()[0]) == []


def test_json_mode_asks_groq_for_a_json_object_and_keeps_the_answer(any_chat, fake_groq):
    any_chat.set_assistant(dataclasses.replace(any_chat.assistant, json_mode=True))
    fake_groq.reply_with('{"city": "Lisbon", "days": 2}')
    assert json.loads(ask(any_chat, "plan as JSON")) == {"city": "Lisbon", "days": 2}
    # Groq refuses to stream JSON mode, so it is asked again without streaming, and from then on at once.
    refused, body = fake_groq.chat_requests()
    statuses = [request.status for request in fake_groq.requests if request.method == "POST"]
    assert (refused["stream"], statuses, body.get("stream", False)) == (True, [400, 200], False)
    fake_groq.reply_with('{"city": "Porto"}')
    assert json.loads(ask(any_chat, "another")) == {"city": "Porto"}
    assert [request.get("stream", False) for request in fake_groq.chat_requests()] == [True, False, False]
    assert body["response_format"] == {"type": "json_object"}
    assert system_prompts(body)[0].endswith(JSON_INSTRUCTION)  # Groq refuses JSON mode unless asked for JSON
    assert any_chat.messages[-1].details.json_mode


@pytest.mark.parametrize("answer", ["I can't help with that.", '["a", "list"]', '{"cut": '])
def test_json_mode_reports_an_answer_that_is_not_a_json_object(settings, store, fake_groq, answer):
    chat = MemoryChatController(settings, store)
    chat.set_assistant(dataclasses.replace(chat.assistant, json_mode=True))
    fake_groq.reply_with(answer)
    with pytest.raises(ChatError, match="did not answer with a JSON object") as failure:
        ask(chat, "json please")
    assert answer.strip() in str(failure.value)  # what the model said is shown, not lost
    assert chat.messages == [Message("user", "json please", error=str(failure.value))]
    fake_groq.reply_with('{"ok": true}')
    ask(chat, "again")
    assert sent_messages(fake_groq.chat_requests()[-1]) == [("user", "again")]


def test_groqs_json_validation_failure_is_explained(any_chat, fake_groq):
    any_chat.set_assistant(dataclasses.replace(any_chat.assistant, json_mode=True))
    fake_groq.fail_with(400, "Failed to generate JSON. Please adjust your prompt.", code="json_validate_failed")
    with pytest.raises(ChatError, match="could not produce valid JSON .Groq: json_validate_failed."):
        ask(any_chat, "json")
    assert any_chat.messages[-1].error.startswith("JSON mode is on")


def test_an_empty_json_mode_answer_reads_as_a_refusal(any_chat, fake_groq):
    any_chat.set_assistant(dataclasses.replace(any_chat.assistant, json_mode=True))
    fake_groq.reply_with("", chunks=[])
    with pytest.raises(ChatError, match="gave no answer .it may have refused"):
        ask(any_chat, "json")


def test_each_answer_records_model_tokens_and_time_from_groqs_usage(any_chat, fake_groq):
    fake_groq.reply_with("one two three four five", reasoning="")
    ask(any_chat, "count to five")
    details = any_chat.messages[-1].details
    assert fake_groq.streams[-1].ended.wait(5)  # the fake records what it charged once the answer is settled
    request = fake_groq.requests[-1]
    assert (details.model, details.prompt_tokens, details.completion_tokens) == (
        "openai/gpt-oss-120b", request.prompt_tokens, request.completion_tokens)
    assert details.seconds > 0 and details.tokens_per_second > 0
    assert details.caption().startswith("openai/gpt-oss-120b · ")


def test_regenerate_replaces_the_last_answer_in_transcript_and_memory(settings, store, fake_groq):
    chat = MemoryChatController(settings, store)
    ask(chat, "first")
    fake_groq.reply_with("a dull answer")
    ask(chat, "tell me a joke")
    chat.save("Jokes")
    fake_groq.reply_with("a better answer")
    assert answer_text(chat.stream_regenerated()) == "a better answer"

    regenerate_request = fake_groq.chat_requests()[-1]
    assert sent_messages(regenerate_request) == [("user", "first"), ("assistant", "Echo: first"),
                                                 ("user", "tell me a joke")]
    assert [m.content for m in chat.messages] == ["first", "Echo: first", "tell me a joke", "a better answer"]
    assert not chat.has_unsaved_turns  # autosaved: the saved copy holds the new answer
    assert store.load("Jokes").messages[-1].content == "a better answer"
    ask(chat, "and another")
    assert ("assistant", "a dull answer") not in sent_messages(fake_groq.chat_requests()[-1])


def test_a_failed_regenerate_keeps_the_old_answer(settings, store, fake_groq):
    chat = MemoryChatController(settings, store)
    ask(chat, "question")
    fake_groq.fail_with(503, "over capacity")
    with pytest.raises(ChatError, match="server error"):
        answer_text(chat.stream_regenerated())
    assert [m.content for m in chat.messages] == ["question", "Echo: question"]


def test_stop_ends_the_request_at_groq_and_keeps_only_what_was_shown(settings, store, fake_groq):
    chat = MemoryChatController(settings, store)
    words = [f"w{index} " for index in range(200)]
    fake_groq.reply_with("".join(words), chunks=words, tokens_per_second=200, reasoning="")  # a second's worth
    stream = chat.stream_reply("talk")
    shown = [next(stream) for _ in range(3)]
    stream.close()  # st.write_stream was drawing shown[-1] when the person pressed stop

    assert chat.messages[-1].content == "".join(shown[:2]) and chat.messages[-1].details.stopped
    # The connection is closed at the next chunk: Groq is not left generating for nobody. (Unstopped,
    # the paced stream would end after a second with all 200 words sent.)
    record = fake_groq.streams[-1]
    assert record.ended.wait(timeout=5)
    assert not record.finished and record.sent < 50


def test_saved_settings_come_back_when_the_conversation_is_loaded(settings, store, fake_groq):
    chat = MemoryChatController(settings, store)
    chosen = AssistantSettings(model="openai/gpt-oss-20b", system_prompt=TEACHER, temperature=0.2,
                               max_answer_tokens=1024, json_mode=False, reasoning_effort="low")
    chat.set_assistant(chosen)
    ask(chat, "hello")
    chat.save("Lesson")
    assert store.load("Lesson").assistant == {**chosen.to_dict(), "tools": {"web_search": True, "code": False}}

    other = MemoryChatController(settings, store)
    generation = other.assistant_generation
    other.load("Lesson")
    assert other.assistant == chosen and other.assistant_generation == generation + 1
    ask(other, "next")
    body = fake_groq.chat_requests()[-1]
    assert (body["model"], body["temperature"], body["max_completion_tokens"], system_prompts(body)) == (
        "openai/gpt-oss-20b", 0.2, 1024, [TEACHER])
    assert body["reasoning_effort"] == "low"


def test_a_conversation_saved_without_settings_keeps_the_current_ones(settings, store, fake_groq):
    store.save("Old", [Message("user", "hi"), Message("assistant", "hello")])
    chat = MemoryChatController(settings, store)
    chat.set_assistant(dataclasses.replace(chat.assistant, temperature=0.5))
    chat.load("Old")
    assert chat.assistant.temperature == 0.5


def test_the_memory_leaves_room_for_the_system_prompt_and_the_answer(settings):
    settings = dataclasses.replace(settings, context_window=20000, memory_tokens=10**6, tokens_per_minute=10**7)
    short = AssistantSettings(model="m", system_prompt="", max_answer_tokens=1000)
    long = dataclasses.replace(short, system_prompt="word " * 500)
    assert memory_token_limit(settings, short) == 20000 - 1000
    assert 20000 - 1000 - 600 < memory_token_limit(settings, long) < 20000 - 1400


def test_the_memory_sends_at_most_its_share_of_a_large_window(settings):
    assistant = AssistantSettings(model="m", max_answer_tokens=1000)
    assert settings.memory_tokens == 16384 and settings.context_window == 131072  # the defaults
    roomy = dataclasses.replace(settings, tokens_per_minute=10**6)
    assert memory_token_limit(roomy, assistant) == 16384
    assert memory_token_limit(dataclasses.replace(roomy, memory_tokens=500), assistant) == 500


def test_on_the_free_tier_history_leaves_the_answer_a_quarter_of_the_minutes_tokens(settings):
    assistant = AssistantSettings(model="m", system_prompt="", max_answer_tokens=8192)
    assert settings.tokens_per_minute == 8000  # assumed until Groq names the key's limit
    # 8,000 less a 5% margin, less a quarter of that kept for the answer, less the overheads,
    # in tokenizer tokens (Groq counts about 1.15 of them per token).
    assert 4000 < memory_token_limit(settings, assistant) < 7600 * 0.75 / 1.15
