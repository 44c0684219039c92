"""B13: the PostgreSQL store's operations at 10,000 and 1,000,000 conversations, on a throwaway
server of its own (Debian's PostgreSQL, fsync and synchronous commits on, as a real one).

The conversations are put in with COPY (bench/postgres_seed.py: two messages each, and a word of
their own, "topic0000042", so that a search can find a few among a million), constraints and
indexes made after, everything vacuumed and analysed; then save (new), save
(update: other messages), autosave (one more turn, with the revision), load and delete each run
`repeat` times through PostgresStore, p50 judged and p99 reported; the first page of the list (50,
as the sidebar asks) and searches for one conversation's own word, for part of it, and for two words.
A word every conversation holds is measured without a budget (the sidebar's first 50 of a million
matches: PostgreSQL reads every match to order them). Run alone: `python -m bench.store_postgres
[--sizes 10000,1000000] [--repeat 100]` prints a Markdown table.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.conversations import MODEL, conversation
from bench.postgres_seed import fill, topic
from bench.report import Measurement
from models.store.postgres import Database, PostgresStore
from tests.postgres_server import start_server

SIZES = (10_000, 1_000_000)
OPERATION_BUDGET_MS, SEARCH_BUDGET_MS, BUDGETED_SIZE = 10.0, 100.0, 10_000
PAGE = 50  # what the sidebar asks for


@contextmanager
def server_with(count: int) -> Iterator[str]:
    """A throwaway durable server holding `count` conversations; the database's URL."""
    folder = Path(tempfile.mkdtemp(prefix="bnagpt-bench-pg-"))
    server = start_server(folder, durable=True)
    try:
        url = server.create_database("bench")
        Database(url, 30).migrate()
        fill(url, count, MODEL)
        yield url
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def timings_ms(operation: Callable[[int], object], repeat: int) -> list[float]:
    timings = []
    for index in range(repeat):
        started = time.perf_counter()
        operation(index)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def measure(url: str, size: int, repeat: int) -> dict[str, list[float]]:
    """Milliseconds per operation with `size` conversations in the database."""
    store = PostgresStore(Database(url, 30))
    store.list(limit=PAGE)  # the pool's first connection, and the migration check, are not timed
    messages, other = conversation(6), conversation(8)
    existing = [f"existing {index * size // repeat}" for index in range(repeat)]
    autosaved = store.save("autosaved", conversation(20), model=MODEL)
    transcript, revision = conversation(20), autosaved.revision

    def autosave(index: int) -> None:
        nonlocal revision
        transcript.extend(conversation(2))
        revision = store.save("autosaved", transcript, model=MODEL, expected_revision=revision).revision

    return {
        "save (new)": timings_ms(lambda i: store.save(f"new {i}", messages, model=MODEL), repeat),
        "save (update)": timings_ms(lambda i: store.save(existing[i], other, replace=True), repeat),
        "autosave (one more turn)": timings_ms(autosave, repeat),
        "load": timings_ms(lambda i: store.load(existing[i]), repeat),
        "delete": timings_ms(lambda i: store.delete(f"new {i}"), repeat),
        "list (first page)": timings_ms(lambda i: store.list(limit=PAGE), repeat),
        "search (its own word)": timings_ms(lambda i: store.list(topic(i * size // repeat), PAGE), repeat),
        "search (part of a word)": timings_ms(lambda i: store.list(topic(i * size // repeat)[6:], PAGE), repeat),
        "search (two words)": timings_ms(lambda i: store.list(f"fox {topic(i * size // repeat)}", PAGE), repeat),
        "search (a word in every one)": timings_ms(lambda i: store.list("fox", PAGE), max(3, repeat // 20)),
    }


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[98] if len(values) > 1 else values[0]


def measurements(repeat: int, sizes: tuple[int, ...] = SIZES) -> list[Measurement]:
    """B13's rows: each operation at each size, p50 judged from 10,000 up, p99 in the details."""
    rows = []
    for size in sizes:
        with server_with(size) as url:
            results = measure(url, size, repeat)
        for operation, values in results.items():
            budget = SEARCH_BUDGET_MS if operation.startswith("search") else OPERATION_BUDGET_MS
            if operation == "search (a word in every one)" or size < BUDGETED_SIZE:
                budget = None
            slug = "-".join("".join(c if c.isalnum() else " " for c in operation).split())
            rows.append(Measurement(f"B13-{slug}@{size}", f"PostgreSQL store {operation} at {size:,} conversations",
                                    "ms", values, budget=budget, details={"p99 ms": round(p99(values), 2)}))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="comma-separated conversation counts")
    parser.add_argument("--repeat", type=int, default=100, help="runs of each operation")
    arguments = parser.parse_args(argv)
    rows = measurements(arguments.repeat, tuple(int(size) for size in arguments.sizes.split(",")))
    print("| row | p50 ms | p99 ms | budget | verdict |\n|---|---:|---:|---:|---|")
    for row in rows:
        budget = "—" if row.budget is None else f"≤ {row.budget:g}"
        print(f"| {row.title} | {row.median:.2f} | {row.details['p99 ms']:.2f} | {budget} | {row.verdict} |")


if __name__ == "__main__":
    main()
