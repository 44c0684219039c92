"""Drive one browser session of the app the way a person does, by what is on screen.

Waiting is always for a condition, never for a fixed time. A run has finished when the server
sends its `script_finished` message over the websocket (read with Streamlit's own protobuf
classes); the DOM attribute `data-test-script-state` alone can miss a run that React drew in one
go. What the page shows is then read with retrying checks (`expect_*`), since the browser draws
a moment after the message arrives. A script in every document records any traceback
(`data-testid="stException"`) that was ever drawn, even briefly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from playwright.sync_api import Locator, Page, WebSocket, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.page_reading import (
    ANSWER_PARTS,
    IDLE,
    READ_CAPTIONS,
    READ_SAVED,
    READ_TRANSCRIPT,
    STALE,
    WATCHER,
    is_run_end,
)

TIMEOUT_MS = 30_000  # the first run of a fresh server imports LlamaIndex (several seconds)


class ChatPage:
    """One browser tab on the app."""

    def __init__(self, page: Page, url: str) -> None:
        self.page = page
        self.url = url
        self.exceptions_before_reload: list[str] = []
        self.runs_finished = 0
        self._socket: WebSocket | None = None
        page.set_default_timeout(TIMEOUT_MS)
        expect.set_options(timeout=TIMEOUT_MS)
        page.add_init_script(WATCHER)
        page.on("websocket", self._watch)

    # --- waiting -------------------------------------------------------------------------

    def _watch(self, socket: WebSocket) -> None:
        self._socket = socket
        socket.on("framereceived", self._count)

    def _count(self, payload: bytes | str) -> None:
        if is_run_end(payload):
            self.runs_finished += 1

    def _wait_for_run(self, after: int) -> None:
        """Wait until more than `after` runs have finished, then for the page to draw the last."""
        while self.runs_finished <= after:
            # Events reach `_watch` and `_count` only inside Playwright calls, so none can slip
            # past these waits.
            if self._socket is None or self._socket.is_closed():
                self.page.wait_for_event("websocket")
            else:
                self._socket.wait_for_event("framereceived", predicate=is_run_end)
        self.page.locator(IDLE).wait_for()
        expect(self.page.locator(STALE)).to_have_count(0)

    @contextmanager
    def rerun(self) -> Iterator[None]:
        """Wrap an action that makes the app rerun; returns once that run has finished."""
        before = self.runs_finished
        yield
        self._wait_for_run(before)

    def open(self, path: str = "") -> ChatPage:
        """Load the app (a new browser session) and wait for its first run to finish."""
        self.runs_finished, self._socket = 0, None
        self.page.goto(f"{self.url}/{path}")
        self._wait_for_run(0)
        return self

    def reload(self) -> ChatPage:
        """Reload the tab: a new session, as after pressing F5."""
        self.exceptions_before_reload += self.page.evaluate("window.__bnagpt.exceptions")
        self.runs_finished, self._socket = 0, None
        self.page.reload()
        self._wait_for_run(0)
        return self

    def _expect_read(self, reader: str, expected: list) -> None:
        """Wait until `reader` (JS) reads `expected` from the page; fail showing what it read."""
        try:
            self.page.wait_for_function(
                "([read, want]) => JSON.stringify(eval(read)()) === JSON.stringify(want)", arg=[reader, expected]
            )
        except PlaywrightTimeoutError:
            raise AssertionError(f"the page shows {self.page.evaluate(reader)!r}, not {expected!r}") from None

    # --- the chat --------------------------------------------------------------------------

    @property
    def chat_box(self) -> Locator:
        return self.page.get_by_test_id("stChatInputTextArea")

    def send(self, text: str) -> ChatPage:
        """Type a message, press Enter and wait until the answer has finished."""
        with self.rerun():
            self.start_sending(text)
        return self

    def start_sending(self, text: str) -> None:
        """Type a message and press Enter, without waiting for the answer."""
        self.chat_box.fill(text)
        self.chat_box.press("Enter")

    def stop(self) -> ChatPage:
        """Press the chat box's stop button while an answer streams; returns once the run has ended."""
        with self.rerun():
            self.page.get_by_test_id("stChatInputStopButton").click()
        return self

    def transcript(self) -> list[tuple[str, str]]:
        """(role, text) of each chat bubble now, top to bottom; an error bubble's role is "error"."""
        return [tuple(pair) for pair in self.page.evaluate(READ_TRANSCRIPT)]

    def expect_transcript(self, expected: list[tuple[str, str]]) -> None:
        """Wait until the chat shows exactly these (role, text) bubbles; captions are not text."""
        self._expect_read(READ_TRANSCRIPT, [list(pair) for pair in expected])

    def captions(self) -> list[str]:
        """The caption under each answer now (model, tokens, seconds), top to bottom."""
        return self.page.evaluate(READ_CAPTIONS)

    def expect_last_answer(self, text: str | re.Pattern) -> None:
        """The newest chat bubble shows `text` (waits for it)."""
        expect(self.page.get_by_test_id("stChatMessageContent").last.locator(ANSWER_PARTS).first).to_have_text(text)

    def go_to(self, page_title: str) -> ChatPage:
        """Switch page through the sidebar navigation."""
        with self.rerun():
            self.page.get_by_test_id("stSidebarNav").get_by_role("link", name=page_title).click()
        expect(self.page.get_by_role("heading", name=page_title, level=1)).to_be_visible()
        return self

    # --- the sidebar -----------------------------------------------------------------------------

    def open_assistant_settings(self) -> ChatPage:
        """Unfold the sidebar's Assistant settings."""
        persona = self.sidebar.get_by_role("combobox", name="Persona")
        if not persona.is_visible():
            with self.rerun():  # its widgets are drawn by the run that unfolding it starts
                expander = self.sidebar.get_by_test_id("stExpander").filter(has_text="Assistant settings")
                expander.locator("summary").click()
        expect(persona).to_be_visible()
        return self

    def choose(self, label: str, option: str) -> ChatPage:
        """Pick `option` in the select box labelled `label` (the app reruns)."""
        combobox = self.sidebar.get_by_role("combobox", name=label)
        choice = self.page.get_by_role("option", name=option, exact=True)
        with self.rerun():
            for _ in range(3):  # under load a click can land as the sidebar redraws, and the list stays shut
                combobox.click()
                with suppress(PlaywrightTimeoutError):
                    choice.wait_for(timeout=5_000)
                    break
            choice.click()
        expect(self.sidebar.get_by_role("combobox", name=label)).to_have_value(option)
        return self

    # --- the memory page's sidebar --------------------------------------------------------------

    @property
    def sidebar(self) -> Locator:
        return self.page.get_by_test_id("stSidebar")

    def click(self, label: str, within: Locator | None = None) -> ChatPage:
        """Click the button labelled `label` (exactly) and wait for the app's rerun."""
        button = (within or self.page).get_by_role("button", name=label, exact=True)
        expect(button).to_have_count(1)  # a draw still in progress may show the old one beside the new
        with self.rerun():
            button.click()
        return self

    def save_as(self, name: str) -> ChatPage:
        """Save (Save as… on a named chat) → Conversation name → Confirm save."""
        named = self.sidebar.get_by_role("button", name="Save as…", exact=True).count()
        self.click("Save as…" if named else "Save", within=self.sidebar)
        self.sidebar.get_by_label("Conversation name").fill(name)
        return self.click("Confirm save", within=self.sidebar)

    def saved_conversations(self) -> list[str]:
        """The names listed under Saved conversations now, top to bottom."""
        return self.page.evaluate(READ_SAVED)

    def expect_saved_conversations(self, names: list[str]) -> None:
        """Wait until Saved conversations lists exactly these names."""
        self._expect_read(READ_SAVED, names)

    def open_menu(self, name: str) -> Locator:
        """Open a saved conversation's menu (if it is not open already) and return it."""
        button = self.sidebar.get_by_test_id("stPopover").filter(has_text=name).get_by_test_id("stPopoverButton")
        if button.get_attribute("aria-expanded") != "true":  # a menu stays open after its own rerun
            with self.rerun():  # its buttons are drawn by the list's rerun that opening it starts
                button.click()
        return self.page.get_by_test_id("stPopoverBody")

    def in_conversation(self, name: str, label: str) -> ChatPage:
        """Open a saved conversation's menu and click Load, Rename or Delete in it."""
        return self.click(label, within=self.open_menu(name))

    def download(self, name: str, label: str) -> tuple[str, bytes]:
        """Click an export button in a saved conversation's menu: (suggested file name, content)."""
        self.open_menu(name)
        with self.page.expect_download() as started:
            self.page.get_by_test_id("stPopoverBody").get_by_role("button", name=label, exact=True).click()
        download = started.value
        return download.suggested_filename, Path(download.path()).read_bytes()

    def search(self, text: str) -> ChatPage:
        """Type in the Saved conversations search box and press Enter."""
        with self.rerun():
            box = self.sidebar.get_by_placeholder("Search names and messages")
            box.fill(text)
            box.press("Enter")
        return self

    def confirm(self, label: str) -> ChatPage:
        """Answer the open dialog with the button labelled `label`."""
        return self.click(label, within=self.page.get_by_role("dialog"))

    def expect_toast(self, text: str) -> ChatPage:
        """A toast saying `text` appears (sidebar actions confirm with one after their rerun)."""
        expect(self.page.get_by_test_id("stToast").filter(has_text=text)).to_be_visible()
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
