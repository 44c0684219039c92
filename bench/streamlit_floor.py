"""`python -m bench.streamlit_floor`: what B1 and B2 cost a bare Streamlit app on this machine.

The same steps as B1 and B2, on a page with nothing but a title, a chat box and `st.write_stream`
of 20 tokens that need no network: the floor under bnaGPT's own numbers. B1: `streamlit run`
starts → the chat box is on the page (a fresh browser context, as in B1). B2: Enter → the
20th token is on the page (stamped in the page on an animation frame, so up to ~16 ms late).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from tests.e2e.conftest import CHROMIUM_FLAGS, chromium_path
from tests.e2e.streamlit_server import free_port

BARE_APP = '''
import streamlit as st
st.title("Bare chat")
for prompt in st.session_state.setdefault("prompts", []):
    st.chat_message("user").markdown(prompt)
    st.chat_message("assistant").markdown("w " * 19 + "LASTTOKEN")
prompt = st.chat_input("Message bnaGPT")
if prompt:
    st.chat_message("user").markdown(prompt)
    with st.chat_message("assistant"):
        st.write_stream(iter(["w "] * 19 + ["LASTTOKEN"]))
    st.session_state.prompts.append(prompt)
'''
CHAT_BOX = '[data-testid="stChatInputTextArea"]'
ANSWERED = """() => {
  const bubbles = document.querySelectorAll('[data-testid="stChatMessage"]');
  return bubbles.length >= window.__before + 2 && bubbles[bubbles.length - 1].innerText.includes('LASTTOKEN')
    && (window.__shown = performance.now());
}"""


def start(app: Path, port: int) -> subprocess.Popen:
    """`streamlit run` the bare app; returns once it answers its health check."""
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port)],
        cwd=app.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).read()
            return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("the bare app's server exited") from None
            time.sleep(0.05)


def cold_start(browser: Browser, app: Path) -> float:
    """Seconds from `streamlit run` to the chat box on a fresh browser context's page."""
    port = free_port()
    began = time.time()
    process = start(app, port)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/")
        page.locator(CHAT_BOX).wait_for()
        return time.time() - began
    finally:
        context.close()
        process.terminate()
        process.wait()


def short_turns(browser: Browser, app: Path, repeat: int) -> list[float]:
    """Seconds from Enter to the 20th token on the page, for `repeat` turns after a warm-up turn."""
    port = free_port()
    process = start(app, port)
    try:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/")
        box = page.locator(CHAT_BOX)
        seconds = []
        for turn in range(repeat + 1):
            page.evaluate(
                "() => { window.__before = document.querySelectorAll('[data-testid=\"stChatMessage\"]').length; }")
            box.fill(f"Turn {turn}")
            pressed = page.evaluate("performance.now()")
            box.press("Enter")
            page.wait_for_function(ANSWERED, polling="raf")
            seconds.append((page.evaluate("window.__shown") - pressed) / 1000)
        return seconds[1:]  # the first turn of a session is a warm-up
    finally:
        process.terminate()
        process.wait()


def main(repeat: int = 5) -> None:
    """Print the medians (min–max) of the bare app's B1 and B2."""
    with tempfile.TemporaryDirectory(prefix="bare-streamlit-") as folder, sync_playwright() as playwright:
        app = Path(folder) / "bare_chat.py"
        app.write_text(BARE_APP)
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        try:
            for label, values in (
                ("B1 floor: bare app, streamlit run → chat box shown (s)",
                 [cold_start(browser, app) for _ in range(repeat)]),
                ("B2 floor: bare app, Enter → 20th token shown (s)", short_turns(browser, app, repeat)),
            ):
                print(f"{label}: median {statistics.median(values):.3f}, min {min(values):.3f}, max {max(values):.3f}")
        finally:
            browser.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
