"""The search providers that take a key: Tavily (POST /search, the key as a Bearer token) and
Brave (GET /web/search, the key in X-Subscription-Token). The key goes in a header only: never
in a URL, a step or a sentence, so it cannot reach a log, the page or an export."""

from __future__ import annotations

import httpx

from utils.llm.tools.search import MOST_RESULTS, Search, SearchResult, answered, failing, results_of


def tavily(base_url: str, key: str | None, timeout: float) -> Search:
    """Search through Tavily's API (its results carry title, url and content)."""
    if not key:
        return failing("Tavily search needs a key: set TAVILY_API_KEY.")
    client = httpx.Client(timeout=timeout, headers={"Authorization": f"Bearer {key}"})

    def refusals(response: httpx.Response) -> str | None:
        if response.status_code in (401, 403):
            return f"Tavily refused the key ({response.status_code}): check TAVILY_API_KEY."
        if response.status_code in (432, 433):  # Tavily's own: the plan's or the pay-as-you-go limit
            return f"Tavily's usage limit is reached ({response.status_code}); see your Tavily plan."
        return None

    def search(query: str) -> list[SearchResult]:
        data = answered("Tavily", timeout, lambda: client.post(
            f"{base_url}/search", json={"query": query, "max_results": MOST_RESULTS}), refusals)
        return results_of(data.get("results") if isinstance(data, dict) else None, "title", "url", "content")

    return search


def brave(base_url: str, key: str | None, timeout: float) -> Search:
    """Search through Brave's Web Search API (results under `web.results`: title, url, description)."""
    if not key:
        return failing("Brave search needs a key: set BRAVE_API_KEY.")
    client = httpx.Client(timeout=timeout, headers={"X-Subscription-Token": key, "Accept": "application/json"})

    def refusals(response: httpx.Response) -> str | None:
        try:
            code = str(((response.json() or {}).get("error") or {}).get("code") or "")
        except (ValueError, AttributeError):
            code = ""
        if response.status_code in (401, 403) or code.startswith("SUBSCRIPTION_TOKEN"):
            return f"Brave refused the key ({response.status_code}): check BRAVE_API_KEY."
        return None

    def search(query: str) -> list[SearchResult]:
        data = answered("Brave", timeout, lambda: client.get(
            f"{base_url}/web/search", params={"q": query, "count": MOST_RESULTS}), refusals)
        web = data.get("web") if isinstance(data, dict) else None
        return results_of(web.get("results") if isinstance(web, dict) else None, "title", "url", "description")

    return search
