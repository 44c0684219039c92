"""The Simple Chatbot page in AppTest: chat, errors, missing key, switching pages."""

from __future__ import annotations

import re

from tests.app_driver import MEMORY_PAGE, assert_no_exception, send, start_app, transcript
from tests.conftest import sent_messages


def test_each_message_is_answered_on_its_own(app_env):
    app = start_app()
    assert app.title[0].value == "Simple Chatbot"
    send(app, "Hello")
    send(app, "And again")

    assert transcript(app) == [
        ("user", "Hello"), ("assistant", "Echo: Hello"),
        ("user", "And again"), ("assistant", "Echo: And again"),
    ]
    assert [sent_messages(body) for body in app_env.chat_requests()] == [
        [("user", "Hello")], [("user", "And again")],
    ]


def test_markdown_is_rendered_but_html_is_not_trusted(app_env):
    app_env.reply_with("**bold** <script>alert(1)</script>")
    app = send(start_app(), "<b>hi</b>")
    assert [element.value for element in app.chat_message[0].text] == ["<b>hi</b>"]  # the person's words: text
    markdown = [element for bubble in app.chat_message for element in bubble.markdown]
    # The model's thinking, which quotes the message, is Markdown without HTML too.
    assert [element.value for element in markdown] == [
        "The user wrote: <b>hi</b>. I will answer.", "**bold** <script>alert(1)</script>"]
    assert not any(element.allow_html for element in markdown)


def test_switching_pages_keeps_each_transcript_and_never_raises(app_env):
    app = send(start_app(), "simple one")
    app.switch_page(MEMORY_PAGE).run()
    assert_no_exception(app)
    assert transcript(app) == []
    send(app, "memory one")

    app.switch_page("Simple_Chatbot.py").run()
    assert_no_exception(app)
    assert transcript(app) == [("user", "simple one"), ("assistant", "Echo: simple one")]
    send(app, "simple two")

    app.switch_page(MEMORY_PAGE).run()
    assert transcript(app) == [("user", "memory one"), ("assistant", "Echo: memory one")]


def test_missing_key_explains_how_to_set_it_on_both_pages(fake_groq):
    app = start_app()
    for page in ("Simple_Chatbot.py", MEMORY_PAGE):
        app.switch_page(page).run()
        assert_no_exception(app)
        [info] = app.info
        assert "GROQ_API_KEY" in info.value and ".env" in info.value and "secrets.toml" in info.value
        assert len(app.chat_input) == 0
    assert fake_groq.requests == []


def test_key_from_dotenv_file_is_used(isolated_config, monkeypatch, fake_groq):
    (isolated_config / ".env").write_text(f"GROQ_API_KEY={fake_groq.api_key}\nGROQ_API_BASE={fake_groq.base_url}\n")
    monkeypatch.delenv("GROQ_API_BASE")
    app = send(start_app(), "from dotenv")
    assert transcript(app)[-1] == ("assistant", "Echo: from dotenv")
    assert fake_groq.requests[-1].headers["authorization"] == f"Bearer {fake_groq.api_key}"


def test_key_from_secrets_toml_wins(isolated_config, app_env, monkeypatch):
    monkeypatch.setenv("GROQ_API_KEY", "gsk_from_environment_is_wrong")
    (isolated_config / "secrets.toml").write_text(f'GROQ_API_KEY = "{app_env.api_key}"\n')
    app = send(start_app(), "from secrets")
    assert transcript(app)[-1] == ("assistant", "Echo: from secrets")


def test_wrong_key_shows_a_message_without_the_key(app_env, monkeypatch):
    monkeypatch.setenv("GROQ_API_KEY", "gsk_not_the_right_one")
    app = send(start_app(), "hello")
    assert transcript(app)[0] == ("user", "hello")
    [(kind, message)] = transcript(app)[1:]
    assert kind == "error" and "did not accept the API key (401)" in message
    page_text = " ".join(element.value for element in app.main.markdown) + message
    assert "gsk_not_the_right_one" not in page_text


def test_each_error_kind_shows_a_message_and_the_next_message_works(app_env, monkeypatch):
    monkeypatch.setenv("GROQ_TIMEOUT", "0.5")
    app = start_app()
    app_env.fail_with(429, "Rate limit reached", retry_after=42)
    send(app, "one")
    app_env.fail_with(500, "boom")
    send(app, "two")
    app_env.cut_stream_after(2, "this answer is cut")
    send(app, "three")
    app_env.hang(2)
    send(app, "four")
    send(app, "five")

    shown = transcript(app)
    assert shown[:2] == [("user", "one"), ("error", shown[1][1])]
    errors = [text for kind, text in shown if kind == "error"]
    assert "rate limit" in errors[0] and "try again in 42 seconds" in errors[0]
    assert "server error (500)" in errors[1]
    assert "cut off midway" in errors[2]
    assert re.search(r"did not answer: bnaGPT waited 0\.\d seconds", errors[3])
    assert [text for kind, text in shown if kind == "user"] == ["one", "two", "three", "four", "five"]
    assert shown[-1] == ("assistant", "Echo: five")


def test_clear_chat_empties_the_transcript(app_env):
    app = send(start_app(), "to be cleared")
    [clear] = [button for button in app.sidebar.button if button.label == "Clear chat"]
    clear.click().run()
    assert transcript(app) == []
