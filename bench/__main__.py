"""`python -m bench`: bnaGPT's benchmarks B1–B14, written to docs/BENCHMARKS.md and docs/benchmarks.json.

How to run it and what each measurement means: bench/README.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import streamlit

from bench import attachments, long_streams, postgres_app, store_postgres, store_scale, tool_overhead
from bench import browser_cases as cases
from bench.browser import Bench
from bench.report import Measurement, machine, markdown, merge, progress, write
from bench.thinking import thinking_rows
from bench.voice import voice_rows
from tests.e2e.streamlit_server import PROJECT_DIR

GROUPS = ("B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B9", "B10", "B11", "B12", "B13", "B14")
WITHOUT_A_BROWSER = {"B7", "B11", "B12", "B13"}  # no browser, no app server
ON_THE_APP_SERVER = {"B2", "B3", "B4", "B5", "B8", "B9"}  # share one warmed-up server


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (default 3)")
    parser.add_argument("--only", default=",".join(GROUPS), help="comma-separated groups, e.g. B3,B4")
    parser.add_argument("--quick", action="store_true",
                        help="smaller B5–B7 and B13 to check the harness; writes to artifacts/bench unless --output")
    parser.add_argument("--output", type=Path, help="folder for BENCHMARKS.md and benchmarks.json (default docs/)")
    arguments = parser.parse_args(argv)
    arguments.groups = [group.strip().upper() for group in arguments.only.split(",") if group.strip()]
    unknown = set(arguments.groups) - set(GROUPS)
    if unknown or arguments.repeat < 1:
        parser.error(f"unknown group(s) {', '.join(sorted(unknown))}" if unknown else "--repeat must be at least 1")
    if arguments.output is None:
        arguments.output = PROJECT_DIR / ("artifacts/bench" if arguments.quick else "docs")
    return arguments


def attempt(group: str, measure: Callable[[], list[Measurement]], log: Callable[[], str] = str) -> list[Measurement]:
    """The rows `measure` makes, or one error row for `group` when it fails (the run goes on)."""
    began = time.perf_counter()
    try:
        rows = measure()
        progress(f"{group} took {time.perf_counter() - began:.0f} s")
        return rows
    except Exception as error:  # noqa: BLE001 - one broken measurement must not lose the others
        traceback.print_exc()
        tail = log()
        if tail:
            progress(f"--- server log ---\n{tail}")
        message = f"{type(error).__name__}: {error}"[:400]
        return [Measurement(group, f"{group} could not be measured", "s", error=message)]


def browser_rows(arguments: argparse.Namespace, folder: Path, run: dict) -> list[Measurement]:
    """B1–B6 and B8–B10, with one Chromium and one fake Groq server."""
    groups, repeat, rows = set(arguments.groups), arguments.repeat, []
    load_sizes = [2000] if arguments.quick else [2000, 3000]
    with Bench(folder) as bench:
        run["chromium"] = bench.browser.version
        if "B1" in groups:
            rows += attempt("B1", lambda: cases.cold_start(bench, repeat))
        if groups & ON_THE_APP_SERVER:
            rows += attempt("B2–B5, B8", lambda: app_server_rows(bench, groups, repeat, load_sizes))
        if "B14" in groups:  # after B2–B5, to compare with them
            if not groups & ON_THE_APP_SERVER:
                cases.seed_conversations(bench, [1000, *load_sizes])
            rows += attempt("B14", lambda: postgres_app.rows(bench, repeat, load_sizes, list(rows)))
        if "B6" in groups:
            sessions, turns = (3, 2) if arguments.quick else (10, 5)
            rows += attempt("B6", lambda: cases.session_memory(bench, repeat, sessions, turns))
        if "B10" in groups:
            rows += attempt("B10", lambda: long_streams.rows(bench, repeat))
    return rows


def app_server_rows(bench: Bench, groups: set[str], repeat: int, load_sizes: list[int]) -> list[Measurement]:
    """B2–B5 and B8 on one app server, warmed up by a turn on each page, with the long conversations saved."""
    cases.seed_conversations(bench, [1000, *load_sizes])
    rows = []
    with bench.server("app") as server:
        cases.warm_up(bench, server)
        plan = {"B2": lambda: cases.short_turns(bench, server, repeat),
                "B3": lambda: cases.fast_streams(bench, server, repeat),
                "B4": lambda: cases.after_long_conversation(bench, server, repeat),
                "B5": lambda: cases.loads(bench, server, repeat, load_sizes),
                "B8": lambda: thinking_rows(bench, server, repeat, cases.PAGES),
                "B9": lambda: voice_rows(bench, server, repeat)}
        for group, measure in plan.items():
            if group in groups:
                rows += attempt(group, measure, server.log_tail)
    return rows


def beside_a_turn(rows: list[Measurement]) -> None:
    """Put each autosave's cost next to a short turn on the memory page (where autosaves happen)."""
    turn = next((row for row in rows if row.id == "B2-memory" and row.values), None)
    for row in rows:
        if row.id.startswith("B7-autosave") and row.values and turn is not None:
            turn_ms = turn.median * 1000
            row.details["beside a turn"] = (f"{row.median / turn_ms:.1%} of a short turn on the memory page "
                                            f"(B2-memory median {turn_ms:.0f} ms)")


def main(argv: list[str] | None = None) -> None:
    """Run the chosen groups, print the table and write the report files."""
    arguments = parse(argv)
    began = time.perf_counter()
    run = {"date": datetime.now(UTC).isoformat(timespec="seconds"),
           "command": "python -m bench" + (" " + " ".join(argv if argv is not None else sys.argv[1:])).rstrip(),
           "machine": machine(), "streamlit": streamlit.__version__}
    rows: list[Measurement] = []
    with tempfile.TemporaryDirectory(prefix="bnagpt-bench-") as temp:
        if set(arguments.groups) - WITHOUT_A_BROWSER:
            rows += attempt("B1–B6, B8–B10", lambda: browser_rows(arguments, Path(temp), run))
    if "B7" in arguments.groups:
        sizes = (10, 1000) if arguments.quick else store_scale.SIZES
        rows += attempt("B7", lambda: store_scale.measurements(max(arguments.repeat, 20), sizes))
    if "B11" in arguments.groups:
        rows += attempt("B11", lambda: attachments.rows(max(arguments.repeat, 5)))
    if "B12" in arguments.groups:  # 30 runs at least: one tool turn's overhead is a few ms in tens
        rows += attempt("B12", lambda: tool_overhead.rows(max(arguments.repeat, 30)))
    if "B13" in arguments.groups:
        sizes = (10_000,) if arguments.quick else store_postgres.SIZES
        rows += attempt("B13", lambda: store_postgres.measurements(max(arguments.repeat, 100), sizes))
    run["seconds"] = round(time.perf_counter() - began, 1)
    if set(arguments.groups) != set(GROUPS) and not arguments.quick:
        rows = merge(arguments.output / "benchmarks.json", rows)
    beside_a_turn(rows)
    json_path, markdown_path = write(arguments.output, rows, run)
    print(markdown(rows, run))
    failed = [row.id for row in rows if row.verdict in ("fail", "error")]
    progress(f"Wrote {markdown_path} and {json_path} in {run['seconds']:.0f} s; "
             f"{len(rows) - len(failed)} of {len(rows)} rows pass or are unjudged"
             + (f"; over budget or broken: {', '.join(failed)}" if failed else ""))


if __name__ == "__main__":
    main()
