"""B10: long answers streamed in blocks (issue 20): 32,000 tokens at 2,000 tokens/s, and 4,000 tokens of
thinking then a 2,000-token answer, in a fresh session on the simple page. Besides Enter → last token,
what the browser pays: websocket bytes (CDP Network.webSocketFrameReceived), main-thread CPU (CDP
Performance.getMetrics TaskDuration, the main thread's task time, which includes the time a busy machine
takes the thread away mid-task; ThreadTime, its CPU time, beside it) and long tasks (a PerformanceObserver
in the page)."""

from __future__ import annotations

import base64
import secrets
import statistics
from dataclasses import dataclass

from bench.browser import Bench, Session
from bench.main_thread import main_thread_seconds
from bench.processes import cpu_split
from bench.report import Measurement, progress
from tests.e2e.streamlit_server import StreamlitServer

RATE = 2000
LONG_TOKENS = 32_000
REASONING_TOKENS, ANSWER_TOKENS = 4000, 2000
PARAGRAPH_TOKENS = 60  # an answer in paragraphs, as a model writes one; each token is one word
WORDS = ("the ", "answer ", "streams ", "in ", "blocks ", "and ", "each ", "word ", "crosses ", "once ")
# Groq's largest completion limit, so that 32,000 tokens are not cut at the default Max answer tokens.
MAX_ANSWER_TOKENS = "65536"
LONG_TASKS = """() => {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const task of list.getEntries())
      window.__longTasks.push([(performance.timeOrigin + task.startTime) / 1000, task.duration]);
  }).observe({type: 'longtask'});
}"""


def paragraphs(tokens: int, tag: str) -> tuple[list[str], str, str]:
    """`tokens` one-word tokens in paragraphs, starting and ending with markers unique to `tag`."""
    first, last = f"BEGIN{tag}", f"END{tag}"
    words = [f"{first} "]
    for index in range(1, tokens - 1):
        words.append(WORDS[index % len(WORDS)].rstrip() + ("\n\n" if index % PARAGRAPH_TOKENS == 0 else " "))
    return [*words, last], first, last


@dataclass
class Costs:
    """One long turn: seconds and what the browser paid."""

    total: float  # Enter → last token shown
    server: float  # the fake's response began → its last token written
    answer_bytes: int  # the answer's (and thinking's) UTF-8 bytes
    bytes_streamed: int  # websocket bytes received, Enter → the frame with the last token
    bytes_turn: int  # ... Enter → the run after the answer is over (the transcript drawn again)
    cpu_streamed: float  # renderer main-thread task seconds, Enter → last token shown
    cpu_turn: float  # ... Enter → the run after the answer is over
    thread_streamed: float  # the renderer main thread's CPU seconds (ThreadTime), Enter → last token shown
    longest_task_streamed: float  # ms, longest task starting between Enter and the last token shown
    longest_task_turn: float  # ms, longest task of the whole turn
    chromium_cpu: float  # CPU seconds of all Chromium's processes (raster and compositor too), Enter → last token


def long_turn(session: Session, bench: Bench, server_pid: int, tokens: int, reasoning_tokens: int = 0) -> Costs:
    """Send a message answered by `tokens` tokens (after `reasoning_tokens` of thinking) at RATE; measure."""
    tag = secrets.token_hex(4)
    chunks, first, last = paragraphs(tokens, tag)
    reasoning = "".join(paragraphs(reasoning_tokens, "T" + tag)[0]) if reasoning_tokens else ""
    bench.fake.reply_with("".join(chunks), chunks=chunks, tokens_per_second=RATE, reasoning=reasoning)
    page, frames = session.page, []
    cdp = session.context.new_cdp_session(page)
    cdp.on("Network.webSocketFrameReceived", lambda event: frames.append(event))
    cdp.send("Network.enable")
    cdp.send("Performance.enable")
    page.evaluate(LONG_TASKS)
    session.watch(first, last)
    with session.chat.rerun():
        session.chat.chat_box.fill(f"Long turn {tag}")
        (before, thread_before), processes = main_thread_seconds(cdp), cpu_split(server_pid)["chromium"]
        session.chat.chat_box.press("Enter")
        marks = session.marks("enter", last)
        (streamed, thread), processes = main_thread_seconds(cdp), cpu_split(server_pid)["chromium"] - processes
    turn, _ = main_thread_seconds(cdp)
    cdp.detach()
    stream, enter, shown = bench.fake.streams[-1], marks["enter"], marks[last]
    sizes = [(_frame_bytes(event), last.encode() in _payload(event)) for event in frames]
    last_frame = next((index for index, (_, has_last) in enumerate(sizes) if has_last), len(sizes) - 1)
    tasks = page.evaluate("window.__longTasks")
    return Costs(
        total=shown - enter, server=stream.last_token_at - stream.started_at,
        answer_bytes=len("".join(chunks).encode()) + len(reasoning.encode()),
        bytes_streamed=sum(size for size, _ in sizes[:last_frame + 1]), bytes_turn=sum(size for size, _ in sizes),
        cpu_streamed=streamed - before, cpu_turn=turn - before, thread_streamed=thread - thread_before,
        longest_task_streamed=max((ms for began, ms in tasks if enter <= began <= shown), default=0.0),
        longest_task_turn=max((ms for began, ms in tasks if began >= enter), default=0.0), chromium_cpu=processes,
    )


def _payload(event: dict) -> bytes:
    response = event["response"]
    data = response["payloadData"]
    return base64.b64decode(data) if response.get("opcode") == 2 else data.encode()


def _frame_bytes(event: dict) -> int:
    return len(_payload(event))


def rows(bench: Bench, repeat: int) -> list[Measurement]:
    """B10 on its own server (Max answer tokens at Groq's largest), each turn in a fresh session."""
    server = bench.server("long-streams")
    server.app_env["GROQ_MAX_ANSWER_TOKENS"] = MAX_ANSWER_TOKENS
    with server:
        warm = bench.session(server)
        warm.chat.send("Warm up")
        warm.close()
        return [*_case_rows(bench, server, repeat, "B10", f"{LONG_TOKENS:,} tokens at {RATE:,}/s", LONG_TOKENS),
                *_case_rows(bench, server, repeat, "B10-thinking",
                            f"{REASONING_TOKENS:,} thinking then {ANSWER_TOKENS:,} answer tokens at {RATE:,}/s",
                            ANSWER_TOKENS, REASONING_TOKENS)]


def _case_rows(bench: Bench, server: StreamlitServer, repeat: int, prefix: str, what: str, tokens: int,
               reasoning_tokens: int = 0) -> list[Measurement]:
    runs: list[Costs] = []
    for run in range(repeat):
        session = bench.session(server)
        try:
            runs.append(long_turn(session, bench, server.process.pid, tokens, reasoning_tokens))
        finally:
            session.close()
        costs = runs[-1]
        progress(f"{prefix} run {run + 1}/{repeat}: {costs.total:.2f} s of {costs.server:.2f} s, "
                 f"{costs.bytes_turn / costs.answer_bytes:.2f}× bytes, CPU {costs.cpu_streamed:.2f} s "
                 f"(thread {costs.thread_streamed:.2f} s), "
                 f"longest task {costs.longest_task_streamed:.0f} ms")
    ratio = Measurement(f"{prefix}-ratio", f"{what}: Enter → last token shown ÷ Groq's stream time", "×",
                        [c.total / c.server for c in runs], budget=1.03)
    sent = Measurement(f"{prefix}-bytes", f"{what}: websocket bytes received, Enter → run over, ÷ answer size",
                       "×", [c.bytes_turn / c.answer_bytes for c in runs], budget=3.0)
    cpu = Measurement(f"{prefix}-cpu", f"{what}: browser main-thread CPU, Enter → last token, ÷ stream time",
                      "×", [c.cpu_streamed / c.server for c in runs], budget=0.25)
    longest = Measurement(f"{prefix}-longtask", f"{what}: longest browser task, Enter → last token shown", "ms",
                          [c.longest_task_streamed for c in runs], budget=100.0)

    def median(values) -> float:
        return round(statistics.median(values), 3)

    ratio.details = {"Enter→last token shown (s, median)": median(c.total for c in runs),
                     "Groq's stream time (s, median)": median(c.server for c in runs)}
    sent.details = {"answer size (bytes)": runs[0].answer_bytes,
                    "received until the frame with the last token (×, median)":
                        median(c.bytes_streamed / c.answer_bytes for c in runs),
                    "counted": "CDP Network.webSocketFrameReceived payloads, decoded"}
    cpu.details = {"CPU Enter→last token (s, median)": median(c.cpu_streamed for c in runs),
                   "CPU Enter→run over (s, median)": median(c.cpu_turn for c in runs),
                   "the main thread's CPU time (ThreadTime), Enter→last token, ÷ stream time (×, median)":
                       median(c.thread_streamed / c.server for c in runs),
                   "CPU time of all Chromium processes, Enter→last token (s, median)":
                       median(c.chromium_cpu for c in runs),
                   "counted": "CDP Performance.getMetrics TaskDuration (the renderer's main thread) from the key "
                              "press, the message typed and the page drawn before"}
    longest.details = {"longest task of the whole turn, the transcript drawn again included (ms, median)":
                       median(c.longest_task_turn for c in runs),
                       "counted": "PerformanceObserver 'longtask' entries (over 50 ms) starting in the window"}
    return [ratio, sent, cpu, longest]
