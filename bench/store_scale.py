"""How the conversation store's costs scale with the number of saved conversations.

Run from the project root: `python -m bench.store_scale [--sizes 10,1000,10000] [--repeat 50]`.
Prints a Markdown table of median milliseconds per operation. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from models.conversation_store import ConversationStore
from models.message import Message
from models.store_format import FORMAT_VERSION, encode_document, file_name_for, utc_now

WORDS = "the quick brown fox jumps over a lazy dog while seven wizards quietly judge boxing".split()
LIST_REPEAT = 5


def sample_messages(seed: int) -> list[Message]:
    """Six messages of about thirty words each, different for each seed."""
    def text(turn: int) -> str:
        return " ".join(WORDS[(seed + turn + word) % len(WORDS)] for word in range(30))

    return [Message("user" if turn % 2 == 0 else "assistant", text(turn)) for turn in range(6)]


def fill_directory(directory: Path, count: int) -> None:
    """Write `count` conversations straight to disk, skipping fsync, to keep setup fast."""
    for index in range(count):
        name = f"existing {index}"
        now = utc_now()
        metadata = {"format": FORMAT_VERSION, "name": name, "created": now, "updated": now,
                    "revision": 1, "model": "llama-3.1-8b-instant"}
        (directory / file_name_for(name)).write_bytes(encode_document(metadata, sample_messages(index)))


def median_ms(operation: Callable[[int], object], repeat: int) -> float:
    """The median wall time of `operation(i)` for i in range(repeat), in milliseconds."""
    timings = []
    for index in range(repeat):
        started = time.perf_counter()
        operation(index)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def measure(size: int, repeat: int) -> dict[str, float]:
    """Median cost of each store operation with `size` conversations already saved."""
    with tempfile.TemporaryDirectory(prefix="store-scale-") as temp:
        directory = Path(temp)
        fill_directory(directory, size)
        store = ConversationStore(directory)
        messages = sample_messages(size)
        existing = [f"existing {index * size // repeat}" for index in range(repeat)]
        results = {
            "save (new)": median_ms(lambda i: store.save(f"new {i}", messages, model="m"), repeat),
            "save (update)": median_ms(lambda i: store.save(existing[i], messages, replace=True), repeat),
            "load": median_ms(lambda i: store.load(existing[i]), repeat),
            # Deleting the conversations saved above keeps the count at `size`.
            "delete": median_ms(lambda i: store.delete(f"new {i}"), repeat),
            "list (cold)": median_ms(lambda i: ConversationStore(directory).list(), LIST_REPEAT),
        }
        store.list()
        results["list (warm)"] = median_ms(lambda i: store.list(), LIST_REPEAT)
        assert len(store.list().conversations) == size
        return results


def main(argv: list[str] | None = None) -> None:
    """Measure each size and print the table with a line describing the machine."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,1000,10000", help="comma-separated conversation counts")
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
        print(f"| {size:,} | " + " | ".join(f"{results[column]:.3f}" for column in columns) + " |")
    print(f"\nTotal run time {time.perf_counter() - started:.1f} s.", file=sys.stderr)


if __name__ == "__main__":
    main()
