"""The web search providers behind one seam: DuckDuckGo (no key, the default) or a self-hosted
SearXNG through its JSON API (BNAGPT_SEARXNG_URL). Each returns a few results or raises
SearchFailed with a sentence for the person."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx

from settings import Settings

MOST_RESULTS = 5


class SearchFailed(Exception):
    """The search could not be made; `str(error)` says why in a sentence."""


@dataclass(frozen=True)
class SearchResult:
    title: str
    url: str
    snippet: str = ""


Search = Callable[[str], list[SearchResult]]


def searxng(base_url: str, timeout: float) -> Search:
    """Search through SearXNG's JSON API (its `format=json` must be enabled in settings.yml)."""
    # One client per engine: making one loads the CA bundle, about 30 ms a search (bench/tool_overhead.py).
    client = httpx.Client(timeout=timeout)

    def search(query: str) -> list[SearchResult]:
        try:
            response = client.get(f"{base_url}/search", params={"q": query, "format": "json"})
        except httpx.TimeoutException:
            raise SearchFailed(f"The search service did not answer within {timeout:g} s.") from None
        except httpx.HTTPError:
            raise SearchFailed("The search service could not be reached.") from None
        if response.status_code == 429:
            raise SearchFailed("The search service is rate-limited right now (429); try again in a minute.")
        if response.status_code == 403:
            raise SearchFailed("The search service refused JSON (403): enable `json` in SearXNG's formats.")
        if response.status_code >= 400:
            raise SearchFailed(f"The search service failed ({response.status_code}).")
        try:
            results = response.json().get("results") or []
        except (ValueError, AttributeError):
            raise SearchFailed("The search service answered with something other than results.") from None
        found = [item for item in results if isinstance(item, dict) and item.get("url")][:MOST_RESULTS]
        return [SearchResult(str(item.get("title") or item["url"]), str(item["url"]), str(item.get("content") or ""))
                for item in found]

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
        return [SearchResult(str(item.get("title") or item["href"]), str(item["href"]), str(item.get("body") or ""))
                for item in found or [] if item.get("href")]

    return search


def search_for(settings: Settings) -> Search:
    """The provider the settings choose."""
    if settings.searxng_url:
        return searxng(settings.searxng_url, settings.fetch_timeout)
    return duckduckgo(settings.fetch_timeout)
