"""The search provider the settings choose, behind the one seam web_search calls."""

from __future__ import annotations

from settings import Settings
from utils.llm.tools.search import Search, duckduckgo, failing, searxng
from utils.llm.tools.search_keyed import brave, tavily


def search_for(settings: Settings) -> Search:
    """The provider the settings choose (settings.search_provider names it; "groq" searches on
    Groq's side, so its function tool, for models without browser_search, is the automatic one)."""
    provider = settings.search_provider
    if provider in ("", "groq"):
        provider = "searxng" if settings.searxng_url else "duckduckgo"
    if provider == "searxng":
        if not settings.searxng_url:
            return failing("SearXNG search needs BNAGPT_SEARXNG_URL.")
        return searxng(settings.searxng_url, settings.fetch_timeout)
    if provider == "tavily":
        return tavily(settings.tavily_url, settings.tavily_api_key, settings.fetch_timeout)
    if provider == "brave":
        return brave(settings.brave_url, settings.brave_api_key, settings.fetch_timeout)
    return duckduckgo(settings.fetch_timeout)
