"""FakeGroq's rate limits: Groq's free tier per model, rolling windows on an injected clock (no sleeping)."""

import openai
import pytest

from tests.fake_groq import Limits
from tests.fake_groq_limits import UPGRADE, go_duration
from tests.fake_groq_testing import MODEL, ask, client, clock, groq  # noqa: F401

TIER = "in organization `org_01fakegroq` service tier `on_demand`"
BIG = "word " * 2500  # about 2,800 prompt tokens as the fake counts them


def refused(client, content="hi", **kwargs) -> openai.APIStatusError:
    with pytest.raises(openai.APIStatusError) as err:
        ask(client, content, **kwargs)
    return err.value


def raw(client, content="hi", **kwargs):
    return client.chat.completions.with_raw_response.create(
        model=MODEL, messages=[{"role": "user", "content": content}], max_completion_tokens=100, **kwargs)


@pytest.mark.parametrize(("seconds", "text"), [
    (4.77, "4.77s"), (62.5, "1m2.5s"), (0.665, "665ms"), (179.56, "2m59.56s"), (2, "2s"), (3600, "1h0m0s"),
    (8 * 60 + 54.144, "8m54.144s"), (0.0001, "1ms"), (0, "0ms"),
])
def test_waits_are_written_as_groq_writes_them(seconds, text):
    assert go_duration(seconds) == text


def test_a_request_larger_than_the_minute_s_tokens_is_413(groq, client):
    err = refused(client, "word " * 8000, max_tokens=100)

    record = groq.requests[-1]
    assert err.status_code == 413 and err.code == "rate_limit_exceeded" and err.type == "tokens"
    assert err.body["message"] == (
        f"Request too large for model `{MODEL}` {TIER} on tokens per minute (TPM): Limit 8000, Requested "
        f"{record.requested}, please reduce your message size and try again. {UPGRADE}")
    assert err.response.headers["x-ratelimit-limit-tokens"] == "8000"
    assert record.status == 413 and groq.minute_usage(MODEL) == (0, 0)


def test_without_a_budget_gpt_oss_reserves_its_whole_maximum_and_is_413(client):
    err = refused(client, max_completion_tokens=None)  # the openai client then sends no budget at all

    assert err.status_code == 413 and "Limit 8000, Requested 655" in err.body["message"]


def test_tokens_per_minute_429_waits_until_enough_of_the_window_expires(groq, client, clock):
    for _ in range(2):
        groq.reply_with("ok", reasoning="")
        ask(client, BIG, max_tokens=100)
        clock.advance(10)
    used = sum(r.prompt_tokens + r.completion_tokens for r in groq.requests)
    clock.advance(35.23)  # 55.23 s after the first request, which frees enough once it is a minute old

    err = refused(client, BIG, max_tokens=100)

    assert err.status_code == 429 and err.type == "tokens" and err.code == "rate_limit_exceeded"
    assert err.body["message"] == (
        f"Rate limit reached for model `{MODEL}` {TIER} on tokens per minute (TPM): Limit 8000, Used {used}, "
        f"Requested {groq.requests[-1].requested}. Please try again in 4.77s. {UPGRADE}")
    assert err.response.headers["retry-after"] == "5"
    assert err.response.headers["x-ratelimit-remaining-tokens"] == str(8000 - used)
    clock.advance(4.77)
    assert ask(client, BIG, max_tokens=100).choices[0].message.content.startswith("Echo:")


def test_requests_per_minute_429(groq, client, clock):
    groq.limits = Limits(requests_per_minute=2)
    ask(client)
    clock.advance(1)
    ask(client)
    clock.advance(58)

    err = refused(client)

    assert err.status_code == 429 and err.type == "requests"
    assert ("on requests per minute (RPM): Limit 2, Used 2, Requested 1. Please try again in 1s."
            in err.body["message"])
    assert err.response.headers["retry-after"] == "1"
    clock.advance(1)
    ask(client)


def test_per_day_limits_count_1440_shrunken_minutes(groq, client, clock):
    groq.limits = Limits(requests_per_day=2, minute_seconds=2.0)
    ask(client)
    clock.advance(10)
    ask(client)
    clock.advance(10)

    err = refused(client)

    assert "on requests per day (RPD): Limit 2, Used 2, Requested 1. Please try again in 47m40s." in err.body["message"]
    groq.limits_for["openai/gpt-oss-20b"] = Limits(tokens_per_day=3000, minute_seconds=2.0)
    ask(client, BIG, model="openai/gpt-oss-20b", max_tokens=100)
    clock.advance(10)
    err = refused(client, BIG, model="openai/gpt-oss-20b", max_tokens=100)
    assert err.type == "tokens" and "on tokens per day (TPD): Limit 3000" in err.body["message"]
    assert "Please try again in 47m50s." in err.body["message"]


def test_limits_are_per_model_and_overridable(groq, client):
    groq.limits_for["openai/gpt-oss-20b"] = Limits(requests_per_minute=1)
    ask(client, model="openai/gpt-oss-20b")

    assert refused(client, model="openai/gpt-oss-20b").status_code == 429
    ask(client)
    ask(client)  # gpt-oss-120b keeps its own window and the default limits
    assert groq.minute_usage(MODEL)[0] == 2 and groq.minute_usage("openai/gpt-oss-20b")[0] == 1


def test_every_answer_carries_rate_limit_headers(groq, client, clock):
    first = raw(client)
    headers = first.headers

    record = groq.requests[-1]
    assert headers["x-ratelimit-limit-requests"] == "1000" and headers["x-ratelimit-limit-tokens"] == "8000"
    assert headers["x-ratelimit-remaining-requests"] == "999"
    assert headers["x-ratelimit-remaining-tokens"] == str(8000 - record.requested)  # the whole reservation
    assert headers["x-ratelimit-reset-tokens"] == "1m0s" and headers["x-ratelimit-reset-requests"] == "24h0m0s"
    clock.advance(20)
    second = raw(client, stream=True)
    list(second.parse())
    actual = record.prompt_tokens + record.completion_tokens  # the first answer's reservation, settled
    assert second.headers["x-ratelimit-remaining-tokens"] == str(8000 - actual - groq.requests[-1].requested)
    assert second.headers["x-ratelimit-reset-tokens"] == "1m0s"
    assert second.headers["x-ratelimit-remaining-requests"] == "998"


def test_a_reservation_becomes_what_a_hung_up_stream_really_used(groq, client):
    groq.reply_with("word " * 200, reasoning="", tokens_per_second=100)
    stream = ask(client, stream=True, max_tokens=1000)
    next(stream), next(stream)

    assert groq.minute_usage(MODEL) == (1, groq.requests[-1].requested)
    stream.close()  # the client hangs up midway
    assert groq.streams[-1].ended.wait(5)

    record = groq.requests[-1]
    assert 0 < record.completion_tokens < 200
    assert groq.minute_usage(MODEL) == (1, record.prompt_tokens + record.completion_tokens)


def test_unlimited_lets_anything_through_and_reset_restores_the_free_tier(groq, client):
    groq.limits = Limits.unlimited()
    for _ in range(40):
        ask(client, max_completion_tokens=None)

    assert groq.minute_usage(MODEL)[0] == 40
    groq.reset()
    assert groq.limits == Limits() and groq.limits_for == {} and groq.minute_usage(MODEL) == (0, 0)
    assert refused(client, max_completion_tokens=None).status_code == 413
