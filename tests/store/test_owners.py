"""Owners: a store opened for one person never shows, changes or counts another's conversations
or drafts, through any operation or cache; the local user (no accounts) keeps the directory as it
was; and the local user's conversations can be moved to a person."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.message import Message
from models.store import (
    OWNERS_DIR_NAME,
    ConversationNotFound,
    ConversationStore,
    file_name_for,
    find_owners,
    move_conversations,
    new_draft_id,
    owner_key,
    to_json,
)
from tests.store.conftest import MESSAGES, conversation_files, settle

ALICE = owner_key("https://id.example", "alice-sub")
BOB = owner_key("https://id.example", "bob-sub")
SECRET = [Message("user", "the zebra password"), Message("assistant", "kept quiet")]


def test_owner_keys_are_stable_distinct_and_never_a_path(tmp_path: Path) -> None:
    assert owner_key("https://id.example", "alice-sub") == ALICE  # the same person every time
    assert len({ALICE, BOB, owner_key("https://other.example", "alice-sub")}) == 3  # the issuer counts
    assert owner_key("a", "bc") != owner_key("ab", "c")
    for hostile in ("../x", "alice@example.com", ALICE.upper(), ALICE + "/..", ""):
        with pytest.raises(ValueError):
            ConversationStore(tmp_path, hostile)
    assert ConversationStore(tmp_path, ALICE).directory == tmp_path / OWNERS_DIR_NAME / ALICE


def test_one_owner_sees_nothing_of_another_through_any_operation(tmp_path: Path) -> None:
    alice, bob, local = (ConversationStore(tmp_path, owner) for owner in (ALICE, BOB, None))
    for store in (alice, bob, local):  # the caches of each are warm before Alice saves
        store.list()
        store.prepare_search()
    alice.save("Plans", SECRET, model="m")
    for other in (bob, local):
        assert other.list().conversations == [] and other.list().problems == []
        assert other.search("zebra") == [] and other.list("zebra").conversations == []
        assert not other.exists("Plans")
        for action, arguments in ((other.load, ("Plans",)), (other.delete, ("Plans",)),
                                  (other.rename, ("Plans", "Mine now"))):
            with pytest.raises(ConversationNotFound):
                action(*arguments)
        # A name is taken only among one's own: an import gets it as it is, a second one "(2)".
        assert other.import_conversation("Plans", MESSAGES).name == "Plans"
        assert [item.name for item in other.import_file("x.json", to_json(other.load("Plans")))] == ["Plans (2)"]
    assert alice.load("Plans").messages == SECRET
    assert [summary.name for summary in alice.list().conversations] == ["Plans"]
    assert [summary.name for summary in alice.search("zebra")] == ["Plans"]


def test_a_new_instance_lists_from_its_own_index_only(tmp_path: Path) -> None:
    alice = ConversationStore(tmp_path, ALICE)
    alice.save("Plans", SECRET)
    settle(alice.directory)
    alice.list()
    alice.wait_for_index()  # Alice's listing index is on disk now
    fresh_bob, fresh_local = ConversationStore(tmp_path, BOB), ConversationStore(tmp_path)
    assert fresh_bob.list().conversations == [] and fresh_local.list().conversations == []
    assert fresh_bob.search("zebra") == [] and fresh_local.search("zebra") == []


def test_drafts_belong_to_their_owner(tmp_path: Path) -> None:
    alice, bob, local = (ConversationStore(tmp_path, owner) for owner in (ALICE, BOB, None))
    draft_id = new_draft_id()
    alice.drafts.save(draft_id, "memory", SECRET, None)
    for other in (bob, local):
        assert other.drafts.load(draft_id) is None  # a shared ?draft= link opens nothing
        other.drafts.delete(draft_id)
        assert other.drafts.remove_older_than(1e-9) == 0
    assert alice.drafts.load(draft_id).messages == SECRET


def test_without_accounts_the_directory_stays_as_it_was(tmp_path: Path) -> None:
    local = ConversationStore(tmp_path)
    local.save("Old chat", MESSAGES)
    assert local.directory == tmp_path and [path.name for path in conversation_files(tmp_path)] == [
        file_name_for("Old chat")]
    ConversationStore(tmp_path, ALICE).save("New chat", MESSAGES)
    # Turning accounts on moves nothing: the local user's file is where it was, and still theirs.
    assert [summary.name for summary in ConversationStore(tmp_path).list().conversations] == ["Old chat"]
    assert [summary.name for summary in ConversationStore(tmp_path, ALICE).list().conversations] == ["New chat"]


def test_the_local_conversations_move_to_a_person_keeping_their_dates(tmp_path: Path) -> None:
    local, alice = ConversationStore(tmp_path), ConversationStore(tmp_path, ALICE)
    kept = local.save("Old chat", MESSAGES, model="m", assistant={"persona": "Pirate"})
    local.save("Plans", SECRET)
    alice.save("Plans", MESSAGES)  # already taken at Alice's: the moved one gets a suffix
    draft_id = new_draft_id()
    local.drafts.save(draft_id, "simple", MESSAGES, None)
    moved = move_conversations(local, alice)
    assert sorted(moved) == ["Old chat", "Plans (2)"]
    assert local.list().conversations == [] and local.drafts.load(draft_id) is None
    old = alice.load("Old chat")
    assert (old.messages, old.assistant, old.summary.model) == (MESSAGES, {"persona": "Pirate"}, "m")
    assert (old.summary.created, old.summary.updated) == (kept.created, kept.updated)
    assert alice.load("Plans (2)").messages == SECRET and alice.load("Plans").messages == MESSAGES
    assert alice.drafts.load(draft_id).messages == MESSAGES
    assert ConversationStore(tmp_path, BOB).list().conversations == []


def test_people_are_found_by_the_email_they_signed_in_with(tmp_path: Path) -> None:
    ConversationStore(tmp_path, ALICE).remember_owner({"iss": "https://id.example", "sub": "alice-sub",
                                                       "email": "Alice@Example.com"})
    ConversationStore(tmp_path, BOB).remember_owner({"iss": "https://id.example", "sub": "bob-sub",
                                                     "email": "bob@example.com"})
    ConversationStore(tmp_path).remember_owner({"email": "local@example.com"})  # the local user has none
    assert [key for key, _ in find_owners(tmp_path, " alice@EXAMPLE.com")] == [ALICE]
    assert find_owners(tmp_path, "local@example.com") == [] and find_owners(tmp_path / "none", "x@y") == []
