"""utils.llm.catalog against the fake Groq server: the chat-model filter, its errors and its cache."""

import threading

import httpx
import pytest

from utils.llm import catalog as groq_models
from utils.llm.catalog import (
    FALLBACK_MODELS,
    ModelCatalog,
    ModelChoice,
    ModelListUnavailable,
    fetch_chat_models,
    is_chat_model,
)
from utils.llm.traits import GONE

UNREACHABLE = "http://127.0.0.1:9/openai/v1"
CONFIGURED = "openai/gpt-oss-120b"
LIVE = ("allam-2-7b", "openai/gpt-oss-120b", "openai/gpt-oss-20b", "qwen/qwen3.8-27b")


class FakeClock:
    """A monotonic clock that only moves when a test says so."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def model_requests(fake_groq) -> list:
    """The GET /models requests the fake server received."""
    return [r for r in fake_groq.requests if r.path.endswith("/models")]


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def catalog(clock):
    return ModelCatalog(ttl_seconds=600, failure_ttl_seconds=60, clock=clock)


@pytest.mark.parametrize(
    ("entry", "kept"),
    [
        ({"id": "openai/gpt-oss-120b", "active": True, "context_window": 131072}, True),
        ({"id": "qwen/qwen3-32b"}, True),  # no active flag, no context window: nothing says no
        ({"id": "qwen/qwen3-32b", "context_window": "big"}, True),  # not a number: ignored
        ({"id": "openai/gpt-oss-20b", "active": False, "context_window": 131072}, False),
        ({"id": "whisper-large-v3", "context_window": 448}, False),
        ({"id": "playai-tts", "context_window": 8192}, False),
        ({"id": "canopylabs/Orpheus-V1-English", "context_window": 8192}, False),
        ({"id": "meta-llama/Llama-Guard-4-12B", "context_window": 131072}, False),
        ({"id": "some-embedding-model", "context_window": 8192}, False),
        ({"id": "tiny-chat", "context_window": 2048}, False),
        ({"id": "", "context_window": 8192}, False),
        ("openai/gpt-oss-120b", False),
    ],
)
def test_is_chat_model(entry, kept):
    assert is_chat_model(entry) is kept


def test_fetch_keeps_the_fakes_chat_models_and_sends_the_key(fake_groq):
    assert fetch_chat_models(fake_groq.base_url + "/", fake_groq.api_key) == list(LIVE)

    (request,) = model_requests(fake_groq)
    assert request.method == "GET" and request.path == "/openai/v1/models"
    assert request.headers["authorization"] == f"Bearer {fake_groq.api_key}"


def test_fetch_follows_the_servers_list(fake_groq):
    fake_groq.models = [
        {"id": "qwen/qwen3-32b", "active": True, "context_window": 131072},
        {"id": "openai/gpt-oss-20b", "active": False, "context_window": 131072},
        {"id": "qwen/qwen3-32b", "active": True, "context_window": 131072},
    ]

    assert fetch_chat_models(fake_groq.base_url, fake_groq.api_key) == ["qwen/qwen3-32b"]


def test_wrong_key_names_401_and_never_the_key(fake_groq):
    wrong = "gsk_wrong_secret_123"

    with pytest.raises(ModelListUnavailable) as error:
        fetch_chat_models(fake_groq.base_url, wrong)

    assert str(error.value) == "Groq answered 401"
    assert wrong not in repr(error.value) and error.value.__context__ is None
    (request,) = model_requests(fake_groq)
    assert request.headers["authorization"] == f"Bearer {wrong}"  # it really was asked, and said no


@pytest.mark.parametrize(
    ("models", "reason"),
    [({"not": "a list"}, "Groq's answer was not a model list"), ([], "Groq listed no chat models")],
)
def test_unusable_lists_are_unavailable(fake_groq, models, reason):
    fake_groq.models = models

    with pytest.raises(ModelListUnavailable, match=reason):
        fetch_chat_models(fake_groq.base_url, fake_groq.api_key)
    assert len(model_requests(fake_groq)) == 1


def test_unreachable_base_is_unavailable_and_chains_no_httpx_error():
    with pytest.raises(ModelListUnavailable) as error:
        fetch_chat_models(UNREACHABLE, "gsk_secret", timeout=2)

    assert str(error.value) == "could not reach Groq"
    assert error.value.__context__ is None  # httpx errors carry the request, Authorization header and all


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (httpx.Response(200, text="<html>Bad gateway</html>"), "Groq's answer was not a model list"),
        (httpx.Response(200, content=b"\xff\xfe"), "Groq's answer was not a model list"),
        (httpx.ReadTimeout("timed out"), "Groq did not answer in time"),
    ],
)
def test_answers_that_a_local_server_cannot_easily_give(monkeypatch, answer, reason):
    def get(url, headers, timeout):
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(groq_models.httpx, "get", get)

    with pytest.raises(ModelListUnavailable, match=reason):
        fetch_chat_models(UNREACHABLE, "gsk_secret")


def test_a_key_that_cannot_be_a_header_is_refused_before_any_request(fake_groq):
    with pytest.raises(ModelListUnavailable) as error:
        fetch_chat_models(fake_groq.base_url, "gsk_sécret")

    assert "sécret" not in str(error.value)
    assert model_requests(fake_groq) == []


@pytest.mark.parametrize("key", [None, ""])
def test_no_key_offers_the_fallback_without_asking(fake_groq, catalog, key):
    choice = catalog.chat_models(fake_groq.base_url, key, CONFIGURED)

    assert choice == ModelChoice(tuple(sorted(FALLBACK_MODELS)), live=False, problem="no API key yet")
    assert fake_groq.requests == []


def test_live_list_is_cached_until_the_ttl_passes(fake_groq, catalog, clock):
    first = catalog.chat_models(fake_groq.base_url, fake_groq.api_key, CONFIGURED)
    clock.now += 599
    second = catalog.chat_models(fake_groq.base_url, fake_groq.api_key, CONFIGURED)

    assert first == second == ModelChoice(LIVE, live=True, problem=None)
    assert len(model_requests(fake_groq)) == 1

    fake_groq.models = [{"id": "openai/gpt-oss-20b", "context_window": 131072}]
    clock.now += 1
    third = catalog.chat_models(fake_groq.base_url, fake_groq.api_key, CONFIGURED)

    assert len(model_requests(fake_groq)) == 2
    assert third == ModelChoice(("openai/gpt-oss-20b",), live=True, problem=None, unlisted=CONFIGURED)


def test_failure_is_cached_for_the_failure_ttl_only(fake_groq, catalog, clock):
    wrong = "gsk_wrong_secret_123"
    first = catalog.chat_models(fake_groq.base_url, wrong, CONFIGURED)
    clock.now += 59
    catalog.chat_models(fake_groq.base_url, wrong, CONFIGURED)

    assert first == ModelChoice(tuple(sorted(FALLBACK_MODELS)), live=False, problem="Groq answered 401")
    assert len(model_requests(fake_groq)) == 1

    clock.now += 1
    catalog.chat_models(fake_groq.base_url, wrong, CONFIGURED)
    assert len(model_requests(fake_groq)) == 2


def test_unreachable_base_offers_the_fallback_with_a_problem(catalog):
    choice = catalog.chat_models(UNREACHABLE, "gsk_secret", "openai/gpt-oss-20b")

    assert choice.live is False and choice.problem == "could not reach Groq"
    assert choice.models == tuple(sorted(FALLBACK_MODELS))
    assert choice.models == ("openai/gpt-oss-120b", "openai/gpt-oss-20b", "qwen/qwen3.8-27b")
    assert "llama-3.3-70b-versatile" not in choice.models and "llama3-70b-8192" not in choice.models


def test_a_model_missing_from_groqs_live_list_is_not_offered_but_named(fake_groq, catalog):
    choice = catalog.chat_models(fake_groq.base_url, fake_groq.api_key, "llama-3.3-70b-versatile")

    assert choice.models == LIVE and choice.unlisted == "llama-3.3-70b-versatile"
    assert choice.live is True


def test_without_groqs_list_the_configured_model_comes_first_until_groq_says_it_is_gone(catalog):
    assert catalog.chat_models(UNREACHABLE, "gsk_secret", "my-org/custom-model").models[0] == "my-org/custom-model"
    GONE.add("my-org/custom-model")
    assert "my-org/custom-model" not in catalog.chat_models(UNREACHABLE, "gsk_secret", "my-org/custom-model").models



def test_each_key_has_its_own_entry_and_none_is_stored_raw(fake_groq, catalog):
    catalog.chat_models(fake_groq.base_url, fake_groq.api_key, CONFIGURED)
    other = catalog.chat_models(fake_groq.base_url, "gsk_other_secret", CONFIGURED)

    assert other.problem == "Groq answered 401"
    assert len(model_requests(fake_groq)) == 2
    assert fake_groq.api_key not in repr(vars(catalog)) and "gsk_other_secret" not in repr(vars(catalog))


def test_concurrent_reruns_share_one_request(fake_groq, catalog):
    start = threading.Barrier(8)
    choices = []

    def rerun():
        start.wait()
        choices.append(catalog.chat_models(fake_groq.base_url, fake_groq.api_key, CONFIGURED))

    threads = [threading.Thread(target=rerun) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(model_requests(fake_groq)) == 1
    assert set(choices) == {ModelChoice(LIVE, live=True, problem=None)} and len(choices) == 8


def test_injected_fetch_and_a_trailing_slash_share_one_entry(clock):
    calls = []

    def fetch(api_base, api_key):
        calls.append(api_base)
        return ["b-model", "a-model"]

    catalog = ModelCatalog(fetch=fetch, clock=clock)

    assert catalog.chat_models("http://x/v1/", "k", "a-model").models == ("a-model", "b-model")
    assert catalog.chat_models("http://x/v1", "k", "a-model").live is True
    assert calls == ["http://x/v1"]  # a trailing slash does not make a second cache entry
