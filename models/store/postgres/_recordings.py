"""PostgresRecordings: spoken questions' kept audio (the contract's RecordingArea) in the
`recordings` table, so that every server behind the load balancer plays them, not only the one
that heard them. Named as the JSON store names them (unguessable), and like there shared by owners."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as upsert

from models.store._recordings import NamesRecordings, is_recording_name
from models.store.postgres._database import Database
from models.store.postgres._schema import recordings


class PostgresRecordings(NamesRecordings):
    """The kept recordings of one database."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def put(self, name: str, data: bytes) -> None:
        """Keep `data` under a name a store gave it (a copy from another store; again: nothing changes)."""
        if not is_recording_name(name):
            raise ValueError("not a recording's name")
        statement = upsert(recordings).values(name=name, data=data, kept_at=func.now()).on_conflict_do_nothing()
        with self._database.begin() as connection:
            connection.execute(statement)

    def names(self) -> list[str]:
        """The names of the recordings kept (for the copy between stores), sorted."""
        with self._database.connect() as connection:
            return list(connection.execute(select(recordings.c.name).order_by(recordings.c.name)).scalars())

    def read(self, name: str) -> bytes | None:
        """A kept recording's bytes, or None (a name no store gave, or one since removed)."""
        if not is_recording_name(name):
            return None
        with self._database.connect() as connection:
            return connection.execute(select(recordings.c.data).where(recordings.c.name == name)).scalar()
