"""What only the PostgreSQL store has: autosaves that append rows, two servers (two connection
pools) on one database, migrations that several servers start at once, drafts that expire,
owners, and search through the GIN index. The contract itself is tested on both stores by
the parametrised `store` fixture."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from models.message import Message
from models.store import ConversationExists, ConversationNotFound, new_draft_id
from models.store.postgres import Database, PostgresStore, database_for
from models.store.postgres import _store as postgres_store
from models.store.postgres._database import MIGRATIONS_DIR
from tests.postgres_server import PostgresServer
from tests.store.conftest import MESSAGES, names

ALICE, BOB = "a" * 32, "b" * 32


@pytest.fixture
def database(postgres_database: str) -> Database:
    return database_for(postgres_database, 5)


def message_rows(database: Database) -> list[tuple[int, str]]:
    """Each message row's position and the transaction that wrote it (xmin): a rewrite changes it."""
    with database.connect() as connection:
        return [tuple(row) for row in connection.execute(
            text("SELECT position, xmin::text FROM messages ORDER BY position"))]


def test_an_autosave_appends_the_new_messages_and_leaves_the_old_rows_alone(database: Database) -> None:
    store = PostgresStore(database)
    first = store.save("Trip", MESSAGES[:2])
    before = message_rows(database)

    store.save("Trip", MESSAGES, expected_revision=first.revision)

    after = message_rows(database)
    assert after[:2] == before and len(after) == 4 and after[2][1] != before[0][1]
    assert store.load("Trip").messages == MESSAGES
    assert names(store.search("backslashes")) == ["Trip"]  # words of the appended messages are found


def test_a_conversation_longer_than_one_insert_carries_goes_in_whole_and_grows(database: Database) -> None:
    store = PostgresStore(database)
    long = [Message("user" if index % 2 == 0 else "assistant", f"turn{index}") for index in range(17_000)]
    first = store.save("Saga", long)  # 68,000 values: more than one statement may carry (65,535)

    store.save("Saga", [*long, *MESSAGES[:2]], expected_revision=first.revision)

    assert store.load("Saga").messages == [*long, *MESSAGES[:2]]
    assert [row[0] for row in message_rows(database)] == list(range(17_002))
    assert names(store.search("turn0")) == names(store.search("turn16999")) == ["Saga"]


def test_a_regenerated_answer_rewrites_from_the_message_that_changed(database: Database) -> None:
    store = PostgresStore(database)
    first = store.save("Trip", MESSAGES)
    before = message_rows(database)
    changed = [*MESSAGES[:3], Message("assistant", "A zebra answer")]

    store.save("Trip", changed, expected_revision=first.revision)

    assert message_rows(database)[:3] == before[:3] and message_rows(database)[3] != before[3]
    assert store.load("Trip").messages == changed
    assert names(store.search("zebra")) == ["Trip"] and store.search("backslashes") == []


def test_two_servers_on_one_database_share_conversations_and_the_loser_is_told(postgres_database: str) -> None:
    # Two Database objects are two servers' connection pools.
    one, two = PostgresStore(Database(postgres_database, 5)), PostgresStore(Database(postgres_database, 5))
    saved = one.save("Shared", MESSAGES[:1])
    assert names(two.list().conversations) == ["Shared"] and two.load("Shared").messages == MESSAGES[:1]

    two.save("Shared", MESSAGES[:2], expected_revision=saved.revision)
    with pytest.raises(ConversationExists, match="changed elsewhere"):
        one.save("Shared", [MESSAGES[0], Message("assistant", "other")], expected_revision=saved.revision)

    assert one.load("Shared").messages == MESSAGES[:2]


def test_servers_starting_together_migrate_once_under_the_advisory_lock(postgres_server: PostgresServer) -> None:
    url = postgres_server.create_database("bnagpt_fresh_start")
    servers = [Database(url, 5) for _ in range(4)]
    errors: list[BaseException] = []
    start = threading.Barrier(len(servers))

    def migrate(database: Database) -> None:
        start.wait()
        try:
            database.migrate()
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=migrate, args=(database,)) for database in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with servers[0].connect() as connection:
        # Every migration ran, once: the version is the newest script's.
        versions = sorted(path.name[:4] for path in MIGRATIONS_DIR.glob("versions/0*.py"))
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == versions[-1:]
    PostgresStore(servers[3]).save("Works", MESSAGES)


def test_drafts_older_than_the_limit_are_removed(database: Database) -> None:
    store = PostgresStore(database)
    old, recent = new_draft_id(), new_draft_id()
    for draft_id in (old, recent):
        store.drafts.save(draft_id, "simple", MESSAGES, None)
    with database.begin() as connection:
        connection.execute(text("UPDATE drafts SET updated_at = now() - interval '31 days' WHERE id = :id"),
                           {"id": old})

    assert store.drafts.remove_older_than(0) == 0
    assert store.drafts.remove_older_than(30) == 1
    assert store.drafts.load(old) is None and store.drafts.load(recent).messages == MESSAGES


def test_one_owner_sees_nothing_of_another(database: Database) -> None:
    alice, bob, local = (PostgresStore(database, owner) for owner in (ALICE, BOB, None))
    alice.save("Plans", [Message("user", "zebra")])
    draft = new_draft_id()
    alice.drafts.save(draft, "memory", MESSAGES, None)

    for other in (bob, local):
        assert other.list().conversations == [] and other.search("zebra") == [] and not other.exists("Plans")
        with pytest.raises(ConversationNotFound):
            other.load("Plans")
        assert other.drafts.load(draft) is None
        assert other.import_conversation("Plans", MESSAGES).name == "Plans"  # names are per owner
    assert alice.load("Plans").messages == [Message("user", "zebra")] and alice.drafts.load(draft) is not None


def test_search_goes_through_the_gin_index(database: Database) -> None:
    store = PostgresStore(database)
    store.save("Café in Paris", [Message("user", "Where can I get a croissant?")])
    with database.begin() as connection:
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(connection.execute(text(
            "EXPLAIN SELECT name FROM conversations WHERE search @@ bnagpt_search_query(ARRAY['roissa'])"
        )).scalars())
    assert "conversations_search" in plan
    assert names(store.search("ROISSA cafe")) == ["Café in Paris"]


def test_a_page_of_a_common_words_matches_walks_the_newest_first(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = PostgresStore(database)
    for index in range(5):
        store.save(f"chat {index}", [Message("user", "common words" if index != 2 else "common and rare")])
    monkeypatch.setattr(postgres_store, "CANDIDATES", 2)  # "common" matches more than the candidates

    page = store.list("common", limit=2)
    assert names(page.conversations) == ["chat 4", "chat 3"] and page.more
    assert names(store.list("common rare", limit=2).conversations) == ["chat 2"]
    assert names(store.list("words common", limit=3).conversations) == ["chat 4", "chat 3", "chat 1"]
