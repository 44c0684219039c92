"""Conversations as files a person downloads or uploads: a readable Markdown export, the store's
own JSON (which imports again, or can be dropped into the conversations directory), safe
download names, and reading an uploaded file for import.

An upload may hold one conversation in the store's format or the original bnaGPT app's
`saved_conversations.json` (many). Anything else is refused with an ImportProblem naming the
file and what is wrong, and nothing is taken from a file that is wrong anywhere.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from models.message import Message
from models.store._attached import AttachedFiles, carried_files, carry_files
from models.store._format import (
    FORMAT_VERSION,
    UnreadableFile,
    ascii_slug,
    check_metadata,
    encode_document,
    legacy_entries,
    messages_from,
    metadata_for,
)
from models.store._records import Conversation, ImportProblem
from models.tool_step import steps_markdown
from settings import DEFAULTS

MEGABYTE = 1024 * 1024  # as Streamlit counts an upload's size
EXPORT_SLUG_LENGTH = 60
ROLE_TITLES = {"user": "You", "assistant": "Assistant", "system": "System"}
JSON_KINDS = {list: "a list", str: "a string", int: "a number", float: "a number", bool: "true or false"}


@dataclass(frozen=True)
class ImportedConversation:
    """One conversation read from an uploaded file, as ConversationStore.import_conversation takes it."""

    name: str
    messages: list[Message]
    model: str | None = None
    assistant: dict[str, Any] | None = None
    files: dict[str, bytes] = field(default_factory=dict)  # attached files it carried, by digest


def to_markdown(conversation: Conversation) -> str:
    """A readable Markdown transcript: the name, when and with which model, then each message."""
    summary = conversation.summary
    facts = [f"Created {_when(summary.created)}", f"updated {_when(summary.updated)}"]
    if summary.model:
        facts.append(f"model {summary.model}")
    parts = [f"# {summary.name}", " · ".join(facts)]
    for message in conversation.messages:
        parts.append(f"### {ROLE_TITLES[message.role]}")
        if message.reasoning:
            # The model's thinking, folded as GitHub and most Markdown viewers fold <details>.
            parts.append(f"<details><summary>Thinking</summary>\n\n{message.reasoning}\n\n</details>")
        if message.steps:
            parts.append(steps_markdown(message.steps))
        if message.content.strip():
            parts.append(message.content)
        if message.attachments:
            parts.append("📎 Attached: " + ", ".join(attachment.label() for attachment in message.attachments))
        if message.sources:
            cited = "\n".join(f"- {passage.citation()} {_quoted(passage.text)}" for passage in message.sources)
            parts.append(f"<details><summary>Sources</summary>\n\n{cited}\n\n</details>")
        if message.error is not None:
            parts.append("\n".join(f"> {line}" for line in f"**Not answered:** {message.error}".splitlines()))
        if message.details is not None:
            parts.append(f"*{message.details.caption()}*")
    return "\n\n".join(parts) + "\n"


def to_json(conversation: Conversation, files: AttachedFiles | None = None) -> bytes:
    """The conversation in the store's own file format: the bytes the store would write for it,
    with (given the store's `files`) each attached file's bytes carried once, for an import."""
    adapt = None
    if files is not None:
        carried: set[str] = set()

        def adapt(message: dict[str, Any]) -> dict[str, Any]:
            return carry_files(message, files, carried)

    return encode_document(metadata_for(conversation.summary, conversation.assistant), conversation.messages, adapt)


def _quoted(text: str, limit: int = 300) -> str:
    """A passage on one line, shortened, for the Markdown export's Sources."""
    line = " ".join(text.split())
    return f"“{line[:limit]}…”" if len(line) > limit else f"“{line}”"


def export_file_name(name: str, extension: str) -> str:
    """A download file name safe everywhere: an ASCII slug of the name (else "conversation") and the extension."""
    return f"{ascii_slug(name, EXPORT_SLUG_LENGTH) or 'conversation'}.{extension.lstrip('.')}"


def parse_import(file_name: str, data: bytes, max_mb: float = float(DEFAULTS["BNAGPT_MAX_IMPORT_MB"])
                 ) -> list[ImportedConversation]:
    """The conversations in an uploaded file (ours or the original app's) of at most `max_mb` MB
    (settings.max_import_mb), or ImportProblem saying what is wrong."""
    try:
        document = _json_of(data, max_mb)
        if "format" in document or "name" in document:
            return [_conversation_of(document)]
        # The original app's file: {name: [messages]}; anything else is no conversation at all.
        if document and not any(isinstance(value, list) for value in document.values()):
            raise UnreadableFile('it is not a bnaGPT conversation (no "messages" list)')
        entries = legacy_entries(document)
    except UnreadableFile as problem:
        raise ImportProblem(file_name, str(problem)) from None
    if not entries:
        raise ImportProblem(file_name, "it holds no conversations")
    return [ImportedConversation(name, messages) for name, messages in entries]


def _json_of(data: bytes, max_mb: float) -> dict[str, Any]:
    """The JSON object an uploaded file holds, or UnreadableFile saying why there is none."""
    if len(data) > max_mb * MEGABYTE:
        raise UnreadableFile(f"it is {len(data) / MEGABYTE:.1f} MB, more than the {max_mb:g} MB an import may be "
                             "(BNAGPT_MAX_IMPORT_MB)")
    try:
        text = data.decode("utf-8-sig")  # a byte order mark is harmless, so accept it
    except UnicodeDecodeError:
        raise UnreadableFile("it is not UTF-8 text") from None
    if not text.strip():
        raise UnreadableFile("it is empty")
    try:
        document = json.loads(text)
    except ValueError:
        raise UnreadableFile("it is not valid JSON") from None
    if not isinstance(document, dict):
        raise UnreadableFile(f"it holds {JSON_KINDS.get(type(document), 'null')}, not a bnaGPT conversation")
    return document


def _conversation_of(document: dict[str, Any]) -> ImportedConversation:
    """One conversation in the store's format; its name need not match any file name (it is cleaned on import)."""
    if "messages" not in document:
        raise UnreadableFile('it is not a bnaGPT conversation (no "messages" list)')
    version = document.get("format")
    if type(version) is int and version > FORMAT_VERSION:
        raise UnreadableFile(f"it was saved by a newer version of bnaGPT (format {version})")
    metadata = check_metadata(document, count_required=False)
    messages = messages_from(document["messages"], metadata["message_count"])
    try:
        files = carried_files(document["messages"])
    except ValueError as problem:
        raise UnreadableFile(str(problem)) from None
    return ImportedConversation(metadata["name"], messages, metadata["model"], metadata["assistant"], files)


def _when(stamp: str) -> str:
    """An ISO-8601 time stamp as "2025-01-31 14:05 UTC"."""
    moment = datetime.fromisoformat(stamp)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")
