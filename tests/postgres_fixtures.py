"""Fixtures for the PostgreSQL store: one throwaway server per test session (tests/postgres_server.py)
and one database on it, emptied before each test that asks. Without PostgreSQL these tests skip,
and the end of the run says so in red; where BNAGPT_PG_REQUIRED=1 (`.ci/run`) they fail instead.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres_server import PostgresServer, PostgresUnavailable, start_server

_missing_postgres: list[str] = []


def postgres_unavailable(reason: str) -> None:
    if os.environ.get("BNAGPT_PG_REQUIRED") == "1":
        pytest.fail(f"PostgreSQL tests are required here but cannot run: {reason}", pytrace=False)
    _missing_postgres.append(reason)
    pytest.skip(f"POSTGRESQL TESTS NOT RUN: {reason}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server of the session's own, on a free port of 127.0.0.1."""
    # Not under pytest's basetemp: its folders are private to the user running the tests, and the
    # server runs as `postgres`.
    folder = Path(tempfile.mkdtemp(prefix="bnagpt-pg-"))
    try:
        server = start_server(folder)
    except PostgresUnavailable as error:
        shutil.rmtree(folder, ignore_errors=True)
        postgres_unavailable(str(error))
    try:
        yield server
    finally:
        try:
            server.stop()
        except PostgresUnavailable:
            pass  # stopped already
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_database_url(postgres_server: PostgresServer) -> str:
    """The URL of the session's database, its schema migrated."""
    from models.store.postgres import database_for

    url = postgres_server.create_database("bnagpt_tests")
    database_for(url, 5).migrate()
    return url


@pytest.fixture
def postgres_database(postgres_server: PostgresServer, postgres_database_url: str) -> str:
    """The session's database, emptied for this test (and its server running); its URL."""
    from sqlalchemy import text

    from models.store.postgres import database_for

    with database_for(postgres_database_url, 5).begin() as connection:
        connection.execute(text("TRUNCATE conversations, messages, drafts, owners"))
    return postgres_database_url


@pytest.fixture
def stoppable_postgres() -> Iterator[tuple[PostgresServer, str]]:
    """A server of this test's own (it may stop and start it) and the URL of a database on it."""
    folder = Path(tempfile.mkdtemp(prefix="bnagpt-pg-"))
    try:
        server = start_server(folder)
    except PostgresUnavailable as error:
        shutil.rmtree(folder, ignore_errors=True)
        postgres_unavailable(str(error))
    try:
        yield server, server.create_database("bnagpt")
    finally:
        try:
            server.stop()
        except PostgresUnavailable:
            pass  # stopped by the test
        shutil.rmtree(folder, ignore_errors=True)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _missing_postgres:
        terminalreporter.section("PostgreSQL tests skipped", sep="!", red=True, bold=True)
        terminalreporter.write_line(f"The PostgreSQL store's tests did NOT run: {_missing_postgres[0]}", red=True)
