"""The pages with Groq as it really behaves: reasoning effort where a model takes it, JSON mode
either way, and the one-time note when older messages stop being sent."""

from __future__ import annotations

from models.message import Message
from models.store import ConversationStore
from tests.app_driver import MEMORY_PAGE, click_in_conversation, open_assistant_settings, send, start_app, transcript


def sidebar_widget(app, kind: str, label: str):
    found = [element for element in getattr(app.sidebar, kind) if element.label == label]
    return found[0] if found else None


def test_reasoning_effort_is_offered_for_models_that_take_it_and_sent(app_env):
    app = open_assistant_settings(start_app())
    sidebar_widget(app, "button_group", "Reasoning effort").set_value("high").run()
    send(app, "think hard")
    assert app_env.chat_requests()[-1]["reasoning_effort"] == "high"
    sidebar_widget(app, "selectbox", "Model").set_value("allam-2-7b").run()
    assert sidebar_widget(app, "button_group", "Reasoning effort") is None
    send(app, "no thinking")
    assert "reasoning_effort" not in app_env.chat_requests()[-1]


def test_json_mode_streams_when_groq_streams_it(app_env):
    app_env.json_streaming = True
    app = open_assistant_settings(start_app())
    sidebar_widget(app, "toggle", "JSON mode").set_value(True).run()
    app_env.reply_with('{"ok": true}')
    send(app, "as json")
    [body] = app_env.chat_requests()
    assert body["stream"] is True and body["response_format"] == {"type": "json_object"}
    assert app.chat_message[-1].code[0].value == '{\n  "ok": true\n}'


def test_the_chat_says_once_when_older_messages_are_no_longer_sent(app_env, conversations_dir):
    history = []
    for index in range(100):
        history += [Message("user", f"Question {index}: " + "what about the weather " * 20),
                    Message("assistant", f"Answer {index}: " + "it will be sunny and warm " * 20)]
    ConversationStore(conversations_dir).save("Long", history)
    app = start_app(MEMORY_PAGE)
    click_in_conversation(app, "Long", "Load")
    send(app, "And tomorrow?")
    notes = [caption.value for caption in app.chat_message[-1].caption if "no longer sees" in caption.value]
    assert len(notes) == 1 and "oldest" in notes[0]
    send(app, "And the day after?")
    assert transcript(app)[-1] == ("assistant", "Echo: And the day after?")
    assert len([c for bubble in app.chat_message for c in bubble.caption if "no longer sees" in c.value]) == 1
