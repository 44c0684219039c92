"""The store keeps each conversation's assistant settings in its file's first line."""

from __future__ import annotations

import json

import pytest

from models.store import ConversationStore, file_name_for
from models.store._format import MAX_HEADER_BYTES, read_header
from tests.store.conftest import MESSAGES

ASSISTANT = {"system_prompt": "Be brief.", "model": "openai/gpt-oss-120b", "temperature": 0.7, "json_mode": False}


def test_assistant_settings_go_in_the_header_after_the_model_and_round_trip(json_store: ConversationStore) -> None:
    summary = json_store.save("with", MESSAGES, model="m", assistant=ASSISTANT)
    json_store.save("without", MESSAGES)
    path = json_store.directory / file_name_for("with")

    header = json.loads(path.read_text(encoding="utf-8").split("\n", 1)[0] + "]}")
    keys = ["format", "name", "created", "updated", "revision", "model", "assistant", "message_count", "messages"]
    assert list(header) == keys and header["assistant"] == ASSISTANT
    loaded = json_store.load("with")
    assert loaded.assistant == ASSISTANT and loaded.summary == summary and loaded.messages == MESSAGES
    assert json_store.load("without").assistant is None
    assert json_store.list().conversations[1] == summary  # summaries do not carry the settings


def test_saving_again_without_assistant_settings_drops_them(json_store: ConversationStore) -> None:
    json_store.save("doc", MESSAGES, assistant=ASSISTANT)
    json_store.save("doc", MESSAGES, expected_revision=1)

    assert json_store.load("doc").assistant is None
    assert b'"assistant":' not in (json_store.directory / file_name_for("doc")).read_bytes()


def test_a_long_non_ascii_system_prompt_still_fits_the_header(json_store: ConversationStore) -> None:
    assistant = {**ASSISTANT, "system_prompt": "日本語の答え🏔🎉" * 500}  # 4,000 characters, 13 KB as UTF-8
    json_store.save("long", MESSAGES, assistant=assistant)
    path = json_store.directory / file_name_for("long")

    assert 12_000 < path.read_bytes().index(b"\n") < MAX_HEADER_BYTES
    assert read_header(path)["assistant"] == assistant  # from the first line, not the whole-file fallback
    assert json_store.load("long").assistant == assistant


@pytest.mark.parametrize("assistant", ["text", ["a", "list"], {1: "number key"}])
def test_assistant_settings_must_be_a_dict_with_text_keys(store: ConversationStore, assistant: object) -> None:
    with pytest.raises(TypeError, match="assistant must be a dict"):
        store.save("odd", MESSAGES, assistant=assistant)  # type: ignore[arg-type]
    assert not store.exists("odd")
