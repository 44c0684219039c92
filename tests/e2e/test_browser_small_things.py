"""Small things a ChatGPT user notices: "Show earlier messages" keeps the reader's place, and the
saved list's times stand in one column however long the names are."""

from __future__ import annotations

from urllib.parse import quote

from playwright.sync_api import expect

from models.message import Message
from models.store import ConversationStore
from tests.e2e.test_browser_chat import MEMORY

# Where a chat bubble holding `text` is, relative to the window, in CSS pixels.
TOP_OF_BUBBLE = """(text) => {
  const bubble = [...document.querySelectorAll('[data-testid="stChatMessage"]')]
    .find((b) => b.innerText.trim().endsWith(text));
  return bubble ? bubble.getBoundingClientRect().top : null;
}"""
# The saved list's rows: the name's own text box, the time's box and the row's button box.
SAVED_ROWS = """() => [...document.querySelectorAll('[data-testid="stSidebar"] [data-testid="stPopoverButton"]')]
  .map((button) => {
    const label = button.querySelector('[data-testid="stMarkdownContainer"] p');
    const when = label.querySelector('.stMarkdownColoredText');
    const range = document.createRange();
    range.selectNodeContents(label.firstChild);
    const name = range.getBoundingClientRect();
    const box = (r) => ({left: r.left, right: r.right, top: r.top, bottom: r.bottom});
    const cut = label.scrollWidth > label.clientWidth || name.right > label.getBoundingClientRect().right;
    return {name: box(name), nameCut: cut,
            when: when && box(when.getBoundingClientRect()), whenText: when && when.innerText,
            label: box(label.getBoundingClientRect())};
  })"""


def test_show_earlier_messages_keeps_the_readers_place(open_page, app_server, fake_groq, conversations_on_disk):
    messages = [Message("user" if index % 2 == 0 else "assistant", f"message number {index}") for index in range(60)]
    ConversationStore(conversations_on_disk).save("Long talk", messages)
    page = open_page(app_server).open(f"Chatbot_With_Memory?chat={quote('Long talk')}")
    expect(page.page.get_by_text("message number 59", exact=True)).to_be_visible()
    more = page.page.get_by_role("button", name="Show earlier messages")
    more.scroll_into_view_if_needed()
    assert page.page.evaluate(TOP_OF_BUBBLE, "message number 39") is None  # 40 is the oldest shown
    # Where the oldest message shown is at the moment of the click (the page may still settle before).
    page.page.evaluate(f"""() => document.addEventListener("click", () => {{
        window.__reading = ({TOP_OF_BUBBLE})("message number 40"); }}, {{capture: true, once: true}})""")
    with page.rerun():
        more.click()
    expect(page.page.get_by_text("message number 0", exact=True)).to_be_attached()
    # The forty messages drawn above it did not push what the person was reading off the screen.
    page.page.wait_for_function(f"""() => window.__reading !== null
        && Math.abs(({TOP_OF_BUBBLE})("message number 40") - window.__reading) <= 2""")


def test_the_saved_lists_times_stand_in_one_column(open_page, app_server, fake_groq, conversations_on_disk):
    store = ConversationStore(conversations_on_disk)
    long_name = "A very long conversation name about planning the summer holidays in the Alentejo"
    for name in ("Tea", long_name, "Medium length name"):
        store.save(name, [Message("user", f"about {name}")])
    page = open_page(app_server).go_to(MEMORY)
    expect(page.sidebar.get_by_test_id("stPopover").filter(has_text="Tea")).to_be_visible()
    assert page.saved_conversations()[:3] == ["Medium length name", long_name, "Tea"]
    # Every row shows its time, in one right-aligned column, once the sidebar has finished drawing
    # (under load a row can be measured mid-draw); a layout that never lines up times the wait out.
    rows = page.page.wait_for_function(f"""() => {{
        const rows = ({SAVED_ROWS})().slice(0, 3);
        if (rows.length < 3 || !rows.every((row) => row.when)) return null;
        const rights = rows.map((row) => Math.round(row.when.right));
        return Math.max(...rights) - Math.min(...rights) <= 1 ? rows : null;
    }}""").json_value()
    for row in rows:
        assert row["when"]["right"] <= row["label"]["right"] + 1  # never cut off
        assert row["name"]["left"] == rows[0]["name"]["left"]  # names left-aligned
    long_row = rows[1]
    assert long_row["nameCut"]  # the long name is cut with its ellipsis, before the time
    assert long_row["label"]["right"] - long_row["when"]["right"] <= 1
    assert page.page.evaluate("""() => { const p = [...document.querySelectorAll(
        '[data-testid="stSidebar"] [data-testid="stPopoverButton"] p')][1];
        return getComputedStyle(p).textOverflow; }""") == "ellipsis"
