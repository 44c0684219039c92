"""The documented one-line command that gives the local user's conversations to a person."""

from __future__ import annotations

from controller.move_conversations import main
from models.message import Message
from models.store import ConversationStore, owner_key

MESSAGES = [Message("user", "before accounts"), Message("assistant", "kept")]


def test_the_local_conversations_go_to_the_person_with_that_address(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("BNAGPT_CONVERSATIONS_DIR", str(tmp_path))
    ConversationStore(tmp_path).save("Old chat", MESSAGES)
    assert main(["alice@example.com"]) == 1  # Alice has not signed in yet: nothing moves
    assert "sign in once, then run this again" in capsys.readouterr().err
    alice = owner_key("https://id.example", "alice-sub")
    ConversationStore(tmp_path, alice).remember_owner({"iss": "https://id.example", "sub": "alice-sub",
                                                       "email": "alice@example.com"})
    assert main(["Alice@Example.com"]) == 0
    assert capsys.readouterr().out == "Moved 1 conversation to Alice@Example.com: Old chat.\n"
    assert ConversationStore(tmp_path, alice).load("Old chat").messages == MESSAGES
    assert ConversationStore(tmp_path).list().conversations == []


def test_an_address_known_through_two_providers_asks_which(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("BNAGPT_CONVERSATIONS_DIR", str(tmp_path))
    for issuer in ("https://one.example", "https://two.example"):
        ConversationStore(tmp_path, owner_key(issuer, "x")).remember_owner(
            {"iss": issuer, "sub": "x", "email": "alice@example.com"})
    ConversationStore(tmp_path).save("Old chat", MESSAGES)
    assert main(["alice@example.com"]) == 1 and "choose one with --issuer" in capsys.readouterr().err
    assert main(["alice@example.com", "--issuer", "https://two.example"]) == 0
    assert ConversationStore(tmp_path, owner_key("https://two.example", "x")).exists("Old chat")
