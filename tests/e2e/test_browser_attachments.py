"""Attachments as a new user meets them, in headless Chromium: an image and a 100-page PDF dropped into
the real chat box, the progress of reading the PDF, the offer of a model that reads images, thumbnails,
the answer's citations and Sources, what reached the fake Groq, Save, and Load in a new session; bad
files refused with their sentences while the message is kept; and a conversation holding a file of
the largest size exported as JSON and imported again."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.attachments.files import PLANTED_FACT, PLANTED_PAGE, encrypt_pdf, make_image, make_pdf, report_pages
from tests.e2e.conftest import ARTIFACTS_DIR
from tests.fake_groq import FakeGroq

MEMORY = "Chatbot With Memory"
VISION = "qwen/qwen3.8-27b"
# Records the text of every progress bar the page draws, however briefly.
WATCH_PROGRESS = """() => {
  window.__progress = [];
  const seen = () => document.querySelectorAll('[data-testid="stProgress"]')
    .forEach((bar) => window.__progress.push(bar.innerText.trim()));
  new MutationObserver(seen).observe(document, {subtree: true, childList: true, characterData: true});
}"""
QUESTION = "How much rainwater does the Heliotrope reservoir hold, and what is in the picture?"


def attach(page, *files: tuple[str, str, bytes]) -> None:
    """Put files in the chat box's file input, as a drop or the attach button does, and wait until the
    box shows each one uploaded."""
    box = page.page.get_by_test_id("stChatInput")
    box.locator("input[type=file]").set_input_files(
        [{"name": name, "mimeType": media_type, "buffer": data} for name, media_type, data in files])
    for name, _, _ in files:
        expect(box.get_by_text(name)).to_be_visible()


def start_sending(page, text: str) -> None:
    """Type the message and press Enter once the chat box lets it go: while its files are still
    uploading, its send button is disabled and Enter does nothing."""
    page.chat_box.fill(text)
    expect(page.page.get_by_test_id("stChatInputSubmitButton")).to_be_enabled()
    page.chat_box.press("Enter")


def expect_thumbnails(page, names: list[str]) -> None:
    """The chat bubbles show images captioned with these names, top to bottom (waits for them: an image
    is drawn once the browser has loaded it)."""
    expect(page.page.locator('[data-testid="stChatMessage"]:not([data-stale="true"]) '
                             '[data-testid="stImageCaption"]')).to_have_text(names)


def test_an_image_and_a_long_pdf_are_answered_with_citations_and_kept_with_the_conversation(
        open_page, app_server, fake_groq: FakeGroq):
    page = open_page(app_server).go_to(MEMORY)
    pdf = make_pdf(report_pages(300)[PLANTED_PAGE - 60:PLANTED_PAGE + 40])  # 100 pages, the fact on page 60
    attach(page, ("reservoir.png", "image/png", make_image((800, 600), color="skyblue")),
           ("report.pdf", "application/pdf", pdf))

    page.page.evaluate(WATCH_PROGRESS)  # reading may take less than a poll: every bar drawn is recorded
    with page.rerun():  # reading ends in a rerun that holds the message: gpt-oss cannot read images
        start_sending(page, QUESTION)
    shown = page.page.evaluate("window.__progress")
    assert any(re.search(r"(Reading|Indexing) “report\.pdf”… \d+ of 100", text) for text in shown), shown
    expect(page.page.get_by_test_id("stAlertContentInfo")).to_contain_text("openai/gpt-oss-120b can't read images")
    assert fake_groq.chat_requests() == []
    expect_thumbnails(page, ["reservoir.png"])

    page.click(f"Answer with {VISION}")

    [request] = fake_groq.chat_requests()
    assert request["model"] == VISION
    attached = request["messages"][-2]
    assert attached["role"] == "user" and [p["type"] for p in attached["content"]] == ["text", "image_url"]
    assert '<passage source="report.pdf p. 60">' in attached["content"][0]["text"]
    assert PLANTED_FACT in attached["content"][0]["text"]
    page.expect_last_answer(re.compile(r"Saw image/png 800x600\..*\[report\.pdf p\. \d+\]"))
    expect_thumbnails(page, ["reservoir.png"])
    sources = page.page.get_by_test_id("stExpander").filter(has_text="Sources")
    sources.locator("summary").click()
    expect(sources).to_contain_text(PLANTED_FACT)
    expect(page.page.get_by_text("report.pdf · 100 pages").first).to_be_visible()
    page.screenshot(ARTIFACTS_DIR / "attachments-answered.png")

    page.save_as("Reservoir")
    page.expect_toast("Saved “Reservoir”.")

    other = open_page(app_server).go_to(MEMORY)
    other.in_conversation("Reservoir", "Load")
    expect(other.page.get_by_text(QUESTION, exact=True)).to_be_visible()
    expect_thumbnails(other, ["reservoir.png"])
    expect(other.page.get_by_text("Attached:")).to_be_visible()
    expect(other.page.get_by_text("report.pdf · 100 pages").first).to_be_visible()
    other.page.get_by_test_id("stExpander").filter(has_text="Sources").locator("summary").click()
    expect(other.page.get_by_test_id("stExpander").filter(has_text="Sources")).to_contain_text(PLANTED_FACT)

    other.send("And who wrote the report?")  # later turns still draw on the report
    assert "<passage source=\"report.pdf p." in str(fake_groq.chat_requests()[-1]["messages"])


def test_bad_files_are_refused_each_with_its_sentence_and_the_message_is_kept(open_page, app_server, fake_groq):
    page = open_page(app_server)
    scanned = make_pdf([None, None])  # pages with no text layer, as a scanner makes
    attach(page, ("empty.txt", "text/plain", b""), ("scan.pdf", "application/pdf", scanned),
           ("photo.png", "image/png", b"this is not a png"), ("notes.md", "text/markdown", b"# Keep me\n"),
           ("archive.zip", "application/zip", b"PK\x03\x04"))
    # A type the chat box does not take is refused by it, beside the file's name, before it is sent.
    expect(page.page.get_by_test_id("stChatInput")).to_contain_text("application/zip files are not allowed")

    with page.rerun():
        start_sending(page, "Read these")

    warnings = page.page.get_by_test_id("stAlertContentWarning")
    expect(warnings).to_have_count(3)
    texts = warnings.all_inner_texts()
    assert "empty.txt" in texts[0] and "scan.pdf" in texts[1] and "OCR is not available" in texts[1]
    assert "photo.png" in texts[2]
    assert fake_groq.chat_requests() == []
    held = page.page.get_by_test_id("stChatMessage")
    expect(held).to_have_count(1)
    expect(held).to_contain_text("Read these")  # the typed words, and the file that could go, are kept
    expect(held).to_contain_text("notes.md")

    page.click("Send")
    assert "Keep me" in str(fake_groq.chat_requests()[-1]["messages"])


def test_too_many_images_an_encrypted_pdf_and_a_file_over_the_upload_limit(open_page, app_server, fake_groq):
    page = open_page(app_server)
    images = [(f"p{number}.png", "image/png", make_image((40 + number, 40))) for number in range(1, 7)]
    attach(page, *images, ("locked.pdf", "application/pdf", encrypt_pdf(make_pdf([["Secret."]]))))
    box = page.page.get_by_test_id("stChatInput")
    box.locator("input[type=file]").set_input_files(
        [{"name": "huge.txt", "mimeType": "text/plain", "buffer": b"a" * (21 * 1024 * 1024)}])
    expect(box).to_contain_text("huge.txt")
    expect(box).to_contain_text("File must be 20.0MB or smaller.")  # BNAGPT_MAX_UPLOAD_MB, said beside its name

    with page.rerun():
        start_sending(page, "Compare them")

    expect(page.page.get_by_test_id("stAlertContentWarning")).to_have_count(2)
    warnings = page.page.get_by_test_id("stAlertContentWarning").all_inner_texts()
    assert "p6.png" in warnings[0] and "at most 5 images" in warnings[0]
    assert "locked.pdf" in warnings[1]
    expect_thumbnails(page, [f"p{number}.png" for number in range(1, 6)])
    assert fake_groq.chat_requests() == []

    page.click(f"Answer with {VISION}")
    [request] = fake_groq.chat_requests()
    assert sum(part["type"] == "image_url" for part in request["messages"][-2]["content"]) == 5
    assert "huge.txt" not in str(request["messages"])


def test_a_conversation_holding_a_file_of_the_largest_size_is_exported_and_imported_again(
        open_page, app_server, conversations_on_disk, fake_groq: FakeGroq):
    """Its JSON export (the file as base64, about 27 MB) goes through the Import dialog's upload."""
    from models.attachments import Attachment
    from models.message import Message
    from models.store import ConversationStore

    store = ConversationStore(conversations_on_disk)
    largest = b"%PDF-1.4\n" + b"7" * (20_000_000 - 9)  # BNAGPT_MAX_UPLOAD_MB
    attached = Attachment("big.pdf", "document", store.files.put(largest), "application/pdf", len(largest))
    store.save("Big file", [Message("user", "Read it", attachments=(attached,))])
    page = open_page(app_server).go_to(MEMORY)
    file_name, exported = page.download("Big file", "Export JSON")
    assert len(exported) > 26_000_000
    page.page.keyboard.press("Escape")  # the conversation's menu closes

    page.click("Import conversations", within=page.sidebar)
    dialog = page.page.get_by_role("dialog")
    dialog.locator("input[type=file]").set_input_files(
        [{"name": file_name, "mimeType": "application/json", "buffer": exported}])
    page.expect_toast("Imported 1 conversation: “Big file (2)”.")
    assert store.load("Big file (2)").messages[0].attachments == (attached,)
