"""Fetching a web page for the agent, safely: http and https only, every address (redirects
included) checked against loopback and private networks unless a setting allows them, a time and
a size limit, text only. What comes back is plain text, never run or trusted."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx

MOST_REDIRECTS = 5
TEXT_TYPES = ("text/", "application/xhtml", "application/json", "application/xml")
SKIPPED_TAGS = {"script", "style", "noscript", "template", "svg", "head"}


_tls: list = []  # one TLS context for every fetch: loading the CA bundle takes ~30 ms


def _tls_context():
    if not _tls:
        _tls.append(httpx.create_ssl_context())
    return _tls[0]


class FetchRefused(Exception):
    """The page was not read; `str(error)` is the sentence the person and the model see."""


@dataclass(frozen=True)
class Page:
    url: str  # where it was read from, after redirects
    title: str
    text: str


def private_allowed(setting: str) -> bool | frozenset[str]:
    """BNAGPT_FETCH_PRIVATE read: True (all), False (none) or the "host:port" entries allowed."""
    value = setting.strip().lower()
    if value in ("1", "true", "yes"):
        return True
    if value in ("", "0", "false", "no"):
        return False
    return frozenset(entry.strip() for entry in value.split(",") if entry.strip())


def check_url(url: str, allow_private: bool | frozenset[str]) -> str:
    """`url` when it may be fetched, else FetchRefused saying why."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        raise FetchRefused(f"Only http and https pages are read, not “{parts.scheme or url}”.")
    host = parts.hostname
    if not host:
        raise FetchRefused(f"“{url}” names no host.")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if allow_private is True or (allow_private and f"{host}:{port}" in allow_private):
        return url.strip()
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, parts.port or None, type=socket.SOCK_STREAM)}
    except (socket.gaierror, UnicodeError):
        raise FetchRefused(f"{host} could not be found.") from None
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        ip = getattr(ip, "ipv4_mapped", None) or ip  # ::ffff:127.0.0.1 is 127.0.0.1
        if not ip.is_global or ip.is_multicast:
            # A page must never reach the person's own machine or network (their router, a NAS…).
            raise FetchRefused(f"{host} is a private or local address, which bnaGPT does not read.")
    return url.strip()


def fetch_page(url: str, *, timeout: float, max_bytes: int, allow_private: bool | frozenset[str]) -> Page:
    """The page at `url` as text, or FetchRefused with a sentence saying why not."""
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False, verify=_tls_context(),
                          headers={"User-Agent": "bnaGPT/1.0 (+page reader)"}) as client:
            for _ in range(MOST_REDIRECTS + 1):
                url = check_url(url, allow_private)
                with client.stream("GET", url) as response:
                    if response.is_redirect and "location" in response.headers:
                        url = urljoin(url, response.headers["location"])
                        continue
                    return _read(response, url, max_bytes)
    except httpx.TimeoutException:
        raise FetchRefused(f"{_host(url)} did not answer within {timeout:g} s.") from None
    except httpx.HTTPError as error:
        raise FetchRefused(f"{_host(url)} could not be read ({type(error).__name__}).") from None
    raise FetchRefused(f"{_host(url)} redirected more than {MOST_REDIRECTS} times.")


def _read(response: httpx.Response, url: str, max_bytes: int) -> Page:
    if response.status_code >= 400:
        raise FetchRefused(f"{_host(url)} answered {response.status_code}.")
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind and not kind.startswith(TEXT_TYPES):
        raise FetchRefused(f"{_host(url)} sent {kind}, not a text page.")
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchRefused(f"The page at {_host(url)} is larger than {max_bytes:,} bytes.")
    body = bytearray()
    for piece in response.iter_bytes():
        body += piece
        if len(body) > max_bytes:
            raise FetchRefused(f"The page at {_host(url)} is larger than {max_bytes:,} bytes.")
    text = body.decode(response.encoding or "utf-8", errors="replace")
    if kind in ("", "text/html", "application/xhtml+xml"):
        title, text = html_to_text(text)
    else:
        title = ""
    return Page(str(url), title, text)


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self._skipping = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in SKIPPED_TAGS:
            self._skipping += 1
        self._in_title = tag == "title"
        if tag in ("p", "br", "div", "li", "h1", "h2", "h3", "h4", "tr", "section", "article"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS and self._skipping:
            self._skipping -= 1
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data.strip()
        elif not self._skipping:
            self.parts.append(data)


def html_to_text(html: str) -> tuple[str, str]:
    """(title, visible text) of an HTML page, blank runs collapsed."""
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return parser.title, "\n".join(line for line in lines if line)


def _host(url: str) -> str:
    return urlsplit(url).hostname or url
