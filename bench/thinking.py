"""B8: a gpt-oss answer's thinking in the browser: 1,000 reasoning tokens streamed into the "Thinking…"
box, then a 1,000-token answer, all at 1,000 tokens/s, in a fresh session on each page."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from bench.browser import Bench, Session, answer_tokens
from bench.report import Measurement, progress
from tests.e2e.page_reading import READ_THINKING
from tests.e2e.streamlit_server import StreamlitServer
from tests.fake_groq import CHAT_PATH, FakeGroq

REASONING_TOKENS, ANSWER_TOKENS, RATE = 1000, 1000, 1000  # two seconds, as B3
COLLAPSED = "Thought for"  # the box's label once the answer has begun


@dataclass
class ThinkingTiming:
    """One turn's stamps, as seconds; `parts` in milliseconds for a report's details."""

    first_chunk_to_shown: float  # the fake wrote the first reasoning chunk → it is on the page
    to_first_reasoning: float  # Enter → the first reasoning is on the page
    total: float  # Enter → the answer's last token is on the page
    server_stream: float  # the fake's response began → it wrote its last token
    label: str  # the Thinking box's label after the turn
    parts: dict[str, float]


def reasoning_text(tag: str) -> tuple[str, str, str]:
    """REASONING_TOKENS word tokens between two markers unique to `tag`: (text, first, last)."""
    first, last = f"THINK{tag}", f"THOUGHT{tag}"
    return " ".join([first, *(f"r{index}" for index in range(1, REASONING_TOKENS - 1)), last]), first, last


def thinking_turn(session: Session, fake: FakeGroq) -> ThinkingTiming:
    """Send a message whose answer thinks first, and time the thinking and the answer on the page."""
    chunks, first, last = answer_tokens(ANSWER_TOKENS)
    reasoning, think_first, think_last = reasoning_text(first[5:])
    fake.reply_with("".join(chunks), chunks=chunks, tokens_per_second=RATE, reasoning=reasoning)
    session.watch(think_first, think_last, first, last, COLLAPSED)
    requests_before = len(fake.requests)
    session.chat.send(f"Benchmark thinking turn {first[5:]}")
    marks = session.marks("enter", think_first, think_last, first, last, f"frame:{think_first}", f"frame:{last}")
    request = next(r for r in fake.requests[requests_before:] if r.method == "POST" and r.path.startswith(CHAT_PATH))
    stream = fake.streams[-1]
    enter, chunk_at = marks["enter"], stream.first_token_at
    steps = session.page.evaluate(READ_THINKING)
    label, shown = steps[-1] if steps else ("(no Thinking box)", "")
    label = label.splitlines()[-1]  # after the icon's ligature name
    if think_first not in shown or think_last not in shown:
        raise RuntimeError(f"the reasoning was not in the Thinking box: {steps!r:.200}")
    parts = {
        "Enter→request at Groq": request.received_at - enter,
        "Groq response began→first reasoning chunk written": chunk_at - stream.started_at,
        "first reasoning chunk→frame in page": marks[f"frame:{think_first}"] - chunk_at,
        "frame→first reasoning shown": marks[think_first] - marks[f"frame:{think_first}"],
        "Enter→last reasoning shown": marks[think_last] - enter,
        "Enter→first answer token shown": marks[first] - enter,
        "Groq sending": stream.last_token_at - stream.started_at,
        "Groq last token→last token shown": marks[last] - stream.last_token_at,
    }
    if COLLAPSED in marks:
        parts["first answer token shown→box collapsed"] = marks[COLLAPSED] - marks[first]
    return ThinkingTiming(
        first_chunk_to_shown=marks[think_first] - chunk_at, to_first_reasoning=marks[think_first] - enter,
        total=marks[last] - enter, server_stream=stream.last_token_at - stream.started_at, label=label,
        parts={name: round(seconds * 1000, 1) for name, seconds in parts.items()},
    )


def thinking_rows(bench: Bench, server: StreamlitServer, repeat: int, pages) -> list[Measurement]:
    """B8 on each page: first reasoning chunk → shown, Enter → shown, Enter → answer's end ÷ stream time."""
    rows = []
    for label, page in pages:
        shown = Measurement(f"B8-{label}", f"gpt-oss thinking shown, {label} page: first reasoning chunk sent "
                            "→ shown in the Thinking box", "s", budget=0.20)
        entered = Measurement(f"B8-{label}-enter", f"gpt-oss thinking, {label} page: Enter → first reasoning "
                              "shown", "s")
        whole = Measurement(f"B8-{label}-stream", f"gpt-oss thinking, {label} page: Enter → last of 1,000 answer "
                            f"tokens after {REASONING_TOKENS} reasoning tokens at 1,000/s shown, ÷ Groq's stream "
                            "time", "×", budget=1.05)
        timings = []
        for run in range(repeat):
            session = bench.session(server, page)
            try:
                timings.append(thinking_turn(session, bench.fake))
            finally:
                session.close()
            timing = timings[-1]
            shown.values.append(timing.first_chunk_to_shown)
            entered.values.append(timing.to_first_reasoning)
            whole.values.append(timing.total / timing.server_stream)
            progress(f"B8 {label} run {run + 1}/{repeat}: chunk→shown {timing.first_chunk_to_shown * 1000:.0f} ms, "
                     f"Enter→shown {timing.to_first_reasoning * 1000:.0f} ms, total {timing.total:.3f} s "
                     f"of {timing.server_stream:.3f} s streamed")
        medians = {f"{name} (ms, median)": round(statistics.median(t.parts[name] for t in timings), 1)
                   for name in timings[0].parts if all(name in t.parts for t in timings)}
        whole.details = {
            "Enter→last token shown (s, median)": round(statistics.median(t.total for t in timings), 3),
            "Groq's stream time (s, median)": round(statistics.median(t.server_stream for t in timings), 3),
            "nominal stream time (s)": (REASONING_TOKENS + ANSWER_TOKENS) / RATE, **medians,
            "Thinking box label after the turn": ", ".join(sorted({t.label for t in timings})),
        }
        shown.details = {"note": "the fake's first chunk after the role event (first_token_at) → the reasoning's "
                                 "first marker enters the DOM; details under B8-*-stream"}
        rows += [shown, entered, whole]
    return rows
