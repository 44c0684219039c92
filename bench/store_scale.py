"""B7: how the conversation store's costs scale with the number of saved conversations (in-process).

Measures save (new and update), load, delete and list (cold: a fresh store instance, OS page cache
warm; warm: the instance's listing cache filled) at each size, and at the largest size the cost of
an autosave: saving a 100- and a 1,000-message conversation again with one more turn, passing
`expected_revision` as the app does after a turn. `python -m bench --only B7` reports it with its
budgets; run alone (`python -m bench.store_scale [--sizes 10,1000,10000] [--repeat 50]`) it prints
a Markdown table of median milliseconds.
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
from pathlib import Path
from typing import Callable

from bench.conversations import MODEL, conversation, words
from bench.report import Measurement, progress
from models.assistant_settings import AssistantSettings
from models.conversation_store import ConversationStore
from models.message import Message
from models.store_format import FORMAT_VERSION, encode_document, file_name_for, utc_now

SIZES = (10, 1000, 10000)
AUTOSAVE_MESSAGES = (100, 1000)
BUDGETED_SIZE, OPERATION_BUDGET_MS, LIST_BUDGET_MS = 10000, 10.0, 100.0  # budgets hold from 10,000 up
LIST_REPEAT = 5


def fill_directory(directory: Path, count: int) -> None:
    """Write `count` six-message conversations straight to disk, skipping fsync, to keep setup fast."""
    for index in range(count):
        name = f"existing {index}"
        now = utc_now()
        metadata = {"format": FORMAT_VERSION, "name": name, "created": now, "updated": now,
                    "revision": 1, "model": MODEL}
        messages = [Message("user" if turn % 2 == 0 else "assistant", words(index + turn)) for turn in range(6)]
        (directory / file_name_for(name)).write_bytes(encode_document(metadata, messages))


def timings_ms(operation: Callable[[int], object], repeat: int) -> list[float]:
    """The wall time of `operation(i)` for i in range(repeat), in milliseconds."""
    timings = []
    for index in range(repeat):
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


def measure(size: int, repeat: int, autosave_messages: tuple[int, ...] = ()) -> dict[str, list[float]]:
    """Milliseconds per store operation with `size` conversations already saved."""
    with tempfile.TemporaryDirectory(prefix="store-scale-") as temp:
        directory = Path(temp)
        fill_directory(directory, size)
        store = ConversationStore(directory)
        messages = conversation(6)
        existing = [f"existing {index * size // repeat}" for index in range(repeat)]
        results = {
            "save (new)": timings_ms(lambda i: store.save(f"new {i}", messages, model=MODEL), repeat),
            "save (update)": timings_ms(lambda i: store.save(existing[i], messages, replace=True), repeat),
            "load": timings_ms(lambda i: store.load(existing[i]), repeat),
            # Deleting the conversations saved above keeps the count at `size`.
            "delete": timings_ms(lambda i: store.delete(f"new {i}"), repeat),
            "list (cold)": timings_ms(lambda i: ConversationStore(directory).list(), LIST_REPEAT),
        }
        store.list()
        results["list (warm)"] = timings_ms(lambda i: store.list(), LIST_REPEAT)
        assert len(store.list().conversations) == size
        for count in autosave_messages:
            results[f"autosave ({count:,} messages)"] = autosave_ms(store, count, repeat)
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
            if operation.startswith("autosave"):
                budget = None  # reported beside a turn's time instead
            slug = re.sub(r"[^a-z0-9]+", "-", operation.replace(",", "").replace(" messages", "")).strip("-")
            row = Measurement(f"B7-{slug}@{size}", f"Store {operation} at {size:,} conversations", "ms", values,
                              budget=budget)
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
    print(f"Median ms; save/load/delete over {arguments.repeat} different names, list over {LIST_REPEAT} calls;"
          " cold = a fresh store instance (OS page cache warm).\n")
    print("| conversations | " + " | ".join(columns) + " |")
    print("|---:|" + "---:|" * len(columns))
    for size, results in rows.items():
        print(f"| {size:,} | " + " | ".join(f"{statistics.median(results[c]):.3f}" for c in columns) + " |")
    print(f"\nTotal run time {time.perf_counter() - started:.1f} s.", file=sys.stderr)


if __name__ == "__main__":
    main()
