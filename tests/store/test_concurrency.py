"""Tests for the conversation store under failure and contention: atomic writes, threads and
processes saving at once."""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from models.message import Message
from models.store import ConversationExists, ConversationStore, StoreError, file_name_for
from tests.store.conftest import MESSAGES, conversation_files, temp_files

# Atomic writes


@pytest.mark.parametrize(
    ("function", "errno", "strerror"),
    [("replace", 28, "No space left on device"), ("fsync", 5, "Input/output error")],
    ids=["replace-fails", "fsync-fails-before-the-data-is-on-disk"],
)
def test_a_save_that_fails_midway_leaves_the_old_file_and_no_temp_file(
    json_store: ConversationStore, monkeypatch: pytest.MonkeyPatch, function: str, errno: int, strerror: str
) -> None:
    json_store.save("safe", MESSAGES[:1])
    [path] = conversation_files(json_store.directory)
    assert path.name == file_name_for("safe")
    before = path.read_bytes()

    def failing(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno, strerror)

    monkeypatch.setattr(os, function, failing)
    with pytest.raises(StoreError, match=f"could not be saved: {strerror}"):
        json_store.save("safe", MESSAGES, replace=True)
    monkeypatch.undo()

    assert path.read_bytes() == before
    assert temp_files(json_store.directory) == []
    assert sorted(p.name for p in json_store.directory.iterdir()) == [".index", ".store.lock", path.name]
    assert json_store.load("safe").messages == MESSAGES[:1]


def test_the_old_file_stays_whole_until_the_new_one_is_complete(
    json_store: ConversationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    json_store.save("doc", MESSAGES[:1])
    target = json_store.directory / file_name_for("doc")
    before = target.read_bytes()
    target_while_syncing: list[bytes] = []
    real_fsync = os.fsync

    def observing_fsync(descriptor: int) -> None:
        target_while_syncing.append(target.read_bytes())
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", observing_fsync)
    json_store.save("doc", MESSAGES, replace=True)

    # The first fsync is of the new data: at that moment the target must still be the old file.
    assert target_while_syncing[0] == before
    assert json_store.load("doc").messages == MESSAGES


# Concurrency: threads


def run_threads(target: Callable[[int], None], count: int = 8) -> None:
    """Run `target(worker)` for workers 0 to count - 1, each in its own thread, and wait for all."""
    threads = [threading.Thread(target=target, args=(worker,)) for worker in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_threads_saving_different_names_lose_nothing(json_store: ConversationStore) -> None:
    start = threading.Barrier(8)

    def save_many(worker: int) -> None:
        start.wait()
        for index in range(15):
            json_store.save(f"worker {worker} item {index}", [Message("user", f"{worker}/{index}")])

    run_threads(save_many)

    listing = json_store.list()
    assert len(listing.conversations) == 8 * 15 and listing.problems == []
    for path in conversation_files(json_store.directory):
        json.loads(path.read_bytes())
    assert json_store.load("worker 7 item 14").messages == [Message("user", "7/14")]


def test_threads_saving_the_same_name_keep_every_revision(json_store: ConversationStore) -> None:
    start = threading.Barrier(8)
    errors: list[Exception] = []

    def save_repeatedly(worker: int) -> None:
        start.wait()
        for index in range(10):
            try:
                json_store.save("shared", [Message("user", f"{worker}/{index}")], replace=True)
            except Exception as error:  # noqa: BLE001 - collected for the test thread to report
                errors.append(error)

    run_threads(save_repeatedly)

    assert errors == []
    conversation = json_store.load("shared")
    assert conversation.summary.revision == 80  # no save was lost to a read-modify-write race
    assert temp_files(json_store.directory) == []


def test_threads_creating_the_same_name_exactly_one_wins(store: ConversationStore) -> None:
    start = threading.Barrier(8)
    outcomes: list[str] = []

    def create(worker: int) -> None:
        start.wait()
        try:
            store.save("only one", [Message("user", str(worker))])
            outcomes.append("saved")
        except ConversationExists:
            outcomes.append("exists")

    run_threads(create)

    assert sorted(outcomes) == ["exists"] * 7 + ["saved"]
    assert store.load("only one").summary.revision == 1


# Concurrency: processes. The children are started with "spawn", so they import their target
# from this module by name (tests.store.test_concurrency): keep the targets at module level.


def save_twenty(directory: str, prefix: str) -> None:
    """Run in a child process: save 20 conversations."""
    child_store = ConversationStore(directory)
    for index in range(20):
        child_store.save(f"{prefix} {index}", [Message("user", f"{prefix}-{index}")], model=prefix)


def create_shared(directory: str, start: Any, results: Any) -> None:
    """Run in a child process: try to create the conversation "race" and report the outcome."""
    child_store = ConversationStore(directory)
    start.wait()
    try:
        child_store.save("race", [Message("user", str(os.getpid()))])
        results.put("saved")
    except ConversationExists:
        results.put("exists")


def run_processes(processes: list[multiprocessing.process.BaseProcess]) -> None:
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0


def test_processes_saving_concurrently_lose_nothing(tmp_path: Path) -> None:
    directory = str(tmp_path / "store")
    context = multiprocessing.get_context("spawn")
    prefixes = ["alpha", "beta", "gamma"]

    run_processes([context.Process(target=save_twenty, args=(directory, prefix)) for prefix in prefixes])

    store = ConversationStore(directory)
    listing = store.list()
    assert listing.problems == []
    assert len(listing.conversations) == 20 * len(prefixes)
    for prefix in prefixes:
        for index in range(20):
            assert store.load(f"{prefix} {index}").messages == [Message("user", f"{prefix}-{index}")]


def test_two_processes_creating_the_same_name_exactly_one_wins(tmp_path: Path) -> None:
    directory = str(tmp_path / "store")
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2)
    results = context.Queue()

    run_processes([context.Process(target=create_shared, args=(directory, start, results)) for _ in range(2)])

    assert sorted([results.get(timeout=10), results.get(timeout=10)]) == ["exists", "saved"]
    assert ConversationStore(directory).load("race").summary.revision == 1
