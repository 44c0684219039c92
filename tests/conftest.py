"""Shared fixtures: a fake Groq server on 127.0.0.1 and settings that point at it.

No test reaches the internet: every test runs with GROQ_API_BASE on the fake server, and
with the secrets and .env files moved into a temporary folder so a developer's own key
and configuration never take part.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

from controller.memory_chat import MemoryChatController
from models.store import ConversationStore
from settings import SETTING_NAMES, Settings, load_settings
from tests.fake_groq import FakeGroq
from tests.postgres_fixtures import (  # noqa: F401 - fixtures and the hook, shared by every test folder
    postgres_database,
    postgres_database_url,
    postgres_server,
    pytest_terminal_summary,
    stoppable_postgres,
)

PROJECT_DIR = Path(__file__).resolve().parent.parent
# LlamaIndex 0.12 deprecates OpenAIAgent (which the design asks for) and the classes under it
# with `@deprecated(action="once")`, which puts its own filter first, so pyproject.toml's
# filterwarnings cannot silence them: they are dropped here, and nothing else.
KNOWN_DEPRECATIONS = re.compile(r"Call to deprecated class (OpenAIAgent|AgentRunner|OpenAIAgentWorker)\.")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    """Run the test with its warnings caught, then hand every warning but the known ones on to pytest."""
    with warnings.catch_warnings(record=True) as caught:
        result = yield
    for warning in caught:
        if not (issubclass(warning.category, DeprecationWarning) and KNOWN_DEPRECATIONS.match(str(warning.message))):
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno,
                                   source=warning.source)
    return result


@pytest.fixture(autouse=True)
def isolated_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No real key, secrets file or .env reaches any test; returns the test's config folder."""
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BNAGPT_SECRETS_FILE", str(config_dir / "secrets.toml"))
    monkeypatch.setenv("BNAGPT_DOTENV_FILE", str(config_dir / ".env"))
    monkeypatch.setenv("GROQ_API_BASE", "http://127.0.0.1:9/openai/v1")  # never the real Groq
    monkeypatch.setenv("BNAGPT_CONVERSATIONS_DIR", str(tmp_path / "conversations"))
    return config_dir


@pytest.fixture(autouse=True)
def fresh_process_knowledge():
    """What a server process learns from Groq (limits, gone models, model lists) starts empty in each test."""
    from utils.llm.catalog import CATALOG
    from utils.llm.limit_book import LIMITS
    from utils.llm.traits import GONE

    for learned in (CATALOG, LIMITS, GONE):
        learned.clear()


@pytest.fixture(scope="session")
def fake_groq_server():
    server = FakeGroq().start()
    yield server
    server.stop()


@pytest.fixture
def fake_groq(fake_groq_server: FakeGroq) -> FakeGroq:
    """The fake Groq server, with its script and recorded requests cleared."""
    fake_groq_server.reset()
    return fake_groq_server


@pytest.fixture
def conversations_dir(tmp_path: Path) -> Path:
    return tmp_path / "conversations"


@pytest.fixture
def app_env(monkeypatch: pytest.MonkeyPatch, fake_groq: FakeGroq, conversations_dir: Path) -> FakeGroq:
    """Environment for the app: the fake server's key and URL, a temporary store, no retries."""
    monkeypatch.setenv("GROQ_API_KEY", fake_groq.api_key)
    monkeypatch.setenv("GROQ_API_BASE", fake_groq.base_url)
    monkeypatch.setenv("BNAGPT_CONVERSATIONS_DIR", str(conversations_dir))
    # Retries are tested on their own; elsewhere one error should give one request.
    monkeypatch.setenv("GROQ_MAX_RETRIES", "0")
    monkeypatch.setenv("GROQ_TIMEOUT", "10")
    return fake_groq


@pytest.fixture
def settings(app_env: FakeGroq) -> Settings:
    return load_settings()


@pytest.fixture
def store(conversations_dir: Path) -> ConversationStore:
    """A conversation store in the test's temporary folder."""
    return ConversationStore(conversations_dir)


@pytest.fixture
def memory_chat(settings: Settings, store: ConversationStore) -> MemoryChatController:
    """The memory page's controller against the fake server and the temporary store."""
    return MemoryChatController(settings, store)


def answer_text(events) -> str:
    """The answer text of a controller's stream (its reasoning and waits left out), read to the end."""
    return "".join(event for event in events if isinstance(event, str))


def ask(controller, prompt: str) -> str:
    """Stream one answer to the end, as the view does; its text."""
    return answer_text(controller.stream_reply(prompt))


def turns(messages) -> list[tuple[str, str]]:
    """(role, content) of each message, leaving out how each answer was made."""
    return [(message.role, message.content) for message in messages]


def sent_messages(body: dict) -> list[tuple[str, str]]:
    """(role, content) pairs of one recorded chat request, after its system prompt."""
    return [(message["role"], message["content"]) for message in body["messages"] if message["role"] != "system"]


def system_prompts(body: dict) -> list[str]:
    """The system messages of one recorded chat request (bnaGPT sends one, first)."""
    return [message["content"] for message in body["messages"] if message["role"] == "system"]
