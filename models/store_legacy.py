"""The original app's `saved_conversations.json`, for `models.conversation_store`: reading it,
finding names for its conversations, and the marker recording which version was imported.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import unicodedata
from pathlib import Path
from typing import Any, Callable, Iterator, NamedTuple

from models.message import Message
from models.store_disk import StatKey, stat_key, write_atomic
from models.store_format import LEGACY_FILE_NAME, UnreadableFile, messages_from, utc_now

LEGACY_MARKER_NAME = ".legacy-import.json"


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


def name_candidates(raw_name: str, max_length: int, suffix: Callable[[int], str]) -> Iterator[str]:
    """Names to try for an imported conversation: cleaned, then with `suffix(2)`, `suffix(3)`… added."""
    # Imported names come from other apps and files, so make one valid rather than refuse it.
    cleaned = "".join(" " if unicodedata.category(char) in ("Cc", "Cs") else char for char in raw_name)
    base = unicodedata.normalize("NFC", cleaned).strip() or "Imported conversation"
    for attempt in itertools.count(1):
        ending = suffix(attempt) if attempt > 1 else ""
        yield (base[: max_length - len(ending)].rstrip() + ending).strip()


def legacy_name_candidates(raw_name: str, max_length: int) -> Iterator[str]:
    """Names to try for a legacy conversation: as it was, then "… (imported)", "… (imported 2)"…"""
    return name_candidates(
        raw_name, max_length, lambda attempt: " (imported)" if attempt == 2 else f" (imported {attempt - 1})"
    )


def legacy_stat_key(directory: Path) -> StatKey | None:
    """The stat key of the original app's file; None when there is none."""
    try:
        return stat_key((directory / LEGACY_FILE_NAME).stat())
    except FileNotFoundError:
        return None


class LegacyCheck(NamedTuple):
    """The original app's file as found: its stat key, and its entries when they still need importing."""

    key: StatKey | None
    digest: str | None = None
    entries: list[tuple[str, list[Message]]] | None = None
    damaged: bool = False


def check_legacy(directory: Path) -> LegacyCheck:
    """Read the original app's file and say whether this version of it still needs importing."""
    path = directory / LEGACY_FILE_NAME
    try:
        key = stat_key(path.stat())
        data = path.read_bytes()
    except FileNotFoundError:
        return LegacyCheck(None)
    digest = hashlib.sha256(data).hexdigest()
    if imported_legacy_digest(directory) == digest:
        return LegacyCheck(key)
    try:
        return LegacyCheck(key, digest, parse_legacy(data))
    except UnreadableFile:
        return LegacyCheck(key, digest, damaged=True)


def imported_legacy_digest(directory: Path) -> str | None:
    """The SHA-256 of the legacy file as last imported, from the marker file."""
    try:
        marker = json.loads((directory / LEGACY_MARKER_NAME).read_bytes())
        return marker["sha256"] if isinstance(marker, dict) else None
    except (OSError, ValueError, KeyError):
        return None


def write_legacy_marker(directory: Path, digest: str, names: list[str]) -> None:
    """Record that the legacy file with this digest has been imported, as these names."""
    marker = {"sha256": digest, "imported": utc_now(), "names": names}
    write_atomic(directory, LEGACY_MARKER_NAME, json.dumps(marker, ensure_ascii=False).encode("utf-8"))
