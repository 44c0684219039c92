"""Accounts in AppTest: the sign-in screen, who is signed in and Log out, each person's own
conversations and links, refused addresses, the per-person request cap, and the warning shown
when bnaGPT listens beyond this machine without accounts."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from controller.accounts import account_from_claims
from models.store import ConversationStore
from tests.app_driver import (
    MEMORY_PAGE,
    PROJECT_DIR,
    assert_no_exception,
    save_as,
    saved_conversations,
    send,
    transcript,
    unescape,
)
from view import accounts

AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "not-a-real-secret-for-tests",
        "client_id": "bnagpt", "client_secret": "s3cret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}
ISSUER = "http://127.0.0.1:9"


def person(name: str, **claims) -> dict:
    """What st.user holds for someone signed in at the fake provider."""
    return {"is_logged_in": True, "iss": ISSUER, "sub": f"sub-{name}", "email": f"{name}@example.com",
            "email_verified": True, "name": name.title(), **claims}


def open_app(user: dict | None, page: str | None = None, link: str | None = None) -> AppTest:
    """A new browser session with accounts configured, signed in as `user` (None: signed out)."""
    app = AppTest.from_file(str(PROJECT_DIR / "Simple_Chatbot.py"), default_timeout=30)
    app.secrets["auth"] = AUTH
    app.user = user or {"is_logged_in": False}
    app.run()
    if link:
        app.query_params["chat"] = link
    if page:
        app.switch_page(page).run()
    assert_no_exception(app)
    return app


def texts(app: AppTest, kind: str) -> str:
    return " ".join(element.value for element in getattr(app, kind))


def test_signed_out_people_see_only_the_sign_in_screen(app_env):
    app = open_app(None)
    assert [button.label for button in app.button] == ["Sign in"]
    assert not app.chat_input and "Your conversations are yours alone" in texts(app, "markdown")
    app = open_app(None, MEMORY_PAGE)  # every page
    assert [button.label for button in app.button] == ["Sign in"] and not app.chat_input
    assert app_env.chat_requests() == []


def test_several_providers_each_have_a_sign_in_button(app_env):
    app = AppTest.from_file(str(PROJECT_DIR / "Simple_Chatbot.py"), default_timeout=30)
    common = {key: AUTH[key] for key in ("redirect_uri", "cookie_secret")}
    provider = {key: AUTH[key] for key in ("client_id", "client_secret", "server_metadata_url")}
    app.secrets["auth"] = {**common, "google": provider, "microsoft": provider}
    app.user = {"is_logged_in": False}
    app.run()
    assert [button.label for button in app.button] == ["Sign in with Google", "Sign in with Microsoft"]


def test_an_incomplete_auth_section_is_a_sentence_not_a_traceback(app_env):
    app = AppTest.from_file(str(PROJECT_DIR / "Simple_Chatbot.py"), default_timeout=30)
    app.secrets["auth"] = {key: value for key, value in AUTH.items() if key != "cookie_secret"}
    app.user = {"is_logged_in": False}
    app.run()
    app.button[0].click().run()
    assert_no_exception(app)
    assert texts(app, "error").startswith("Sign-in is not set up right in the secrets file:")


def test_the_sidebar_says_who_is_signed_in_and_offers_log_out(app_env):
    app = open_app(person("alice"))
    captions = " ".join(caption.value for caption in app.sidebar.caption)
    assert "Signed in as **alice@example.com**" in unescape(captions)
    assert "Log out" in [button.label for button in app.sidebar.button]
    assert app.chat_input


def test_each_person_sees_only_their_own_conversations_and_links(app_env, conversations_dir):
    alice = open_app(person("alice"), MEMORY_PAGE)
    send(alice, "the zebra password is 1234")
    save_as(alice, "Alice's secret")
    assert saved_conversations(alice) == ["Alice's secret"]

    bob = open_app(person("bob"), MEMORY_PAGE)
    assert saved_conversations(bob) == []
    search = [box for box in bob.sidebar.text_input if "Search" in box.label]
    if search:
        search[0].set_value("zebra").run()
        assert saved_conversations(bob) == []
    # Alice's link, opened by Bob: not found, and nothing of hers shown.
    bob = open_app(person("bob"), MEMORY_PAGE, link="Alice's secret")
    assert transcript(bob) == []
    assert [toast.value for toast in bob.toast] == [
        "The linked conversation could not be opened. No saved conversation named “Alice's secret”."]
    # The local user (no accounts) does not see it either: it is kept under Alice's key.
    assert ConversationStore(conversations_dir).list().conversations == []
    alice_key = account_from_claims(person("alice")).owner
    assert [s.name for s in ConversationStore(conversations_dir, alice_key).list().conversations] == ["Alice's secret"]


def test_another_persons_draft_link_opens_nothing(app_env):
    alice = open_app(person("alice"))
    send(alice, "unsent zebra thoughts")
    draft_id = alice.query_params["draft"]
    bob = AppTest.from_file(str(PROJECT_DIR / "Simple_Chatbot.py"), default_timeout=30)
    bob.secrets["auth"], bob.user = AUTH, person("bob")
    bob.query_params["draft"] = draft_id
    bob.run()
    assert_no_exception(bob)
    assert transcript(bob) == [] and "draft" not in bob.query_params
    assert [toast.value for toast in bob.toast] == [
        "The unsaved chat in this link is gone (chats without a name are kept 30 days)."]


def test_an_address_not_allowed_is_refused_with_a_sentence(app_env, monkeypatch):
    monkeypatch.setenv("BNAGPT_ALLOWED_EMAILS", "alice@example.com, @team.example")
    refused = open_app(person("mallory"))
    assert texts(refused, "error") == (
        "mallory@example.com may not use this bnaGPT; ask its owner to add the address, "
        "or log out and sign in with another.")
    assert [button.label for button in refused.button] == ["Log out"] and not refused.chat_input
    assert open_app(person("alice")).chat_input  # an address on the list
    assert open_app(person("carol", email="carol@Team.Example")).chat_input  # a domain on the list
    unverified = open_app(person("dave", email="dave@team.example", email_verified=False))
    assert "has not verified dave@team.example" in texts(unverified, "error")


def test_each_person_has_a_cap_on_requests_a_minute(app_env, monkeypatch):
    monkeypatch.setenv("BNAGPT_REQUESTS_PER_MINUTE", "2")
    accounts._request_cap.clear()  # a fresh count, whatever other tests did in this process
    alice = open_app(person("alice"))
    send(alice, "one")
    send(alice, "two")
    send(alice, "three")
    assert len(app_env.chat_requests()) == 2
    warning = texts(alice, "warning")
    assert warning.startswith("Not sent: you have sent 2 requests in the last minute") and "three" in warning
    send(open_app(person("bob")), "bob's first")  # another person's minute is their own
    assert len(app_env.chat_requests()) == 3


@pytest.mark.parametrize(("address", "warned"), [("0.0.0.0", True), ("192.168.1.5", True), ("", True),
                                                 ("127.0.0.1", False), ("localhost", False), ("::1", False)])
def test_listening_beyond_this_machine_without_accounts_shows_a_banner(app_env, address, warned, caplog):
    from streamlit import config

    saved = config.get_option("server.address")
    config.set_option("server.address", address or None)
    accounts._warn_in_terminal.clear()  # once per server process: this test's "process" starts now
    try:
        app = AppTest.from_file(str(PROJECT_DIR / "Simple_Chatbot.py"), default_timeout=30).run()
        banner = [warning.value for warning in app.warning if "without accounts" in warning.value]
        assert bool(banner) == warned
        in_terminal = [record.getMessage() for record in caplog.records if record.name == "bnaGPT"]
        assert bool(in_terminal) == warned  # in the terminal too, where the person who started it looks
        assert all("Groq key" in line and app_env.api_key not in line for line in in_terminal)
        signed_in = open_app(person("alice"))  # with accounts, there is nothing to warn of
        assert not [warning for warning in signed_in.warning if "without accounts" in warning.value]
    finally:
        config.set_option("server.address", saved)
