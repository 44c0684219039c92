"""FakeGroq refuses what Groq refuses: unknown, retired and non-chat models, oversized answer budgets and
prompts, JSON mode misuse; and it counts prompt tokens above the app's own cl100k estimate."""

import math
import time

import openai
import pytest

from tests.fake_groq import DECOMMISSIONED, Limits
from tests.fake_groq_testing import MODEL, ask, client, clock, groq, stream_parts  # noqa: F401
from tests.fake_groq_tokens import count_tokens

FIELDS = {"id", "object", "owned_by", "active", "context_window", "max_completion_tokens"}


def test_models_list_groq_s_late_2026_table_with_their_limits(client):
    models = {m.id: m.model_dump() for m in client.models.list()}

    assert list(models) == ["openai/gpt-oss-120b", "openai/gpt-oss-20b", "qwen/qwen3.8-27b", "allam-2-7b",
                            "whisper-large-v3", "whisper-large-v3-turbo", "canopylabs/orpheus-v1-english",
                            "meta-llama/llama-prompt-guard-2-86m"]
    assert all(FIELDS <= set(m) for m in models.values())
    assert models[MODEL]["context_window"] == 131072 and models[MODEL]["max_completion_tokens"] == 65536
    assert models["qwen/qwen3.8-27b"]["max_completion_tokens"] == 16384
    assert models["allam-2-7b"]["context_window"] == 4096
    assert models["meta-llama/llama-prompt-guard-2-86m"]["context_window"] == 512


def test_unknown_model_is_404_model_not_found(groq, client):
    with pytest.raises(openai.NotFoundError) as err:
        ask(client, model="gpt-4o")

    assert err.value.code == "model_not_found" and err.value.type == "invalid_request_error"
    assert err.value.body["message"] == "The model `gpt-4o` does not exist or you do not have access to it."
    assert groq.requests[-1].status == 404 and groq.requests[-1].error_code == "model_not_found"


@pytest.mark.parametrize("model", sorted(DECOMMISSIONED))
def test_decommissioned_models_are_400_model_decommissioned(client, model):
    with pytest.raises(openai.BadRequestError) as err:
        ask(client, model=model)

    assert err.value.code == "model_decommissioned"
    assert err.value.body["message"].startswith(f"The model `{model}` has been decommissioned and is no longer")
    assert "https://console.groq.com/docs/deprecations" in err.value.body["message"]


@pytest.mark.parametrize("model", ["whisper-large-v3", "whisper-large-v3-turbo", "canopylabs/orpheus-v1-english"])
def test_speech_models_refuse_chat(client, model):
    with pytest.raises(openai.BadRequestError) as err:
        ask(client, model=model, max_completion_tokens=10)

    assert err.value.code == "model_not_supported" and err.value.type == "invalid_request_error"


def test_chat_uses_the_replaced_model_table(groq, client):
    groq.models = [{"id": "my/model", "object": "model", "active": True, "context_window": 1000}]

    assert ask(client, model="my/model", max_tokens=900).choices[0].message.content == "Echo: hi"
    with pytest.raises(openai.BadRequestError, match="less than or equal to `1000`"):
        ask(client, model="my/model", max_tokens=1001)  # no maximum listed: the context window bounds it
    with pytest.raises(openai.NotFoundError):
        ask(client)  # gpt-oss is no longer listed


@pytest.mark.parametrize("param", ["max_tokens", "max_completion_tokens"])
def test_a_budget_above_the_model_maximum_is_400_naming_the_parameter_used(client, param):
    with pytest.raises(openai.BadRequestError) as err:
        ask(client, **{param: 65537})

    assert err.value.body["message"] == (
        f"`{param}` must be less than or equal to `65536`, the maximum value for `{param}` is less than the "
        "`context_window` for this model")


def test_without_a_budget_the_model_maximum_is_reserved(groq, client):
    groq.limits = Limits.unlimited()

    client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hi"}])
    ask(client, max_tokens=500, max_completion_tokens=300)  # max_completion_tokens wins

    first, second = groq.requests
    assert first.budget == 65536 and first.requested == first.prompt_tokens + 65536
    assert second.budget == 300


def test_a_budget_the_context_window_cannot_hold_is_context_length_exceeded(client):
    long = "word " * 3000

    ask(client, long, model="allam-2-7b", max_tokens=100)  # fits
    with pytest.raises(openai.BadRequestError) as err:
        ask(client, long, model="allam-2-7b", max_tokens=1000)

    assert err.value.code == "context_length_exceeded"
    assert err.value.body["message"] == "Please reduce the length of the messages or completion."


def test_prompt_tokens_pad_cl100k_per_text_message_and_request(groq, client):
    messages = [{"role": "system", "content": "You are bnaGPT, a helpful assistant."},
                {"role": "user", "content": [{"type": "text", "text": "Bonjour, "},
                                             {"type": "text", "text": "ça va ?"}]}]
    plain = count_tokens("You are bnaGPT, a helpful assistant.") + count_tokens("Bonjour, ça va ?")

    reply = client.chat.completions.create(model=MODEL, messages=messages, max_tokens=100)

    assert reply.usage.prompt_tokens == math.ceil(1.1 * plain) + 2 * 4 + 30 == groq.requests[-1].prompt_tokens
    groq.counting.text_factor, groq.counting.per_message, groq.counting.per_request = 1.0, 0, 0
    assert client.chat.completions.create(model=MODEL, messages=messages, max_tokens=100).usage.prompt_tokens == plain


def test_long_histories_are_counted_quickly(groq, client):
    groq.limits = Limits.unlimited()
    history = [{"role": "user" if i % 2 else "assistant", "content": f"message {i} " + "lorem ipsum " * 10}
               for i in range(1000)]

    client.chat.completions.create(model=MODEL, messages=history, max_tokens=100)
    started = time.perf_counter()
    client.chat.completions.create(model=MODEL, messages=[*history, {"role": "user", "content": "more"}],
                                   max_tokens=100)

    assert groq.requests[-1].prompt_tokens > 20000
    assert time.perf_counter() - started < 0.5  # every earlier message's count is cached


def test_json_mode_refuses_streaming_unless_allowed(groq, client):
    json_mode = {"response_format": {"type": "json_object"}}
    with pytest.raises(openai.BadRequestError) as err:
        stream_parts(client, "answer in json", **json_mode)
    assert err.value.body["message"] == '"response_format" does not support streaming'

    groq.json_streaming = True
    groq.reply_with('{"ok": true}')
    assert "".join(stream_parts(client, "answer in json", **json_mode)[1]) == '{"ok": true}'


def test_json_object_needs_the_word_json_and_returns_the_script(groq, client):
    json_mode = {"response_format": {"type": "json_object"}}
    with pytest.raises(openai.BadRequestError) as err:
        ask(client, "answer as an object", **json_mode)
    assert err.value.body["message"] == ("'messages' must contain the word 'json' in some form, to use "
                                         "'response_format' of type 'json_object'.")

    groq.reply_with('{"city": "Lisbon"}')
    assert ask(client, "Answer in JSON", **json_mode).choices[0].message.content == '{"city": "Lisbon"}'
