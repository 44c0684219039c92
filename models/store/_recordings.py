"""Kept recordings (Voice settings: keep recordings): each spoken question's audio as one file in the
store's `.recordings/` folder, under an unguessable name that its message records. Off by default."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from models.store._files import write_atomic

RECORDINGS_DIR_NAME = ".recordings"
_NAME = re.compile(r"\A[0-9a-f]{24}\.(?:wav|webm|ogg|mp3|m4a|flac)\Z")


class Recordings:
    """The recordings folder of a store directory."""

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory) / RECORDINGS_DIR_NAME

    def save(self, data: bytes, extension: str = "wav") -> str:
        """Keep `data`; the name to record with its message."""
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{secrets.token_hex(12)}.{extension}"
        write_atomic(self.directory, name, data)
        return name

    def path(self, name: str) -> Path | None:
        """Where a kept recording is, or None (a name not ours, or a file since removed)."""
        if not _NAME.match(name or ""):
            return None
        path = self.directory / name
        return path if path.is_file() else None
