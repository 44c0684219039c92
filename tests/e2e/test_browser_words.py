"""In Chromium: the person's words shown as typed, the no-key screen, and Copy."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.fake_groq import FakeGroq

TYPED = "__init__ and 2*3*4\n# my notes\nsecond line\n```python\nprint(1)\n```"


def test_a_user_message_with_markdown_characters_and_line_breaks_is_shown_as_typed(open_page, app_server, fake_groq):
    page = open_page(app_server)
    fake_groq.reply_with("Read it **as typed**.", reasoning="")
    page.send(TYPED)
    page.expect_transcript([("user", "__init__ and 2*3*4\n# my notes\nsecond line\nprint(1)"),
                            ("assistant", "Read it as typed.")])
    user = page.page.get_by_test_id("stChatMessage").first
    expect(user.locator("strong, em, h1, h2, h3")).to_have_count(0)
    expect(user.get_by_test_id("stCode")).to_have_count(1)
    expect(page.page.get_by_test_id("stChatMessage").last.locator("strong")).to_have_text("as typed")


def test_the_key_screen_links_to_groq_and_takes_a_key_for_this_session(open_page, keyless_server, fake_groq: FakeGroq):
    page = open_page(keyless_server)
    expect(page.page.get_by_role("link", name="console.groq.com/keys")).to_have_attribute(
        "href", "https://console.groq.com/keys")
    box = page.page.get_by_role("textbox", name="Use a key for this browser session")
    expect(box).to_have_attribute("type", "password")
    with page.rerun():
        box.fill(fake_groq.api_key)
        box.press("Enter")
    expect(page.chat_box).to_be_visible()
    page.send("hello")
    page.expect_last_answer("Echo: hello")
    assert fake_groq.requests[-1].headers["authorization"] == f"Bearer {fake_groq.api_key}"


def test_copy_puts_the_answer_markdown_on_the_clipboard(open_page, app_server, fake_groq):
    page = open_page(app_server)
    page.page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_server.url)
    answer = "Use **bold**, `code` and\n\n- a list"
    fake_groq.reply_with(answer, reasoning="")
    page.send("format please")
    page.click("Copy")
    code = page.page.get_by_test_id("stPopoverBody").get_by_test_id("stCode")
    expect(code).to_contain_text("Use **bold**, `code` and")
    code.hover()
    code.get_by_role("button").click()
    page.page.wait_for_function("async (want) => (await navigator.clipboard.readText()) === want", arg=answer)
