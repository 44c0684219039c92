"""Prove FakeGroq speaks Groq's API well enough for the real openai and LlamaIndex clients."""

import time

import httpx
import openai
import pytest
from llama_index.core.llms import ChatMessage
from llama_index.llms.groq import Groq

from tests.fake_groq import MODELS, FakeGroq
from tests.fake_groq_testing import BUDGET, MODEL, ask, client, clock, groq, stream_parts  # noqa: F401
from tests.fake_groq_tokens import count_tokens

DEFAULT_IDS = [m["id"] for m in MODELS]


def _stream(client, content="hi", **kwargs):
    """The content deltas of a streamed chat completion (reasoning deltas left out)."""
    return stream_parts(client, content, **kwargs)[1]


def test_openai_stream_returns_scripted_text_and_records_request(groq, client):
    groq.reply_with("Bonjour, je suis bnaGPT. Comment puis-je aider ?")

    deltas = _stream(client, "Bonjour")

    assert "".join(deltas) == "Bonjour, je suis bnaGPT. Comment puis-je aider ?"
    assert len([d for d in deltas if d]) > 1  # really streamed token by token
    (body,) = groq.chat_requests()
    assert body["messages"] == [{"role": "user", "content": "Bonjour"}]
    assert body["model"] == MODEL and body["stream"] is True
    assert groq.requests[0].headers["authorization"] == f"Bearer {groq.api_key}"
    assert groq.requests[0].status == 200 and groq.requests[0].budget == BUDGET


def test_openai_stream_uses_given_chunks_and_reports_usage(groq, client):
    groq.reply_with("Salut !", chunks=["Sa", "lut", " !"], reasoning="Short.")
    reasoning, content, chunks = stream_parts(client, "x")

    assert content == ["", "Sa", "lut", " !"] and reasoning == ["Short."]
    assert chunks[-1].choices[0].finish_reason == "stop"
    usage = chunks[-1].usage
    assert usage.completion_tokens == count_tokens("Salut !") + count_tokens("Short.")
    assert usage.completion_tokens_details.reasoning_tokens == count_tokens("Short.")
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    # Groq's timing fields ride along, in seconds, both at the top level and in x_groq.
    assert usage.completion_time == usage.completion_tokens / 500
    assert usage.total_time == round(usage.queue_time + usage.prompt_time + usage.completion_time, 6)
    assert chunks[-1].model_extra["x_groq"]["usage"] == usage.model_dump(exclude_none=True)


def test_a_stream_notes_when_its_last_token_was_written_apart_from_its_closing_events(groq, client):
    # The benchmarks time a stream up to its last token: the finish, usage and [DONE] events come after.
    groq.reply_with("one", chunks=["one"], reasoning="")
    assert _stream(client) == ["", "one"]
    record = groq.streams[-1]
    assert record.ended.wait(5)
    assert record.last_token_at == record.first_token_at  # the one token is both
    assert record.last_token_at <= record.last_sent_at
    groq.reply_with("a b c", chunks=["a ", "b ", "c"], reasoning="Hm.")
    _stream(client)
    record = groq.streams[-1]
    assert record.ended.wait(5)
    assert record.first_token_at <= record.last_token_at <= record.last_sent_at
    assert record.sent == record.planned == 1 + 4 + 3


def test_non_streaming_defaults_to_echo_and_models_are_listed(groq, client):
    reply = ask(client, "ping")

    assert reply.choices[0].message.content == "Echo: ping"
    reasoning = FakeGroq.default_reasoning(groq.chat_requests()[0])
    assert reply.usage.completion_tokens == count_tokens("Echo: ping") + count_tokens(reasoning)
    assert reply.usage.prompt_tokens == groq.requests[0].prompt_tokens
    assert [m.id for m in client.models.list()] == DEFAULT_IDS


def test_models_are_scriptable_and_reset_lists_the_defaults_again(groq, client):
    groq.models = [{"id": "qwen/qwen3-32b", "object": "model", "active": True, "context_window": 131072}]

    assert [m.id for m in client.models.list()] == ["qwen/qwen3-32b"]
    groq.reset()
    assert [m.id for m in client.models.list()] == DEFAULT_IDS
    assert [r.path for r in groq.requests] == ["/openai/v1/models"]


def test_llamaindex_groq_stream_chat_echoes(groq):
    llm = Groq(model=MODEL, api_key=groq.api_key, api_base=groq.base_url, max_retries=0, max_tokens=BUDGET)

    deltas = [r.delta for r in llm.stream_chat([ChatMessage(role="user", content="hi")])]

    assert "".join(deltas) == "Echo: hi"
    assert groq.chat_requests()[0]["messages"][-1] == {"role": "user", "content": "hi"}


def test_wrong_key_raises_authentication_error(groq):
    with openai.OpenAI(base_url=groq.base_url, api_key="gsk_wrong", max_retries=0) as bad:
        with pytest.raises(openai.AuthenticationError) as err:
            _stream(bad)

    assert err.value.status_code == 401
    assert err.value.code == "invalid_api_key"
    assert err.value.body["message"] == "Invalid API Key"


def test_scripted_rate_limit_raises_with_retry_after_and_rate_limit_headers(groq, client):
    groq.fail_with(429, "Rate limit reached for model", retry_after=7)

    with pytest.raises(openai.RateLimitError) as err:
        _stream(client)

    headers = err.value.response.headers
    assert headers["retry-after"] == "7"
    assert err.value.code == "rate_limit_exceeded"
    assert headers["x-ratelimit-limit-requests"] == "1000" and headers["x-ratelimit-limit-tokens"] == "8000"
    assert groq.minute_usage(MODEL) == (1, 0)  # a scripted failure counts as a request, with no tokens


def test_server_error_raises_internal_server_error_then_recovers(groq, client):
    groq.fail_with(500, "boom")

    with pytest.raises(openai.InternalServerError):
        _stream(client)
    # The script is a FIFO: once the failure is used up, the default echo comes back.
    assert "".join(_stream(client, "again")) == "Echo: again"


def test_cut_stream_raises_httpx_remote_protocol_error_through_openai(groq, client):
    """openai does not wrap mid-stream transport errors: httpx.RemoteProtocolError escapes as-is."""
    groq.cut_stream_after(2, "one two three four", reasoning="Counting.")
    received = []

    with pytest.raises(httpx.RemoteProtocolError, match="incomplete chunked read"):
        for chunk in ask(client, "x", stream=True):
            received.append(chunk.choices[0].delta.content)

    assert received == ["", None, "one ", "two "]  # the role, the reasoning, then two answer tokens
    assert groq.requests[-1].completion_tokens == count_tokens("Counting.") + count_tokens("one two ")


def test_cut_stream_raises_httpx_remote_protocol_error_through_llamaindex(groq):
    """LlamaIndex's Groq.stream_chat also lets httpx.RemoteProtocolError through unwrapped."""
    groq.cut_stream_after(1, "partial answer")
    llm = Groq(model=MODEL, api_key=groq.api_key, api_base=groq.base_url, max_retries=0, max_tokens=BUDGET)
    received = []

    with pytest.raises(httpx.RemoteProtocolError):
        for r in llm.stream_chat([ChatMessage(role="user", content="hi")]):
            received.append(r.delta)

    assert "".join(received) == "partial "


def test_hang_triggers_client_timeout_without_waiting_for_the_hang(groq, client):
    groq.hang(2)
    started = time.monotonic()

    with pytest.raises(openai.APITimeoutError):
        _stream(client.with_options(timeout=0.5))
    groq.stop()  # wakes the hanging handler instead of letting it sleep out its 2 s

    assert time.monotonic() - started < 1.5
    assert len(groq.chat_requests()) == 1  # recorded before it started hanging


def test_a_hang_notices_the_client_hanging_up(groq, client):
    groq.hang(10)
    with pytest.raises(openai.APITimeoutError):
        _stream(client.with_options(timeout=0.3))
    [held] = groq.requests
    assert held.hung_up.wait(timeout=2)  # not after the 10 s hang
    assert held.hung_up_at - held.received_at < 1.5
