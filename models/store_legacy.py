"""The original app's `saved_conversations.json`, for `models.conversation_store`: reading it,
finding names for its conversations, and the marker recording which version was imported.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import unicodedata
from pathlib import Path
from typing import Iterator, NamedTuple

from models.message import Message
from models.store_disk import StatKey, stat_key, write_atomic
from models.store_format import LEGACY_FILE_NAME, UnreadableFile, utc_now

LEGACY_MARKER_NAME = ".legacy-import.json"


def parse_legacy(data: bytes) -> list[tuple[str, list[Message]]]:
    """(name, messages) pairs from the original app's file: {name: [{"role", "content"}]}."""
    try:
        document = json.loads(data)
    except ValueError:
        raise UnreadableFile("the file is not valid JSON") from None
    if not isinstance(document, dict):
        raise UnreadableFile("the file does not hold a JSON object")
    entries = []
    for name, raw_messages in document.items():
        if not isinstance(raw_messages, list):
            raise UnreadableFile(f"the conversation {name!r} is not a list of messages")
        try:
            entries.append((name, [Message.from_dict(raw) for raw in raw_messages]))
        except ValueError as error:
            raise UnreadableFile(f"the conversation {name!r}: {error}") from None
    return entries


def legacy_name_candidates(raw_name: str, max_length: int) -> Iterator[str]:
    """Names to try for an imported conversation: as it was, then "… (imported)", "… (imported 2)"…"""
    # The old app accepted any name, so make it a valid one rather than refuse to import it.
    cleaned = "".join(" " if unicodedata.category(char) in ("Cc", "Cs") else char for char in raw_name)
    base = unicodedata.normalize("NFC", cleaned).strip() or "Imported conversation"
    for attempt in itertools.count(1):
        suffix = {1: "", 2: " (imported)"}.get(attempt, f" (imported {attempt - 1})")
        yield (base[: max_length - len(suffix)].rstrip() + suffix).strip()


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
