"""The one-time import of the original app's `saved_conversations.json` (its format: `_format`):
whether this version of it still needs importing, names for its conversations, the marker
recording which version was imported, and the import itself.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from models.message import Message
from models.store._directory import ConversationFiles
from models.store._files import StatKey, stat_key, write_atomic
from models.store._format import LEGACY_FILE_NAME, UnreadableFile, file_name_for, parse_legacy, utc_now
from models.store._names import MAX_NAME_LENGTH, name_candidates, validate_name
from models.store._records import ConversationSummary

LEGACY_MARKER_NAME = ".legacy-import.json"
LEGACY_PROBLEM = (
    f"“{LEGACY_FILE_NAME}” (saved by an earlier version of the app) could not be read, "
    "so its conversations were not imported; the file was left as it is."
)


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


class LegacyImport:
    """The one-time import of the original app's file into a store directory, as one store instance sees it."""

    def __init__(self, files: ConversationFiles) -> None:
        self._files = files
        self._checked: StatKey | None = None  # the legacy file as this instance last dealt with it
        self.problem: str | None = None  # the sentence list() reports while the file cannot be read

    def run_if_needed(self) -> None:
        """Import the original app's file once per version of its bytes, leaving it untouched."""
        directory = self._files.directory
        if legacy_stat_key(directory) == self._checked:
            return  # no legacy file, or this instance already dealt with these bytes: one stat
        legacy = check_legacy(directory)
        if legacy.entries is not None:
            with self._files.locked():
                if imported_legacy_digest(directory) != legacy.digest:  # another process may have done it
                    summaries = [self._import(raw_name, messages) for raw_name, messages in legacy.entries]
                    names = [summary.name for summary in summaries if summary]
                    write_legacy_marker(directory, legacy.digest, names)
        self._checked = legacy.key
        self.problem = LEGACY_PROBLEM if legacy.damaged else None

    def _import(self, raw_name: str, messages: list[Message]) -> ConversationSummary | None:
        """Save one conversation under the first name no file holds (lock held); None if it is saved already."""
        for candidate in legacy_name_candidates(raw_name, MAX_NAME_LENGTH):
            name = validate_name(candidate)
            try:
                existing = self._files.read_conversation(file_name_for(name))
            except FileNotFoundError:
                return self._files.write(name, messages, None, model=None, assistant=None)
            except UnreadableFile:
                continue  # never written over: list() and load() set it aside and report it
            if existing.messages == messages:
                return None  # imported before, by a run that stopped before writing the marker
        raise AssertionError("the candidate names never run out")
