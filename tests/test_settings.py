"""settings.py: where each value comes from, its defaults, and a broken file's message."""

from __future__ import annotations

import os

import pytest

from settings import PROJECT_DIR, ConfigurationError, load_settings
from tests.app_driver import assert_no_exception, start_app


def test_defaults(monkeypatch):
    monkeypatch.delenv("GROQ_API_BASE")
    monkeypatch.delenv("BNAGPT_CONVERSATIONS_DIR")
    settings = load_settings()
    assert settings.groq_api_key is None
    assert settings.groq_api_base == "https://api.groq.com/openai/v1"
    assert settings.groq_model == "openai/gpt-oss-120b"
    assert settings.conversations_dir == PROJECT_DIR / "conversations"
    assert (settings.context_window, settings.max_answer_tokens, settings.memory_tokens) == (131072, 8192, 16384)


def test_secrets_then_environment_then_dotenv(isolated_config, monkeypatch):
    (isolated_config / ".env").write_text("GROQ_API_KEY=from-dotenv\nGROQ_MODEL=dotenv-model\nGROQ_TIMEOUT=12\n")
    monkeypatch.setenv("GROQ_MODEL", "env-model")
    assert load_settings().groq_api_key == "from-dotenv"
    assert load_settings().groq_model == "env-model"
    assert load_settings().request_timeout == 12

    (isolated_config / "secrets.toml").write_text('GROQ_API_KEY = "from-secrets"\n')
    assert load_settings().groq_api_key == "from-secrets"


def test_dotenv_is_read_not_loaded_into_the_environment(isolated_config):
    (isolated_config / ".env").write_text("GROQ_API_KEY=from-dotenv\n")
    load_settings()
    assert "GROQ_API_KEY" not in os.environ


def test_relative_conversations_dir_is_inside_the_project(monkeypatch):
    monkeypatch.setenv("BNAGPT_CONVERSATIONS_DIR", "my-chats")
    assert load_settings().conversations_dir == PROJECT_DIR / "my-chats"


def test_key_is_not_in_the_repr(monkeypatch):
    monkeypatch.setenv("GROQ_API_KEY", "gsk_secret_value")
    assert "gsk_secret_value" not in repr(load_settings())


@pytest.mark.parametrize(
    "name, value", [("GROQ_TIMEOUT", "soon"), ("GROQ_MAX_RETRIES", "-1"), ("GROQ_MEMORY_TOKENS", "lots")])
def test_bad_numbers_are_named(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=name):
        load_settings()


def test_a_broken_secrets_file_shows_a_message_not_a_traceback(isolated_config):
    (isolated_config / "secrets.toml").write_text('GROQ_API_KEY = "unterminated\n')
    app = start_app()
    assert_no_exception(app)
    assert "configuration needs a fix" in app.error[0].value and "secrets.toml" in app.error[0].value
