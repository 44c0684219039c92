"""The pages on the PostgreSQL store (BNAGPT_DATABASE_URL), in AppTest against a server of the test's
own: turns autosaved into the database, and a database that stops in the middle of a session
(the chat goes on, the sidebar says the store can't be reached and keeps trying, the turn is saved
once it is back) or is not there at all when the page opens."""

from __future__ import annotations

import pytest

from models.message import Message
from models.store.postgres import Database, PostgresStore
from tests.app_driver import (
    MEMORY_PAGE,
    click,
    click_in_conversation,
    save_as,
    saved_conversations,
    send,
    start_app,
    transcript,
)
from tests.postgres_server import PostgresServer
from tests.test_app_voice import set_voice, speak

UNREACHABLE = "can't be reached"


@pytest.fixture
def database_url(app_env, stoppable_postgres: tuple[PostgresServer, str], monkeypatch: pytest.MonkeyPatch) -> str:
    _, url = stoppable_postgres
    monkeypatch.setenv("BNAGPT_DATABASE_URL", url)
    monkeypatch.setenv("BNAGPT_DATABASE_TIMEOUT", "2")
    return url


def stored(url: str, name: str) -> list[str]:
    """The message texts saved under `name`, read by another server's store (its own pool)."""
    return [message.content for message in PostgresStore(Database(url, 2)).load(name).messages]


def sidebar_text(app) -> str:
    return " ".join(element.value for element in [*app.sidebar.caption, *app.sidebar.warning, *app.sidebar.error])


def test_turns_are_autosaved_into_the_database_and_listed_in_a_new_session(database_url: str) -> None:
    app = start_app(MEMORY_PAGE)
    send(app, "Plan a trip")
    save_as(app, "Trip")
    send(app, "Day two?")

    assert stored(database_url, "Trip") == ["Plan a trip", "Echo: Plan a trip", "Day two?", "Echo: Day two?"]
    assert saved_conversations(start_app(MEMORY_PAGE)) == ["Trip"]


def test_a_database_that_stops_mid_session_loses_no_turn(
    database_url: str, stoppable_postgres: tuple[PostgresServer, str]
) -> None:
    server, _ = stoppable_postgres
    app = start_app(MEMORY_PAGE)
    send(app, "Plan a trip")
    save_as(app, "Trip")

    server.stop()
    send(app, "Day two?")

    assert transcript(app)[-1] == ("assistant", "Echo: Day two?")  # chatting goes on
    shown = sidebar_text(app)
    assert "This turn is not saved yet" in shown and UNREACHABLE in shown and "Trying again every 5 s" in shown

    server.start()
    app.run()  # the next look at the store (the retrying fragment's, or any rerun's)

    assert stored(database_url, "Trip") == ["Plan a trip", "Echo: Plan a trip", "Day two?", "Echo: Day two?"]
    shown = sidebar_text(app)
    assert UNREACHABLE not in shown and "Saving every turn to “Trip”" in shown
    assert saved_conversations(app) == ["Trip"]


def test_pages_open_and_chat_without_the_database(
    database_url: str, stoppable_postgres: tuple[PostgresServer, str]
) -> None:
    server, _ = stoppable_postgres
    server.stop()

    simple = start_app()
    send(simple, "Hello")
    assert transcript(simple)[-1] == ("assistant", "Echo: Hello")

    memory = start_app(MEMORY_PAGE)
    assert UNREACHABLE in sidebar_text(memory) and "Trying again every" in sidebar_text(memory)
    send(memory, "Still here?")
    assert transcript(memory)[-1] == ("assistant", "Echo: Still here?")


def test_the_list_shows_the_newest_page_and_more_on_asking(database_url: str) -> None:
    store = PostgresStore(Database(database_url, 2))
    for index in range(52):
        store.save(f"chat {index:02}", [Message("user", "hello")])

    app = start_app(MEMORY_PAGE)
    assert saved_conversations(app)[:2] == ["chat 51", "chat 50"] and len(saved_conversations(app)) == 50
    assert "Showing the newest 50." in sidebar_text(app)
    click(app, "Show more")
    assert len(saved_conversations(app)) == 52 and "Showing" not in sidebar_text(app)


def test_the_retrying_fragments_try_saves_the_waiting_turn_once_the_database_is_back(
    database_url: str, stoppable_postgres: tuple[PostgresServer, str]
) -> None:
    from controller.memory_chat import MemoryChatController
    from settings import load_settings
    from tests.conftest import ask

    server, _ = stoppable_postgres
    settings = load_settings()
    controller = MemoryChatController(settings, PostgresStore(Database(database_url, 2)))
    ask(controller, "Plan a trip")
    controller.save("Trip")
    server.stop()
    ask(controller, "Day two?")
    assert controller.autosave_pending and not controller.reconnect()

    server.start()

    assert controller.reconnect() and not controller.autosave_pending and controller.autosave_problem is None
    assert stored(database_url, "Trip") == ["Plan a trip", "Echo: Plan a trip", "Day two?", "Echo: Day two?"]


def test_a_kept_recording_is_in_the_database_and_plays_on_another_server(
    database_url: str, conversations_dir, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = set_voice(start_app(MEMORY_PAGE), "Keep recordings with the conversation", True, "memory")
    speak(app, "memory", 660)
    save_as(app, "Spoken")
    [question] = PostgresStore(Database(database_url, 2)).load("Spoken").messages[:1]
    assert question.voice and question.recording
    assert not list(conversations_dir.rglob(question.recording))  # not in this server's folder

    # Another server behind the load balancer: a folder of its own, the same database.
    monkeypatch.setenv("BNAGPT_CONVERSATIONS_DIR", str(tmp_path / "other server"))
    other = start_app(MEMORY_PAGE)
    click_in_conversation(other, "Spoken", "Load")
    assert transcript(other)[0][0] == "user"
    assert len(other.main.get("audio")) == 1  # its recording plays there too
