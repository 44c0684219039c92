"""What a streamed answer costs the server and the browser: batches that grow with the answer,
chunks parsed by pydantic's compiled validator, and a heap the full collections leave alone."""

from __future__ import annotations

import gc
import subprocess
import sys

from openai._models import construct_type
from openai.types.chat import ChatCompletionChunk

from controller.chat import LONGEST_BATCH_SECONDS, Reasoning, batch_seconds, in_batches
from models.assistant_settings import AssistantSettings
from tests.app_driver import PROJECT_DIR
from tests.conftest import ask, sent_messages
from utils.llm import token_counter, warm_up
from utils.llm.groq_llm import build_llm

CHUNK = {
    "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1700000000, "model": "openai/gpt-oss-120b",
    "system_fingerprint": "fp_1", "x_groq": {"id": "req_1", "usage": {"prompt_tokens": 3, "completion_tokens": 2}},
    "choices": [
        {"index": 0, "delta": {"role": "assistant", "content": "Hello"}, "logprobs": None, "finish_reason": None},
    ],
}


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def paced(deltas, clock: Clock, step: float):
    for delta in deltas:
        clock.now += step
        yield delta


def test_batches_grow_with_the_answer_up_to_a_limit_and_lose_nothing():
    clock = Clock()
    deltas = ["x" * 9 + " "] * 3000  # 30,000 characters, one delta every 5 ms
    handed_on, gaps, last = 0, [], None
    for batch in in_batches(paced(deltas, clock, 0.005), 0.04, clock):
        if last is not None:
            gaps.append((handed_on, round(clock.now - last, 3)))
        handed_on += len(batch)
        last = clock.now
    assert handed_on == 30000
    gaps = gaps[:-1]  # the last batch is whatever was left when the answer ended
    assert gaps[0] == (10, 0.04)  # a short answer: 40 ms batches
    assert all(gap <= LONGEST_BATCH_SECONDS + 0.005 for _, gap in gaps)
    assert {gap for length, gap in gaps if length > 20000} == {LONGEST_BATCH_SECONDS}
    middle = [gap for length, gap in gaps if 2000 <= length <= 4000]
    assert middle and all(0.1 <= gap <= 0.205 for gap in middle)  # 50 µs a character
    assert all(gap >= LONGEST_BATCH_SECONDS for length, gap in gaps if length >= 6000)  # from 6,000 characters


def test_no_batching_hands_on_every_delta():
    assert batch_seconds(50000, 0) == 0
    clock = Clock()
    assert list(in_batches(paced(["a"] * 5000, clock, 0.001), 0, clock)) == ["a"] * 5000


def test_streamed_chunks_are_validated_and_equal_what_the_sdk_builds(settings):
    client = build_llm(settings, AssistantSettings(model=settings.groq_model), token_counter())._get_client()
    chunk = client._process_response_data(data=CHUNK, cast_to=ChatCompletionChunk, response=None)
    assert chunk == construct_type(type_=ChatCompletionChunk, value=CHUNK)
    assert chunk.model_extra["x_groq"]["usage"] == {"prompt_tokens": 3, "completion_tokens": 2}
    # Validation, not construction: the SDK's construct_type would keep the text as text.
    assert client._process_response_data(data={**CHUNK, "created": "1700000000"}, cast_to=ChatCompletionChunk,
                                         response=None).created == 1700000000


def test_a_chunk_the_validator_refuses_is_built_the_sdks_way(settings):
    client = build_llm(settings, AssistantSettings(model=settings.groq_model), token_counter())._get_client()
    odd = {**CHUNK, "choices": [{"index": 0, "delta": {"content": "Hi"}, "finish_reason": "a reason Groq adds later"}]}
    chunk = client._process_response_data(data=odd, cast_to=ChatCompletionChunk, response=None)
    assert chunk.choices[0].delta.content == "Hi" and chunk.choices[0].finish_reason == "a reason Groq adds later"


def test_warm_up_takes_what_is_loaded_out_of_full_collections():
    warm_up()
    assert gc.get_freeze_count() > 50000  # LlamaIndex, pydantic and the tokenizer, at least


def test_warm_up_leaves_nothing_for_the_first_answer_to_import():
    # What the first answer would otherwise import: the SDK's resources (~0.5 s) and httpx's transport.
    code = (
        "import sys, utils.llm; utils.llm.warm_up();"
        " print(sorted(m for m in ('openai.resources', 'httpcore', 'h11') if m not in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_DIR, capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_no_token_makes_an_event_that_carries_the_whole_history(memory_chat, fake_groq):
    # LlamaIndex's callback wrapper made one per token, re-validating every message of the history.
    from llama_index.core.instrumentation import get_dispatcher
    from llama_index.core.instrumentation.event_handlers import BaseEventHandler

    class Recorder(BaseEventHandler):
        events: list = []

        def handle(self, event, **kwargs) -> None:
            self.events.append(type(event).__name__)

    for turn in range(3):
        fake_groq.reply_with(f"answer {turn}")
        ask(memory_chat, f"question {turn}")
    recorder = Recorder()
    dispatcher = get_dispatcher()
    dispatcher.add_event_handler(recorder)
    try:
        words = [f"w{index} " for index in range(50)]
        fake_groq.reply_with("".join(words), chunks=words)
        assert ask(memory_chat, "one more") == "".join(words)
    finally:
        dispatcher.event_handlers.remove(recorder)
    assert "LLMChatInProgressEvent" not in recorder.events
    assert len(sent_messages(fake_groq.chat_requests()[-1])) == 7  # the three turns before, and the question
    assert memory_chat.messages[-1].details.completion_tokens == fake_groq.requests[-1].completion_tokens  # usage read


def test_the_answer_after_the_thinking_keeps_its_pace():
    # The browser's cost of a batch does not depend on whose text it is: the answer's first piece goes
    # at once, the next after the interval the thinking had grown to.
    clock = Clock()
    events = [Reasoning("x" * 9 + " ")] * 2000 + ["y" * 9 + " "] * 100  # 20,000 characters thought first
    times = []
    for batch in in_batches(paced(events, clock, 0.005), 0.04, clock):
        if isinstance(batch, str):
            times.append(clock.now)
    assert len(times) >= 2
    assert times[1] - times[0] >= LONGEST_BATCH_SECONDS
