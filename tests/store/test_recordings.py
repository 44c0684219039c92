"""Kept recordings of spoken questions, on both stores: what one store instance keeps, another (a
second server) reads by the name its message records; on PostgreSQL they are in the database, in
the JSON store in the folder's `.recordings/` as before."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from models.store import RECORDINGS_DIR_NAME, ConversationStore, Store
from models.store.postgres import Database, PostgresStore

AUDIO = b"RIFF....WAVEfmt fake audio"


def second_server(store: Store) -> Store:
    """Another instance on the same place, as another server behind the load balancer opens it
    (for PostgreSQL its own engine and pool, for files a new store on the folder)."""
    if isinstance(store, PostgresStore):
        return PostgresStore(Database(str(store._database.engine.url.render_as_string(hide_password=False)), 5))
    return ConversationStore(store.directory)


def test_a_kept_recording_is_read_back_by_another_server_by_its_name(store: Store) -> None:
    name = store.recordings.save(AUDIO, "webm")
    assert name.endswith(".webm") and len(name) == len("0" * 24 + ".webm")
    assert store.recordings.read(name) == AUDIO
    assert second_server(store).recordings.read(name) == AUDIO
    assert store.recordings.save(AUDIO, "exe").endswith(".wav")  # an unknown kind is kept as wav


def test_a_name_no_store_gave_reads_as_nothing(store: Store) -> None:
    assert store.recordings.read("0" * 24 + ".wav") is None
    assert store.recordings.read("../../etc/passwd") is None
    with pytest.raises(ValueError):
        store.recordings.put("../escape.wav", AUDIO)


def test_a_copied_recording_keeps_its_name_and_putting_it_again_changes_nothing(store: Store) -> None:
    name = "ab" * 12 + ".ogg"
    store.recordings.put(name, AUDIO)
    store.recordings.put(name, AUDIO)
    assert second_server(store).recordings.read(name) == AUDIO


def test_the_json_store_keeps_them_in_its_folder_as_before(tmp_path: Path) -> None:
    name = ConversationStore(tmp_path, "a" * 32).recordings.save(AUDIO)
    assert (tmp_path / RECORDINGS_DIR_NAME / name).read_bytes() == AUDIO  # every owner's in the folder's own


def test_the_database_store_keeps_them_in_the_database(postgres_database: str) -> None:
    database = Database(postgres_database, 5)
    name = PostgresStore(database, "a" * 32).recordings.save(AUDIO)
    with database.connect() as connection:
        kept = connection.execute(text("SELECT data FROM recordings WHERE name = :name"), {"name": name}).scalar()
    assert kept == AUDIO
