"""Groq's built-in browser_search as the search provider (BNAGPT_SEARCH_PROVIDER=groq): offered
beside the function tools on gpt-oss, its runs read from Groq's `executed_tools` and shown as steps
with the results' titles; other models search through the function tool instead."""

from __future__ import annotations

import json

import pytest

from controller.memory_chat import MemoryChatController
from models.tool_step import ToolChoice
from settings import load_settings
from tests.tools.conftest import run, tool_names

RAMEN = "https://lisbonfood.example/ramen"


@pytest.fixture
def groq_searching(monkeypatch, tool_settings, store):
    monkeypatch.setenv("BNAGPT_SEARCH_PROVIDER", "groq")
    return MemoryChatController(load_settings(), store)


def browser_run(query: str, *titles_and_urls: tuple[str, str]) -> dict:
    """One browser_search run as Groq reports it in `executed_tools`."""
    results = [{"title": title, "url": url, "content": f"About {title}.", "score": 0.9}
               for title, url in titles_and_urls]
    return {"type": "browser.search", "arguments": json.dumps({"query": query}),
            "output": "\n".join(f"【{i}†{title}】" for i, (title, _) in enumerate(titles_and_urls)),
            "search_results": {"results": results}}


def test_groq_searches_and_the_steps_show_its_results(groq_searching, fake_groq, web, store):
    groq_searching.set_tools(ToolChoice(web_search=True, code=True))
    fake_groq.reply_after_tools_ran(f"Koya is the best [1]({RAMEN}).", [
        browser_run("best ramen in Lisbon", ("Ramen in Lisbon", RAMEN), ("Koya", "https://koya.example/")),
        {"type": "browser.open", "arguments": json.dumps({"url": RAMEN}), "output": "Try Koya."}])
    text, steps = run(groq_searching, "Where is the best ramen in Lisbon?")

    assert text == f"Koya is the best [1]({RAMEN})."
    body = fake_groq.chat_requests()[0]
    # Groq's tools merged beside the function tool bnaGPT keeps (its own safe reader), not replacing it.
    assert tool_names(body) == ["open_page", "browser_search", "code_interpreter"]
    assert web.queries == []  # searched on Groq's side, not through a provider here
    searching = [(step.label, step.state) for step in steps if step.number == 1]
    assert searching[0] == ("Searching the web: best ramen in Lisbon", "running")  # live, before its results
    assert searching[-1] == ("Searching the web: best ramen in Lisbon", "done")
    saved = groq_searching.messages[-1].steps
    assert [(step.kind, step.label, step.state) for step in saved] == [
        ("search", "Searching the web: best ramen in Lisbon", "done"),
        ("read", "Reading lisbonfood.example/ramen", "done")]
    assert saved[0].results == (("Ramen in Lisbon", RAMEN), ("Koya", "https://koya.example/"))
    groq_searching.save("Ramen")
    assert store.load("Ramen").messages[-1].steps == saved


def test_groq_search_on_a_model_without_it_uses_the_function_tool(groq_searching, fake_groq, web):
    groq_searching.set_assistant(groq_searching.assistant.__class__(model="qwen/qwen3.8-27b"))
    web.results = [{"title": "Ramen in Lisbon", "url": RAMEN, "content": "Try Koya."}]
    fake_groq.call_tool("web_search", {"query": "ramen"})
    fake_groq.reply_with("Koya.")
    assert run(groq_searching, "ramen?")[0] == "Koya."
    assert tool_names(fake_groq.chat_requests()[0]) == ["web_search", "open_page"]  # Groq would refuse browser_search
    assert web.queries == [("searxng", "ramen")]


def test_web_search_off_offers_no_browser_search(groq_searching, fake_groq):
    groq_searching.set_tools(ToolChoice(web_search=False, code=True))
    run(groq_searching, "hi")
    assert tool_names(fake_groq.chat_requests()[-1]) == ["code_interpreter"]


def test_the_page_shows_groqs_search_with_its_result_titles(monkeypatch, tool_settings, fake_groq):
    from tests.app_driver import MEMORY_PAGE, assert_no_exception, send, start_app

    monkeypatch.setenv("BNAGPT_SEARCH_PROVIDER", "groq")
    fake_groq.reply_after_tools_ran(f"Koya [1]({RAMEN}).", [browser_run("ramen in Lisbon", ("Ramen in Lisbon", RAMEN))])
    app = send(start_app(MEMORY_PAGE), "Where is the best ramen in Lisbon?")

    assert "Groq's browser_search" in app.main.get("button_group")[0].help  # the Tools control says where
    [box] = [node for bubble in app.main.chat_message for node in bubble.children.values()
             if type(node).__name__ == "Status" and node.label == "Searched the web"]
    shown = " ".join(node.value for node in box.markdown).replace("\\:", ":")  # Markdown's escapes, as read
    assert "Searching the web: ramen in Lisbon" in shown and f"[Ramen in Lisbon]({RAMEN})" in shown
    assert_no_exception(app)
