"""Tavily and Brave behind the search seam, with their keys, against their fakes on 127.0.0.1: the
agent searches through the chosen provider, the key goes only where each API takes it, and a
provider that is down, rate-limited or refuses the key is a failed step with a sentence."""

from __future__ import annotations

import pytest

from controller.memory_chat import MemoryChatController
from settings import ConfigurationError, load_settings
from tests.tools.conftest import run, tool_messages

KEYS = {"tavily": ("TAVILY_API_KEY", "BNAGPT_TAVILY_URL", "/tavily"),
        "brave": ("BRAVE_API_KEY", "BNAGPT_BRAVE_URL", "/brave/res/v1")}


def keyed_agent(monkeypatch, web, store, provider: str, key: str | None = None, url: str | None = None):
    name, url_name, path = KEYS[provider]
    monkeypatch.setenv("BNAGPT_SEARCH_PROVIDER", provider)
    monkeypatch.setenv(name, key or (web.tavily_key if provider == "tavily" else web.brave_key))
    monkeypatch.setenv(url_name, url or web.url(path))
    return MemoryChatController(load_settings(), store)


@pytest.mark.parametrize("provider", ["tavily", "brave"])
def test_the_agent_searches_through_a_keyed_provider(monkeypatch, tool_settings, store, fake_groq, web, provider):
    agent = keyed_agent(monkeypatch, web, store, provider)
    web.results = [{"title": "Ramen in Lisbon", "url": "https://lisbonfood.example/ramen", "content": "Try Koya."}]
    fake_groq.call_tool("web_search", {"query": "best ramen in Lisbon"})
    fake_groq.reply_with("Koya [1](https://lisbonfood.example/ramen).")
    text, _ = run(agent, "Where is the best ramen?")

    assert text == "Koya [1](https://lisbonfood.example/ramen)."
    assert web.queries == [(provider, "best ramen in Lisbon")]  # this provider, accepted with its key
    told = tool_messages(fake_groq.chat_requests()[1])[0]
    assert "[1] Ramen in Lisbon — https://lisbonfood.example/ramen" in told and "Try Koya." in told
    step = agent.messages[-1].steps[0]
    assert (step.label, step.state, step.results) == (
        "Searching the web: best ramen in Lisbon", "done", (("Ramen in Lisbon", "https://lisbonfood.example/ramen"),))
    key = web.tavily_key if provider == "tavily" else web.brave_key
    assert not any(key in path for path in web.requests)  # in a header, never in a URL


@pytest.mark.parametrize(("provider", "fault", "sentence"), [
    ("tavily", "bad key", "Tavily refused the key (401): check TAVILY_API_KEY."),
    ("brave", "bad key", "Brave refused the key (422): check BRAVE_API_KEY."),
    ("tavily", 429, "Tavily is rate-limited right now (429)"),
    ("brave", 429, "Brave is rate-limited right now (429)"),
    ("tavily", 432, "Tavily's usage limit is reached (432)"),
    ("brave", 503, "Brave failed (503)."),
    ("tavily", "down", "Tavily could not be reached."),
    ("brave", "down", "Brave could not be reached."),
])
def test_a_keyed_provider_that_fails_is_a_failed_step(monkeypatch, tool_settings, store, fake_groq, web,
                                                      provider, fault, sentence):
    key = "wrong-key-123" if fault == "bad key" else None
    url = "http://127.0.0.1:9" if fault == "down" else None
    agent = keyed_agent(monkeypatch, web, store, provider, key=key, url=url)
    if isinstance(fault, int):
        web.search_status = fault
    fake_groq.call_tool("web_search", {"query": "news"})
    fake_groq.reply_with("The web could not be searched.")
    text, _ = run(agent, "news?")

    assert text == "The web could not be searched."  # the turn still ends in an answer
    step = agent.messages[-1].steps[0]
    assert step.state == "failed" and sentence in step.detail
    assert sentence in tool_messages(fake_groq.chat_requests()[1])[0]  # the model is told too
    for secret in ("wrong-key-123", web.tavily_key, web.brave_key):
        assert secret not in step.detail and secret not in str(fake_groq.chat_requests())


def test_a_chosen_provider_without_its_key_says_so(monkeypatch, tool_settings, store, fake_groq, web):
    monkeypatch.setenv("BNAGPT_SEARCH_PROVIDER", "brave")
    agent = MemoryChatController(load_settings(), store)
    fake_groq.call_tool("web_search", {"query": "news"})
    fake_groq.reply_with("No search.")
    run(agent, "news?")
    assert agent.messages[-1].steps[0].detail == "Brave search needs a key: set BRAVE_API_KEY."
    assert web.queries == []


def test_the_provider_is_picked_from_what_is_set(monkeypatch):
    assert load_settings().search_provider == "duckduckgo"
    monkeypatch.setenv("BRAVE_API_KEY", "BSA-secret")
    assert load_settings().search_provider == "brave"
    monkeypatch.setenv("TAVILY_API_KEY", "tvly-secret")
    assert load_settings().search_provider == "tavily"
    monkeypatch.setenv("BNAGPT_SEARXNG_URL", "http://searx.example")
    assert load_settings().search_provider == "searxng"
    monkeypatch.setenv("BNAGPT_SEARCH_PROVIDER", "Brave")
    settings = load_settings()
    assert settings.search_provider == "brave"
    assert "BSA-secret" not in repr(settings) and "tvly-secret" not in repr(settings)
    monkeypatch.setenv("BNAGPT_SEARCH_PROVIDER", "bing")
    with pytest.raises(ConfigurationError, match="BNAGPT_SEARCH_PROVIDER must be one of"):
        load_settings()
