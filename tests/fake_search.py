"""A fake web on 127.0.0.1 for the agent's tools: a SearXNG-shaped search (GET /search?q=…&format=json),
Tavily's and Brave's APIs with their keys (tests/fake_search_keyed.py), and pages served as scripted
(status, type, body, redirects, slowness). It records every request."""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tests.fake_search_keyed import BRAVE_PATH, TAVILY_PATH, brave_answer, tavily_answer


@dataclass
class FakePage:
    body: bytes | str = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    location: str | None = None  # a redirect's target
    delay: float = 0.0  # seconds before the answer (the fetcher's timeout is shorter in tests)
    headers: dict = field(default_factory=dict)


class FakeWeb:
    """Scriptable search results and pages; `url(path)` gives a page's address."""

    def __init__(self) -> None:
        self.results: list[dict] = []  # SearXNG's shape: {"title", "url", "content"}
        self.search_status = 200  # every provider's answer (429: each its own rate-limit body)
        self.tavily_key = "tvly-dev-fake-key"
        self.brave_key = "BSAfakeBraveKey"
        self.queries: list[tuple[str, str]] = []  # (provider, query) of every search accepted
        self.pages: dict[str, FakePage] = {}
        self.requests: list[str] = []  # paths with their queries, in order
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> "FakeWeb":
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.web = self
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def host(self) -> str:
        return self.base_url.split("://", 1)[1]

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def page(self, path: str, body: bytes | str = b"", **kwargs) -> str:
        """Serve `body` at `path`; returns its URL."""
        self.pages[path] = FakePage(body, **kwargs)
        return self.url(path)

    def searches(self) -> list[str]:
        """The queries every provider was asked, in order."""
        return [query for _, query in self.queries]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - signature fixed by the base class
        """Quiet."""

    def do_GET(self):
        web: FakeWeb = self.server.web
        web.requests.append(self.path)
        parts = urlsplit(self.path)
        if parts.path == BRAVE_PATH:
            return self._json(*brave_answer(web, self.headers, parse_qs(parts.query)))
        if parts.path == "/search":
            query = parse_qs(parts.query)
            if query.get("format") != ["json"]:
                return self._send(403, "text/html", b"<h1>403 Forbidden</h1>")  # SearXNG without json enabled
            web.queries.append(("searxng", query.get("q", [""])[0]))
            if web.search_status != 200:
                return self._send(web.search_status, "text/html", b"<h1>Too Many Requests</h1>")
            payload = {"query": query.get("q", [""])[0], "number_of_results": len(web.results),
                       "results": [{"engine": "fake", "score": 1.0, **result} for result in web.results]}
            return self._send(200, "application/json", json.dumps(payload).encode())
        page = web.pages.get(parts.path)
        if page is None:
            return self._send(404, "text/html", b"<h1>Not found</h1>")
        if page.delay and web._stopping.wait(page.delay):
            return
        headers = dict(page.headers)
        if page.location:
            headers["Location"] = page.location
        body = page.body.encode() if isinstance(page.body, str) else page.body
        self._send(page.status, page.content_type, body, headers)

    def do_POST(self):
        web: FakeWeb = self.server.web
        web.requests.append(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if urlsplit(self.path).path == TAVILY_PATH:
            return self._json(*tavily_answer(web, self.headers, raw))
        self._send(405, "text/html", b"<h1>Method not allowed</h1>")

    def _json(self, status: int, payload: dict):
        self._send(status, "application/json", json.dumps(payload).encode())

    def _send(self, status: int, kind: str, body: bytes, headers: dict | None = None):
        try:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the fetcher gave up (a timeout test)


def wait_until(check, timeout: float = 5.0) -> bool:
    """Poll `check` until true (a condition, not a sleep: it returns as soon as it holds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.01)
    return bool(check())
