"""A first hour without surprises, in the browser: drafts kept over a reload, Enter saves, phones,
the keyboard in a conversation's menu, and the contrast of small grey text."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.chat_page import ChatPage
from tests.e2e.test_browser_chat import MEMORY

PHONE = {"width": 390, "height": 844}
# WCAG's contrast ratio of an element's computed text colour (with the opacity of it and its
# ancestors, as Streamlit fades captions) on the first opaque background behind it.
CONTRAST = """(element) => {
  const rgb = (text) => text.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => [r, g, b].map((v) => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  let back = element;
  while (back && (getComputedStyle(back).backgroundColor === "rgba(0, 0, 0, 0)")) back = back.parentElement;
  const fore = rgb(getComputedStyle(element).color);
  const ground = rgb(back ? getComputedStyle(back).backgroundColor : "rgb(255,255,255)");
  let alpha = fore.length > 3 ? fore[3] : 1;  // and every opacity on the way up
  for (let node = element; node; node = node.parentElement) alpha *= Number(getComputedStyle(node).opacity);
  const mixed = fore.slice(0, 3).map((v, i) => v * alpha + ground[i] * (1 - alpha));
  const [light, dark] = [luminance(mixed), luminance(ground)].sort((a, b) => b - a);
  return (light + 0.05) / (dark + 0.05);
}"""


def test_a_reload_restores_an_unnamed_chat_on_each_page(open_page, app_server, fake_groq):
    page = open_page(app_server)
    page.send("simple one")
    page.send("simple two")
    assert "draft=" in page.page.url
    page.reload()
    page.expect_transcript([("user", "simple one"), ("assistant", "Echo: simple one"),
                            ("user", "simple two"), ("assistant", "Echo: simple two")])

    page.go_to(MEMORY)
    page.send("memory one")
    page.send("memory two")
    page.reload()
    page.expect_transcript([("user", "memory one"), ("assistant", "Echo: memory one"),
                            ("user", "memory two"), ("assistant", "Echo: memory two")])
    page.send("memory three")  # the restored chat is the agent's memory too
    assert [text for _, text in page.transcript()][-1] == "Echo: memory three"
    page.save_as("Named at last")  # naming the draft makes it a saved conversation
    assert "chat=Named" in page.page.url and "draft=" not in page.page.url


def test_enter_saves(open_page, app_server, fake_groq):
    page = open_page(app_server).go_to(MEMORY)
    page.send("keep this")
    page.click("Save", within=page.sidebar)
    with page.rerun():
        page.sidebar.get_by_label("Conversation name").fill("Kept by Enter")
        page.sidebar.get_by_label("Conversation name").press("Enter")
    page.expect_toast("Saved “Kept by Enter”.")
    assert "Kept by Enter" in page.saved_conversations()
    page.in_conversation("Kept by Enter", "Rename")
    box = page.page.get_by_role("dialog").get_by_label("New name")
    with page.rerun():
        box.fill("Renamed by Enter")
        box.press("Enter")
    page.expect_toast("Renamed “Kept by Enter” to “Renamed by Enter”.")


def _phone(browser, server) -> ChatPage:
    context = browser.new_context(viewport=PHONE)
    return ChatPage(context.new_page(), server.url).open("Chatbot_With_Memory")


def _sidebar_open(page: ChatPage) -> bool:
    return page.sidebar.get_attribute("data-collapsed") == "false"


def test_the_phone_viewport_closes_the_sidebar_after_load(browser, app_server, fake_groq):
    page = _phone(browser, app_server)
    try:
        page.send("phone chat")
        title = page.page.get_by_role("heading", name=MEMORY, level=1)
        # One line box for the whole title, none of it cut off.
        assert title.evaluate("""(h) => { const range = document.createRange();
          range.selectNodeContents(h.querySelector("[data-heading-text]") || h);
          const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
          return lines.size === 1 && h.scrollWidth <= h.clientWidth; }""")
        page.page.get_by_test_id("stExpandSidebarButton").click()
        page.save_as("On the phone")
        expect(page.sidebar).to_have_attribute("data-collapsed", "true")
        page.page.get_by_test_id("stExpandSidebarButton").click()
        page.click("New chat", within=page.sidebar)
        expect(page.sidebar).to_have_attribute("data-collapsed", "true")
        page.page.get_by_test_id("stExpandSidebarButton").click()
        menu = page.open_menu("On the phone")
        box = menu.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        page.click("Load", within=menu)
        expect(page.sidebar).to_have_attribute("data-collapsed", "true")
        page.expect_transcript([("user", "phone chat"), ("assistant", "Echo: phone chat")])
    finally:
        page.page.context.close()


def test_a_wide_table_scrolls_inside_the_answer(open_page, app_server, fake_groq):
    page = open_page(app_server)
    row = " | ".join(["a-rather-long-cell-of-a-wide-table"] * 12)
    fake_groq.reply_with(f"| {row} |\n|{'---|' * 12}\n| {row} |\n")
    page.send("a wide table please")
    table = page.page.get_by_test_id("stChatMessageContent").last.locator("table")
    answer = page.page.get_by_test_id("stChatMessageContent").last.bounding_box()
    box = table.bounding_box()
    assert box["x"] + box["width"] <= answer["x"] + answer["width"] + 1
    assert table.evaluate("(t) => t.scrollWidth > t.clientWidth && getComputedStyle(t).overflowX === 'auto'")


def test_the_keyboard_reaches_load_in_one_tab_after_opening_the_menu(open_page, app_server, fake_groq):
    page = open_page(app_server).go_to(MEMORY)
    page.send("by keyboard")
    page.save_as("Keyboard")
    button = page.sidebar.get_by_test_id("stPopover").filter(has_text="Keyboard").get_by_test_id("stPopoverButton")
    button.focus()
    with page.rerun():
        page.page.keyboard.press("Enter")
    body = page.page.get_by_test_id("stPopoverBody")
    expect(body.get_by_role("button", name="Load", exact=True)).to_be_visible()
    page.page.wait_for_function("document.activeElement.closest('[data-testid=\"stPopoverBody\"]') !== null")
    page.page.keyboard.press("Tab")
    assert page.page.evaluate("document.activeElement.textContent.trim()") == "Load"
    page.page.keyboard.press("Escape")
    expect(body).to_have_count(0)
    expect(button).to_be_focused()


def test_the_stop_button_is_announced_as_stop_answer(open_page, app_server, fake_groq):
    page = open_page(app_server)
    words = [f"w{index} " for index in range(200)]
    fake_groq.reply_with("".join(words), chunks=words, tokens_per_second=40)
    page.start_sending("a long answer")
    expect(page.page.get_by_role("button", name="Stop answer")).to_be_visible()
    page.stop()


def test_contrast_is_checked_from_computed_styles(open_page, app_server, fake_groq):
    page = open_page(app_server).go_to(MEMORY)
    page.send("contrast")
    page.save_as("Contrast")
    captions = page.page.get_by_test_id("stCaptionContainer")
    expect(page.sidebar.get_by_test_id("stCaptionContainer").filter(has_text="Saving every turn")).to_be_visible()
    ratios = {caption.inner_text()[:40]: caption.evaluate(CONTRAST) for caption in captions.all()}
    assert len(ratios) >= 3  # the page's caption, the answer's, the autosave line
    assert all(ratio >= 4.5 for ratio in ratios.values()), ratios
    when = page.sidebar.locator(".stMarkdownColoredText").first
    assert when.evaluate(CONTRAST) >= 4.5
