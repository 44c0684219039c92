"""Tests for the conversation store on damaged files (set aside, kept, reported) and the import
of the original app's saved_conversations.json."""

from __future__ import annotations

import json
from datetime import UTC, datetime, tzinfo
from pathlib import Path

import pytest

from models.message import Message
from models.store import ConversationDamaged, ConversationNotFound, ConversationStore, _files, file_name_for
from tests.store.conftest import MESSAGES, corrupt_files

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
        "bad assistant settings": whole.replace(b'"model": null,', b'"model": null, "assistant": "oops",', 1),
        "empty": b"",
    }[kind]
    path.write_bytes(damaged)
    return damaged


DAMAGE_KINDS = [
    "garbage", "wrong shape", "truncated", "truncated after header", "bad message", "bad assistant settings", "empty",
]


@pytest.mark.parametrize("kind", DAMAGE_KINDS)
def test_list_sets_a_damaged_file_aside_and_keeps_reporting_it(json_store: ConversationStore, kind: str) -> None:
    json_store.save("fine", MESSAGES[:1])
    damaged_bytes = write_damaged(json_store, kind)

    listing = json_store.list()
    if kind == "bad message":
        # The header is intact, so list() shows it; load() is what reads the messages.
        assert [summary.name for summary in listing.conversations] == ["broken", "fine"]
        with pytest.raises(ConversationDamaged):
            json_store.load("broken")
        listing = json_store.list()

    assert [summary.name for summary in listing.conversations] == ["fine"]
    [kept] = corrupt_files(json_store.directory)
    assert kept.read_bytes() == damaged_bytes
    original = file_name_for("broken")
    assert listing.problems == [f"“{original}” could not be read; its bytes are kept in “{kept.name}”."]
    assert json_store.list().problems == listing.problems  # still told on the next listing, from the kept name
    assert not json_store.exists("broken")


@pytest.mark.parametrize("kind", DAMAGE_KINDS)
def test_load_of_a_damaged_file_raises_and_keeps_its_bytes(json_store: ConversationStore, kind: str) -> None:
    damaged_bytes = write_damaged(json_store, kind)

    with pytest.raises(ConversationDamaged) as raised:
        json_store.load("broken")

    kept = raised.value.kept_as
    assert kept.parent == json_store.directory and kept.name.endswith(".corrupt")
    assert kept.read_bytes() == damaged_bytes
    assert kept.name in str(raised.value) and "“broken”" in str(raised.value)
    with pytest.raises(ConversationNotFound):
        json_store.load("broken")


def test_a_file_holding_another_name_is_damaged(json_store: ConversationStore) -> None:
    json_store.save("a", MESSAGES)
    other = json_store.directory / file_name_for("b")
    other.write_bytes((json_store.directory / file_name_for("a")).read_bytes())

    with pytest.raises(ConversationDamaged):
        json_store.load("b")
    assert json_store.load("a").messages == MESSAGES


def test_setting_aside_never_overwrites_an_earlier_kept_file(
    json_store: ConversationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    class FrozenClock(datetime):
        """Every file is set aside in the same microsecond, so their stamped names collide."""

        @classmethod
        def now(cls, tz: tzinfo | None = None) -> datetime:
            return datetime(2026, 11, 21, 2, 40, tzinfo=UTC)

    monkeypatch.setattr(_files, "datetime", FrozenClock)
    first = write_damaged(json_store, "garbage")
    with pytest.raises(ConversationDamaged):
        json_store.load("broken")
    second = write_damaged(json_store, "wrong shape")
    with pytest.raises(ConversationDamaged):
        json_store.load("broken")

    assert sorted(path.read_bytes() for path in corrupt_files(json_store.directory)) == sorted([first, second])
    problems = json_store.list().problems
    assert len(problems) == 2
    assert all(problem.startswith(f"“{file_name_for('broken')}” could not be read") for problem in problems)


def test_saving_over_a_damaged_file_keeps_its_bytes_aside(json_store: ConversationStore) -> None:
    damaged_bytes = write_damaged(json_store, "garbage")

    summary = json_store.save("broken", MESSAGES[:1])

    assert summary.revision == 1
    assert [path.read_bytes() for path in corrupt_files(json_store.directory)] == [damaged_bytes]
    assert json_store.load("broken").messages == MESSAGES[:1]


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
