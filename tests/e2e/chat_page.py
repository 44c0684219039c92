"""Drive one browser session of the app the way a person does, by what is on screen.

Waiting is always for a condition, never for a fixed time: a script in every document counts
the Streamlit runs that finished (the app's `data-test-script-state` turning `notRunning`)
and records any traceback (`data-testid="stException"`) that was ever drawn, even briefly.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from playwright.sync_api import Locator, Page, expect

IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
TIMEOUT_MS = 30_000  # the first run of a fresh server imports LlamaIndex (several seconds)
WATCHER = """
window.__bnagpt = {runs: 0, exceptions: []};
new MutationObserver((mutations) => {
  for (const m of mutations) {
    if (m.type === "attributes" && m.target.getAttribute("data-test-script-state") === "notRunning"
        && m.oldValue !== "notRunning") window.__bnagpt.runs += 1;
    for (const node of m.addedNodes || []) {
      if (node.nodeType !== 1) continue;
      const found = node.matches('[data-testid="stException"]') ? [node]
        : node.querySelectorAll('[data-testid="stException"]');
      for (const e of found) window.__bnagpt.exceptions.push(e.innerText);
    }
  }
}).observe(document, {subtree: true, childList: true, attributes: true, attributeOldValue: true,
                      attributeFilter: ["data-test-script-state"]});
"""
ANSWER_PARTS = '[data-testid="stMarkdownContainer"], [data-testid="stCode"] pre'  # not captions
ROLE_OF_AVATAR = {"stChatMessageAvatarUser": "user", "stChatMessageAvatarAssistant": "assistant"}


class ChatPage:
    """One browser tab on the app."""

    def __init__(self, page: Page, url: str) -> None:
        self.page = page
        self.url = url
        self.exceptions_before_reload: list[str] = []
        page.set_default_timeout(TIMEOUT_MS)
        expect.set_options(timeout=TIMEOUT_MS)
        page.add_init_script(WATCHER)

    # --- waiting -------------------------------------------------------------------------

    def finished_runs(self) -> int:
        """How many script runs this document has seen finish."""
        return self.page.evaluate("window.__bnagpt.runs")

    @contextmanager
    def rerun(self) -> Iterator[None]:
        """Wrap an action that makes the app rerun; returns once that run has finished."""
        before = self.finished_runs()
        yield
        self.page.wait_for_function("n => window.__bnagpt.runs > n", arg=before)
        self.page.locator(IDLE).wait_for()

    def open(self, path: str = "") -> "ChatPage":
        """Load the app (a new browser session) and wait for its first run to finish."""
        self.page.goto(f"{self.url}/{path}")
        self.page.wait_for_function("window.__bnagpt.runs > 0")
        self.page.locator(IDLE).wait_for()
        return self

    def reload(self) -> "ChatPage":
        """Reload the tab: a new session, as after pressing F5."""
        self.exceptions_before_reload += self.page.evaluate("window.__bnagpt.exceptions")
        self.page.reload()
        self.page.wait_for_function("window.__bnagpt.runs > 0")
        self.page.locator(IDLE).wait_for()
        return self

    # --- the chat --------------------------------------------------------------------------

    @property
    def chat_box(self) -> Locator:
        return self.page.get_by_test_id("stChatInputTextArea")

    def send(self, text: str) -> "ChatPage":
        """Type a message, press Enter and wait until the answer has finished."""
        with self.rerun():
            self.start_sending(text)
        return self

    def start_sending(self, text: str) -> None:
        """Type a message and press Enter, without waiting for the answer."""
        self.chat_box.fill(text)
        self.chat_box.press("Enter")

    def stop(self) -> "ChatPage":
        """Press the chat box's stop button while an answer streams; returns once the run has ended."""
        with self.rerun():
            self.page.get_by_test_id("stChatInputStopButton").click()
        return self

    def transcript(self) -> list[tuple[str, str]]:
        """(role, text) of each chat bubble, top to bottom; an error bubble's role is "error".

        An answer's text leaves out its caption (model, tokens, time), which `captions()` reads.
        """
        shown = []
        for bubble in self.page.locator('[data-testid="stChatMessage"]:not([data-stale="true"])').all():
            avatar = bubble.locator('[data-testid^="stChatMessageAvatar"]').first.get_attribute("data-testid")
            content = bubble.get_by_test_id("stChatMessageContent")
            alert = content.get_by_test_id("stAlertContainer")
            if alert.count():  # its Markdown only: the icon's ligature name is text too
                shown.append(("error", alert.get_by_test_id("stMarkdownContainer").inner_text().strip()))
            else:
                texts = [part.inner_text().strip() for part in content.locator(ANSWER_PARTS).all()]
                shown.append((ROLE_OF_AVATAR.get(avatar, avatar), "\n".join(texts)))
        return shown

    def captions(self) -> list[str]:
        """The caption under each answer (model, tokens, seconds), top to bottom."""
        captions = self.page.locator('[data-testid="stChatMessage"] [data-testid="stCaptionContainer"]')
        return [caption.inner_text().strip() for caption in captions.all()]

    def expect_last_answer(self, text: str | re.Pattern) -> None:
        """The newest chat bubble shows `text` (waits for it)."""
        expect(self.page.get_by_test_id("stChatMessageContent").last.locator(ANSWER_PARTS).first).to_have_text(text)

    def go_to(self, page_title: str) -> "ChatPage":
        """Switch page through the sidebar navigation."""
        with self.rerun():
            self.page.get_by_test_id("stSidebarNav").get_by_role("link", name=page_title).click()
        expect(self.page.get_by_role("heading", name=page_title, level=1)).to_be_visible()
        return self

    # --- the sidebar -----------------------------------------------------------------------------

    def open_assistant_settings(self) -> "ChatPage":
        """Unfold the sidebar's Assistant settings."""
        persona = self.sidebar.get_by_role("combobox", name="Persona")
        if not persona.is_visible():
            self.sidebar.get_by_test_id("stExpander").filter(has_text="Assistant settings").locator("summary").click()
        expect(persona).to_be_visible()
        return self

    def choose(self, label: str, option: str) -> "ChatPage":
        """Pick `option` in the select box labelled `label` (the app reruns)."""
        with self.rerun():
            self.sidebar.get_by_role("combobox", name=label).click()
            self.page.get_by_role("option", name=option, exact=True).click()
        expect(self.sidebar.get_by_role("combobox", name=label)).to_have_value(option)
        return self

    # --- the memory page's sidebar --------------------------------------------------------------

    @property
    def sidebar(self) -> Locator:
        return self.page.get_by_test_id("stSidebar")

    def click(self, label: str, within: Locator | None = None) -> "ChatPage":
        """Click the button labelled `label` (exactly) and wait for the app's rerun."""
        with self.rerun():
            (within or self.page).get_by_role("button", name=label, exact=True).click()
        return self

    def save_as(self, name: str) -> "ChatPage":
        """Save → Conversation name → Confirm save."""
        self.click("Save", within=self.sidebar)
        self.sidebar.get_by_label("Conversation name").fill(name)
        return self.click("Confirm save", within=self.sidebar)

    def saved_conversations(self) -> list[str]:
        """The names listed under Saved conversations, top to bottom."""
        labels = self.sidebar.locator('[data-testid="stPopover"] button [data-testid="stMarkdownContainer"]')
        return [label.inner_text().strip() for label in labels.all()]

    def in_conversation(self, name: str, label: str) -> "ChatPage":
        """Open a saved conversation's menu and click Load or Delete in it."""
        button = self.sidebar.get_by_test_id("stPopover").filter(has_text=name).get_by_test_id("stPopoverButton")
        if button.get_attribute("aria-expanded") != "true":  # a menu stays open after its own rerun
            button.click()
        menu = self.page.get_by_test_id("stPopoverBody")
        return self.click(label, within=menu)

    def confirm(self, label: str) -> "ChatPage":
        """Answer the open dialog with the button labelled `label`."""
        return self.click(label, within=self.page.get_by_role("dialog"))

    def expect_toast(self, text: str) -> "ChatPage":
        """A toast saying `text` appears (sidebar actions confirm with one after their rerun)."""
        expect(self.page.get_by_test_id("stToast").filter(has_text=text)).to_be_visible()
        self.page.locator(IDLE).wait_for()
        return self

    # --- checks and records ----------------------------------------------------------------------

    def assert_no_exception(self) -> None:
        """No traceback is on the page now, nor was one ever drawn in this document."""
        expect(self.page.get_by_test_id("stException")).to_have_count(0)
        assert self.exceptions_before_reload + self.page.evaluate("window.__bnagpt.exceptions") == []

    def screenshot(self, path: Path) -> None:
        """Save a screenshot of the whole tab (for people, not for assertions)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path))
