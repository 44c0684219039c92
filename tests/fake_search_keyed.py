"""Tavily's and Brave's search APIs as FakeWeb serves them, in their documented JSON shapes and as
strict as they are: the key checked on every request (Tavily: `Authorization: Bearer`, Brave:
`X-Subscription-Token`), bad requests refused, and their own error bodies for a bad key, a rate
limit (429) or a failure. Each answer is (status, JSON payload)."""

import json
import time
import uuid
from urllib.parse import urlsplit

TAVILY_PATH = "/tavily/search"  # settings' tavily_url is FakeWeb.url("/tavily")
BRAVE_PATH = "/brave/res/v1/web/search"  # settings' brave_url is FakeWeb.url("/brave/res/v1")


def tavily_answer(web, headers, raw: bytes) -> tuple[int, dict]:
    """POST /search: {"query", "max_results", …} with the key as a Bearer token."""
    def error(status: int, sentence: str) -> tuple[int, dict]:
        return status, {"detail": {"error": sentence}}

    if headers.get("Authorization") != f"Bearer {web.tavily_key}":
        return error(401, "Unauthorized: missing or invalid API key.")
    if not (headers.get("Content-Type") or "").startswith("application/json"):
        return error(400, "Content-Type must be application/json.")
    try:
        body = json.loads(raw or b"null")
    except ValueError:
        return error(400, "Invalid JSON body.")
    if not isinstance(body, dict) or not isinstance(body.get("query"), str) or not body["query"].strip():
        return error(400, "Query is missing.")
    most = body.get("max_results", 5)
    if not isinstance(most, int) or not 0 <= most <= 20:
        return error(400, "max_results must be an integer between 0 and 20.")
    web.queries.append(("tavily", body["query"]))
    if web.search_status != 200:
        return error(web.search_status, "Rate limit exceeded." if web.search_status == 429 else "Internal error.")
    results = [{"title": item["title"], "url": item["url"], "content": item.get("content", ""), "score": 0.9,
                "raw_content": None} for item in web.results[:most]]
    return 200, {"query": body["query"], "follow_up_questions": None, "answer": None, "images": [],
                 "results": results, "response_time": 0.42, "request_id": str(uuid.uuid4())}


def brave_answer(web, headers, query: dict) -> tuple[int, dict]:
    """GET /web/search?q=…&count=… with the key in X-Subscription-Token, asking for JSON."""
    def error(status: int, code: str, detail: str) -> tuple[int, dict]:
        return status, {"type": "ErrorResponse", "error": {"id": str(uuid.uuid4()), "status": status, "code": code,
                                                          "detail": detail, "meta": {}}, "time": int(time.time())}

    if headers.get("X-Subscription-Token") != web.brave_key:
        return error(422, "SUBSCRIPTION_TOKEN_INVALID", "The provided subscription token is invalid.")
    if "application/json" not in (headers.get("Accept") or "") and "*/*" not in (headers.get("Accept") or ""):
        return error(406, "NOT_ACCEPTABLE", "Only application/json is served.")
    q = (query.get("q") or [""])[0]
    count = (query.get("count") or ["20"])[0]
    if not q.strip() or len(q) > 400:
        return error(422, "VALIDATION", "q must be 1 to 400 characters.")
    if not count.isdigit() or not 1 <= int(count) <= 20:
        return error(422, "VALIDATION", "count must be between 1 and 20.")
    web.queries.append(("brave", q))
    if web.search_status == 429:
        return error(429, "RATE_LIMITED", "Request rate limit exceeded for plan.")
    if web.search_status != 200:
        return error(web.search_status, "INTERNAL_ERROR", "Something went wrong.")
    results = [{"type": "search_result", "title": item["title"], "url": item["url"],
                "description": item.get("content", ""), "is_source_local": False, "is_source_both": False,
                "language": "en", "family_friendly": True, "profile": {"name": urlsplit(item["url"]).hostname},
                "meta_url": {"scheme": urlsplit(item["url"]).scheme, "netloc": urlsplit(item["url"]).netloc}}
               for item in web.results[:int(count)]]
    return 200, {"type": "search", "query": {"original": q, "altered": None, "safesearch": True},
                 "mixed": {"type": "mixed", "main": [{"type": "web", "index": i} for i in range(len(results))]},
                 "web": {"type": "search", "results": results, "family_friendly": True}}
