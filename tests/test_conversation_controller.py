"""The memory controller's conversation handling against the fake server and a temp store:
autosave, rename, export, import and the suggested name."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from controller.memory_chat import MemoryChatController
from models.attachments import Attachment
from models.message import Message
from models.store import ConversationExists
from tests.conftest import answer_text, ask


def contents(store, name):
    return [message.content for message in store.load(name).messages]


def test_an_unnamed_chat_is_not_written_anywhere(memory_chat, store, fake_groq):
    ask(memory_chat, "just thinking")
    assert store.list().conversations == [] and memory_chat.autosave_problem is None


def test_every_finished_turn_of_a_named_chat_is_on_disk(memory_chat, store, fake_groq):
    ask(memory_chat, "one")
    memory_chat.save("Numbers")
    ask(memory_chat, "two")
    assert contents(store, "Numbers") == ["one", "Echo: one", "two", "Echo: two"]
    assert not memory_chat.has_unsaved_turns

    stream = memory_chat.stream_reply("three")
    next(stream)
    stream.close()  # stopped before anything was shown: the question is kept, unanswered, on disk too
    saved = store.load("Numbers").messages
    assert saved[-1].content == "three" and saved[-1].error


def test_a_regenerated_answer_replaces_the_saved_one(memory_chat, store, fake_groq):
    ask(memory_chat, "pick a colour")
    memory_chat.save("Colours")
    fake_groq.reply_with("Teal.")
    answer_text(memory_chat.stream_regenerated())
    assert contents(store, "Colours") == ["pick a colour", "Teal."]


def test_an_autosave_refuses_to_overwrite_a_change_made_elsewhere(memory_chat, store, settings, fake_groq):
    ask(memory_chat, "mine")
    memory_chat.save("Shared")
    elsewhere = MemoryChatController(settings, store)
    elsewhere.load("Shared")
    ask(elsewhere, "theirs")

    ask(memory_chat, "mine again")
    assert "changed in another tab" in memory_chat.autosave_problem
    assert contents(store, "Shared")[-1] == "Echo: theirs"
    assert memory_chat.has_unsaved_turns  # what this tab said is still only here, and leaving asks first
    with pytest.raises(ConversationExists):
        memory_chat.save("Shared")
    memory_chat.save("Shared", replace=True)
    assert memory_chat.autosave_problem is None and contents(store, "Shared")[-1] == "Echo: mine again"


def test_renaming_the_open_conversation_follows_it(memory_chat, store, fake_groq):
    ask(memory_chat, "hello")
    memory_chat.save("Old")
    memory_chat.rename("Old", "New")
    assert memory_chat.name == "New" and not store.exists("Old")
    ask(memory_chat, "still here?")
    assert contents(store, "New")[-1] == "Echo: still here?" and not store.exists("Old")


def test_replacing_the_open_conversation_by_renaming_another_unbinds_this_chat(memory_chat, store, fake_groq):
    store.save("Other", [Message("user", "other words")])
    ask(memory_chat, "hello")
    memory_chat.save("Open")
    memory_chat.rename("Other", "Open", replace=True)
    assert memory_chat.name is None and memory_chat.has_unsaved_turns
    ask(memory_chat, "next")
    assert contents(store, "Open") == ["other words"]  # this chat no longer writes into it


def test_exports_hold_the_saved_conversation(memory_chat, store):
    store.save("Trip: Lisbon", [Message("user", "Plan it"), Message("assistant", "**Day 1**: Alfama")], model="m")
    markdown = memory_chat.export("Trip: Lisbon", "markdown")
    assert "Trip: Lisbon" in markdown and "Plan it" in markdown and "**Day 1**: Alfama" in markdown
    document = json.loads(memory_chat.export("Trip: Lisbon", "json"))
    assert document["name"] == "Trip: Lisbon" and [m["content"] for m in document["messages"]] == [
        "Plan it", "**Day 1**: Alfama"]
    assert memory_chat.export_file_name("Trip: Lisbon", "json").endswith(".json")


def test_import_reports_what_it_saved_and_what_it_refused(memory_chat, store):
    store.save("Trip", [Message("user", "original")])
    exported = memory_chat.export("Trip", "json")
    report = memory_chat.import_files([("trip.json", exported), ("broken.json", b"{"), ("empty.json", b"")])
    assert report.imported == ["Trip (2)"]
    assert [problem.split("”")[0] for problem in report.problems] == ["“broken.json", "“empty.json"]
    assert contents(store, "Trip") == ["original"] and contents(store, "Trip (2)") == ["original"]


def test_a_conversation_with_a_file_of_the_largest_size_is_exported_and_imported(memory_chat, store):
    """Its JSON export carries the file as base64, a third larger than the file: still importable."""
    largest = b"%PDF-1.4\n" + b"7" * (int(memory_chat.settings.max_upload_mb * 1_000_000) - 9)
    attached = Attachment("report.pdf", "document", store.files.put(largest), "application/pdf", len(largest))
    store.save("Report", [Message("user", "Read it", attachments=(attached,))])
    exported = memory_chat.export("Report", "json")
    assert len(exported) > len(largest) * 4 / 3

    report = memory_chat.import_files([("report.json", exported)])
    assert report.problems == [] and report.imported == ["Report (2)"]
    assert store.load("Report (2)").messages[0].attachments == (attached,)

    smaller = MemoryChatController(replace(memory_chat.settings, max_import_mb=20), store)
    [problem] = smaller.import_files([("report.json", exported)]).problems
    assert problem.startswith("“report.json” could not be imported: it is 25.4 MB, more than the 20 MB an import ")


def test_suggested_name_avoids_names_in_use(memory_chat, store, fake_groq):
    store.save("Hello there", [Message("user", "x")])
    ask(memory_chat, "Hello   there")
    assert memory_chat.suggested_name() == "Hello there (2)"
