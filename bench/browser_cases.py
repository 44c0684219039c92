"""B1–B6: what a person waits for in the browser, and what a browser session costs the server."""

from __future__ import annotations

import statistics
import time

from bench.browser import MEMORY, Bench, Session, TurnTiming, raw_connection, raw_turn, timed_turn
from bench.conversations import save_all
from bench.processes import cpu_used, rss_megabytes
from bench.report import Measurement, progress
from tests.e2e.streamlit_server import StreamlitServer

PAGES = (("simple", ""), ("memory", MEMORY))
FAST_TOKENS, FAST_RATE = 2000, 1000  # B3 and B4: a two-second answer
FAST_SECONDS = FAST_TOKENS / FAST_RATE
# B3's budget leaves 60 ms over two seconds, and on a 2-core machine one run differs from the next by
# ~10 ms: a median of three swung across the budget from one run of the bench to the next. B2's short
# turns and B5's loads (B14 compares them across stores within 10%) take as many.
FAST_RUNS = 9
SHORT_TOKENS = 20
# The conversations B4 and B5 load, saved before the server starts; the last saved is the newest, so
# it is near the top of the sidebar however many the sidebar shows. Each ends with its own marker.
LONG = {1000: ("Bench 1000 messages", "LASTofONEthousand"), 2000: ("Bench 2000 messages", "LASTofTWOthousand"),
        3000: ("Bench 3000 messages", "LASTofTHREEthousand")}


def seed_conversations(bench: Bench, sizes: list[int]) -> None:
    """Save the long conversations B4 and B5 load, the shortest (B4's) last so that it is the newest."""
    save_all(bench.conversations_dir, [(LONG[size][0], size, LONG[size][1]) for size in sorted(sizes, reverse=True)])


def warm_up(bench: Bench, server: StreamlitServer) -> None:
    """One turn on each page, so that no measurement pays for the process's first imports."""
    session = bench.session(server)
    session.chat.send("Warm up")
    session.chat.go_to(MEMORY).send("Warm up")
    session.close()


def _medians(parts: list[dict[str, float]], unit: str, digits: int) -> dict[str, float]:
    """The median of each named part over the runs, named with its unit, for a report's details."""
    names = parts[0] if parts else {}
    return {f"{name} ({unit}, median)": round(statistics.median(part[name] for part in parts), digits)
            for name in names}


def _turn_details(timings: list[TurnTiming]) -> dict[str, float]:
    return _medians([timing.breakdown() for timing in timings], "ms", 1)


def _cpu_details(used: list[dict[str, float]]) -> dict[str, float]:
    """CPU seconds per run of each process group (see bench.processes.cpu_split)."""
    return _medians([{f"CPU per run, {side}": seconds for side, seconds in run.items()} for run in used], "s", 2)


def cold_start(bench: Bench, repeat: int) -> list[Measurement]:
    """B1: `streamlit run` starts → the chat box is on the page; the browser opens once the server is healthy."""
    row = Measurement("B1", "Cold start: process start → chat input shown", "s", budget=3.0)
    parts = []
    for run in range(repeat):
        server = bench.server(f"cold-start-{run}")
        session = Session(bench.browser, server.url)  # ready before the clock starts
        try:
            began = time.time()
            with server:
                healthy = time.time()
                session.page.goto(server.url)
                marks = session.marks("chat_input")
                navigated = session.page.evaluate("performance.timeOrigin") / 1000
        finally:
            session.close()
        row.values.append(marks["chat_input"] - began)
        parts.append({"start→server healthy": healthy - began, "healthy→page navigation": navigated - healthy,
                      "navigation→chat input shown": marks["chat_input"] - navigated})
        progress(f"B1 run {run + 1}/{repeat}: {row.values[-1]:.2f} s")
    row.details = {**_medians(parts, "s", 3),
                   "note": "health polled every 0.1 s by StreamlitServer; the first script run imports LlamaIndex"}
    return [row]


def short_turns(bench: Bench, server: StreamlitServer, repeat: int) -> list[Measurement]:
    """B2: a 20-token answer in a warm session on each page, and the same request by a raw HTTP client."""
    rows, runs = [], max(repeat, FAST_RUNS)
    for label, page in PAGES:
        session = bench.session(server, page)
        first = timed_turn(session, bench.fake, SHORT_TOKENS)  # a session's first turn also builds its engine
        timings = []
        for run in range(runs):
            timings.append(timed_turn(session, bench.fake, SHORT_TOKENS))
            progress(f"B2 {label} run {run + 1}/{runs}: {timings[-1].total * 1000:.0f} ms")
        body = bench.fake.chat_requests()[-1]
        session.close()
        browser = Measurement(f"B2-{label}", f"Short turn, {label} page: Enter → 20-token answer shown", "s",
                              [t.total for t in timings], budget=0.20)
        browser.details = {"first turn of a fresh session (s)": round(first.total, 3), **_turn_details(timings)}
        connection = raw_connection(bench.fake)
        raw = [raw_turn(bench.fake, connection, body, SHORT_TOKENS) for _ in range(max(repeat, 10))]
        connection.close()
        raw_row = Measurement(f"B2-{label}-raw", f"The same request ({label} page) by a raw HTTP client", "s", raw)
        raw_row.details = {"note": "http.client on a kept-alive connection: send → last token read"}
        ratio = Measurement(f"B2-{label}-ratio", f"Short turn, {label} page ÷ raw HTTP client", "×",
                            [value / raw_row.median for value in browser.values])
        rows += [browser, raw_row, ratio]
    return rows


def _stream_rows(bench: Bench, server: StreamlitServer, repeat: int, row: Measurement, page: str,
                 load: str | None = None) -> Measurement:
    """Fill `row` with B3-style runs, each in a fresh session (after loading `load` when given)."""
    timings, used, prompts, reconnects = [], [], [], 0
    for run in range(repeat):
        session = bench.session(server, page)
        if load:
            session.chat.in_conversation(load, "Load")
        try:
            with cpu_used(server.process.pid) as cpu:
                timings.append(timed_turn(session, bench.fake, FAST_TOKENS, FAST_RATE))
        except Exception as error:
            raise RuntimeError(f"run {run + 1}: {error}; websockets opened {session.sockets_opened}, "
                               f"closed {session.sockets_closed}") from error
        used.append(cpu)
        prompts.append(next(r.prompt_tokens for r in reversed(bench.fake.requests) if r.prompt_tokens is not None))
        reconnects += session.sockets_opened - 1 + session.sockets_closed
        session.close()
        row.values.append(timings[-1].total / FAST_SECONDS)
        progress(f"{row.id} run {run + 1}/{repeat}: {timings[-1].total:.3f} s")
    row.details = {"Enter→last token shown (s, median)": round(statistics.median(t.total for t in timings), 3),
                   **_turn_details(timings), **_cpu_details(used), "websocket reconnects or closes": reconnects,
                   "prompt tokens at Groq (median)": statistics.median(prompts)}
    if reconnects:
        row.problems.append(f"{reconnects} websocket reconnect(s) or close(s) during the runs")
    return row


def fast_streams(bench: Bench, server: StreamlitServer, repeat: int) -> list[Measurement]:
    """B3: 2,000 tokens at 1,000 tokens/s in a fresh session on each page, as a ratio to 2.0 s."""
    return [_stream_rows(bench, server, max(repeat, FAST_RUNS), Measurement(
        f"B3-{label}", f"Fast stream, {label} page: Enter → last of 2,000 tokens at 1,000/s shown, ÷ 2.0 s", "×",
        budget=1.03), page) for label, page in PAGES]


def after_long_conversation(bench: Bench, server: StreamlitServer, repeat: int) -> list[Measurement]:
    """B4: B3 on the memory page right after loading a 1,000-message conversation; no websocket may drop."""
    name = LONG[1000][0]
    row = Measurement("B4", "Fast stream after loading 1,000 messages (memory page), ÷ 2.0 s", "×", budget=1.10)
    return [_stream_rows(bench, server, repeat, row, MEMORY, load=name)]


def loads(bench: Bench, server: StreamlitServer, repeat: int, sizes: list[int]) -> list[Measurement]:
    """B5: click Load on a long conversation in a fresh session → its last message is on the page."""
    rows, repeat = [], max(repeat, FAST_RUNS)
    for size in sizes:
        name, marker = LONG[size]
        row = Measurement(f"B5-{size}", f"Load {size:,} messages: click Load → last message shown", "s", budget=1.5)
        parts, used = [], []
        for run in range(repeat):
            session = bench.session(server, MEMORY)
            session.watch(marker)
            with cpu_used(server.process.pid) as cpu:
                session.chat.in_conversation(name, "Load")
                marks = session.marks("load", marker, f"frame:{marker}")
            used.append(cpu)
            session.close()
            row.values.append(marks[marker] - marks["load"])
            parts.append({"click→frame with the last message": marks[f"frame:{marker}"] - marks["load"],
                          "that frame→shown": marks[marker] - marks[f"frame:{marker}"]})
            progress(f"{row.id} run {run + 1}/{repeat}: {row.values[-1]:.3f} s")
        row.details = {**_medians(parts, "s", 3), **_cpu_details(used)}
        rows.append(row)
    return rows


def session_memory(bench: Bench, repeat: int, sessions: int = 10, turns: int = 5) -> list[Measurement]:
    """B6: the server's RSS growth per browser session, each kept open after `turns` turns."""
    row = Measurement("B6", f"Server RSS per browser session ({sessions} sessions × {turns} turns)", "MB",
                      budget=1.5)
    before_after = []
    for run in range(repeat):
        server = bench.server(f"session-memory-{run}")
        opened: list[Session] = []
        with server:
            try:
                for index in range(sessions + 1):  # the first is the warm-up session
                    if index == 1:
                        before = rss_megabytes(server.process.pid)
                    opened.append(bench.session(server, MEMORY))
                    for turn in range(turns):
                        message = f"Session {index}, turn {turn}: how are you?"
                        bench.fake.reply_with(f"Echo: {message}", reasoning="")  # no thinking, as before it existed
                        opened[-1].chat.send(message)
                after = rss_megabytes(server.process.pid)
            finally:
                for session in opened:
                    session.close()
        row.values.append((after - before) / sessions)
        before_after.append((before, after))
        progress(f"B6 run {run + 1}/{repeat}: {row.values[-1]:.2f} MB per session ({before:.0f} → {after:.0f} MB)")
    row.details = {
        "counted": f"VmRSS of the streamlit process after a warm-up session with {turns} turns, then after "
                   f"{sessions} more sessions with {turns} turns each, all kept open; (after − before) / {sessions}",
        "RSS before → after (MB, per run)": ", ".join(f"{b:.0f} → {a:.0f}" for b, a in before_after),
    }
    return [row]
