"""Browser tests: the real app under `streamlit run`, the fake Groq server, headless Chromium.

Chromium comes from Debian (`apt-get install -y chromium`) and is driven by Playwright's
Python package; `playwright install` is never used. Without a browser these tests skip with
a loud reason on a developer's machine, and fail where BNAGPT_E2E_REQUIRED=1 (`.ci/run`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.e2e.chat_page import ChatPage
from tests.e2e.streamlit_server import PROJECT_DIR, StreamlitServer
from tests.fake_groq import FakeGroq

ARTIFACTS_DIR = PROJECT_DIR / "artifacts" / "e2e"  # ignored by git
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
_missing_browser: list[str] = []


def chromium_path() -> str | None:
    """Debian's Chromium, or BNAGPT_CHROMIUM when set."""
    configured = os.environ.get("BNAGPT_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    return shutil.which("chromium") or (shutil.which("chromium-browser"))


def _unavailable(reason: str):
    if os.environ.get("BNAGPT_E2E_REQUIRED") == "1":
        pytest.fail(f"browser tests are required here but cannot run: {reason}", pytrace=False)
    _missing_browser.append(reason)
    pytest.skip(f"BROWSER TESTS NOT RUN: {reason}")


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium under Playwright, shared by every browser test."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install -r requirements.txt)")
    executable = chromium_path()
    if executable is None:
        _unavailable("no Chromium found; install it with `sudo apt-get update && sudo apt-get install -y chromium`")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS, headless=True)
        yield chromium
        chromium.close()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _missing_browser:
        terminalreporter.section("browser tests skipped", sep="!", red=True, bold=True)
        terminalreporter.write_line(f"The browser tests in tests/e2e did NOT run: {_missing_browser[0]}", red=True)


def _serve(fake: FakeGroq, tmp: Path, with_key: bool):
    env = StreamlitServer.environment(fake.base_url, fake.api_key if with_key else None, tmp)
    server = StreamlitServer(env, tmp / "streamlit.log")
    with server:
        yield server


@pytest.fixture(scope="module")
def app_server(browser, fake_groq_server: FakeGroq, tmp_path_factory: pytest.TempPathFactory):
    """The app with a key for the fake server and an empty conversations folder of its own."""
    yield from _serve(fake_groq_server, tmp_path_factory.mktemp("app"), with_key=True)


@pytest.fixture(scope="module")
def keyless_server(browser, fake_groq_server: FakeGroq, tmp_path_factory: pytest.TempPathFactory):
    """The app started without GROQ_API_KEY anywhere."""
    yield from _serve(fake_groq_server, tmp_path_factory.mktemp("keyless"), with_key=False)


@pytest.fixture
def conversations_on_disk(app_server: StreamlitServer) -> Path:
    return Path(app_server.app_env["BNAGPT_CONVERSATIONS_DIR"])


@pytest.fixture
def open_page(browser, request: pytest.FixtureRequest, fake_groq: FakeGroq):
    """Opens the app in new browser sessions; checks none showed a traceback, screenshots each."""
    yield from opened_pages(request, lambda server: (browser, server.url))


def opened_pages(request: pytest.FixtureRequest, where):
    """For a fixture: a function opening the app in a new session of the browser and at the address
    `where(*arguments, **named)` names; afterwards checks no page showed a traceback, and screenshots each."""
    contexts, pages = [], []

    def open_app(*arguments, **named) -> ChatPage:
        chromium, url = where(*arguments, **named)
        context = chromium.new_context(viewport={"width": 1366, "height": 820})
        contexts.append(context)
        page = ChatPage(context.new_page(), url)
        pages.append(page)
        return page.open()

    yield open_app
    try:
        for index, page in enumerate(pages):
            page.screenshot(ARTIFACTS_DIR / f"{request.node.name}-{index}.png")
            page.assert_no_exception()
    finally:
        for context in contexts:
            context.close()
