"""FakeGroq's reasoning models: gpt-oss always reasons, qwen in the format asked, others refuse the knobs."""

import time

import openai
import pytest
from llama_index.core.llms import ChatMessage
from llama_index.llms.groq import Groq

from tests.fake_groq_testing import MODEL, ask, client, clock, groq, stream_parts  # noqa: F401
from tests.fake_groq_tokens import count_tokens

QWEN = "qwen/qwen3.8-27b"
THOUGHT = "First, the user greets me. Then I greet back."


def test_gpt_oss_streams_reasoning_before_any_content(groq, client):
    groq.reply_with("Hello!", reasoning=THOUGHT)

    reasoning, content, chunks = stream_parts(client)

    assert "".join(reasoning) == THOUGHT and len(reasoning) > 1  # word by word
    kinds = [("reasoning" if (c.choices[0].delta.model_extra or {}).get("reasoning") else "content")
             for c in chunks[1:-1]]
    assert kinds == sorted(kinds, reverse=True)  # every reasoning chunk before the first content chunk
    assert "".join(content) == "Hello!"
    usage = chunks[-1].usage
    assert usage.completion_tokens_details.reasoning_tokens == count_tokens(THOUGHT)
    assert chunks[-1].model_extra["x_groq"]["usage"]["completion_tokens_details"] == {
        "reasoning_tokens": count_tokens(THOUGHT)}


def test_gpt_oss_reasons_by_default_and_shows_it_unless_told_not_to(groq, client):
    assert ask(client, "Bonjour").choices[0].message.reasoning == "The user wrote: Bonjour. I will answer."

    reply = ask(client, "Bonjour", extra_body={"include_reasoning": False})
    reasoning, content, chunks = stream_parts(client, "Bonjour", extra_body={"include_reasoning": False})

    assert getattr(reply.choices[0].message, "reasoning", None) is None
    assert reply.usage.completion_tokens_details.reasoning_tokens > 0  # still reasoned, only not shown
    assert reasoning == [] and "".join(content) == "Echo: Bonjour"
    assert chunks[-1].usage.completion_tokens == reply.usage.completion_tokens


@pytest.mark.parametrize("effort", ["low", "medium", "high"])
def test_gpt_oss_accepts_low_medium_high_effort(client, effort):
    ask(client, reasoning_effort=effort)


def test_gpt_oss_refuses_other_efforts_and_any_reasoning_format(client):
    with pytest.raises(openai.BadRequestError, match="reasoning_effort"):
        ask(client, reasoning_effort="none")
    with pytest.raises(openai.BadRequestError) as err:
        ask(client, extra_body={"reasoning_format": "parsed"})
    assert err.value.body["message"] == "`reasoning_format` is not supported with this model"


def test_qwen_reasons_raw_by_default_inside_think_tags(groq, client):
    groq.reply_with("Hi.", reasoning=THOUGHT)

    reply = ask(client, model=QWEN)

    assert reply.choices[0].message.content == f"<think>\n{THOUGHT}\n</think>\n\nHi."
    assert reply.usage.completion_tokens_details.reasoning_tokens == count_tokens(THOUGHT)


def test_qwen_parsed_hidden_and_no_reasoning(groq, client):
    groq.reply_with("Hi.", reasoning=THOUGHT)
    parsed = ask(client, model=QWEN, extra_body={"reasoning_format": "parsed"})
    groq.reply_with("Hi.", reasoning=THOUGHT)
    reasoning, content, chunks = stream_parts(client, model=QWEN, extra_body={"reasoning_format": "hidden"})
    groq.reply_with("Hi.", reasoning=THOUGHT)
    plain = ask(client, model=QWEN, reasoning_effort="none")

    assert (parsed.choices[0].message.reasoning, parsed.choices[0].message.content) == (THOUGHT, "Hi.")
    assert reasoning == [] and "".join(content) == "Hi."
    assert chunks[-1].usage.completion_tokens == count_tokens(THOUGHT) + count_tokens("Hi.")
    assert plain.choices[0].message.content == "Hi." and plain.usage.completion_tokens == count_tokens("Hi.")


@pytest.mark.parametrize("extra", [
    {"reasoning_effort": "high"},
    {"reasoning_format": "parsed", "include_reasoning": True},
    {"reasoning_format": "verbose"},
])
def test_qwen_refuses_wrong_reasoning_parameters(client, extra):
    with pytest.raises(openai.BadRequestError):
        ask(client, model=QWEN, extra_body=extra)


@pytest.mark.parametrize("extra", [{"reasoning_effort": "low"}, {"reasoning_format": "parsed"}])
def test_models_that_do_not_reason_refuse_reasoning_parameters(client, extra):
    with pytest.raises(openai.BadRequestError, match="is not supported with this model"):
        ask(client, model="allam-2-7b", extra_body=extra)


def test_models_that_do_not_reason_ignore_scripted_reasoning(groq, client):
    groq.reply_with("Marhaba.", reasoning=THOUGHT)

    reply = ask(client, model="allam-2-7b")

    assert getattr(reply.choices[0].message, "reasoning", None) is None
    assert reply.usage.completion_tokens == count_tokens("Marhaba.")


def test_reasoning_counts_against_the_budget_and_the_stream_stops_at_it(groq, client):
    groq.reply_with("word " * 50, reasoning="think " * 30)

    reasoning, content, chunks = stream_parts(client, max_tokens=40)

    assert chunks[-1].choices[0].finish_reason == "length"
    assert chunks[-1].usage.completion_tokens == 40
    assert len(reasoning) == 30 and 0 < len(content) - 1 < 50  # the role event's "" aside
    groq.reply_with("answer", reasoning="think " * 30)
    assert stream_parts(client, max_tokens=10)[1] == [""]  # the budget ran out while reasoning


def test_reasoning_is_paced_like_the_answer(groq, client):
    groq.reply_with("a b c d e ", reasoning="f g h i j ", tokens_per_second=50)
    started = time.monotonic()

    stream_parts(client)

    assert time.monotonic() - started >= 10 / 50 - 0.01


def test_llamaindex_streams_the_reasoning_in_the_raw_chunks(groq):
    groq.reply_with("Hello!", reasoning=THOUGHT)
    llm = Groq(model=MODEL, api_key=groq.api_key, api_base=groq.base_url, max_retries=0, max_tokens=1000)

    responses = list(llm.stream_chat([ChatMessage(role="user", content="hi")]))

    reasoning = [(r.raw.choices[0].delta.model_extra or {}).get("reasoning") for r in responses if r.raw.choices]
    assert "".join(r for r in reasoning if r) == THOUGHT
    assert "".join(r.delta for r in responses) == "Hello!"
