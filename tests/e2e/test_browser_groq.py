"""Groq as it really behaves, seen in headless Chromium: the model's thinking streams before its
answer and folds away, and a short wait for the per-minute limit is counted down on the page."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.page_reading import ANSWER_PARTS, READ_THINKING
from tests.fake_groq import FakeGroq
from tests.fake_groq_limits import Limits

MEMORY = "Chatbot With Memory"


def test_the_thinking_streams_first_then_folds_above_the_answer(open_page, app_server, fake_groq: FakeGroq):
    page = open_page(app_server).go_to(MEMORY)
    reasoning = " ".join(f"idea{index}" for index in range(60))
    fake_groq.reply_with("The answer is 42.", reasoning=reasoning, tokens_per_second=30)  # two seconds of thinking
    with page.rerun():
        page.start_sending("What is the answer?")
        step = page.page.get_by_test_id("stChatMessage").last.get_by_test_id("stExpander")
        expect(step).to_contain_text("Thinking…")
        expect(step).to_contain_text("idea0 idea1 idea2")
        # While it thinks, no answer text is on the page yet.
        assert page.page.get_by_test_id("stChatMessageContent").last.locator(ANSWER_PARTS).count() == 0
    page.expect_transcript([("user", "What is the answer?"), ("assistant", "The answer is 42.")])
    [[label, text]] = page.page.evaluate(READ_THINKING)
    assert re.fullmatch(r"Thought for \d+ s", label) and text == reasoning
    expect(step.locator("details")).not_to_have_attribute("open", "")  # folded once the answer began
    page.save_as("The answer").reload()  # kept with the saved conversation
    page.expect_transcript([("user", "What is the answer?"), ("assistant", "The answer is 42.")])
    assert page.page.evaluate(READ_THINKING) == [[label, reasoning]]


def test_a_short_wait_for_the_per_minute_limit_is_counted_down(open_page, app_server, fake_groq: FakeGroq):
    fake_groq.limits = Limits(requests_per_minute=1, minute_seconds=4.0)
    page = open_page(app_server)
    page.send("one")
    page.expect_last_answer("Echo: one")
    with page.rerun():
        page.start_sending("two")
        expect(page.page.get_by_text(re.compile(r"Groq's per-minute limit: answering in \d s…"))).to_be_visible()
    page.expect_last_answer("Echo: two")
    assert [request.status for request in fake_groq.requests if request.method == "POST"] == [200, 429, 200]
