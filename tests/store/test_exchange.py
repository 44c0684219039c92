"""Tests for the store's export and import files: Markdown and JSON export, download names, reading uploaded
files (the store's import itself: tests/store/test_import.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.answer_details import AnswerDetails
from models.message import Message
from models.store import (
    ConversationStore,
    ImportedConversation,
    ImportProblem,
    StoreError,
    export_file_name,
    file_name_for,
    parse_import,
    to_json,
    to_markdown,
)
from tests.store.conftest import MESSAGES, legacy_file

ASSISTANT = {"model": "llama-3.3-70b-versatile", "system_prompt": "Be brief.", "temperature": 0.2}
ANSWER = Message(
    "assistant", "Done.", details=AnswerDetails("llama-3.1-8b-instant", 12, 30, seconds=0.42, tokens_per_second=71.4),
)


# Markdown export


def test_markdown_has_the_name_dates_model_roles_errors_and_captions(store: ConversationStore) -> None:
    store.save("Trip to Åre 🏔", [*MESSAGES, ANSWER], model="llama-3.1-8b-instant")
    conversation = store.load("Trip to Åre 🏔")

    markdown = to_markdown(conversation)

    assert markdown.startswith("# Trip to Åre 🏔\n\n")
    created = conversation.summary.created[:16].replace("T", " ")
    assert f"Created {created} UTC · updated {created} UTC · model llama-3.1-8b-instant" in markdown
    assert markdown.count("### You") == 2 and markdown.count("### Assistant") == 3
    for message in MESSAGES:
        assert message.content in markdown
    assert "> **Not answered:** The model timed out." in markdown
    assert f"*{ANSWER.details.caption()}*" in markdown  # type: ignore[union-attr]
    assert "12 → 30 tokens" in markdown
    # In the order they were said: the error right after its message, the caption after its answer.
    assert markdown.index("This one got no answer") < markdown.index("Not answered") < markdown.index("Quotes")
    assert markdown.index("Done.") < markdown.index("12 → 30 tokens")


def test_markdown_quotes_every_line_of_a_long_error(store: ConversationStore) -> None:
    store.save("errors", [Message("user", "hi", error="first line\nsecond line")])

    markdown = to_markdown(store.load("errors"))

    assert "> **Not answered:** first line\n> second line" in markdown
    assert "model" not in markdown.splitlines()[2]  # no model saved: none shown


# JSON export


def test_json_export_is_exactly_the_file_the_store_wrote(json_store: ConversationStore) -> None:
    json_store.save("Trip to Åre 🏔", [*MESSAGES, ANSWER], model="m", assistant=ASSISTANT)

    exported = to_json(json_store.load("Trip to Åre 🏔"))

    assert exported == (json_store.directory / file_name_for("Trip to Åre 🏔")).read_bytes()


def test_json_export_imports_again_with_the_same_content(store: ConversationStore) -> None:
    store.save("Trip to Åre 🏔", [*MESSAGES, ANSWER], model="m", assistant=ASSISTANT)

    [imported] = parse_import("trip.json", to_json(store.load("Trip to Åre 🏔")))

    assert imported == ImportedConversation("Trip to Åre 🏔", [*MESSAGES, ANSWER], "m", ASSISTANT)


def test_an_exported_file_dropped_into_another_store_directory_is_listed(
    store: ConversationStore, tmp_path: Path
) -> None:
    store.save("moved", MESSAGES, assistant=ASSISTANT)
    other = ConversationStore(tmp_path / "other")

    (other.directory / file_name_for("moved")).write_bytes(to_json(store.load("moved")))

    assert other.load("moved").messages == MESSAGES
    assert other.list().problems == []


@pytest.mark.parametrize(
    ("name", "extension", "expected"),
    [
        ("Trip to Åre 🏔", "md", "trip-to-are.md"),
        ("Trip to Åre 🏔", ".json", "trip-to-are.json"),
        ("你好", "md", "conversation.md"),
        ("../../etc/passwd", "json", "etc-passwd.json"),
        ("C:\\Windows\\con", "md", "c-windows-con.md"),
        ("x" * 200, "md", "x" * 60 + ".md"),
    ],
)
def test_export_file_names_are_short_ascii_slugs(name: str, extension: str, expected: str) -> None:
    assert export_file_name(name, extension) == expected


# Reading uploaded files


def test_the_original_apps_file_gives_one_conversation_per_entry() -> None:
    data = legacy_file({
        "Chat one": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}],
        "Ça va": [{"role": "user", "content": "Oui"}],
    })

    assert parse_import("saved_conversations.json", data) == [
        ImportedConversation("Chat one", [Message("user", "Hi"), Message("assistant", "Hello!")]),
        ImportedConversation("Ça va", [Message("user", "Oui")]),
    ]


def test_a_byte_order_mark_is_accepted() -> None:
    data = "\ufeff".encode("utf-8") + legacy_file({"bom": [{"role": "user", "content": "x"}]})

    assert parse_import("bom.json", data) == [ImportedConversation("bom", [Message("user", "x")])]


def test_an_exported_file_under_any_file_name_and_without_a_message_count_imports(store: ConversationStore) -> None:
    store.save("Name inside", MESSAGES)
    document = json.loads(to_json(store.load("Name inside")))
    del document["message_count"]

    [imported] = parse_import("whatever I called it.json", json.dumps(document).encode())

    assert (imported.name, imported.messages) == ("Name inside", MESSAGES)


def exported(store: ConversationStore, **changes: object) -> bytes:
    """An exported conversation with some of its top-level fields changed (None removes one)."""
    store.save("exported", MESSAGES[:3])
    document = json.loads(to_json(store.load("exported")))
    for key, value in changes.items():
        if value is None:
            del document[key]
        else:
            document[key] = value
    return json.dumps(document).encode("utf-8")


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "it is empty"),
        (b" \n\t ", "it is empty"),
        (b"{\"name\": ", "it is not valid JSON"),
        ("café".encode("latin-1"), "it is not UTF-8 text"),
        (b"[1, 2]", "it holds a list, not a bnaGPT conversation"),
        (b"\"text\"", "it holds a string, not a bnaGPT conversation"),
        (b"42", "it holds a number, not a bnaGPT conversation"),
        (b"null", "it holds null, not a bnaGPT conversation"),
        (b"{}", "it holds no conversations"),
        (b"{\"hello\": \"world\"}", 'it is not a bnaGPT conversation (no "messages" list)'),
        (legacy_file({"a": [{"role": "user", "content": "ok"}, {"content": "no role"}]}),
         "the conversation 'a', message 2: a message lacks role"),
        (legacy_file({"a": [], "b": "text"}),  # type: ignore[dict-item]
         "the conversation 'b' is not a list of messages"),
    ],
    ids=["empty", "blank", "invalid-json", "not-utf8", "list", "string", "number", "null", "empty-object",
         "other-object", "legacy-bad-message", "legacy-not-a-list"],
)
def test_a_file_that_is_not_a_conversation_is_refused_with_its_name_and_why(data: bytes, problem: str) -> None:
    with pytest.raises(ImportProblem) as raised:
        parse_import("notes.json", data)

    assert str(raised.value) == f"“notes.json” could not be imported: {problem}."
    assert isinstance(raised.value, StoreError) and raised.value.file_name == "notes.json"


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"messages": None}, 'it is not a bnaGPT conversation (no "messages" list)'),
        ({"messages": "hello"}, "'messages' is not a list"),
        ({"messages": [{"role": "user", "content": "ok"}, {"role": "wizard", "content": "x"}]},
         "message 2: unknown role 'wizard'; expected one of user, assistant, system"),
        ({"messages": [{"role": "user"}]}, "message 1: a message lacks content"),
        ({"message_count": 7}, "'message_count' does not match the messages"),
        ({"format": 2}, "it was saved by a newer version of bnaGPT (format 2)"),
        ({"format": "1"}, "the format is not 1"),
        ({"name": 5}, "'name' is missing or not text"),
        ({"model": 5}, "'model' is not text"),
        ({"assistant": ["x"]}, "'assistant' is not an object"),
    ],
    ids=["no-messages", "messages-not-a-list", "bad-role", "no-content", "count-mismatch", "newer-format",
         "format-not-a-number", "name-not-text", "model-not-text", "assistant-not-an-object"],
)
def test_a_damaged_exported_file_is_refused_with_what_is_wrong(
    store: ConversationStore, changes: dict[str, object], problem: str
) -> None:
    with pytest.raises(ImportProblem, match="^“notes.json” could not be imported: ") as raised:
        parse_import("notes.json", exported(store, **changes))

    assert str(raised.value).endswith(f": {problem}.")


def test_a_file_over_the_size_limit_is_refused_before_it_is_read() -> None:
    big = legacy_file({"big": [{"role": "user", "content": "x" * 3_000_000}]})
    assert parse_import("big.json", big)  # the default limit, settings' BNAGPT_MAX_IMPORT_MB

    with pytest.raises(ImportProblem, match=r"“big.json” could not be imported: it is 2\.9 MB, more than the 2 MB "
                                            r"an import may be \(BNAGPT_MAX_IMPORT_MB\)\.$"):
        parse_import("big.json", big, max_mb=2)


# import_conversation
