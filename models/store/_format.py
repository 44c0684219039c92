"""How a conversation becomes bytes in a file and back.

File names (an ASCII slug, then a hash of the name), the one-document layout whose first line
holds all the metadata, reading just that header, parsing a whole file, checking metadata and
turning it into a summary, which names in the directory are conversation files, and the original
app's `saved_conversations.json` (its import: `_legacy`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from models.message import Message
from models.store._names import validate_name
from models.store._records import ConversationSummary, InvalidName

FORMAT_VERSION = 1
SLUG_MAX_LENGTH = 40
HASH_HEX_LENGTH = 20
HEADER_END = b'"messages": [\n'
FOOTER = b"]}\n"
# A header holds a name of at most 120 characters, a model id and the assistant settings (whose
# system prompt can run to some kilobytes), so it usually fits in the first read and nearly always
# in MAX_HEADER_BYTES; a longer one is read by parsing the whole file instead.
HEADER_READ_BYTES = 4096
MAX_HEADER_BYTES = 64 * 1024
METADATA_KEYS = ("format", "name", "created", "updated", "revision", "model", "assistant")
# The original app's single file. It lives beside the conversation files but is not one of
# them; `_legacy` reads it, and the directory scan skips it.
LEGACY_FILE_NAME = "saved_conversations.json"


class UnreadableFile(ValueError):
    """A file that is not a well-formed conversation document; str(e) says why."""


def utc_now() -> str:
    """The current time as ISO-8601 UTC with microseconds, so stamps sort as text."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def ascii_slug(text: str, max_length: int = SLUG_MAX_LENGTH) -> str:
    """Lower-case ASCII letters and digits of `text` joined by hyphens ("" when there are none)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:max_length].rstrip("-")


def file_name_for(name: str) -> str:
    """The file a normalised conversation name is stored in: an ASCII slug, then a hash."""
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:HASH_HEX_LENGTH]
    return f"{ascii_slug(name)}-{digest}.json"


def metadata_for(summary: ConversationSummary, assistant: dict[str, Any] | None) -> dict[str, Any]:
    """The metadata written in a conversation's first line (before its message count)."""
    metadata = {"format": FORMAT_VERSION, "name": summary.name, "created": summary.created,
                "updated": summary.updated, "revision": summary.revision, "model": summary.model}
    if assistant is not None:
        metadata["assistant"] = assistant
    return metadata


def encode_document(metadata: dict[str, Any], messages: Sequence[Message],
                    adapt: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> bytes:
    """One JSON document whose first line holds all metadata and then one message per line (each
    message's JSON form passed through `adapt`, when given: an export adds attached files)."""
    header = json.dumps({**metadata, "message_count": len(messages)}, ensure_ascii=False)
    forms = (message.to_dict() for message in messages)
    lines = [json.dumps(adapt(form) if adapt else form, ensure_ascii=False) for form in forms]
    body = ",\n".join(lines) + ("\n" if lines else "")
    return (header[:-1] + ', "messages": [\n' + body + "]}\n").encode("utf-8")


# A digest as a message's attachments are written (Attachment.to_json): what names an attached file.
_REFERENCE = re.compile(rb'"digest":\s*"([0-9a-f]{64})"')


def references_in(data: bytes) -> set[str]:
    """The attached files (digests) a conversation or draft file's bytes reference."""
    return {match.decode("ascii") for match in _REFERENCE.findall(data)}


def is_json_object(value: Any) -> bool:
    """True for a dict whose keys are all text, as a JSON object reads back."""
    return isinstance(value, dict) and all(isinstance(key, str) for key in value)


def check_metadata(document: Any, *, count_required: bool) -> dict[str, Any]:
    """The metadata of a parsed document, or UnreadableFile naming the first thing wrong."""
    if not isinstance(document, dict):
        raise UnreadableFile("the file does not hold a JSON object")
    if type(document.get("format")) is not int or document["format"] != FORMAT_VERSION:
        raise UnreadableFile(f"the format is not {FORMAT_VERSION}")
    for key in ("name", "created", "updated"):
        if not isinstance(document.get(key), str):
            raise UnreadableFile(f"{key!r} is missing or not text")
    for key in ("created", "updated"):
        try:
            datetime.fromisoformat(document[key])
        except ValueError:
            raise UnreadableFile(f"{key!r} is not a date") from None
    revision = document.get("revision")
    if type(revision) is not int or revision < 1:
        raise UnreadableFile("'revision' is not a positive whole number")
    if document.get("model") is not None and not isinstance(document["model"], str):
        raise UnreadableFile("'model' is not text")
    if document.get("assistant") is not None and not is_json_object(document["assistant"]):
        raise UnreadableFile("'assistant' is not an object")
    count = document.get("message_count")
    if (count_required or count is not None) and (type(count) is not int or count < 0):
        raise UnreadableFile("'message_count' is not a whole number")
    return {key: document.get(key) for key in (*METADATA_KEYS, "message_count")}


def read_header(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Metadata from a file's first line, after checking the file ends as a whole document."""
    # Plain descriptor reads: list() calls this once per file, and buffered file objects cost more.
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        start = os.read(descriptor, HEADER_READ_BYTES)
        if b"\n" not in start and len(start) == HEADER_READ_BYTES:
            start += os.read(descriptor, MAX_HEADER_BYTES - HEADER_READ_BYTES)
        # A truncated file loses its ending first, so its last three bytes reveal it cheaply.
        size = os.lseek(descriptor, 0, os.SEEK_END)
        ending = b""
        if size >= len(FOOTER):
            os.lseek(descriptor, size - len(FOOTER), os.SEEK_SET)
            ending = os.read(descriptor, len(FOOTER))
    finally:
        os.close(descriptor)
    first_line = start[: start.find(b"\n") + 1]
    if not first_line.endswith(HEADER_END):
        raise UnreadableFile("the first line is not a conversation header")
    if ending != FOOTER or size < len(first_line) + len(FOOTER):
        raise UnreadableFile("the file is incomplete")
    try:
        document = json.loads(first_line[:-1] + b"]}")
    except ValueError:
        raise UnreadableFile("the first line is not valid JSON") from None
    return check_metadata(document, count_required=True)


def parse_document(data: bytes) -> tuple[dict[str, Any], list[Message]]:
    """Metadata and messages from a whole file, or UnreadableFile naming what is wrong."""
    try:
        document = json.loads(data)
    except ValueError:
        raise UnreadableFile("the file is not valid JSON") from None
    metadata = check_metadata(document, count_required=False)
    messages = messages_from(document.get("messages"), metadata["message_count"])
    metadata["message_count"] = len(messages)
    return metadata, messages


def messages_from(raw_messages: Any, expected_count: Any = None) -> list[Message]:
    """Messages from their JSON list, or UnreadableFile naming the first one wrong (counting from 1)."""
    if not isinstance(raw_messages, list):
        raise UnreadableFile("'messages' is not a list")
    messages = []
    for number, raw_message in enumerate(raw_messages, start=1):
        try:
            messages.append(Message.from_dict(raw_message))
        except ValueError as error:
            raise UnreadableFile(f"message {number}: {error}") from None
    if expected_count not in (None, len(messages)):
        raise UnreadableFile("'message_count' does not match the messages")
    return messages


def parse_legacy(data: bytes) -> list[tuple[str, list[Message]]]:
    """(name, messages) pairs from the original app's file: {name: [{"role", "content"}]}."""
    try:
        document = json.loads(data)
    except ValueError:
        raise UnreadableFile("the file is not valid JSON") from None
    return legacy_entries(document)


def legacy_entries(document: Any) -> list[tuple[str, list[Message]]]:
    """(name, messages) pairs from the parsed JSON of the original app's file."""
    if not isinstance(document, dict):
        raise UnreadableFile("the file does not hold a JSON object")
    entries = []
    for name, raw_messages in document.items():
        if not isinstance(raw_messages, list):
            raise UnreadableFile(f"the conversation {name!r} is not a list of messages")
        try:
            entries.append((name, messages_from(raw_messages)))
        except UnreadableFile as error:
            raise UnreadableFile(f"the conversation {name!r}, {error}") from None
    return entries


def summary_from(metadata: dict[str, Any], file_name: str) -> ConversationSummary:
    """A summary from checked metadata, refusing a file whose name does not lead to it."""
    name = metadata["name"]
    try:
        if validate_name(name) != name or file_name_for(name) != file_name:
            raise UnreadableFile("the name inside does not match the file name")
    except InvalidName:
        raise UnreadableFile("the name inside is not a valid name") from None
    fields = ("created", "updated", "revision", "message_count", "model")
    return ConversationSummary(name, *(metadata[field] for field in fields))


def is_conversation_file_name(name: str) -> bool:
    """True for the name of a conversation file (not a dotfile, nor the original app's file)."""
    # `_listing.scan_directory` inlines this test: it runs once per file on every full scan.
    return name.endswith(".json") and not name.startswith(".") and name != LEGACY_FILE_NAME
