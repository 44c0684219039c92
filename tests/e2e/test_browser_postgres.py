"""Two `streamlit run` servers on one PostgreSQL database (BNAGPT_DATABASE_URL), as behind a load
balancer with sticky sessions: they behave as one app in Chromium. A conversation saved through one
is listed and loads on the other; two sessions on different servers autosaving one conversation
lose nothing (the one that saves second is told, keeps its turn and saves it under another name)."""

from __future__ import annotations

import pytest

from models.store.postgres import Database, PostgresStore
from tests.e2e.streamlit_server import StreamlitServer
from tests.e2e.test_browser_chat import MEMORY
from tests.fake_groq import FakeGroq
from tests.postgres_server import PostgresServer


@pytest.fixture(scope="module")
def two_servers(browser, fake_groq_server: FakeGroq, postgres_server: PostgresServer,
                tmp_path_factory: pytest.TempPathFactory):
    """Two app servers, each with its own folder, sharing one new database; and its URL."""
    url = postgres_server.create_database("bnagpt_two_servers")
    servers = []
    for index in (1, 2):
        folder = tmp_path_factory.mktemp(f"server{index}")
        env = StreamlitServer.environment(fake_groq_server.base_url, fake_groq_server.api_key, folder)
        env["BNAGPT_DATABASE_URL"] = url
        servers.append(StreamlitServer(env, folder / "streamlit.log"))
    with servers[0], servers[1]:
        yield servers, url


def stored(url: str, name: str) -> list[str]:
    return [message.content for message in PostgresStore(Database(url, 5)).load(name).messages]


def test_a_conversation_saved_on_one_server_is_listed_and_loads_on_the_other(open_page, two_servers, fake_groq):
    (one, two), url = two_servers
    first = open_page(one).go_to(MEMORY)
    first.send("Plan a trip to Porto")
    first.save_as("Porto")

    second = open_page(two).go_to(MEMORY)
    second.expect_saved_conversations(["Porto"])
    second.in_conversation("Porto", "Load")
    second.expect_transcript([("user", "Plan a trip to Porto"), ("assistant", "Echo: Plan a trip to Porto")])
    second.send("And day two?")  # autosaved through the second server, seen through the first
    assert stored(url, "Porto")[-1] == "Echo: And day two?"
    first.search("day two")
    first.expect_saved_conversations(["Porto"])


def test_two_sessions_on_two_servers_autosaving_one_conversation_lose_nothing(open_page, two_servers, fake_groq):
    (one, two), url = two_servers
    first = open_page(one).go_to(MEMORY)
    first.send("Shared plan")
    first.save_as("Shared")
    second = open_page(two).go_to(MEMORY)
    second.in_conversation("Shared", "Load")

    first.send("from the first server")
    second.send("from the second server")

    assert stored(url, "Shared") == ["Shared plan", "Echo: Shared plan",
                                     "from the first server", "Echo: from the first server"]
    warning = second.sidebar.get_by_test_id("stAlert").filter(has_text="was changed in another tab or window")
    warning.wait_for()
    assert [text for _, text in second.transcript()][-1] == "Echo: from the second server"  # still on its page
    second.save_as("Shared, second server")
    assert stored(url, "Shared, second server")[-2:] == ["from the second server", "Echo: from the second server"]
    assert stored(url, "Shared")[-1] == "Echo: from the first server"
