"""The web search providers behind one seam: DuckDuckGo (no key, the default), a self-hosted
SearXNG through its JSON API, or Tavily or Brave with a key (`search_keyed.py`); Groq's own
browser_search is not here: it runs on Groq's side (utils/llm/tools/equip.py). Each provider
returns a few results or raises SearchFailed with a sentence for the person; `providers.py` picks one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

MOST_RESULTS = 5


class SearchFailed(Exception):
    """The search could not be made; `str(error)` says why in a sentence."""


@dataclass(frozen=True)
class SearchResult:
    title: str
    url: str
    snippet: str = ""


Search = Callable[[str], list[SearchResult]]


def failing(sentence: str) -> Search:
    """A provider that cannot search (its setting or key is missing): each search says why."""
    def search(query: str) -> list[SearchResult]:
        raise SearchFailed(sentence)

    return search


def answered(service: str, timeout: float, send: Callable[[], httpx.Response],
             refusals: Callable[[httpx.Response], str | None] = lambda response: None) -> Any:
    """The JSON a search service answered `send()` with, or SearchFailed with a sentence.
    `refusals` names a service's own refusals (a bad key, a used-up plan) before the common ones."""
    try:
        response = send()
    except httpx.TimeoutException:
        raise SearchFailed(f"{service} did not answer within {timeout:g} s.") from None
    except httpx.HTTPError:
        raise SearchFailed(f"{service} could not be reached.") from None
    if response.status_code >= 400:
        sentence = refusals(response)
        if sentence:
            raise SearchFailed(sentence)
        if response.status_code == 429:
            raise SearchFailed(f"{service} is rate-limited right now (429); try again in a minute.")
        raise SearchFailed(f"{service} failed ({response.status_code}).")
    try:
        return response.json()
    except ValueError:
        raise SearchFailed(f"{service} answered with something other than results.") from None


def results_of(items: Any, title: str, url: str, snippet: str) -> list[SearchResult]:
    """The first results of a service's list of dicts, read through its own key names."""
    found = [item for item in items if isinstance(item, dict) and item.get(url)] if isinstance(items, list) else []
    return [SearchResult(str(item.get(title) or item[url]), str(item[url]), str(item.get(snippet) or ""))
            for item in found[:MOST_RESULTS]]


def searxng(base_url: str, timeout: float) -> Search:
    """Search through SearXNG's JSON API (its `format=json` must be enabled in settings.yml)."""
    # One client per engine: making one loads the CA bundle, about 30 ms a search (bench/tool_overhead.py).
    client = httpx.Client(timeout=timeout)

    def refusals(response: httpx.Response) -> str | None:
        if response.status_code == 403:
            return "The search service refused JSON (403): enable `json` in SearXNG's formats."
        return None

    def search(query: str) -> list[SearchResult]:
        data = answered("The search service", timeout, lambda: client.get(
            f"{base_url}/search", params={"q": query, "format": "json"}), refusals)
        return results_of(data.get("results") if isinstance(data, dict) else None, "title", "url", "content")

    return search


def duckduckgo(timeout: float) -> Search:
    """Search DuckDuckGo through the `ddgs` package (no key needed)."""
    def search(query: str) -> list[SearchResult]:
        try:
            from ddgs import DDGS
        except ImportError:
            raise SearchFailed("DuckDuckGo search needs the ddgs package; or set BNAGPT_SEARXNG_URL.") from None
        try:
            found = DDGS(timeout=int(max(1, timeout))).text(query, max_results=MOST_RESULTS)
        except Exception as error:  # noqa: BLE001 - ddgs raises its own kinds for limits and timeouts
            name = type(error).__name__
            if "Ratelimit" in name:
                raise SearchFailed("DuckDuckGo is rate-limiting searches right now; try again in a minute.") from None
            raise SearchFailed(f"DuckDuckGo could not be searched ({name}).") from None
        return results_of(list(found or []), "title", "href", "body")

    return search
