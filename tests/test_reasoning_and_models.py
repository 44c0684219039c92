"""A reasoning model's thinking is shown, kept and exported, never sent back; only models Groq
still serves are offered, and a gone one is named."""

from __future__ import annotations

import dataclasses

import pytest

from controller.chat import ChatError, Reasoning
from controller.memory_chat import MemoryChatController
from controller.simple_chat import SimpleChatController
from models.store import to_markdown
from tests.app_driver import MEMORY_PAGE, open_assistant_settings, send, start_app, thinking, transcript
from tests.conftest import ask, sent_messages
from utils.llm import CATALOG, GONE
from utils.llm.catalog import FALLBACK_MODELS, fetch_chat_models

DECOMMISSIONED = "llama-3.3-70b-versatile"


def test_the_thinking_streams_before_the_answer_and_is_kept_apart(memory_chat, fake_groq):
    fake_groq.reply_with("Paris.", reasoning="The capital of France is Paris.")
    memory_chat.batch_seconds = 0
    events = list(memory_chat.stream_reply("Capital of France?"))
    kinds = [type(event).__name__ for event in events if type(event).__name__ != "Waiting"]
    assert kinds[0] == "Reasoning" and "str" in kinds and kinds.index("str") > max(
        index for index, kind in enumerate(kinds) if kind == "Reasoning")
    assert "".join(event.text for event in events if isinstance(event, Reasoning)) == "The capital of France is Paris."
    answer = memory_chat.messages[-1]
    assert (answer.content, answer.reasoning) == ("Paris.", "The capital of France is Paris.")
    assert answer.details.thinking_seconds is not None


def test_the_thinking_is_never_sent_back_as_history(memory_chat, fake_groq):
    fake_groq.reply_with("Paris.", reasoning="SECRET-THOUGHT about capitals.")
    ask(memory_chat, "Capital of France?")
    ask(memory_chat, "And of Spain?")
    body = fake_groq.chat_requests()[-1]
    assert sent_messages(body) == [("user", "Capital of France?"), ("assistant", "Paris."), ("user", "And of Spain?")]
    assert "SECRET-THOUGHT" not in str(body)


def test_the_thinking_is_saved_and_exported(memory_chat, store, fake_groq):
    fake_groq.reply_with("Paris.", reasoning="The capital of France is Paris.")
    ask(memory_chat, "Capital of France?")
    memory_chat.save("Capitals")
    saved = store.load("Capitals")
    assert saved.messages[-1].reasoning == "The capital of France is Paris."
    markdown = to_markdown(saved)
    assert "<summary>Thinking</summary>" in markdown and "The capital of France is Paris." in markdown


def test_a_model_that_does_not_reason_shows_no_thinking(settings, store, fake_groq):
    chat = MemoryChatController(settings, store)
    chat.set_assistant(dataclasses.replace(chat.assistant, model="allam-2-7b"))
    events = list(chat.stream_reply("hi"))
    assert not any(isinstance(event, Reasoning) for event in events)
    assert chat.messages[-1].reasoning is None
    body = fake_groq.chat_requests()[-1]
    assert "reasoning_effort" not in body and "reasoning_format" not in body


def test_qwen_is_asked_for_its_thinking_apart_from_the_answer(settings, fake_groq):
    chat = SimpleChatController(settings)
    chat.set_assistant(dataclasses.replace(chat.assistant, model="qwen/qwen3.8-27b"))
    fake_groq.reply_with("Hello.", reasoning="A greeting.")
    assert ask(chat, "hi") == "Hello."  # no <think> block in the answer
    assert chat.messages[-1].reasoning == "A greeting."
    assert fake_groq.chat_requests()[-1]["reasoning_format"] == "parsed"


@pytest.mark.parametrize("model, status", [(DECOMMISSIONED, 400), ("my-org/no-such-model", 404)])
def test_a_gone_model_is_named_and_the_model_moves_to_a_current_one(settings, store, fake_groq, model, status):
    chat = MemoryChatController(settings, store)
    chat.set_assistant(dataclasses.replace(chat.assistant, model=model))
    generation = chat.assistant_generation
    with pytest.raises(ChatError) as failure:
        ask(chat, "hello")
    message = str(failure.value)
    assert message.startswith(f"Groq no longer offers `{model}` ({status}); pick another model in Assistant settings.")
    assert "GROQ_MODEL" not in message  # the person chose it; the configuration did not
    assert chat.assistant.model == "openai/gpt-oss-120b" and chat.assistant_generation == generation + 1
    assert model in GONE
    assert model not in CATALOG.chat_models(settings.groq_api_base, settings.groq_api_key, model).models
    assert ask(chat, "hello again") == "Echo: hello again"


def test_a_gone_default_model_says_it_came_from_groq_model(settings, fake_groq):
    chat = SimpleChatController(dataclasses.replace(settings, groq_model=DECOMMISSIONED))
    assert chat.assistant.model == DECOMMISSIONED
    with pytest.raises(ChatError, match="It is the default set by GROQ_MODEL"):
        ask(chat, "hello")
    assert chat.assistant.model == "openai/gpt-oss-120b"


def test_the_page_shows_the_thinking_folded_above_the_answer(app_env):
    app_env.reply_with("Paris.", reasoning="The capital of France is Paris.")
    app = send(start_app(), "Capital of France?")
    assert transcript(app) == [("user", "Capital of France?"), ("assistant", "Paris.")]
    [(label, text)] = thinking(app)
    assert label.startswith("Thought for") and text == "The capital of France is Paris."


def test_the_page_moves_the_model_box_when_groq_no_longer_offers_the_model(app_env, monkeypatch):
    monkeypatch.setenv("GROQ_MODEL", DECOMMISSIONED)
    app = start_app(MEMORY_PAGE)
    send(app, "hello")
    [(kind, message)] = [entry for entry in transcript(app) if entry[0] == "error"]
    assert message.startswith(f"Groq no longer offers `{DECOMMISSIONED}`") and "GROQ_MODEL" in message
    open_assistant_settings(app)
    [model] = [box for box in app.sidebar.selectbox if box.label == "Model"]
    assert model.value == "openai/gpt-oss-120b" and DECOMMISSIONED not in model.options


def test_no_decommissioned_model_is_offered_from_the_live_list_or_the_built_in_one(fake_groq):
    listed = fetch_chat_models(fake_groq.base_url, fake_groq.api_key)
    assert listed == ["allam-2-7b", "openai/gpt-oss-120b", "openai/gpt-oss-20b", "qwen/qwen3.8-27b"]
    for gone in ("llama-3.1-8b-instant", "llama-3.3-70b-versatile", "qwen/qwen3-32b", "llama3-70b-8192"):
        assert gone not in listed and gone not in FALLBACK_MODELS
