"""The store's attached files: content-addressed, one copy each, atomic, damage reported by the file's
name, removed with the last conversation or draft that references them, carried by JSON exports."""

from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from models.attachments import Attachment, Passage
from models.message import Message
from models.store import (
    FILES_DIR_NAME,
    AttachedFileDamaged,
    AttachedFileMissing,
    ConversationStore,
    ImportProblem,
    StoreError,
    file_name_for,
    move_conversations,
    new_draft_id,
    owner_key,
    parse_import,
    to_json,
    to_markdown,
)


def attach(store: ConversationStore, name: str, data: bytes, kind: str = "document") -> Attachment:
    """Put `data` in the store's files, as the chat box does, and the attachment a message keeps."""
    return Attachment(name, kind, store.files.put(data), "application/pdf" if kind == "document" else "image/png",
                      len(data), pages=2 if kind == "document" else None)


def age(store: ConversationStore, *attachments: Attachment) -> None:
    """Make files look put long ago, past the grace a just-uploaded file gets."""
    if not isinstance(store, ConversationStore):  # the PostgreSQL store: its rows' put_at
        from sqlalchemy import text

        with store._database.begin() as connection:  # noqa: SLF001 - the test reaches into the database
            connection.execute(text("UPDATE attached_files SET put_at = now() - interval '30 days' "
                                    "WHERE digest = ANY(:digests)"), {"digests": [a.digest for a in attachments]})
        return
    for attachment in attachments:
        os.utime(store.files.directory / attachment.digest, (1_000_000, 1_000_000))


def age_draft(store: ConversationStore, draft: str) -> None:
    """Make a draft look written long ago."""
    if not isinstance(store, ConversationStore):  # the PostgreSQL store: its row's updated_at
        from sqlalchemy import text

        with store._database.begin() as connection:  # noqa: SLF001 - the test reaches into the database
            connection.execute(text("UPDATE drafts SET updated_at = now() - interval '40 days' WHERE id = :id"),
                               {"id": draft})
        return
    os.utime(store.drafts.directory / f"{draft}.json", (1_000_000, 1_000_000))


def test_the_same_bytes_are_kept_once_under_their_sha256(json_store: ConversationStore) -> None:
    first = json_store.files.put(b"%PDF-1.4 report")
    assert first == hashlib.sha256(b"%PDF-1.4 report").hexdigest()
    assert json_store.files.put(b"%PDF-1.4 report") == first
    assert json_store.files.read(first) == b"%PDF-1.4 report"
    assert sorted(path.name for path in json_store.files.directory.iterdir()) == [first]  # no temporary files left
    assert json_store.files.directory == json_store.directory / FILES_DIR_NAME


def test_threads_putting_the_same_file_keep_one_whole_copy(json_store: ConversationStore) -> None:
    data = os.urandom(2_000_000)
    with ThreadPoolExecutor(4) as pool:
        digests = set(pool.map(lambda _: json_store.files.put(data), range(8)))
    assert len(digests) == 1 and json_store.files.read(digests.pop()) == data
    assert len(list(json_store.files.directory.iterdir())) == 1


def test_a_failed_put_leaves_nothing_behind(json_store: ConversationStore, monkeypatch) -> None:
    json_store.files.put(b"first")  # the folder exists

    def disk_full(*_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError):
        json_store.files.put(b"second")
    assert [path.name for path in json_store.files.directory.iterdir()] == [hashlib.sha256(b"first").hexdigest()]


def test_a_damaged_file_is_set_aside_and_named(json_store: ConversationStore) -> None:
    digest = json_store.files.put(b"the original bytes")
    json_store.files.put_index(digest, b"index")
    (json_store.files.directory / digest).write_bytes(b"bit rot")
    with pytest.raises(AttachedFileDamaged) as caught:
        json_store.files.read(digest, name="report.pdf")
    assert str(caught.value).startswith("The attached file “report.pdf” was damaged on disk and was set aside as ")
    assert caught.value.kept_as.read_bytes() == b"bit rot" and json_store.files.read_index(digest) is None
    with pytest.raises(AttachedFileMissing, match="“report.pdf” is missing"):
        json_store.files.read(digest, name="report.pdf")


def test_a_digest_never_becomes_a_path(store: ConversationStore) -> None:
    for bad in ("../../etc/passwd", "A" * 64, "", None):
        with pytest.raises(StoreError):
            store.files.read(bad)


def test_a_documents_index_is_cached_beside_it(store: ConversationStore) -> None:
    digest = store.files.put(b"document")
    assert store.files.read_index(digest) is None
    store.files.put_index(digest, b"chunks")
    assert store.files.read_index(digest) == b"chunks"


def test_messages_keep_their_attachments_and_sources(store: ConversationStore) -> None:
    report = attach(store, "report (final).pdf", b"%PDF report")
    messages = [Message("user", "Summarise", attachments=(report,)),
                Message("assistant", "It says hi [report (final).pdf p. 2].",
                        sources=(Passage("report (final).pdf", "2", "hi"),))]
    store.save("With files", messages)
    assert store.load("With files").messages == messages
    draft = new_draft_id()
    store.drafts.save(draft, "memory", messages, None)
    assert store.drafts.load(draft).messages == messages


def test_delete_removes_the_files_nothing_else_references(store: ConversationStore) -> None:
    shared, own, drafted = (attach(store, name, name.encode()) for name in ("shared.pdf", "own.pdf", "drafted.pdf"))
    store.save("A", [Message("user", "q", attachments=(shared, own, drafted))])
    store.save("B", [Message("user", "q", attachments=(shared,))])
    store.drafts.save(new_draft_id(), "memory", [Message("user", "q", attachments=(drafted,))], None)
    age(store, shared, own, drafted)
    store.delete("A")
    assert [store.files.exists(item.digest) for item in (shared, own, drafted)] == [True, False, True]
    store.delete("B")
    assert not store.files.exists(shared.digest) and store.files.exists(drafted.digest)


def test_a_file_just_put_survives_a_delete(store: ConversationStore) -> None:
    """Uploaded for a message not sent yet: no conversation references it, but it is on its way."""
    sent = attach(store, "sent.png", b"png", kind="image")
    store.save("A", [Message("user", "q", attachments=(sent,))])
    store.delete("A")
    assert store.files.exists(sent.digest)


def test_each_owner_has_their_own_files(tmp_path: Path) -> None:
    ann = ConversationStore(tmp_path, owner_key("https://id.example", "ann"))
    bo = ConversationStore(tmp_path, owner_key("https://id.example", "bo"))
    digest = ann.files.put(b"ann's scan")
    assert ann.files.directory.is_relative_to(ann.directory) and ann.files.directory != bo.files.directory
    with pytest.raises(AttachedFileMissing):
        bo.files.read(digest)


def test_a_json_export_carries_the_files_and_an_import_restores_them(store: ConversationStore, tmp_path: Path) -> None:
    photo = attach(store, "photo.png", b"\x89PNG photo", kind="image")
    report = attach(store, "report.pdf", b"%PDF report")
    store.save("Files", [Message("user", "Look", attachments=(photo, report)),
                         Message("user", "Again", attachments=(photo,))])
    exported = to_json(store.load("Files"), store.files)
    document = json.loads(exported)
    carried = [item.get("data") for message in document["messages"] for item in message.get("attachments", [])]
    assert carried[0] and carried[1] and carried[2] is None  # each file once
    assert "data" not in to_json(store.load("Files")).decode()  # without the store's files: names only

    elsewhere = ConversationStore(tmp_path / "elsewhere")
    [summary] = elsewhere.import_file("files.json", exported)
    assert elsewhere.load(summary.name).messages == store.load("Files").messages
    assert elsewhere.files.read(photo.digest) == b"\x89PNG photo"
    assert elsewhere.files.read(report.digest) == b"%PDF report"
    # Dropped into a conversations folder, the export is a conversation file like any other.
    (elsewhere.directory / file_name_for("Files")).write_bytes(exported)
    assert elsewhere.load("Files").messages[0].attachments == (photo, report)


def test_an_export_whose_file_was_changed_is_refused_by_name(store: ConversationStore) -> None:
    report = attach(store, "report.pdf", b"%PDF report")
    store.save("Files", [Message("user", "Look", attachments=(report,))])
    document = json.loads(to_json(store.load("Files"), store.files))
    document["messages"][0]["attachments"][0]["data"] = "bm90IHRoZSByZXBvcnQ="
    with pytest.raises(ImportProblem, match="the attached file “report.pdf” in it is damaged"):
        parse_import("files.json", json.dumps(document).encode())


def test_markdown_names_the_files_and_the_sources(store: ConversationStore) -> None:
    report = attach(store, "report.pdf", b"%PDF report")
    source = Passage("report.pdf", "2", "Hi\nthere")
    store.save("Files", [Message("user", "Summarise", attachments=(report,)),
                         Message("assistant", "Hi [report.pdf p. 2].", sources=(source,))])
    markdown = to_markdown(store.load("Files"))
    assert "📎 Attached: report.pdf · 2 pages" in markdown
    assert "<summary>Sources</summary>" in markdown and "- [report.pdf p. 2] “Hi there”" in markdown


def test_a_removed_draft_takes_its_files_along_unless_saved(store: ConversationStore) -> None:
    kept, dropped = attach(store, "kept.pdf", b"kept"), attach(store, "dropped.pdf", b"dropped")
    named, discarded = new_draft_id(), new_draft_id()
    store.drafts.save(named, "memory", [Message("user", "q", attachments=(kept,))], None)
    store.drafts.save(discarded, "memory", [Message("user", "q", attachments=(dropped,))], None)
    age(store, kept, dropped)
    store.save("Named", store.drafts.load(named).messages)  # saved under a name, then its draft goes
    store.drafts.delete(named)
    store.drafts.delete(discarded)  # New chat: the unsaved chat is discarded
    assert store.files.exists(kept.digest) and not store.files.exists(dropped.digest)


def test_expired_drafts_take_their_files_along(store: ConversationStore) -> None:
    old = attach(store, "old.png", b"old", kind="image")
    draft = new_draft_id()
    store.drafts.save(draft, "simple", [Message("user", "q", attachments=(old,))], None)
    age(store, old)
    age_draft(store, draft)
    assert store.drafts.remove_older_than(30) == 1
    assert not store.files.exists(old.digest)


def test_moving_conversations_to_a_person_takes_their_files(tmp_path: Path) -> None:
    local = ConversationStore(tmp_path)
    person = ConversationStore(tmp_path, owner_key("https://id.example", "ann"))
    saved, drafted = attach(local, "saved.pdf", b"saved"), attach(local, "drafted.png", b"drafted", kind="image")
    local.save("Trip", [Message("user", "q", attachments=(saved,))])
    draft = new_draft_id()
    local.drafts.save(draft, "memory", [Message("user", "q", attachments=(drafted,))], None)
    age(local, saved, drafted)
    assert move_conversations(local, person) == ["Trip"]
    assert person.files.read(saved.digest) == b"saved" and person.files.read(drafted.digest) == b"drafted"
    assert person.drafts.load(draft).messages[0].attachments == (drafted,)
    assert not local.files.exists(saved.digest)  # nothing of the local user's references it any more
