"""The Chatbot With Memory page in AppTest: memory, and save / list / load / new chat / delete."""

from __future__ import annotations

import json

from models.store import INDEX_DIR_NAME, ConversationStore
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
from tests.conftest import sent_messages


def memory_page():
    return start_app(MEMORY_PAGE)


def stored(conversations_dir, name: str) -> list[str]:
    return [message.content for message in ConversationStore(conversations_dir).load(name).messages]


def stored_files(conversations_dir):
    return sorted(path.name for path in conversations_dir.glob("*.json"))


def test_turn_two_carries_turn_one(app_env):
    app = memory_page()
    app_env.reply_with("Hello Ada!")
    send(app, "My name is Ada")
    send(app, "What is my name?")

    assert transcript(app) == [
        ("user", "My name is Ada"), ("assistant", "Hello Ada!"),
        ("user", "What is my name?"), ("assistant", "Echo: What is my name?"),
    ]
    assert sent_messages(app_env.chat_requests()[1]) == [
        ("user", "My name is Ada"), ("assistant", "Hello Ada!"), ("user", "What is my name?"),
    ]


def test_save_lists_it_and_another_session_loads_and_continues(app_env, conversations_dir):
    app = memory_page()
    send(app, "Plan a trip")
    save_as(app, "Lisbon trip")
    assert saved_conversations(app) == ["Lisbon trip"]
    assert [toast.value for toast in app.toast] == ["Saved “Lisbon trip”."]
    assert len(stored_files(conversations_dir)) == 1

    other = memory_page()  # a second browser session
    assert saved_conversations(other) == ["Lisbon trip"] and transcript(other) == []
    click_in_conversation(other, "Lisbon trip", "Load")
    assert transcript(other) == [("user", "Plan a trip"), ("assistant", "Echo: Plan a trip")]
    send(other, "Day two?")
    assert sent_messages(app_env.chat_requests()[-1]) == [
        ("user", "Plan a trip"), ("assistant", "Echo: Plan a trip"), ("user", "Day two?"),
    ]


def test_saving_again_updates_in_place(app_env, conversations_dir):
    app = memory_page()
    send(app, "first")
    save_as(app, "Notes")
    send(app, "second")
    save_as(app, "Notes")  # the conversation this session saved: no question asked

    assert saved_conversations(app) == ["Notes"]
    [path] = conversations_dir.glob("*.json")
    stored = json.loads(path.read_text())
    assert [m["content"] for m in stored["messages"]] == ["first", "Echo: first", "second", "Echo: second"]
    assert stored["revision"] == 3 and stored["model"] == "openai/gpt-oss-120b"  # save, autosave, save
    assert "gsk_" not in path.read_text()


def test_another_conversations_name_asks_before_replacing(app_env, conversations_dir):
    first = memory_page()
    send(first, "keep me")
    save_as(first, "Shared name")

    second = memory_page()
    send(second, "newcomer")
    save_as(second, "Shared name")
    assert "already exists" in " ".join(m.value for m in second.markdown)
    loaded = json.loads(next(conversations_dir.glob("*.json")).read_text())
    assert loaded["messages"][0]["content"] == "keep me"  # untouched until confirmed

    click(second, "Cancel")
    assert json.loads(next(conversations_dir.glob("*.json")).read_text())["messages"][0]["content"] == "keep me"

    save_as(second, "Shared name")
    click(second, "Replace")
    assert json.loads(next(conversations_dir.glob("*.json")).read_text())["messages"][0]["content"] == "newcomer"


def test_blank_and_odd_names(app_env, conversations_dir, tmp_path):
    app = memory_page()
    send(app, "hello")
    save_as(app, "   ")
    assert [error.value for error in app.sidebar.error] == ["Please give the conversation a name."]
    assert stored_files(conversations_dir) == []

    for odd in ["../../escape", "<b>bold</b>", "**stars** :red[x] $x$", "🚀 launch"]:
        save_as(app, odd)
        assert odd in saved_conversations(app)
    listing_index = conversations_dir / INDEX_DIR_NAME
    assert all(path.parent in (conversations_dir, listing_index) for path in tmp_path.rglob("*.json"))
    assert not (tmp_path / "escape").exists()


def test_save_on_an_empty_chat_is_disabled_and_says_why(app_env, conversations_dir):
    app = memory_page()
    [save] = [button for button in app.sidebar.button if button.label == "Save"]
    assert save.disabled and save.help == "Nothing to save yet: send a message first."
    send(app, "something")
    [save] = [button for button in app.sidebar.button if button.label == "Save"]
    assert not save.disabled
    assert stored_files(conversations_dir) == []


def test_new_chat_clears_transcript_and_memory(app_env):
    app = memory_page()
    send(app, "remember 42")
    save_as(app, "Numbers")
    click(app, "New chat")
    assert transcript(app) == []
    send(app, "what number?")
    assert sent_messages(app_env.chat_requests()[-1]) == [("user", "what number?")]


def test_leaving_unsaved_turns_asks_first(app_env):
    app = memory_page()
    send(app, "unsaved thought")
    click(app, "New chat")
    shown = " ".join(m.value for m in app.markdown)
    assert "1 unsaved" in shown or "2 unsaved" in shown
    click(app, "Cancel")
    assert transcript(app)[0] == ("user", "unsaved thought")

    click(app, "New chat")
    click(app, "Discard")
    assert transcript(app) == []


def test_delete_asks_then_removes_from_list_and_disk(app_env, conversations_dir):
    app = memory_page()
    send(app, "keep")
    save_as(app, "Keeper")
    click(app, "New chat")
    send(app, "bin")
    save_as(app, "Binned")
    assert saved_conversations(app) == ["Binned", "Keeper"]

    click_in_conversation(app, "Keeper", "Delete")
    assert "Keeper" in saved_conversations(app)  # nothing gone before the yes
    click(app, "Yes, delete")
    assert saved_conversations(app) == ["Binned"]
    assert len(stored_files(conversations_dir)) == 1
    assert saved_conversations(memory_page()) == ["Binned"]


def test_a_damaged_file_is_reported_kept_and_never_crashes(app_env, conversations_dir):
    app = memory_page()
    send(app, "fine")
    save_as(app, "Fine")
    (conversations_dir / "broken-0123456789abcdef0123.json").write_bytes(b'{"format": 1, "na')

    fresh = memory_page()
    assert saved_conversations(fresh) == ["Fine"]
    [warning] = fresh.sidebar.warning
    assert "broken-0123456789abcdef0123.json" in warning.value
    [kept] = conversations_dir.glob("broken-*.corrupt")
    assert kept.read_bytes() == b'{"format": 1, "na'


def test_legacy_file_is_listed_and_loadable(app_env, conversations_dir):
    conversations_dir.mkdir(parents=True)
    legacy = {"Old chat": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}
    (conversations_dir / "saved_conversations.json").write_text(json.dumps(legacy))

    app = memory_page()
    assert saved_conversations(app) == ["Old chat"]
    click_in_conversation(app, "Old chat", "Load")
    assert transcript(app) == [("user", "hi"), ("assistant", "hello")]


def test_failed_turn_is_kept_visible_and_saved_but_not_sent_again(app_env, conversations_dir):
    app = memory_page()
    send(app, "first")
    app_env.fail_with(500, "boom")
    send(app, "lost in transit")
    send(app, "third")

    assert [kind for kind, _ in transcript(app)] == ["user", "assistant", "user", "error", "user", "assistant"]
    assert ("user", "lost in transit") not in sent_messages(app_env.chat_requests()[-1])
    save_as(app, "With a failure")
    stored = json.loads(next(conversations_dir.glob("*.json")).read_text())
    assert stored["messages"][2]["content"] == "lost in transit" and "server error" in stored["messages"][2]["error"]


def test_save_as_on_a_named_chat_says_where_autosave_now_writes(app_env, conversations_dir):
    app = memory_page()
    send(app, "first")
    save_as(app, "Original")
    assert [button.label for button in app.sidebar.button][:2] == ["Save as…", "New chat"]
    save_as(app, "Copy")
    assert [toast.value for toast in app.toast] == [
        "Saved “Copy”. New turns are saved to “Copy”; “Original” stays as it was."]
    send(app, "second")
    assert stored(conversations_dir, "Copy")[-1] == "Echo: second"
    assert stored(conversations_dir, "Original")[-1] == "Echo: first"


def test_the_discard_dialog_offers_save_first(app_env, conversations_dir):
    app = memory_page()
    send(app, "worth keeping")
    click(app, "New chat")
    assert [(b.label, b.proto.type) for b in app.button if b.key.startswith(("memory.discard", "memory.yes_discard"))
            ] == [("Save", "primary"), ("Discard", "secondary"), ("Cancel", "secondary")]
    [save] = [b for b in app.button if b.key == "memory.discard.save"]
    save.click().run()
    assert transcript(app) == []
    assert stored(conversations_dir, "worth keeping") == ["worth keeping", "Echo: worth keeping"]
