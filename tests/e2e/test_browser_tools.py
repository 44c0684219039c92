"""The agent's tools as a new user meets them in headless Chromium, against the fake Groq and a
fake web on 127.0.0.1: search and reading steps shown live above the answer, working citations,
Python's code and output, the Tools control saved with the conversation, a failed step in a sentence."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.streamlit_server import StreamlitServer
from tests.fake_groq import FakeGroq
from tests.fake_search import FakeWeb

MEMORY = "Chatbot With Memory"
RAMEN = "<html><head><title>Ramen in Lisbon</title></head><body><p>Koya has the best ramen.</p></body></html>"


@pytest.fixture(scope="module")
def web():
    fake = FakeWeb().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def tools_server(browser, fake_groq_server: FakeGroq, web: FakeWeb, tmp_path_factory):
    """The app with the fake web as its search service, allowed to read the fake web's pages only."""
    folder = tmp_path_factory.mktemp("tools")
    env = StreamlitServer.environment(fake_groq_server.base_url, fake_groq_server.api_key, folder) | {
        "BNAGPT_SEARXNG_URL": web.base_url, "BNAGPT_FETCH_PRIVATE": web.host, "BNAGPT_FETCH_TIMEOUT": "10"}
    with StreamlitServer(env, folder / "streamlit.log") as server:
        yield server


def tools_on(page):
    """The Tools control's switches that are on."""
    return page.page.get_by_role("toolbar", name="Tools").get_by_role("button", pressed=True)


def status_box(page):
    return page.page.get_by_test_id("stChatMessage").last.get_by_test_id("stExpander").last  # below the thinking


def test_a_web_question_shows_its_steps_live_and_cites_its_pages(open_page, tools_server, fake_groq, web):
    page = open_page(tools_server).go_to(MEMORY)
    expect(tools_on(page)).to_have_text([re.compile("Web search$")])  # on by default on the memory page
    url = web.page("/ramen", RAMEN)
    web.results = [{"title": "Ramen in Lisbon", "url": url, "content": "Best ramen."}]
    fake_groq.call_tool("web_search", {"query": "best ramen in Lisbon"})
    fake_groq.call_tool("open_page", {"url": url})
    answer = f"Koya has the best ramen [1]({url})."
    fake_groq.reply_with(answer, tokens_per_second=4)  # slow enough to see the steps before it ends
    with page.rerun():
        page.start_sending("Where is the best ramen in Lisbon?")
        box = status_box(page)
        expect(box).to_contain_text("Searching the web: best ramen in Lisbon")
        expect(box).to_contain_text("Ramen in Lisbon")
        expect(box).to_contain_text(f"Reading 127.0.0.1:{url.split(':')[2]}")
        # The steps are on the page while the answer is still arriving.
        assert fake_groq.streams[-1].finished is False
    page.expect_last_answer("Koya has the best ramen 1.")
    link = page.page.get_by_test_id("stChatMessageContent").last.get_by_role("link", name="1", exact=True)
    expect(link).to_have_attribute("href", url)
    expect(status_box(page).locator("summary")).to_contain_text("Searched the web, read 1 page")
    page.save_as("Ramen").reload()  # the steps are kept with the answer
    expect(status_box(page).locator("summary")).to_contain_text("Searched the web, read 1 page")


def test_a_calculation_shows_its_code_and_output_and_the_toggle_is_saved(open_page, tools_server, fake_groq):
    page = open_page(tools_server).go_to(MEMORY)
    with page.rerun():
        page.page.get_by_role("toolbar", name="Tools").get_by_role("button", name="Code").click()
    expect(tools_on(page)).to_have_text([re.compile("Web search$"), re.compile("Code$")])
    run = {"type": "python", "arguments": json.dumps({"code": "print(6 * 7)"}), "output": "42",
           "code_results": [{"text": "42"}]}
    fake_groq.reply_after_tools_ran("6 × 7 = 42.", [run])
    page.send("What is 6 times 7?")
    page.expect_last_answer("6 × 7 = 42.")
    assert [tool.get("type") for tool in fake_groq.chat_requests()[-1]["tools"]][-1] == "code_interpreter"
    box = status_box(page)
    box.locator("summary").click()
    expect(box).to_contain_text("Running Python")
    expect(box).to_contain_text("print(6 * 7)")
    expect(box.get_by_test_id("stCode").last).to_contain_text("42")
    page.save_as("Sums").reload()
    expect(tools_on(page)).to_have_text([re.compile("Web search$"), re.compile("Code$")])  # saved with the conversation


def test_a_page_that_cannot_be_read_is_a_failed_step_with_a_sentence(open_page, tools_server, fake_groq, web):
    page = open_page(tools_server).go_to(MEMORY)
    url = web.page("/private", status=302, location="http://10.0.0.1/router")
    fake_groq.call_tool("open_page", {"url": url})
    fake_groq.reply_with("I could not read that page.")
    page.send("Read this page")
    page.expect_last_answer("I could not read that page.")
    box = status_box(page)
    box.locator("summary").click()
    expect(box).to_contain_text("10.0.0.1 is a private or local address, which bnaGPT does not read.")
    expect(box.locator("summary")).to_contain_text("(1 failed)")


def test_stop_during_a_page_read_ends_the_turn_and_keeps_its_steps(open_page, tools_server, fake_groq, web):
    page = open_page(tools_server).go_to(MEMORY)
    slow = web.page("/slow", RAMEN, delay=30)  # past the app's 10 s fetch timeout: still being read at Stop
    web.results = [{"title": "Ramen in Lisbon", "url": slow, "content": "Best ramen."}]
    fake_groq.call_tool("web_search", {"query": "ramen near me"})
    fake_groq.call_tool("open_page", {"url": slow})
    fake_groq.reply_with("Never asked for: the person stopped first.")
    page.start_sending("Where is ramen near me?")
    expect(status_box(page)).to_contain_text(f"Reading 127.0.0.1:{slow.split(':')[2]}")
    page.stop()

    # The turn has ended: the question, the steps (the read marked stopped) and a sentence, no answer.
    steps = page.page.get_by_test_id("stExpander").last  # above the error's bubble, the last on the page
    expect(steps.locator("summary")).to_contain_text("Searched the web, read 1 page (stopped)")
    steps.locator("summary").click()
    expect(steps).to_contain_text("Stopped by you before it finished.")
    expect(page.page.get_by_test_id("stAlertContentError").last).to_contain_text("Stopped before any answer arrived.")
    assert page.transcript()[0] == ("user", "Where is ramen near me?")
    assert len(fake_groq.chat_requests()) == 2  # the search's and the read's; none since the Stop
    page.save_as("Stopped").reload()  # nothing lost: kept with the conversation
    expect(page.page.get_by_test_id("stExpander").last.locator("summary")).to_contain_text(
        "Searched the web, read 1 page (stopped)")
