"""B13's filler: `count` conversations of two messages each put into a migrated PostgreSQL database,
exactly the rows the store would have written (names, dates, messages, digests, search vectors),
quickly enough for a million.

How, without changing what is measured after: the tables' constraints and indexes are dropped, the
rows go in by COPY in the text format (big blocks made from what the filler's 24 repeating texts
have in common, into tables truncated in the same transaction so that COPY FREEZE writes them
already frozen), then every constraint and index is made again from its own definition, as the
migrations made it, the tables are vacuumed and analysed, and a checkpoint writes it all to disk.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import psycopg

from bench.conversations import WORDS, words
from bench.report import progress
from models.message import Message
from models.store._search import searchable_tokens

START = datetime(2026, 1, 1, tzinfo=UTC)  # the oldest filler conversation; each next one a microsecond later
BLOCK = 20_000  # conversations per COPY write
TABLES = ("conversations", "messages")


def topic(index: int) -> str:
    """The word only conversation `index` holds, for a search to find it among a million."""
    return f"topic{index:07d}"


def texts_of(index: int) -> list[str]:
    """Conversation `index`'s two message texts."""
    return [words(index, 12), f"{words(index + 1, 12)} {topic(index)}"]


def lexemes(tokens: set[bytes]) -> set[str]:
    """Every suffix of every token: what bnagpt_search_vector keeps of them (see migration 0001)."""
    return {word[start:] for word in (token.decode() for token in tokens) for start in range(len(word))}


def vector_text(found: set[str]) -> str:
    """A tsvector's input text for these lexemes (PostgreSQL sorts them and drops repeats, so that
    two such texts joined by a space are the vector of both sets)."""
    return copy_field(" ".join("'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'" for lexeme in found))


def copy_field(value: str) -> str:
    """A value as COPY's text format writes it."""
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def message_fields(message: Message) -> str:
    """The digest and data columns of a message row, as the store writes them."""
    return f"\\\\x{message.fingerprint.hex()}\t{copy_field(json.dumps(message.to_dict(), ensure_ascii=False))}"


def conversation_rows(count: int, model: str) -> Iterator[str]:
    """Blocks of COPY text for the conversations table: a row per conversation."""
    # What repeats: the two texts but the topic word depend only on index % 24 (see words()).
    shared = [vector_text(lexemes(searchable_tokens("existing", [words(index, 12), words(index + 1, 12)])))
              for index in range(len(WORDS))]
    for first in range(0, count, BLOCK):
        lines = []
        for index in range(first, min(first + BLOCK, count)):
            own = vector_text(lexemes(searchable_tokens(str(index), [topic(index)])))
            stamp = (START + timedelta(microseconds=index)).isoformat(timespec="microseconds")
            vector = f"{shared[index % len(WORDS)]} {own}"
            lines.append(f"{index + 1}\t\texisting {index}\t{stamp}\t{stamp}\t1\t2\t{model}\t{vector}\n")
        yield "".join(lines)


def message_rows(count: int) -> Iterator[str]:
    """Blocks of COPY text for the messages table: each conversation's question and answer."""
    questions = [message_fields(Message("user", words(index, 12))) for index in range(len(WORDS))]
    for first in range(0, count, BLOCK):
        lines = []
        for index in range(first, min(first + BLOCK, count)):
            answer = message_fields(Message("assistant", texts_of(index)[1]))
            lines.append(f"{index + 1}\t0\t{questions[index % len(WORDS)]}\n{index + 1}\t1\t{answer}\n")
        yield "".join(lines)


def fill(url: str, count: int, model: str) -> None:
    """Put `count` conversations in, the constraints and indexes made again after, all analysed."""
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as connection, ThreadPoolExecutor(1) as beside:
        constraints, indexes = schema_of(connection)
        with connection.transaction():
            for table, name, _ in constraints:
                connection.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, _ in indexes:
                connection.execute(f"DROP INDEX {name}")
            connection.execute("TRUNCATE messages, conversations")
            copy_in(connection, "conversations (id, owner, name, created, updated, revision, message_count, model, "
                    "search)", conversation_rows(count, model))
        connection.execute("SELECT setval(pg_get_serial_sequence('conversations', 'id'), max(id)) FROM conversations")
        # The conversations' constraints and indexes take longest (the search index a minute at a
        # million): they are made, on a connection of their own, while the messages go in.
        built = beside.submit(run, url, [*constraints_of(constraints, "conversations"),
                                         *(definition for _, definition in indexes)])
        with connection.transaction():
            connection.execute("TRUNCATE messages")  # in this transaction, for COPY FREEZE
            copy_in(connection, "messages (conversation_id, position, digest, data)", message_rows(count))
        copied = time.perf_counter()
        *own, foreign = constraints_of(constraints, "messages")  # the foreign key needs the key it names
        for statement in own:
            connection.execute(statement)
        built.result()
        connection.execute(foreign)
        indexed = time.perf_counter()
        connection.execute("VACUUM ANALYZE")
        # What the load left in memory goes to disk now, not in the middle of the timings (a server in
        # use has no million rows' worth of pages waiting to be written).
        connection.execute("CHECKPOINT")
    finished = time.perf_counter()
    progress(f"B13: {count:,} conversations copied in {copied - started:.0f} s, constraints and indexes done "
             f"{indexed - copied:.0f} s later, vacuumed, analysed, checkpointed in {finished - indexed:.0f} s")


def schema_of(connection: psycopg.Connection) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """The tables' constraints (table, name, definition; foreign keys first) and their indexes
    behind no constraint (name, definition), as the migrations made them."""
    constraints = connection.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('p', 'u', 'f') "
        "ORDER BY contype = 'f' DESC, conname", [list(TABLES)]).fetchall()
    indexes = connection.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
        "WHERE indrelid = ANY(%s::regclass[]) AND indexrelid NOT IN (SELECT conindid FROM pg_constraint) "
        "ORDER BY 1", [list(TABLES)]).fetchall()
    return constraints, indexes


def copy_in(connection: psycopg.Connection, table: str, blocks: Iterator[str]) -> None:
    """COPY the blocks into a table truncated in this transaction (so its rows go in frozen)."""
    with connection.cursor().copy(f"COPY {table} FROM STDIN (FREEZE)") as copy:
        for block in blocks:
            copy.write(block)


def constraints_of(constraints: list[tuple[str, str, str]], table: str) -> list[str]:
    """The statements that make `table`'s constraints again (its foreign key, if any, last)."""
    return [f'ALTER TABLE {on} ADD CONSTRAINT "{name}" {definition}'
            for on, name, definition in reversed(constraints) if on == table]


def run(url: str, statements: list[str]) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)
