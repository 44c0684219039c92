"""Fixtures and helpers shared by the fake Groq server's own tests (tests/test_fake_groq*.py)."""

import openai
import pytest

from tests.fake_groq import FakeGroq

MODEL = "openai/gpt-oss-120b"
BUDGET = 1000  # an answer budget that fits the free tier's 8,000 tokens per minute


class FakeClock:
    """A monotonic clock that moves only when told, so rate-limit tests never sleep."""

    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def groq(clock):
    """A running FakeGroq on the test's clock, stopped after the test (which also wakes any hanging handler)."""
    with FakeGroq(clock=clock) as fake:
        yield fake


@pytest.fixture
def client(groq):
    """The real openai client pointed at the fake, without retries so failures surface at once."""
    with openai.OpenAI(base_url=groq.base_url, api_key=groq.api_key, max_retries=0) as c:
        yield c


def ask(client, content="hi", model=MODEL, **kwargs):
    """One chat completion of a single user message, with an answer budget unless one is given."""
    if "max_tokens" not in kwargs:
        kwargs.setdefault("max_completion_tokens", BUDGET)
    return client.chat.completions.create(model=model, messages=[{"role": "user", "content": content}], **kwargs)


def stream_parts(client, content="hi", **kwargs):
    """(reasoning, content) deltas of a streamed answer, in order, and the chunk list."""
    chunks = list(ask(client, content, stream=True, **kwargs))
    reasoning = [(c.choices[0].delta.model_extra or {}).get("reasoning") for c in chunks if c.choices]
    content = [c.choices[0].delta.content for c in chunks if c.choices]
    return [r for r in reasoning if r is not None], [t for t in content if t is not None], chunks
