"""The page is finished when the answer is, in headless Chromium: Stop works before the first word,
and after a Stop or an error the mark, the caption and Retry are drawn with no further click."""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from tests.fake_groq import FakeGroq


def test_stop_during_a_held_request_ends_it_within_a_second(open_page, app_server, fake_groq: FakeGroq):
    page = open_page(app_server)
    fake_groq.hang(30)
    page.start_sending("Are you there?")
    expect(page.page.get_by_text(re.compile(r"Waiting for Groq… \d+ s"))).to_be_visible()
    [held] = [request for request in fake_groq.requests if request.method == "POST"]
    pressed = time.time()
    page.stop()
    assert held.hung_up.wait(timeout=5), "the fake never saw the connection closed"
    assert held.hung_up_at - pressed < 1.0
    page.expect_transcript([("user", "Are you there?"), ("error", "Stopped before any answer arrived.")])
    expect(page.page.get_by_role("button", name="Retry")).to_be_visible()
    expect(page.chat_box).to_be_enabled()
    page.send("Still there?")  # usable at once
    page.expect_last_answer("Echo: Still there?")


def test_after_a_stop_the_mark_caption_and_regenerate_come_without_a_click(open_page, app_server, fake_groq):
    page = open_page(app_server)
    words = [f"step{index} " for index in range(300)]
    fake_groq.reply_with("".join(words), chunks=words, tokens_per_second=40, reasoning="")
    page.start_sending("Explain photosynthesis")
    page.expect_last_answer(re.compile(r"step0 step1 step2"))
    page.stop()
    expect(page.page.get_by_test_id("stCaptionContainer").filter(has_text="Stopped ·")).to_be_visible()
    expect(page.page.get_by_role("button", name="Regenerate")).to_be_visible()


def test_after_an_error_retry_comes_without_a_click_and_replaces_the_turn(open_page, app_server, fake_groq):
    page = open_page(app_server)
    fake_groq.fail_with(500, "boom")
    page.send("Hello")
    page.expect_transcript([("user", "Hello"), ("error", "Groq had a server error (500). Press Retry in a moment.")])
    page.click("Retry")
    page.expect_transcript([("user", "Hello"), ("assistant", "Echo: Hello")])


def test_a_stream_closed_without_finish_reason_is_marked_as_cut(open_page, app_server, fake_groq):
    page = open_page(app_server)
    fake_groq.cut_stream_after(3, "one two three four five six", reasoning="", clean=True)
    page.send("Count to six")
    page.expect_transcript([
        ("user", "Count to six"), ("assistant", "one two three"),
        ("error",
         "The answer was cut off midway: Groq's stream ended before the answer did. Press Retry to ask again."),
    ])
    assert page.captions()[0].startswith("Cut off · ")
    expect(page.page.get_by_role("button", name="Retry")).to_be_visible()
