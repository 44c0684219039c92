"""Kept recordings (Voice settings: keep recordings): each spoken question's audio under an
unguessable name that its message records. Off by default. The JSON store keeps them as files in
its folder's `.recordings/` (`Recordings`); a database store keeps them where every server reads
them (`models.store.postgres`). Either is a store's `recordings` area (the contract's RecordingArea)."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from models.store._files import write_atomic

RECORDINGS_DIR_NAME = ".recordings"
_NAME = re.compile(r"\A[0-9a-f]{24}\.(?:wav|webm|ogg|mp3|m4a|flac)\Z")
# What a browser is told each kept recording is, by its extension.
MEDIA_TYPES = {"wav": "audio/wav", "webm": "audio/webm", "ogg": "audio/ogg", "mp3": "audio/mpeg",
               "m4a": "audio/mp4", "flac": "audio/flac"}


def new_recording_name(extension: str) -> str:
    """A fresh, unguessable name (96 random bits) for a recording of this kind ("wav" when unknown)."""
    return f"{secrets.token_hex(12)}.{extension if extension in MEDIA_TYPES else 'wav'}"


def is_recording_name(name: object) -> bool:
    """True when `name` is one new_recording_name could have made (nothing else comes near a path or a query)."""
    return isinstance(name, str) and bool(_NAME.match(name))


def recording_media_type(name: str) -> str:
    return MEDIA_TYPES[name.rsplit(".", 1)[-1]]


class NamesRecordings:
    """What every recordings area does alike: a new recording gets a fresh name, then is `put`."""

    def put(self, name: str, data: bytes) -> None:
        raise NotImplementedError

    def save(self, data: bytes, extension: str = "wav") -> str:
        """Keep `data`; the name to record with its message."""
        name = new_recording_name(extension)
        self.put(name, data)
        return name


class Recordings(NamesRecordings):
    """The recordings folder of a store directory."""

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory) / RECORDINGS_DIR_NAME

    def put(self, name: str, data: bytes) -> None:
        """Keep `data` under a name a store gave it (a copy from another store)."""
        if not is_recording_name(name):
            raise ValueError("not a recording's name")
        self.directory.mkdir(parents=True, exist_ok=True)
        write_atomic(self.directory, name, data)

    def names(self) -> list[str]:
        """The names of the recordings kept (for the copy between stores), sorted."""
        try:
            return sorted(entry.name for entry in os.scandir(self.directory) if is_recording_name(entry.name))
        except FileNotFoundError:
            return []

    def read(self, name: str) -> bytes | None:
        """A kept recording's bytes, or None (a name not ours, or a file since removed)."""
        path = self.path(name)
        try:
            return path.read_bytes() if path is not None else None
        except OSError:
            return None

    def path(self, name: str) -> Path | None:
        """Where a kept recording is, or None (a name not ours, or a file since removed)."""
        if not is_recording_name(name):
            return None
        path = self.directory / name
        return path if path.is_file() else None
