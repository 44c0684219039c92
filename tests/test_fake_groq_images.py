"""FakeGroq takes images as Groq's vision models do: base64 data URLs on user messages, counted by their size,
refused past Groq's limits (4 MB of base64 a request: 413; more than 5 images, 33 megapixels, a model that
cannot read images, bytes that are not an image: 400); and its echo says what it saw."""

import base64
import io
import math

import openai
import pytest
from PIL import Image

from tests.fake_groq import Limits
from tests.fake_groq_images import BASE64_LIMIT
from tests.fake_groq_testing import MODEL, client, clock, groq  # noqa: F401
from tests.fake_groq_tokens import count_tokens

VISION = "qwen/qwen3.8-27b"


def png(width: int = 64, height: int = 48, color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def part(data: bytes, media_type: str = "image/png") -> dict:
    return {"type": "image_url", "image_url": {"url": f"data:{media_type};base64,{base64.b64encode(data).decode()}"}}


def send(client, parts, model=VISION, role="user", text="What is this?", **kwargs):
    messages = [{"role": role, "content": [{"type": "text", "text": text}, *parts]}]
    if role != "user":
        messages.append({"role": "user", "content": "and?"})
    return client.chat.completions.create(model=model, messages=messages, max_tokens=100, **kwargs)


def test_an_image_is_counted_by_its_size_and_echoed(groq, client):
    reply = send(client, [part(png(280, 56))])

    # 10 x 2 patches of 28 px, and the image's two markers
    assert reply.usage.prompt_tokens == math.ceil(1.1 * count_tokens("What is this?")) + 4 + 30 + 22
    assert reply.choices[0].message.content.endswith("Echo: What is this? · Saw image/png 280x56.")


def test_a_model_that_cannot_read_images_is_400(groq, client):
    with pytest.raises(openai.BadRequestError, match="image input is not supported") as err:
        send(client, [part(png())], model=MODEL)
    assert err.value.status_code == 400 and groq.requests[-1].status == 400


def test_more_than_five_images_is_400(client):
    send(client, [part(png())] * 5)
    with pytest.raises(openai.BadRequestError, match="up to 5 images"):
        send(client, [part(png())] * 6)


def test_over_4_mb_of_base64_is_413_with_groq_s_body_and_limit_headers(groq, client):
    groq.limits = Limits.unlimited()
    noise = Image.effect_noise((1200, 1200), 100).convert("RGB")
    out = io.BytesIO()
    noise.save(out, "PNG")
    big = part(out.getvalue())
    size = len(big["image_url"]["url"])
    assert BASE64_LIMIT / 3 < size < BASE64_LIMIT  # one fits; three together do not

    send(client, [big])
    with pytest.raises(openai.APIStatusError) as err:
        send(client, [big] * 3)

    assert err.value.status_code == 413
    assert err.value.body == {"message": "Request Entity Too Large", "type": "invalid_request_error",
                              "code": "request_too_large"}
    assert "x-ratelimit-limit-tokens" in err.value.response.headers


def test_bytes_that_are_not_an_image_are_400(client):
    with pytest.raises(openai.BadRequestError, match="invalid image data"):
        send(client, [part(b"not a picture at all")])
    with pytest.raises(openai.BadRequestError, match="invalid image data"):
        send(client, [{"type": "image_url", "image_url": {"url": "data:image/png;base64,@@@"}}])


def test_an_image_over_33_megapixels_is_400(client):
    with pytest.raises(openai.BadRequestError, match="33 megapixels"):
        send(client, [part(png(7000, 5000))])


def test_images_only_on_user_messages_and_as_data_urls(client):
    with pytest.raises(openai.BadRequestError, match="only supported in user messages"):
        send(client, [part(png())], role="assistant")
    with pytest.raises(openai.BadRequestError, match="data URLs"):
        send(client, [{"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}])


def test_the_echo_cites_the_passages_it_was_given(client):
    passages = ('<passage source="report.pdf p. 42">The launch code is 7-4-1, said the captain.</passage>\n'
                '<passage source="notes.md">Second passage.</passage>')
    messages = [{"role": "user", "content": passages}, {"role": "user", "content": "What is the code?"}]

    reply = client.chat.completions.create(model=MODEL, messages=messages, max_tokens=300)

    assert reply.choices[0].message.content.endswith(
        "Echo: What is the code? [report.pdf p. 42] “The launch code is 7-4-1, said the captain.” "
        "[notes.md] “Second passage.”")
