"""B7: how the conversation store's costs scale with the number of saved conversations (in-process).

Measures at each size save (new and update), load, delete, and list() in the situations of
LIST_SITUATIONS (OS page cache warm in all of them). "list (first, no index)" is a fresh store
instance on a directory with no listing index: it reads every file's header, once per directory,
which the app does in a background thread at server start, so that row has no budget. "list (cold)"
is a fresh instance (a newly started server) after another instance listed the directory, so the
index on disk matches it; "list (cold, stale index)" the same after three autosaves since then,
which must stat every file again on top of reading the index: over 100 ms at 10,000 here, reported
without a budget (a server does it once, in the background at start, like the first listing).
At the largest size it also measures an autosave: saving a 100- and a 1,000-message conversation
again with one more turn, passing `expected_revision` as the app does after a turn.
`python -m bench --only B7` reports it with its budgets; run alone (`python -m bench.store_scale
[--sizes 10,1000,10000] [--repeat 50]`) it prints a Markdown table of median milliseconds.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bench.conversations import MODEL, conversation, words
from bench.report import Measurement, progress
from models.assistant_settings import AssistantSettings
from models.message import Message
from models.store import (
    INDEX_DIR_NAME,
    LISTING_FILE_NAME,
    SETTLED_NS,
    Conversation,
    ConversationStore,
    ConversationSummary,
    file_name_for,
    to_json,
)

SIZES = (10, 1000, 10000)
AUTOSAVE_MESSAGES = (100, 1000)
BUDGETED_SIZE, OPERATION_BUDGET_MS, LIST_BUDGET_MS = 10000, 10.0, 100.0  # budgets hold from 10,000 up
LIST_REPEAT = 5
LIST_SITUATIONS = {
    "list (first, no index)": "a fresh instance, no listing index on disk: reads every file's header (once per "
                              "directory, in the background at server start: no budget)",
    "list (cold)": "a fresh instance (a restarted server), the listing index on disk up to date",
    "list (cold, stale index)": "a fresh instance after three autosaves since the index was written: stats every "
                                "file and reads the three (no budget: over 100 ms at 10,000; once, at server start)",
    "list (after a save)": "the instance that just saved: stats every file, reads none",
    "list (warm)": "the instance that listed last, nothing changed since",
}
# Autosaves are reported beside a turn's time instead; the two lists, see the docstring.
UNBUDGETED = ("list (first, no index)", "list (cold, stale index)", "autosave")


def fill_directory(directory: Path, count: int) -> None:
    """Write `count` six-message conversations straight to disk, skipping fsync, to keep setup fast."""
    for index in range(count):
        name = f"existing {index}"
        now = datetime.now(UTC).isoformat(timespec="microseconds")
        messages = [Message("user" if turn % 2 == 0 else "assistant", words(index + turn)) for turn in range(6)]
        summary = ConversationSummary(name, now, now, 1, len(messages), MODEL)
        (directory / file_name_for(name)).write_bytes(to_json(Conversation(summary, messages)))


def timings_ms(
    operation: Callable[[int], object], repeat: int, before: Callable[[int], object] = lambda i: None,
) -> list[float]:
    """The wall time of `operation(i)` for i in range(repeat), in milliseconds (after an untimed `before(i)`)."""
    timings = []
    for index in range(repeat):
        before(index)
        started = time.perf_counter()
        operation(index)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def autosave_ms(store: ConversationStore, messages: int, repeat: int) -> list[float]:
    """Milliseconds per autosave of a `messages`-message conversation that grows by one turn each time."""
    name, assistant = f"autosaved {messages}", AssistantSettings(model=MODEL).to_dict()
    transcript = conversation(messages)
    revision = store.save(name, transcript, model=MODEL, assistant=assistant).revision

    def autosave(turn: int) -> None:
        nonlocal revision
        transcript.extend(conversation(2))
        revision = store.save(name, transcript, model=MODEL, assistant=assistant, expected_revision=revision).revision

    timings = timings_ms(autosave, repeat)
    store.delete(name)
    return timings


def fresh_list_ms(directory: Path, before: Callable[[], object]) -> list[float]:
    """Milliseconds per list() of a fresh store instance (a newly started server), each after `before()`."""
    timings = []
    for _ in range(LIST_REPEAT):
        before()
        started = time.perf_counter()
        store = ConversationStore(directory)
        store.list()
        timings.append((time.perf_counter() - started) * 1000)
        store.wait_for_index()  # it writes the index in the background: not part of list(), nor of the next one
    return timings


def quiet_listing(store: ConversationStore) -> None:
    """List once the directory has been quiet for a moment, so that the scan is trusted and indexed."""
    time.sleep(2 * SETTLED_NS / 1e9)  # a scan within 20 ms of a change is not trusted (docs/STORE.md)
    store.list()
    store.wait_for_index()


def measure(size: int, repeat: int, autosave_messages: tuple[int, ...] = ()) -> dict[str, list[float]]:
    """Milliseconds per store operation with `size` conversations already saved."""
    with tempfile.TemporaryDirectory(prefix="store-scale-") as temp:
        directory = Path(temp)
        fill_directory(directory, size)
        index_file = directory / INDEX_DIR_NAME / LISTING_FILE_NAME
        results = {"list (first, no index)": fresh_list_ms(directory, lambda: index_file.unlink(missing_ok=True))}
        store = ConversationStore(directory)
        messages = conversation(6)
        existing = [f"existing {index * size // repeat}" for index in range(repeat)]
        autosaved = iter(existing * 10)

        def autosave(count: int) -> None:
            for _ in range(count):
                store.save(next(autosaved), messages, replace=True)
            store.wait_for_index()

        results.update({
            "save (new)": timings_ms(lambda i: store.save(f"new {i}", messages, model=MODEL), repeat),
            "save (update)": timings_ms(lambda i: store.save(existing[i], messages, replace=True), repeat),
            "load": timings_ms(lambda i: store.load(existing[i]), repeat),
            # Deleting the conversations saved above keeps the count at `size`.
            "delete": timings_ms(lambda i: store.delete(f"new {i}"), repeat),
        })
        quiet_listing(ConversationStore(directory))  # the last listing of a server that then stopped
        results["list (cold)"] = fresh_list_ms(directory, lambda: None)
        results["list (cold, stale index)"] = fresh_list_ms(directory, lambda: autosave(3))
        store.list()
        results["list (after a save)"] = timings_ms(lambda i: store.list(), LIST_REPEAT, before=lambda i: autosave(1))
        quiet_listing(store)
        results["list (warm)"] = timings_ms(lambda i: store.list(), LIST_REPEAT)
        assert len(store.list().conversations) == size
        for count in autosave_messages:
            results[f"autosave ({count:,} messages)"] = autosave_ms(store, count, repeat)
        store.wait_for_index()
        return results


def measurements(repeat: int, sizes: tuple[int, ...] = SIZES) -> list[Measurement]:
    """B7's rows: each operation at each size (budgets from 10,000 up), the autosaves at the largest."""
    rows = []
    for size in sizes:
        progress(f"B7: {size:,} conversations")
        largest = size == max(sizes)
        results = measure(size, repeat, AUTOSAVE_MESSAGES if largest else ())
        judged = size >= BUDGETED_SIZE
        for operation, values in results.items():
            budget = (LIST_BUDGET_MS if operation.startswith("list") else OPERATION_BUDGET_MS) if judged else None
            if operation.startswith(UNBUDGETED):
                budget = None
            slug = re.sub(r"[^a-z0-9]+", "-", operation.replace(",", "").replace(" messages", "")).strip("-")
            details = {"what": LIST_SITUATIONS[operation]} if operation in LIST_SITUATIONS else {}
            row = Measurement(f"B7-{slug}@{size}", f"Store {operation} at {size:,} conversations", "ms", values,
                              budget=budget, details=details)
            rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> None:
    """Measure each size and print the table with a line describing the machine."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="comma-separated conversation counts")
    parser.add_argument("--repeat", type=int, default=50, help="repetitions for save, load and delete")
    arguments = parser.parse_args(argv)
    sizes = [int(size) for size in arguments.sizes.split(",")]

    started = time.perf_counter()
    rows = {size: measure(size, arguments.repeat) for size in sizes}
    columns = list(next(iter(rows.values())))
    print(f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
          f" ({platform.python_implementation()}); temp dir {tempfile.gettempdir()}")
    print(f"Median ms; save/load/delete over {arguments.repeat} different names, list over {LIST_REPEAT} calls"
          " (OS page cache warm).\n")
    print("| conversations | " + " | ".join(columns) + " |")
    print("|---:|" + "---:|" * len(columns))
    for size, results in rows.items():
        print(f"| {size:,} | " + " | ".join(f"{statistics.median(results[c]):.3f}" for c in columns) + " |")
    print("\n" + "\n".join(f"- {operation}: {what}" for operation, what in LIST_SITUATIONS.items()))
    print(f"\nTotal run time {time.perf_counter() - started:.1f} s.", file=sys.stderr)


if __name__ == "__main__":
    main()
