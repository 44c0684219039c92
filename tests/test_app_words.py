"""In AppTest: the person's words shown as typed, the no-key screen, the assistant named in the
header and shared by both pages, Copy and Edit."""

from __future__ import annotations

from models.assistant_settings import PERSONAS
from tests.app_driver import (
    MEMORY_PAGE,
    assert_no_exception,
    click,
    click_in_conversation,
    save_as,
    send,
    start_app,
    transcript,
)
from tests.conftest import sent_messages, system_prompts
from tests.test_app_assistant import widget

TYPED = "__init__ and 2*3*4\n# my notes\nsecond line\n```python\nprint('**not bold**')\n```\nafter"


def test_a_user_message_with_markdown_characters_and_line_breaks_is_shown_as_typed(app_env):
    app = send(start_app(), TYPED)
    user = app.chat_message[0]
    assert [text.value for text in user.text] == ["__init__ and 2*3*4\n# my notes\nsecond line", "after"]
    [code] = user.code
    assert (code.value, code.language) == ("print('**not bold**')", "python")
    assert len(user.markdown) == 0
    assert sent_messages(app_env.chat_requests()[-1]) == [("user", TYPED)]
    assert transcript(app)[-1] == ("assistant", f"Echo: {TYPED}")  # answers stay Markdown


def test_the_key_screen_links_to_groq_and_says_what_needs_a_restart(isolated_config, monkeypatch, fake_groq):
    monkeypatch.setenv("GROQ_API_BASE", fake_groq.base_url)
    app = start_app()
    [info] = app.info
    assert "[console.groq.com/keys](https://console.groq.com/keys)" in info.value
    assert "`cp .env.example .env`" in info.value and "no restart needed" in info.value
    assert "environment works too, but only for a server started after it" in info.value
    assert not [button for button in app.button if button.label == "Regenerate"]
    # As the screen says: a .env written while the app runs is read on the next rerun.
    (isolated_config / ".env").write_text(f"GROQ_API_KEY={fake_groq.api_key}\n")
    app.run()
    assert not app.info and len(app.chat_input) == 1
    send(app, "found it")
    assert transcript(app)[-1] == ("assistant", "Echo: found it")


def test_a_key_for_this_browser_session_only(isolated_config, tmp_path, monkeypatch, fake_groq):
    monkeypatch.setenv("GROQ_API_BASE", fake_groq.base_url)
    app = start_app()
    [box] = [box for box in app.text_input if box.label == "Use a key for this browser session"]
    assert box.proto.type == box.proto.PASSWORD
    box.set_value(fake_groq.api_key).run()
    send(app, "hello")
    app.switch_page(MEMORY_PAGE).run()
    send(app, "and here")
    chats = [request for request in fake_groq.requests if request.path.endswith("/chat/completions")]
    assert [request.headers["authorization"] for request in chats] == [f"Bearer {fake_groq.api_key}"] * 2
    written = [path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()]
    assert not any(fake_groq.api_key.encode() in content for content in written)
    assert start_app().info  # another browser session has no key


def header(app) -> str:
    return app.caption[0].value


def test_the_header_names_the_assistant_and_both_pages_share_its_settings(app_env):
    app = start_app()
    assert header(app) == ":material/smart_toy: General assistant · openai/gpt\\-oss\\-120b"
    widget(app, "selectbox", "Persona").set_value("Patient teacher").run()
    widget(app, "selectbox", "Model").set_value("openai/gpt-oss-20b").run()
    assert header(app) == ":material/smart_toy: Patient teacher · openai/gpt\\-oss\\-20b"

    app.switch_page(MEMORY_PAGE).run()
    assert header(app) == ":material/smart_toy: Patient teacher · openai/gpt\\-oss\\-20b"
    assert widget(app, "selectbox", "Persona").value == "Patient teacher"
    send(app, "teach me")
    body = app_env.chat_requests()[-1]
    assert body["model"] == "openai/gpt-oss-20b" and system_prompts(body) == [PERSONAS["Patient teacher"]]
    save_as(app, "Lesson")

    # A loaded conversation keeps its own settings; the session's stay on the other page.
    widget(app, "selectbox", "Persona").set_value("Concise helper").run()
    other = start_app(MEMORY_PAGE)
    click_in_conversation(other, "Lesson", "Load")
    widget(other, "selectbox", "Persona").set_value("Electronics store attendant").run()
    other.switch_page("Simple_Chatbot.py").run()
    assert header(other) == ":material/smart_toy: General assistant · openai/gpt\\-oss\\-120b"
    other.switch_page(MEMORY_PAGE).run()
    assert header(other) == ":material/smart_toy: Electronics store attendant · openai/gpt\\-oss\\-20b"
    click(other, "New chat")
    assert header(other) == ":material/smart_toy: General assistant · openai/gpt\\-oss\\-120b"
    assert_no_exception(other)


def open_menu(app, key: str):
    app.session_state[key] = True  # as a click on it does
    return app.run()


def test_copy_offers_the_answer_as_markdown(app_env):
    app_env.reply_with("Use **bold** and `code`.")
    app = send(start_app(), "format please")
    [menu] = [node for node in app.chat_message[1].children.values() if getattr(node, "type", None) == "popover"]
    assert menu.proto.popover.label == "Copy" and not menu.code
    open_menu(app, "simple.window.copy.1")
    [code] = app.chat_message[1].code
    assert (code.value, code.language) == ("Use **bold** and `code`.", "markdown")
    assert transcript(app)[-1] == ("assistant", "Use **bold** and `code`.")


def test_the_last_message_can_be_edited_and_sent_again(app_env):
    app = start_app(MEMORY_PAGE)
    send(app, "first")
    send(app, "a typo'd question")
    open_menu(app, "memory.edit")
    [box] = [box for box in app.text_area if box.label == "Your message"]
    assert box.value == "a typo'd question"
    box.set_value("the right question")
    click(app, "Send")
    assert transcript(app) == [("user", "first"), ("assistant", "Echo: first"),
                               ("user", "the right question"), ("assistant", "Echo: the right question")]
    assert sent_messages(app_env.chat_requests()[-1]) == [
        ("user", "first"), ("assistant", "Echo: first"), ("user", "the right question")]
