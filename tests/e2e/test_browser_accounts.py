"""Accounts in the browser: Streamlit's real OpenID Connect sign-in against the fake provider
(tests/fake_oidc.py), two people in two browser contexts, links, Log out, a refused address."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.chat_page import ChatPage
from tests.e2e.streamlit_server import StreamlitServer
from tests.e2e.test_browser_chat import MEMORY
from tests.fake_oidc import CLIENT_ID, CLIENT_SECRET, FakeOIDC

ALLOWED = "alice@example.com, @team.example"


def auth_secrets(server: StreamlitServer, provider: FakeOIDC) -> str:
    """The README's [auth] section, for this server and this provider."""
    return (f'[auth]\nredirect_uri = "{server.url}/oauth2callback"\ncookie_secret = "{"c" * 40}"\n'
            f'client_id = "{CLIENT_ID}"\nclient_secret = "{CLIENT_SECRET}"\n'
            f'server_metadata_url = "{provider.metadata_url}"\n')


@pytest.fixture(scope="module")
def accounts_server(browser, fake_groq_server, tmp_path_factory):
    """The app with accounts on: the fake provider, an allow-list, a store of its own."""
    folder = tmp_path_factory.mktemp("accounts")
    env = StreamlitServer.environment(fake_groq_server.base_url, fake_groq_server.api_key, folder)
    env["BNAGPT_ALLOWED_EMAILS"] = ALLOWED
    server = StreamlitServer(env, folder / "streamlit.log", secrets_file=folder / "auth-secrets.toml")
    provider = FakeOIDC([f"{server.url}/oauth2callback"]).start()
    server.secrets_file.write_text(auth_secrets(server, provider))
    try:
        with server:
            yield server, provider
    finally:
        provider.stop()


def sign_in(open_page, server: StreamlitServer, email: str) -> ChatPage:
    """A new browser context: the sign-in screen, the provider's page, back in the app."""
    page = open_page(server)
    expect(page.page.get_by_text("Your conversations are yours alone")).to_be_visible()
    page.page.get_by_role("button", name="Sign in", exact=True).click()
    page.page.get_by_label("E-mail address").fill(email)
    page.runs_finished, page._socket = 0, None
    page.page.get_by_role("button", name="Continue").click()  # → /oauth2callback → the app again
    page._wait_for_run(0)
    return page


def test_two_people_see_only_their_own_conversations(open_page, accounts_server, fake_groq):
    server, provider = accounts_server
    alice = sign_in(open_page, server, "alice@example.com")
    expect(alice.sidebar.get_by_text("Signed in as alice@example.com")).to_be_visible()
    alice.go_to(MEMORY).send("Alice's zebra plan")
    alice.save_as("Alice plan")
    alice.expect_saved_conversations(["Alice plan"])

    bob = sign_in(open_page, server, "bob@team.example")
    expect(bob.sidebar.get_by_text("Signed in as bob@team.example")).to_be_visible()
    bob.go_to(MEMORY).send("Bob's own")
    bob.save_as("Bob notes")
    bob.expect_saved_conversations(["Bob notes"])
    bob.search("zebra")
    bob.expect_saved_conversations([])
    alice.reload()
    alice.expect_saved_conversations(["Alice plan"])
    assert provider.signed_in == ["alice@example.com", "bob@team.example"]

    # Alice's link, in Bob's browser: not found, and nothing of hers on the page.
    bob.open("Chatbot_With_Memory?chat=Alice+plan")
    bob.expect_toast("No saved conversation named “Alice plan”.")
    expect(bob.page.get_by_text("Alice's zebra plan")).to_have_count(0)
    bob.expect_saved_conversations(["Bob notes"])


def test_log_out_returns_to_the_sign_in_screen(open_page, accounts_server, fake_groq):
    server, _ = accounts_server
    carol = sign_in(open_page, server, "carol@team.example")
    carol.runs_finished, carol._socket = 0, None
    carol.sidebar.get_by_role("button", name="Log out").click()
    carol._wait_for_run(0)
    expect(carol.page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    expect(carol.chat_box).to_have_count(0)
    carol.reload()  # the sign-in cookie is gone: still signed out
    expect(carol.page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()


def test_an_address_not_allowed_is_refused(open_page, accounts_server, fake_groq):
    server, _ = accounts_server
    mallory = sign_in(open_page, server, "mallory@elsewhere.example")
    expect(mallory.page.get_by_text("mallory@elsewhere.example may not use this bnaGPT")).to_be_visible()
    expect(mallory.chat_box).to_have_count(0)
    expect(mallory.page.get_by_role("button", name="Log out")).to_be_visible()
    assert fake_groq.chat_requests() == []
