"""The store's drafts area: chats without a name, kept apart from saved conversations."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from models.message import Message
from models.store import ConversationStore, InvalidDraftId, new_draft_id

MESSAGES = [Message("user", "half a thought"), Message("assistant", "go on")]


def test_a_draft_reads_back_and_is_neither_listed_nor_searched(store: ConversationStore) -> None:
    draft_id = new_draft_id()
    store.drafts.save(draft_id, "memory", MESSAGES, {"persona": "Default"})
    draft = store.drafts.load(draft_id)
    assert (draft.page, draft.messages, draft.assistant) == ("memory", MESSAGES, {"persona": "Default"})
    assert store.list().conversations == [] and store.list().problems == []
    assert store.search("thought") == []
    store.drafts.delete(draft_id)
    assert store.drafts.load(draft_id) is None


def test_draft_ids_are_unguessable_and_never_a_path(store: ConversationStore, tmp_path: Path) -> None:
    ids = {new_draft_id() for _ in range(100)}
    assert len(ids) == 100 and all(len(draft_id) >= 32 for draft_id in ids)
    for hostile in ("../../etc/passwd", "..", "short", "a" * 31 + "/", "", None, "x" * 65):
        with pytest.raises(InvalidDraftId):
            store.drafts.save(hostile, "simple", MESSAGES, None)
        with pytest.raises(InvalidDraftId):
            store.drafts.load(hostile)
    assert not (tmp_path.parent / "passwd").exists()


def test_drafts_older_than_the_limit_are_removed(json_store: ConversationStore) -> None:
    old, recent = new_draft_id(), new_draft_id()
    for draft_id in (old, recent):
        json_store.drafts.save(draft_id, "simple", MESSAGES, None)
    month_ago = time.time() - 31 * 86400
    os.utime(json_store.drafts.directory / f"{old}.json", (month_ago, month_ago))
    assert json_store.drafts.remove_older_than(0) == 0  # 0 keeps them all
    assert json_store.drafts.remove_older_than(30) == 1
    assert json_store.drafts.load(old) is None and json_store.drafts.load(recent) is not None
