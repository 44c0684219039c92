"""What fits a request: Groq's rate-limit messages and headers read, and the fitting rule itself."""

from __future__ import annotations

import pytest

from utils.llm.limit_book import LimitBook
from utils.llm.limit_messages import duration_seconds, minute_left, retry_seconds, too_large
from utils.llm.limits import Allowance, RequestTooLong

TOO_LARGE = ("Request too large for model `openai/gpt-oss-120b` in organization `org_01` service tier `on_demand` "
             "on tokens per minute (TPM): Limit 8000, Requested 8243, please reduce your message size and try again.")
RATE_LIMITED = ("Rate limit reached for model `openai/gpt-oss-120b` in organization `org_01` service tier `on_demand` "
                "on tokens per minute (TPM): Limit 8000, Used 5034, Requested 1443. Please try again in 4.77s.")


def test_groqs_messages_and_durations_are_read():
    assert too_large(TOO_LARGE) == (8000, 8243) and too_large("something else") is None
    assert minute_left(RATE_LIMITED) == 2966 and minute_left(TOO_LARGE) is None
    assert retry_seconds("5", RATE_LIMITED) == 4.77  # the message is exact; the header is whole seconds
    assert retry_seconds("5", "no time here") == 5.0 and retry_seconds(None, "try again in 1m2.5s") == 62.5
    assert [duration_seconds(text) for text in ("7.66s", "2m59.56s", "665ms", "1h2m3s", "", None)] == [
        7.66, 179.56, 0.665, 3723.0, None, None]


class Clock:
    now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_book_learns_a_limit_and_what_is_left_until_the_reset():
    clock = Clock()
    book = LimitBook(clock)
    assert book.limit("k", "m", 8000) == 8000 and book.available("k", "m", 8000) == 8000
    book.learn_headers("k", "m", {"x-ratelimit-limit-tokens": "30000", "x-ratelimit-remaining-tokens": "1000",
                                  "x-ratelimit-reset-tokens": "7.5s"})
    assert book.limit("k", "m", 8000) == 30000 and book.available("k", "m", 30000) == 1000
    book.release("k", "m", 500)  # an answer used less than it reserved
    assert book.available("k", "m", 30000) == 1500 and book.limit("other key", "m", 8000) == 8000
    clock.now += 7.5
    assert book.available("k", "m", 30000) == 30000


def messages(*contents: str) -> list[dict]:
    roles = ["system"] + ["user", "assistant"] * len(contents)  # more roles than contents
    return [{"role": role, "content": content} for role, content in zip(roles, contents, strict=False)]


def count(message: dict) -> int:
    return len(message["content"].split())


def test_a_request_keeps_the_newest_history_that_fits_and_gives_the_answer_the_rest():
    allowance = Allowance(tokens_per_minute=8000, context_window=131072, answer_max=65536, wanted=8192, ratio=1.0)
    history = messages("system prompt", *[f"turn {index} " + "word " * 498 for index in range(20)], "the question")
    fit = allowance.fit(history, count)
    assert fit.messages[0]["role"] == "system" and fit.messages[-1]["content"] == "the question"
    assert fit.messages[1]["role"] == "user" and fit.dropped > 0  # never starts with an answer
    assert fit.messages[1:-1] == history[1 + fit.dropped:-1]  # the newest, in order
    assert fit.estimate + fit.budget <= 8000 * 0.95 and fit.budget >= allowance.answer_room


def test_a_busy_minute_gets_a_smaller_budget_down_to_the_answers_room():
    quiet = Allowance(tokens_per_minute=8000, context_window=131072, answer_max=65536, wanted=8192, ratio=1.0)
    busy = Allowance(tokens_per_minute=8000, context_window=131072, answer_max=65536, wanted=8192, ratio=1.0,
                     available=3000)
    question = messages("", "hello")
    assert quiet.fit(question, count).budget > 7000
    assert busy.fit(question, count).budget == 3000 - 400 - quiet.fit(question, count).estimate
    nearly_spent = Allowance(**{**busy.__dict__, "available": 100})
    assert nearly_spent.fit(question, count).budget == quiet.answer_room == 1900


def test_a_message_too_long_for_the_minute_is_refused_before_sending():
    allowance = Allowance(tokens_per_minute=8000, context_window=131072, answer_max=65536, wanted=8192, ratio=1.0)
    with pytest.raises(RequestTooLong):
        allowance.fit(messages("", "word " * 7500), count)
