"""What the assistant features cost per turn, against the fake Groq server on 127.0.0.1.

Run from the project root: `python -m bench.assistant_overhead [--repeat 30]`. Reports medians,
measured in one run, of:
- a 20-token answer through the simple engine with bnaGPT's StoppableGroq and with LlamaIndex's
  plain Groq LLM (the cost of recording usage and being stoppable), and the ratio;
- stopping a paced 1,000 tokens/s answer after 5 tokens: how long the fake server kept sending,
  and how many of its 2,000 tokens it sent;
- the model list: the first GET /models, then a cached call.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import statistics
import time

from llama_index.core.chat_engine import SimpleChatEngine
from llama_index.llms.groq import Groq

from controller.simple_chat import SimpleChatController
from models.assistant_settings import AssistantSettings
from settings import Settings
from tests.fake_groq import FakeGroq
from tests.fake_groq_limits import Limits
from utils.llm import ModelCatalog, build_simple_engine

TWENTY_TOKENS = " ".join(f"word{index}" for index in range(20))


def _settings(fake: FakeGroq) -> Settings:
    from pathlib import Path

    return Settings(
        groq_api_key=fake.api_key, groq_api_base=fake.base_url, groq_model="openai/gpt-oss-120b",
        conversations_dir=Path("/nonexistent"), request_timeout=10, max_retries=0,
        context_window=131072, max_answer_tokens=8192,
    )


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


def short_turns(fake: FakeGroq, settings: Settings, repeat: int) -> tuple[float, float]:
    """Median seconds for a 20-token answer: StoppableGroq engine, then the plain Groq LLM."""
    assistant = AssistantSettings(model=settings.groq_model)
    ours = build_simple_engine(settings, assistant)
    plain = SimpleChatEngine.from_defaults(llm=Groq(
        model=settings.groq_model, api_key=settings.groq_api_key, api_base=settings.groq_api_base,
        temperature=assistant.temperature, max_tokens=assistant.max_answer_tokens,
    ), system_prompt=assistant.instructions())
    timings: dict[str, list[float]] = {"ours": [], "plain": []}
    starts = [("ours", lambda: (text for text in ours.stream("hi", []) if isinstance(text, str))),
              ("plain", lambda: plain.stream_chat("hi", chat_history=[]).response_gen)]
    for turn in range(repeat):
        for label, start in starts[:: 1 if turn % 2 else -1]:  # alternate who goes first
            fake.reply_with(TWENTY_TOKENS, reasoning="")
            began = time.perf_counter()
            "".join(start())
            timings[label].append(time.perf_counter() - began)
    return statistics.median(timings["ours"]), statistics.median(timings["plain"])


def stops(fake: FakeGroq, settings: Settings, repeat: int) -> tuple[list[float], list[int]]:
    """Seconds the server kept sending after a stop, and tokens it sent in all, per run."""
    tokens = [f"t{index} " for index in range(2000)]
    after, sent = [], []
    for _ in range(repeat):
        controller = SimpleChatController(settings)
        fake.reply_with("".join(tokens), chunks=tokens, tokens_per_second=1000, reasoning="")
        stream = controller.stream_reply("go")
        for _ in range(5):
            next(stream)
        began = time.perf_counter()
        stream.close()
        record = fake.streams[-1]
        record.ended.wait(timeout=10)
        after.append(time.perf_counter() - began)
        sent.append(record.sent)
    return after, sent


def model_list(fake: FakeGroq) -> tuple[float, float]:
    """Seconds for the first (fetched) and a second (cached) model list."""
    catalog = ModelCatalog()
    began = time.perf_counter()
    catalog.chat_models(fake.base_url, fake.api_key, "openai/gpt-oss-120b")
    fetched = time.perf_counter() - began
    began = time.perf_counter()
    for _ in range(1000):
        catalog.chat_models(fake.base_url, fake.api_key, "openai/gpt-oss-120b")
    return fetched, (time.perf_counter() - began) / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    repeat = parser.parse_args().repeat
    with FakeGroq() as fake:
        fake.limits = Limits.unlimited()  # it sends more requests a minute than the free tier allows
        settings = _settings(fake)
        ours, plain = short_turns(fake, settings, repeat)
        after, sent = stops(fake, settings, max(5, repeat // 3))
        fetched, cached = model_list(fake)
    print(f"| measurement (median of {repeat} unless said) | value |")
    print("|---|---:|")
    print(f"| 20-token answer, StoppableGroq (ms) | {_median_ms([ours])} |")
    print(f"| 20-token answer, plain Groq LLM (ms) | {_median_ms([plain])} |")
    print(f"| ratio StoppableGroq / plain | {ours / plain:.2f} |")
    print(f"| stop → server stops sending (ms, median of {len(after)}) | {_median_ms(after)} |")
    print(f"| tokens sent of 2,000 when stopped after 5 (median, max) | {statistics.median(sent):.0f}, {max(sent)} |")
    print(f"| model list, first call (ms) | {_median_ms([fetched])} |")
    print(f"| model list, cached call (µs) | {cached * 1e6:.1f} |")


if __name__ == "__main__":
    main()
