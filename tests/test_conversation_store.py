"""Tests for models.conversation_store: round trips, revisions, atomicity, concurrency, hostile
names, damaged files, the legacy import and the listing cache."""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import Any

import pytest

from models import conversation_store as store_module
from models import store_disk
from models.conversation_store import (
    MAX_NAME_LENGTH, ConversationDamaged, ConversationExists, ConversationNotFound, ConversationStore,
    InvalidName, StoreError, validate_name,
)
from models.message import Message
from models.store_format import file_name_for

MESSAGES = [
    Message("user", "Hello — ça va? 你好 👋🏽"),
    Message("assistant", "# Heading\n\n* **bold** and `code`\n\n```python\nprint('hi')\n```"),
    Message("user", "This one got no answer", error="The model timed out."),
    Message("assistant", 'Quotes " and backslashes \\ and a line separator \u2028 survive.'),
]


def conversation_files(directory: Path) -> list[Path]:
    """The conversation files in a store directory (not dotfiles, not kept-aside files)."""
    return sorted(path for path in directory.glob("*.json") if not path.name.startswith("."))


def all_files(root: Path) -> set[Path]:
    """Every file under `root`, recursively."""
    return {path for path in root.rglob("*") if path.is_file()}


def corrupt_files(directory: Path) -> list[Path]:
    """The files a store has kept aside as unreadable."""
    return sorted(directory.glob("*.corrupt"))


@pytest.fixture
def store(tmp_path: Path) -> ConversationStore:
    return ConversationStore(tmp_path / "store")


# Round trips and metadata


def test_save_then_load_returns_the_same_messages(store: ConversationStore) -> None:
    summary = store.save("Trip to Åre 🏔", MESSAGES, model="llama-3.1-8b-instant")

    conversation = store.load("Trip to Åre 🏔")

    assert conversation.messages == MESSAGES
    assert conversation.summary == summary
    assert summary.message_count == len(MESSAGES)
    assert summary.model == "llama-3.1-8b-instant"
    assert summary.revision == 1
    assert summary.created == summary.updated


def test_file_is_one_json_document_whose_first_line_holds_the_metadata(store: ConversationStore) -> None:
    store.save("Layout", MESSAGES, model="m")

    [path] = conversation_files(store.directory)
    text = path.read_text(encoding="utf-8")
    first_line, *message_lines, last_line = text.split("\n")[:-1]

    assert json.loads(text)["messages"] == [message.to_dict() for message in MESSAGES]
    header = json.loads(first_line + "]}")
    assert list(header) == ["format", "name", "created", "updated", "revision", "model", "message_count", "messages"]
    assert header["format"] == 1 and header["name"] == "Layout" and header["message_count"] == len(MESSAGES)
    assert [json.loads(line.rstrip(",")) for line in message_lines] == [m.to_dict() for m in MESSAGES]
    assert last_line == "]}"
    assert "你好" in text  # stored as UTF-8, not \\u escapes


def test_names_are_normalised_to_nfc_and_stripped(store: ConversationStore) -> None:
    decomposed = "  Cafe\u0301  "

    summary = store.save(decomposed, MESSAGES[:1])

    assert summary.name == "Café"
    assert store.load("Café").summary.name == "Café"
    assert store.exists("Cafe\u0301")


def test_list_is_newest_first_and_keeps_created_across_updates(store: ConversationStore) -> None:
    first = store.save("first", MESSAGES[:1], model="a")
    store.save("second", MESSAGES[:2], model="b")
    updated = store.save("first", MESSAGES, model="c", replace=True)

    listing = store.list()

    assert [summary.name for summary in listing.conversations] == ["first", "second"]
    assert listing.problems == []
    newest = listing.conversations[0]
    assert newest == updated
    assert newest.created == first.created
    assert newest.updated > first.updated
    assert (newest.revision, newest.message_count, newest.model) == (2, len(MESSAGES), "c")


def test_expected_revision_allows_replacing_and_a_stale_one_is_refused(store: ConversationStore) -> None:
    store.save("doc", MESSAGES[:1])
    second = store.save("doc", MESSAGES[:2], expected_revision=1)

    with pytest.raises(ConversationExists, match="changed elsewhere") as raised:
        store.save("doc", MESSAGES[:3], expected_revision=1)

    assert second.revision == 2
    assert raised.value.name == "doc"
    assert store.load("doc").messages == MESSAGES[:2]
    assert store.save("doc", MESSAGES[:3], expected_revision=2).revision == 3


def test_duplicate_name_without_replace_is_refused_and_leaves_the_original(store: ConversationStore) -> None:
    store.save("Notes", MESSAGES)
    [path] = conversation_files(store.directory)
    before = path.read_bytes()

    with pytest.raises(ConversationExists) as raised:
        store.save(" Notes ", MESSAGES[:1])

    assert str(raised.value) == "A conversation named “Notes” already exists."
    assert path.read_bytes() == before


def test_delete_then_load_raises_not_found(store: ConversationStore) -> None:
    store.save("gone", MESSAGES)
    store.delete("gone")

    with pytest.raises(ConversationNotFound, match="No saved conversation named “gone”"):
        store.load("gone")
    with pytest.raises(ConversationNotFound):
        store.delete("gone")
    assert not store.exists("gone")
    assert store.list().conversations == []


# Names


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Please give the conversation a name."),
        (" \t\n ", "Please give the conversation a name."),
        ("x" * (MAX_NAME_LENGTH + 1), "120 characters"),
        ("two\nlines", "control characters"),
        ("bell\x07", "control characters"),
    ],
)
def test_unusable_names_are_refused(store: ConversationStore, name: str, message: str) -> None:
    with pytest.raises(InvalidName, match=message):
        validate_name(name)
    with pytest.raises(InvalidName):
        store.save(name, MESSAGES)
    assert conversation_files(store.directory) == []


HOSTILE_NAMES = [
    "../../x", "/etc/passwd", "<b>bold</b>", "..", ".", "a\\b", "a/b", "con", "NUL",
    "🔥🔥🔥", "ش" * MAX_NAME_LENGTH, "مرحبا بالعالم", "\u202eevil", "~/.bashrc", "C:\\Windows",
]


def test_hostile_names_stay_inside_the_directory_and_round_trip(tmp_path: Path) -> None:
    directory = tmp_path / "store"
    outside_before = all_files(tmp_path.parent)
    store = ConversationStore(directory)

    for name in HOSTILE_NAMES:
        store.save(name, [Message("user", f"saved as {name}")])

    written = all_files(tmp_path.parent) - outside_before
    assert written and all(path.parent == directory for path in written)
    assert len(conversation_files(directory)) == len(HOSTILE_NAMES)
    assert {summary.name for summary in store.list().conversations} == set(HOSTILE_NAMES)
    for name in HOSTILE_NAMES:
        assert store.load(name).messages == [Message("user", f"saved as {name}")]
        assert store.load(name).summary.name == name


def test_file_names_are_an_ascii_slug_and_a_hash() -> None:
    assert file_name_for("Hello, World!").startswith("hello-world-")
    assert file_name_for("../../x").startswith("x-")
    assert file_name_for("🔥").startswith("-")
    assert len(file_name_for("a" * MAX_NAME_LENGTH)) == 40 + 1 + 20 + len(".json")
    assert file_name_for("Hello") != file_name_for("hello")


# Atomic writes


def test_a_save_that_fails_midway_leaves_the_old_file_and_no_temp_file(
    store: ConversationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save("safe", MESSAGES[:1])
    [path] = conversation_files(store.directory)
    before = path.read_bytes()

    def failing_replace(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(StoreError, match="could not be saved: No space left on device"):
        store.save("safe", MESSAGES, replace=True)
    monkeypatch.undo()

    assert path.read_bytes() == before
    assert sorted(p.name for p in store.directory.iterdir()) == [".store.lock", path.name]
    assert store.load("safe").messages == MESSAGES[:1]


def test_the_old_file_stays_whole_until_the_new_one_is_complete(
    store: ConversationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save("doc", MESSAGES[:1])
    target = store.directory / file_name_for("doc")
    before = target.read_bytes()
    target_while_syncing: list[bytes] = []
    real_fsync = os.fsync

    def observing_fsync(descriptor: int) -> None:
        target_while_syncing.append(target.read_bytes())
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", observing_fsync)
    store.save("doc", MESSAGES, replace=True)

    # The first fsync is of the new data: at that moment the target must still be the old file.
    assert target_while_syncing[0] == before
    assert store.load("doc").messages == MESSAGES


def test_a_crash_before_the_data_is_on_disk_leaves_the_old_file(
    store: ConversationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save("doc", MESSAGES[:1])
    target = store.directory / file_name_for("doc")
    before = target.read_bytes()

    def failing_fsync(descriptor: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(StoreError, match="could not be saved"):
        store.save("doc", MESSAGES, replace=True)
    monkeypatch.undo()

    assert target.read_bytes() == before
    assert [path.name for path in store.directory.iterdir() if path.name.startswith(".tmp-")] == []


# Concurrency


def test_threads_saving_different_names_lose_nothing(store: ConversationStore) -> None:
    start = threading.Barrier(8)

    def save_many(worker: int) -> None:
        start.wait()
        for index in range(15):
            store.save(f"worker {worker} item {index}", [Message("user", f"{worker}/{index}")])

    threads = [threading.Thread(target=save_many, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    listing = store.list()
    assert len(listing.conversations) == 8 * 15 and listing.problems == []
    for path in conversation_files(store.directory):
        json.loads(path.read_bytes())
    assert store.load("worker 7 item 14").messages == [Message("user", "7/14")]


def test_threads_saving_the_same_name_keep_every_revision(store: ConversationStore) -> None:
    start = threading.Barrier(8)
    errors: list[Exception] = []

    def save_repeatedly(worker: int) -> None:
        start.wait()
        for index in range(10):
            try:
                store.save("shared", [Message("user", f"{worker}/{index}")], replace=True)
            except Exception as error:
                errors.append(error)

    threads = [threading.Thread(target=save_repeatedly, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    conversation = store.load("shared")
    assert conversation.summary.revision == 80  # no save was lost to a read-modify-write race
    assert [path.name for path in store.directory.iterdir() if path.name.startswith(".tmp-")] == []


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

    threads = [threading.Thread(target=create, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["exists"] * 7 + ["saved"]
    assert store.load("only one").summary.revision == 1


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


# Damaged files


def write_damaged(store: ConversationStore, kind: str) -> bytes:
    """Put a damaged file of the given kind where conversation "broken" would live; its bytes."""
    store.save("broken", MESSAGES)
    path = store.directory / file_name_for("broken")
    whole = path.read_bytes()
    damaged = {
        "garbage": b"\x00\xff\xfe not json at all",
        "wrong shape": json.dumps({"hello": "world", "messages": 3}).encode(),
        "truncated": whole[: len(whole) // 2],
        "truncated after header": whole[: whole.index(b"\n") + 1],
        "bad message": whole.replace(b'"role": "assistant"', b'"role": "wizard"', 1),
        "empty": b"",
    }[kind]
    path.write_bytes(damaged)
    return damaged


DAMAGE_KINDS = ["garbage", "wrong shape", "truncated", "truncated after header", "bad message", "empty"]


@pytest.mark.parametrize("kind", DAMAGE_KINDS)
def test_list_sets_a_damaged_file_aside_and_keeps_reporting_it(store: ConversationStore, kind: str) -> None:
    store.save("fine", MESSAGES[:1])
    damaged_bytes = write_damaged(store, kind)

    listing = store.list()
    if kind == "bad message":
        # The header is intact, so list() shows it; load() is what reads the messages.
        assert [summary.name for summary in listing.conversations] == ["broken", "fine"]
        with pytest.raises(ConversationDamaged):
            store.load("broken")
        listing = store.list()

    assert [summary.name for summary in listing.conversations] == ["fine"]
    [kept] = corrupt_files(store.directory)
    assert kept.read_bytes() == damaged_bytes
    original = file_name_for("broken")
    assert listing.problems == [f"“{original}” could not be read; its bytes are kept in “{kept.name}”."]
    assert store.list().problems == listing.problems  # still told on the next listing, from the kept name
    assert not store.exists("broken")


@pytest.mark.parametrize("kind", DAMAGE_KINDS)
def test_load_of_a_damaged_file_raises_and_keeps_its_bytes(store: ConversationStore, kind: str) -> None:
    damaged_bytes = write_damaged(store, kind)

    with pytest.raises(ConversationDamaged) as raised:
        store.load("broken")

    kept = raised.value.kept_as
    assert kept.parent == store.directory and kept.name.endswith(".corrupt")
    assert kept.read_bytes() == damaged_bytes
    assert kept.name in str(raised.value) and "“broken”" in str(raised.value)
    with pytest.raises(ConversationNotFound):
        store.load("broken")


def test_a_file_holding_another_name_is_damaged(store: ConversationStore) -> None:
    store.save("a", MESSAGES)
    other = store.directory / file_name_for("b")
    other.write_bytes((store.directory / file_name_for("a")).read_bytes())

    with pytest.raises(ConversationDamaged):
        store.load("b")
    assert store.load("a").messages == MESSAGES


def test_setting_aside_never_overwrites_an_earlier_kept_file(
    store: ConversationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    class FrozenClock(datetime):
        """Every file is set aside in the same microsecond, so their stamped names collide."""

        @classmethod
        def now(cls, tz: tzinfo | None = None) -> datetime:
            return datetime(2026, 11, 21, 2, 40, tzinfo=timezone.utc)

    monkeypatch.setattr(store_disk, "datetime", FrozenClock)
    first = write_damaged(store, "garbage")
    with pytest.raises(ConversationDamaged):
        store.load("broken")
    second = write_damaged(store, "wrong shape")
    with pytest.raises(ConversationDamaged):
        store.load("broken")

    assert sorted(path.read_bytes() for path in corrupt_files(store.directory)) == sorted([first, second])
    problems = store.list().problems
    assert len(problems) == 2
    assert all(problem.startswith(f"“{file_name_for('broken')}” could not be read") for problem in problems)


def test_saving_over_a_damaged_file_keeps_its_bytes_aside(store: ConversationStore) -> None:
    damaged_bytes = write_damaged(store, "garbage")

    summary = store.save("broken", MESSAGES[:1])

    assert summary.revision == 1
    assert [path.read_bytes() for path in corrupt_files(store.directory)] == [damaged_bytes]
    assert store.load("broken").messages == MESSAGES[:1]


# Legacy import


def write_legacy(directory: Path, conversations: dict[str, list[dict[str, str]]]) -> bytes:
    directory.mkdir(parents=True, exist_ok=True)
    data = json.dumps(conversations, indent=4).encode("utf-8")
    (directory / "saved_conversations.json").write_bytes(data)
    return data


LEGACY = {
    "Trip plan": [{"role": "user", "content": "Where to?"}, {"role": "assistant", "content": "Åre."}],
    "Recipes": [{"role": "user", "content": "Pancakes?"}],
}


def test_legacy_conversations_are_imported_once_and_the_file_is_untouched(tmp_path: Path) -> None:
    directory = tmp_path / "store"
    ConversationStore(directory).save("Recipes", [Message("user", "a different recipe")])
    legacy_bytes = write_legacy(directory, LEGACY)
    store = ConversationStore(directory)

    listing = store.list()

    assert sorted(summary.name for summary in listing.conversations) == ["Recipes", "Recipes (imported)", "Trip plan"]
    assert listing.problems == []
    trip = store.load("Trip plan")
    assert trip.messages == [Message("user", "Where to?"), Message("assistant", "Åre.")]
    assert trip.summary.model is None
    assert store.load("Recipes (imported)").messages == [Message("user", "Pancakes?")]
    assert store.load("Recipes").messages == [Message("user", "a different recipe")]
    assert (directory / "saved_conversations.json").read_bytes() == legacy_bytes

    store.delete("Trip plan")
    for fresh_store in (store, ConversationStore(directory)):
        assert not fresh_store.exists("Trip plan")
        assert len(fresh_store.list().conversations) == 2


def test_legacy_import_happens_on_load_and_exists_too(tmp_path: Path) -> None:
    directory = tmp_path / "store"
    write_legacy(directory, LEGACY)

    assert ConversationStore(directory).exists("Recipes")
    assert ConversationStore(directory).load("Trip plan").summary.message_count == 2


def test_a_changed_legacy_file_imports_only_what_is_new(tmp_path: Path) -> None:
    directory = tmp_path / "store"
    write_legacy(directory, LEGACY)
    store = ConversationStore(directory)
    assert len(store.list().conversations) == 2

    write_legacy(directory, {**LEGACY, "Later": [{"role": "user", "content": "added later"}]})

    assert sorted(summary.name for summary in store.list().conversations) == ["Later", "Recipes", "Trip plan"]


def test_a_clash_between_two_imports_gets_a_numbered_suffix(tmp_path: Path) -> None:
    directory = tmp_path / "store"
    store = ConversationStore(directory)
    store.save("Recipes", [Message("user", "mine")])
    store.save("Recipes (imported)", [Message("user", "also mine")])
    write_legacy(directory, LEGACY)

    assert store.load("Recipes (imported 2)").messages == [Message("user", "Pancakes?")]


@pytest.mark.parametrize(
    "legacy_bytes", [b"{not json", b'["a", "list"]', b'{"x": [{"role": "wizard", "content": "?"}]}']
)
def test_a_damaged_legacy_file_is_reported_and_left_in_place(tmp_path: Path, legacy_bytes: bytes) -> None:
    directory = tmp_path / "store"
    directory.mkdir()
    (directory / "saved_conversations.json").write_bytes(legacy_bytes)
    store = ConversationStore(directory)

    listing = store.list()

    assert listing.conversations == []
    assert len(listing.problems) == 1 and "saved_conversations.json" in listing.problems[0]
    assert store.list().problems == listing.problems
    assert (directory / "saved_conversations.json").read_bytes() == legacy_bytes
    assert corrupt_files(directory) == []


# The listing cache


def test_list_sees_changes_made_by_another_store_instance(tmp_path: Path) -> None:
    directory = tmp_path / "store"
    mine, theirs = ConversationStore(directory), ConversationStore(directory)
    mine.save("kept", MESSAGES[:1])
    mine.save("changed", MESSAGES[:1])
    mine.save("removed", MESSAGES[:1])
    assert len(mine.list().conversations) == 3

    theirs.save("changed", MESSAGES, model="new model", replace=True)
    theirs.delete("removed")
    theirs.save("added", MESSAGES[:2])

    listing = {summary.name: summary for summary in mine.list().conversations}
    assert sorted(listing) == ["added", "changed", "kept"]
    assert (listing["changed"].revision, listing["changed"].message_count) == (2, len(MESSAGES))
    assert listing["changed"].model == "new model"


def test_a_warm_list_reads_no_file(store: ConversationStore, monkeypatch: pytest.MonkeyPatch) -> None:
    for index in range(5):
        store.save(f"conversation {index}", MESSAGES)
    cold = store.list()

    def no_reading(path: Path) -> None:
        raise AssertionError(f"read {path} although nothing changed")

    monkeypatch.setattr(store_module, "read_header", no_reading)
    monkeypatch.setattr(store_module, "parse_document", no_reading)

    assert store.list() == cold


def test_the_store_creates_its_directory(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "a" / "b" / "c")

    assert store.directory.is_dir()
    assert store.list().conversations == []
