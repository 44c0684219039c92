"""The browser side of the benchmarks: the app under `streamlit run` against the fake Groq, driven in
headless Chromium through tests/e2e's StreamlitServer and ChatPage, with timestamps taken in the page.

Every time is a wall-clock stamp: `performance.timeOrigin + performance.now()` in the page and
`time.time()` in this process and the fake server (all on one machine), so a page event and a
server event can be subtracted. The page records its own stamps (a key listener and a
MutationObserver), so how often Playwright polls never counts.
"""

from __future__ import annotations

import http.client
import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, expect, sync_playwright

from bench.main_thread import wait_until_quiet
from tests.e2e.chat_page import ChatPage
from tests.e2e.conftest import CHROMIUM_FLAGS, chromium_path
from tests.e2e.streamlit_server import StreamlitServer
from tests.fake_groq import CHAT_PATH, FakeGroq, Limits

MEMORY = "Chatbot With Memory"
# The app assumes the free tier's 8,000 tokens a minute until Groq says otherwise; the bench's fake is
# unlimited, so B4 still sends its whole history (GROQ_MEMORY_TOKENS bounds it).
APP_TOKENS_PER_MINUTE = "10000000"
# Longer than the browser tests' 30 s: a slow run here is a result to report, not a reason to give up.
TIMEOUT_MS = 180_000
# Runs in every document before the app's own scripts. Stamps (epoch ms) land in window.__bench.marks:
# "enter" when Enter is pressed in the chat box, "load" when a Load button is clicked, "chat_input" when
# the chat box first exists, "sent" when the page first sends on its websocket after Enter, and for
# each watched marker, "frame:<marker>" when a websocket frame carrying it arrives (protobuf keeps text
# as UTF-8, so the bytes can be searched) and "<marker>" when text containing it first enters the DOM.
TIMING_SCRIPT = r"""
(() => {
  const stamp = () => performance.timeOrigin + performance.now();
  const CHAT_BOX = '[data-testid="stChatInputTextArea"]';
  const bench = window.__bench = {marks: {}, pending: [], framePending: []};
  bench.watch = (markers) => {
    for (const m of markers) { delete bench.marks[m]; delete bench.marks['frame:' + m]; }
    bench.pending.push(...markers);
    bench.framePending.push(...markers);
  };
  const decoder = new TextDecoder('latin1');
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        if (!bench.framePending.length || !(event.data instanceof ArrayBuffer)) return;
        const now = stamp(), text = decoder.decode(event.data);
        bench.framePending = bench.framePending.filter(
          (marker) => !(text.includes(marker) && (bench.marks['frame:' + marker] = now)));
      });
    }
    send(data) {
      if (!('sent' in bench.marks)) bench.marks.sent = stamp();
      super.send(data);
    }
  };
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && event.target.matches && event.target.matches(CHAT_BOX)) {
      bench.marks.enter = stamp();
      delete bench.marks.sent;
    }
  }, true);
  document.addEventListener('click', (event) => {
    const button = event.target.closest && event.target.closest('button');
    if (button && button.innerText.trim() === 'Load') bench.marks.load = stamp();
  }, true);
  new MutationObserver((mutations) => {
    const now = stamp();  // the callback runs right after the DOM changed, before the next paint
    if (!('chat_input' in bench.marks) && document.querySelector(CHAT_BOX)) bench.marks.chat_input = now;
    if (!bench.pending.length) return;
    for (const mutation of mutations) {
      const texts = mutation.type === 'characterData' ? [mutation.target.data]
        : [...mutation.addedNodes].map((node) => node.textContent || '');
      for (const text of texts)
        bench.pending = bench.pending.filter((marker) => !(text.includes(marker) && (bench.marks[marker] = now)));
    }
  }).observe(document, {subtree: true, childList: true, characterData: true});
})();
"""


class Session:
    """One browser session (its own context and tab) on the app, counting its websocket connections."""

    def __init__(self, browser: Browser, url: str) -> None:
        self.context = browser.new_context(viewport={"width": 1366, "height": 820})
        self.page = self.context.new_page()
        self.page.add_init_script(TIMING_SCRIPT)
        self.sockets_opened = self.sockets_closed = 0
        self.page.on("websocket", self._count_socket)
        self.chat = ChatPage(self.page, url)
        self.page.set_default_timeout(TIMEOUT_MS)  # after ChatPage, which sets its own
        expect.set_options(timeout=TIMEOUT_MS)

    def settle(self) -> None:
        """Return once the page is drawn (see bench/main_thread.py)."""
        wait_until_quiet(self.context, self.page)

    def _count_socket(self, socket) -> None:
        self.sockets_opened += 1
        socket.on("close", lambda _: setattr(self, "sockets_closed", self.sockets_closed + 1))

    def watch(self, *markers: str) -> None:
        """Stamp the moment each marker first shows on the page."""
        self.page.evaluate("(markers) => window.__bench.watch(markers)", list(markers))

    def marks(self, *needed: str) -> dict[str, float]:
        """The page's stamps in seconds, once those `needed` are there."""
        self.page.wait_for_function("(needed) => needed.every((name) => name in window.__bench.marks)",
                                    arg=list(needed))
        return {name: stamp / 1000 for name, stamp in self.page.evaluate("window.__bench.marks").items()}

    def close(self) -> None:
        """Check that no traceback was ever drawn, then close the tab and its context."""
        try:
            self.chat.assert_no_exception()
        finally:
            self.context.close()


@dataclass
class TurnTiming:
    """Where the seconds of one turn went, each from the moment Enter was pressed unless said."""

    total: float  # → the last token is on the page
    to_sent: float  # → the page sent the rerun on its websocket
    to_request: float  # → the fake Groq server has the request
    to_first_token: float  # → the first token is on the page
    server_waiting: float  # the fake server had the request → it began its response
    server_sending: float  # the fake server's response, first byte to its last token
    last_frame: float  # the fake server wrote its last token → the frame with it reached the page
    last_render: float  # that frame reached the page → the last token is on the page

    def breakdown(self) -> dict[str, float]:
        """The parts in milliseconds, named for a report's details."""
        parts = {"Enter→rerun sent": self.to_sent, "Enter→request at Groq": self.to_request,
                 "Enter→first token shown": self.to_first_token, "Groq request→response began": self.server_waiting,
                 "Groq sending": self.server_sending,
                 "Groq last token→frame in page": self.last_frame, "frame→last token shown": self.last_render}
        return {name: round(seconds * 1000, 1) for name, seconds in parts.items()}


def answer_tokens(tokens: int) -> tuple[list[str], str, str]:
    """`tokens` word tokens that start and end with markers unique to this call: (tokens, first, last)."""
    tag = secrets.token_hex(4)
    first, last = f"BEGIN{tag}", f"END{tag}"
    return [f"{first} ", *(f"w{index} " for index in range(1, tokens - 1)), last], first, last


def timed_turn(session: Session, fake: FakeGroq, tokens: int, tokens_per_second: float | None = None) -> TurnTiming:
    """Send a message whose answer is `tokens` tokens (paced when a rate is given) and time it."""
    chunks, first, last = answer_tokens(tokens)
    fake.reply_with("".join(chunks), chunks=chunks, tokens_per_second=tokens_per_second, reasoning="")
    session.watch(first, last)
    requests_before = len(fake.requests)
    session.chat.send(f"Benchmark turn {first[5:]}")
    marks = session.marks("enter", "sent", first, last, f"frame:{last}")
    request = next(r for r in fake.requests[requests_before:] if r.method == "POST" and r.path.startswith(CHAT_PATH))
    stream = fake.streams[-1]
    enter, sent_at = marks["enter"], stream.last_token_at
    return TurnTiming(
        total=marks[last] - enter, to_sent=marks["sent"] - enter, to_request=request.received_at - enter,
        to_first_token=marks[first] - enter, server_waiting=stream.started_at - request.received_at,
        server_sending=sent_at - stream.started_at,
        last_frame=marks[f"frame:{last}"] - sent_at, last_render=marks[last] - marks[f"frame:{last}"],
    )


def raw_turn(fake: FakeGroq, connection: http.client.HTTPConnection, body: dict, tokens: int) -> float:
    """Seconds from sending `body` (a request the app made) to reading the last of `tokens` tokens."""
    chunks, _, last = answer_tokens(tokens)
    fake.reply_with("".join(chunks), chunks=chunks, reasoning="")
    headers = {"Authorization": f"Bearer {fake.api_key}", "Content-Type": "application/json"}
    began = time.perf_counter()
    connection.request("POST", CHAT_PATH, json.dumps(body).encode(), headers)  # one send: no Nagle wait
    response = connection.getresponse()
    while last.encode() not in (line := response.readline()):
        if not line:
            raise RuntimeError("the fake server's stream ended without the last token")
    seconds = time.perf_counter() - began
    response.read()  # the rest of the stream, so the connection can be used again
    return seconds


def raw_connection(fake: FakeGroq) -> http.client.HTTPConnection:
    """A kept-alive HTTP connection to the fake server."""
    address = urlsplit(fake.base_url)
    return http.client.HTTPConnection(address.hostname, address.port, timeout=30)


class Bench:
    """The fake Groq server, headless Chromium and a folder for the app's files; servers on demand."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.fake = FakeGroq()
        self.fake.limits = Limits.unlimited()  # never reset here, so it stays
        self._playwright = None
        self.browser: Browser | None = None

    def __enter__(self) -> Bench:
        self.fake.start()
        executable = chromium_path()
        if executable is None:
            raise RuntimeError("no Chromium found: install Debian's `chromium` or set BNAGPT_CHROMIUM")
        self._playwright = sync_playwright().start()
        self.browser = self._playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        return self

    def __exit__(self, *exc) -> None:
        if self.browser is not None:
            self.browser.close()
        if self._playwright is not None:
            self._playwright.stop()
        self.fake.stop()

    @property
    def conversations_dir(self) -> Path:
        return self.folder / "conversations"

    def server(self, name: str) -> StreamlitServer:
        """A StreamlitServer (not started) for the app with a key for the fake server; its log is `name`.log."""
        env = StreamlitServer.environment(self.fake.base_url, self.fake.api_key, self.folder)
        env["GROQ_TOKENS_PER_MINUTE"] = APP_TOKENS_PER_MINUTE
        return StreamlitServer(env, self.folder / f"{name}.log")

    def session(self, server: StreamlitServer, page: str = "") -> Session:
        """A new browser session on `server`, opened on the simple page or the memory page."""
        session = Session(self.browser, server.url)
        session.chat.open()
        if page == MEMORY:
            session.chat.go_to(MEMORY)
        session.settle()
        return session
