"""Accounts on the page: the sign-in screen when `[auth]` is configured, who is signed in and Log
out in the sidebar, refusing an address not allowed, each person's share of requests to Groq, and
a warning when bnaGPT listens beyond this machine with no accounts to keep people apart.

Accounts are Streamlit's own OpenID Connect sign-in (`st.login`, `st.user`, `st.logout`); whether
they are on is read from the `[auth]` section of `st.secrets`, as `st.login` reads it.
"""

from __future__ import annotations

import logging
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException

from controller.accounts import (
    NO_IDENTITY,
    Account,
    AllowedEmails,
    RequestCap,
    account_from_claims,
    listens_beyond_this_machine,
)
from models.store import StoreError
from settings import Settings
from view.loaders import load_store
from view.text import escape_markdown

OWNER_KEY = "accounts.owner"  # whose data this browser session shows: None without accounts
SIGN_IN_TEXT = "Sign in to chat. Your conversations are yours alone: no one else who signs in here sees them."
EXPOSED = ("bnaGPT is listening on {where} without accounts: anyone who can reach it chats on this Groq key "
           "and can read, rename, export and delete every saved conversation. To keep it on this machine, "
           "start it without `--server.address`; to share it, turn on accounts (README, “Accounts”).")
_log = logging.getLogger("bnaGPT")


def accounts_configured() -> bool:
    """True when the secrets hold an `[auth]` section (every location Streamlit reads, as st.login does)."""
    return bool(st.secrets.load_if_toml_exists() and st.secrets.get("auth"))


def current_owner() -> str | None:
    """Whose conversations this session may see: the signed-in person's key, or None (the local user)."""
    return st.session_state.get(OWNER_KEY)


def sign_in(settings: Settings) -> Account | None:
    """Let the run go on only for someone allowed in: their account, or None without accounts.

    With accounts, a person not signed in sees the sign-in screen, and one not allowed a sentence
    saying why and Log out; nothing else of the page is drawn (st.stop)."""
    if not accounts_configured():
        _warn_if_exposed()
        _own_session(None)
        return None
    if not st.user.is_logged_in:
        _sign_in_screen()
        st.stop()
    claims: dict[str, Any] = st.user.to_dict()
    account = account_from_claims(claims)
    refusal = NO_IDENTITY if account is None else AllowedEmails.parse(settings.allowed_emails).refusal(account, claims)
    if refusal is not None:
        st.title("bnaGPT")
        st.error(refusal, icon=":material/block:")
        _log_out_button("accounts.refused.logout")
        st.stop()
    if _own_session(account.owner):
        _remember(settings, account)
    with st.sidebar:
        st.caption(f":material/account_circle: Signed in as **{escape_markdown(account.email or account.name)}**")
        _log_out_button("accounts.logout")
    return account


def cap_refusal(settings: Settings) -> str | None:
    """Count a request to Groq against the signed-in person's minute; when it is full, why it is refused."""
    owner = current_owner()
    if owner is None:
        return None  # no accounts: the one local user's key is theirs to spend
    return _request_cap(settings.requests_per_minute).take(owner)


def render_refusal(refusal: str, text: str | None) -> None:
    """Say why the message was not sent, with the message, so that nothing typed is lost."""
    st.warning(refusal + (f"\n\nYour message: {escape_markdown(text)}" if text else ""), icon=":material/timer:")


@st.cache_resource(show_spinner=False)
def _request_cap(per_minute: int) -> RequestCap:
    """One count per server process, so that every session of a person shares it."""
    return RequestCap(per_minute)


def _own_session(owner: str | None) -> bool:
    """Tie this browser session to `owner`; True the first time. Another owner's session state is dropped."""
    if OWNER_KEY in st.session_state and st.session_state[OWNER_KEY] == owner:
        return False
    if OWNER_KEY in st.session_state:  # signed in as someone else in the same tab: keep nothing of theirs
        for key in list(st.session_state):
            del st.session_state[key]
    st.session_state[OWNER_KEY] = owner
    return True


def _remember(settings: Settings, account: Account) -> None:
    # So that `python -m controller.move_conversations <e-mail>` can find them; not needed to chat.
    try:
        load_store(settings, account.owner).remember_owner(account.profile())
    except (StoreError, OSError) as error:
        _log.warning("Could not record who signed in: %s", error)


def _sign_in_screen() -> None:
    st.title("bnaGPT")
    st.write(SIGN_IN_TEXT)
    for provider in _providers():
        label = "Sign in" if provider is None else f"Sign in with {provider.replace('-', ' ').title()}"
        if st.button(label, type="primary", icon=":material/login:", key=f"accounts.login.{provider}"):
            try:
                st.login(provider) if provider else st.login()
            except StreamlitAPIException as error:  # [auth] lacks something st.login needs; it says what
                st.error(f"Sign-in is not set up right in the secrets file: {error}", icon=":material/error:")


def _providers() -> list[str | None]:
    """The named providers of `[auth]` (its sub-tables with a client_id), else its one unnamed provider."""
    auth = st.secrets.get("auth") or {}
    named = [name for name, value in auth.items() if hasattr(value, "get") and value.get("client_id")]
    return sorted(named) or [None]


def _log_out_button(key: str) -> None:
    if st.button("Log out", icon=":material/logout:", key=key):
        st.logout()


def _warn_if_exposed() -> None:
    address = st.get_option("server.address")
    if not listens_beyond_this_machine(address):
        return
    where = f"address {address}" if address else "every network interface"
    _warn_in_terminal(where)
    st.warning(EXPOSED.format(where=where), icon=":material/public:")


@st.cache_resource(show_spinner=False)
def _warn_in_terminal(where: str) -> bool:
    """Say it once per server process in the terminal too, where the person who started it looks."""
    _log.warning(EXPOSED.format(where=where).replace("`", "").replace("“", "\"").replace("”", "\""))
    return True
