"""The database a PostgreSQL store talks to: one SQLAlchemy engine (and so one connection pool) per
URL and process, its schema brought up to date by Alembic once, and every failure to reach it
turned into StoreUnavailable, a sentence fit to show a person (never the URL, which may hold a password).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, make_url, text
from sqlalchemy.exc import DBAPIError, OperationalError

from models.store._records import StoreUnavailable

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any number, the same in every process: the lock that lets one server migrate while the others wait.
MIGRATION_LOCK = 0x626E61475054  # "bnaGPT"
_log = logging.getLogger(__name__)


class Database:
    """One URL's engine and schema, shared by every store of the process on that URL."""

    def __init__(self, url: str, timeout: float) -> None:
        parsed = make_url(url)
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3, not the default psycopg2
        # Checked before use, so that connections a restarted database cut are replaced, not failed on.
        self.engine: Engine = create_engine(
            parsed, pool_size=5, max_overflow=10, pool_pre_ping=True, pool_timeout=timeout,
            connect_args={"connect_timeout": max(1, round(timeout))},
        )
        self._migrated = False
        self._lock = threading.Lock()

    def migrate(self) -> None:
        """Bring the schema up to date (once per process); several servers starting together take turns."""
        if self._migrated:
            return
        with self._lock, reachable():
            if self._migrated:
                return
            with self.engine.connect() as connection:
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
                connection.commit()
                try:
                    config = Config()
                    config.set_main_option("script_location", str(MIGRATIONS_DIR))
                    config.attributes["connection"] = connection
                    command.upgrade(config, "head")
                    connection.commit()
                finally:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
                    connection.commit()
            self._migrated = True

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection in a transaction, committed at the end; StoreUnavailable when the database is away."""
        self.migrate()
        with reachable(), self.engine.begin() as connection:
            yield connection

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection for reading; StoreUnavailable when the database is away."""
        self.migrate()
        with reachable(), self.engine.connect() as connection:
            yield connection


@contextmanager
def reachable() -> Iterator[None]:
    """Turn a lost or refused connection into StoreUnavailable (the details go to the log only)."""
    try:
        yield
    except OperationalError as error:
        _log.warning("PostgreSQL store unreachable: %s", error.orig or error)
        raise StoreUnavailable() from None
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        _log.warning("PostgreSQL store connection lost: %s", error.orig or error)
        raise StoreUnavailable() from None


_databases: dict[tuple[str, float], Database] = {}
_databases_lock = threading.Lock()


def database_for(url: str, timeout: float) -> Database:
    """The process's Database for `url` (made on first use; nothing is connected until a store asks)."""
    with _databases_lock:
        database = _databases.get((url, timeout))
        if database is None:
            database = _databases[(url, timeout)] = Database(url, timeout)
        return database
