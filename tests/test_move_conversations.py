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


def test_with_a_database_the_local_rows_go_to_the_person(monkeypatch, postgres_database, capsys):
    from models.attachments import Attachment
    from models.store import new_draft_id
    from models.store.postgres import PostgresStore, database_for

    monkeypatch.setenv("BNAGPT_DATABASE_URL", postgres_database)
    database = database_for(postgres_database, 5)
    local, alice = PostgresStore(database), PostgresStore(database, owner_key("https://id.example", "alice-sub"))
    photo = Attachment("cat.png", "image", local.files.put(b"cat"), "image/png", 3)
    local.save("Old chat", [*MESSAGES, Message("user", "zebra", attachments=(photo,))])
    draft = new_draft_id()
    local.drafts.save(draft, "memory", MESSAGES, None)
    alice.save("Old chat", MESSAGES)  # a name Alice uses already
    assert main(["alice@example.com"]) == 1 and "sign in once" in capsys.readouterr().err

    alice.remember_owner({"iss": "https://id.example", "sub": "alice-sub", "email": "alice@example.com"})
    assert main(["ALICE@example.com"]) == 0
    assert capsys.readouterr().out == "Moved 1 conversation to ALICE@example.com: Old chat (2).\n"
    assert alice.load("Old chat (2)").messages[-1].content == "zebra" and alice.files.read(photo.digest) == b"cat"
    assert [summary.name for summary in alice.search("zebra (2)")] == ["Old chat (2)"]
    assert alice.drafts.load(draft) is not None and local.drafts.load(draft) is None
    assert local.list().conversations == [] and not local.files.exists(photo.digest)
