"""Assistant settings on both pages in AppTest: what each widget changes in the request, captions,
JSON answers, Regenerate, and settings saved and loaded with a conversation."""

from __future__ import annotations

import pytest

from models.assistant_settings import PERSONAS
from tests.app_driver import (
    MEMORY_PAGE,
    click,
    click_in_conversation,
    open_assistant_settings,
    save_as,
    send,
    start_app,
    transcript,
)
from tests.conftest import sent_messages, system_prompts

PAGES = {"simple": None, "memory": MEMORY_PAGE}


def widget(app, kind: str, label: str):
    found = [element for element in getattr(app.sidebar, kind) if element.label == label]
    if not found:  # folded: its widgets are drawn only when unfolded
        open_assistant_settings(app)
        found = [element for element in getattr(app.sidebar, kind) if element.label == label]
    [element] = found
    return element


@pytest.fixture(params=PAGES)
def page(request, app_env):
    return start_app(PAGES[request.param])


def test_picking_a_persona_fills_the_system_prompt_and_sends_it(page, app_env):
    widget(page, "selectbox", "Persona").set_value("Electronics store attendant").run()
    assert widget(page, "text_area", "System prompt").value == PERSONAS["Electronics store attendant"]
    send(page, "I need headphones")
    assert system_prompts(app_env.chat_requests()[-1]) == [PERSONAS["Electronics store attendant"]]


def test_editing_the_prompt_makes_it_a_custom_persona(page, app_env):
    widget(page, "text_area", "System prompt").set_value("Answer like a pirate.").run()
    assert widget(page, "selectbox", "Persona").value == "Custom"
    send(page, "hello")
    assert system_prompts(app_env.chat_requests()[-1]) == ["Answer like a pirate."]


def test_settings_changed_in_the_run_that_sends_a_message_apply_to_it(page, app_env):
    # The page sends a typed message before it draws the sidebar (B3); a change that reaches the
    # server in the same rerun as the message must still be the one it is sent with.
    widget(page, "text_area", "System prompt").set_value("Answer like a pirate.")
    widget(page, "selectbox", "Model").set_value("openai/gpt-oss-20b")
    send(page, "ahoy")
    body = app_env.chat_requests()[-1]
    assert (system_prompts(body), body["model"]) == (["Answer like a pirate."], "openai/gpt-oss-20b")
    assert page.chat_message[-1].caption[0].value.startswith("openai/gpt\\-oss\\-20b · ")


def test_the_model_list_is_groqs_chat_models(page, app_env):
    model = widget(page, "selectbox", "Model")
    # Speech, text-to-speech and guard models are not chat models.
    assert model.options == ["allam-2-7b", "openai/gpt-oss-120b", "openai/gpt-oss-20b", "qwen/qwen3.8-27b"]
    assert model.value == "openai/gpt-oss-120b"
    model.set_value("openai/gpt-oss-20b").run()
    widget(page, "slider", "Temperature").set_value(0.3).run()
    widget(page, "number_input", "Max answer tokens").set_value(700).run()
    send(page, "hi")
    body = app_env.chat_requests()[-1]
    assert (body["model"], body["temperature"], body["max_completion_tokens"]) == ("openai/gpt-oss-20b", 0.3, 700)
    assert page.chat_message[-1].caption[0].value.startswith("openai/gpt\\-oss\\-20b · ")


def test_json_mode_shows_the_answer_as_formatted_json(page, app_env):
    widget(page, "toggle", "JSON mode").set_value(True).run()
    app_env.reply_with('{"name":"Ada","languages":["en","pt"]}')
    send(page, "who am I, as JSON")
    assert app_env.chat_requests()[-1]["response_format"] == {"type": "json_object"}
    [code] = page.chat_message[-1].code
    assert code.language == "json"
    assert code.value == '{\n  "name": "Ada",\n  "languages": [\n    "en",\n    "pt"\n  ]\n}'


def test_json_mode_shows_a_non_json_answer_as_an_error(page, app_env):
    widget(page, "toggle", "JSON mode").set_value(True).run()
    app_env.reply_with("Sorry, I cannot do that.")
    send(page, "refuse please")
    assert transcript(page)[-1] == (
        "error",
        "JSON mode is on, but the model did not answer with a JSON object. It said: “Sorry, I cannot do that.”")


def test_regenerate_replaces_the_last_answer(page, app_env):
    app_env.reply_with("First try.")
    send(page, "a question")
    app_env.reply_with("Second try.")
    click(page, "Regenerate")
    assert transcript(page) == [("user", "a question"), ("assistant", "Second try.")]
    assert [sent_messages(body)[-1] for body in app_env.chat_requests()] == [("user", "a question")] * 2


def test_typing_regenerate_is_just_a_message(page, app_env):
    send(page, "regenerate")
    assert transcript(page) == [("user", "regenerate"), ("assistant", "Echo: regenerate")]


def test_settings_are_saved_and_restored_with_a_conversation(app_env):
    app = start_app(MEMORY_PAGE)
    widget(app, "selectbox", "Persona").set_value("Patient teacher").run()
    widget(app, "selectbox", "Model").set_value("qwen/qwen3.8-27b").run()
    widget(app, "toggle", "JSON mode").set_value(True).run()
    app_env.reply_with('{"lesson": 1}')
    send(app, "teach me")
    save_as(app, "Lessons")

    other = start_app(MEMORY_PAGE)
    assert widget(other, "selectbox", "Persona").value == "General assistant"
    click_in_conversation(other, "Lessons", "Load")
    assert widget(other, "selectbox", "Persona").value == "Patient teacher"
    assert widget(other, "selectbox", "Model").value == "qwen/qwen3.8-27b"
    assert widget(other, "toggle", "JSON mode").value is True
    app_env.reply_with('{"lesson": 2}')
    send(other, "next lesson")
    body = app_env.chat_requests()[-1]
    assert body["model"] == "qwen/qwen3.8-27b" and body["response_format"] == {"type": "json_object"}
    assert system_prompts(body)[0].startswith(PERSONAS["Patient teacher"])


def test_without_groqs_list_the_built_in_models_are_offered(monkeypatch, app_env):
    monkeypatch.setenv("GROQ_API_KEY", "gsk_not_accepted")
    app = start_app()
    model = widget(app, "selectbox", "Model")
    assert "openai/gpt-oss-120b" in model.options and "openai/gpt-oss-20b" in model.options
    assert any("model list is unavailable (Groq answered 401)" in caption.value for caption in app.sidebar.caption)
