"""Fixtures and helpers shared by the agent's tool tests: a fake web (search and pages) on
127.0.0.1, settings that point the tools at it, the memory page's controller, and readers of what
the fake Groq received."""

from __future__ import annotations

import pytest

from controller.memory_chat import MemoryChatController
from models.tool_step import ToolStep
from settings import load_settings
from tests.conftest import answer_text
from tests.fake_search import FakeWeb

RAMEN = "<html><head><title>Ramen in Lisbon</title></head><body><h1>Best ramen</h1><p>Try Koya.</p></body></html>"


@pytest.fixture
def web():
    fake = FakeWeb().start()
    yield fake
    fake.stop()


@pytest.fixture
def tool_settings(monkeypatch, app_env, web):
    monkeypatch.setenv("BNAGPT_SEARXNG_URL", web.base_url)
    monkeypatch.setenv("BNAGPT_FETCH_PRIVATE", web.host)  # the fake web only, no other local address
    monkeypatch.setenv("BNAGPT_FETCH_TIMEOUT", "1")
    monkeypatch.setenv("BNAGPT_TOOL_STEPS", "3")
    return load_settings()


@pytest.fixture
def agent(tool_settings, store):
    return MemoryChatController(tool_settings, store)


def run(controller, prompt: str) -> tuple[str, list]:
    """Stream a turn to its end: (answer text, the tool steps as they came)."""
    events = list(controller.stream_reply(prompt))
    return answer_text(events), [event for event in events if isinstance(event, ToolStep)]


def tool_names(body: dict) -> list[str]:
    return [tool["function"]["name"] if tool["type"] == "function" else tool["type"] for tool in body.get("tools", [])]


def tool_messages(body: dict) -> list[str]:
    return [message["content"] for message in body["messages"] if message["role"] == "tool"]


def script_search_and_read(fake_groq, web, text_before: str = "", tokens_per_second: float | None = None) -> str:
    page = web.page("/ramen", RAMEN)
    web.results = [{"title": "Ramen in Lisbon", "url": page, "content": "The best ramen."}]
    fake_groq.call_tool("web_search", {"query": "best ramen in Lisbon"}, text_before=text_before,
                        tokens_per_second=tokens_per_second)
    fake_groq.call_tool("open_page", {"url": page})
    fake_groq.reply_with(f"Koya is the best [1]({page}).")
    return page
