"""Attached files: the bytes of every image and document attached to a message, in the store's
`.files/` folder, content-addressed (named by their SHA-256, so each file is kept once however many
messages attach it), with a document's search index cached beside it (`<digest>.index`).

Written atomically under the store's lock; read without it. A file whose bytes no longer hash to
its name is set aside (like a damaged conversation) and reported. Files nothing references are
removed when a conversation is deleted (`collect`), drafts counting as references."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from filelock import FileLock

from models.store._drafts import DRAFTS_DIR_NAME
from models.store._files import TEMP_PREFIX, held, move_aside, store_lock, write_atomic
from models.store._format import references_in
from models.store._records import StoreError

FILES_DIR_NAME = ".files"
INDEX_SUFFIX = ".index"
DIGEST = re.compile(r"\A[0-9a-f]{64}\Z")
# A file put less than this long ago is never collected: it may be on its way into a message
# (uploaded, not yet in the draft or conversation that will reference it).
GRACE_SECONDS = 3600


class AttachedFileMissing(StoreError):
    """An attached file that is not in the store (removed, or never there)."""

    def __init__(self, label: str) -> None:
        super().__init__(f"The attached file {label} is missing from the saved conversations.")


class AttachedFileDamaged(StoreError):
    """An attached file whose bytes changed on disk; it was set aside."""

    def __init__(self, label: str, kept_as: Path) -> None:
        super().__init__(f"The attached file {label} was damaged on disk and was set aside as {kept_as.name}.")
        self.kept_as = kept_as


def check_digest(digest: object) -> str:
    """The digest, once it is 64 lowercase hex digits (nothing else ever names a file)."""
    if not isinstance(digest, str) or not DIGEST.match(digest):
        raise StoreError("That is not an attached file's digest.")
    return digest


class AttachedFiles:
    """The attached files of one store directory (the folder is created on the first put)."""

    def __init__(self, store_directory: Path, lock: FileLock | None = None) -> None:
        self.store_directory = store_directory
        self.directory = store_directory / FILES_DIR_NAME
        # The store's own lock, the same object as the conversations' (a FileLock is re-entrant
        # only as one object: two on one file would wait for each other in one thread).
        self._lock = lock or store_lock(store_directory)

    def put(self, data: bytes) -> str:
        """Keep `data` (once: the same bytes again are not written again); its digest."""
        digest = hashlib.sha256(data).hexdigest()
        path = self.directory / digest
        with held(self._lock):
            if path.is_file() and path.stat().st_size == len(data):
                os.utime(path)  # put again: a fresh grace period before it can be collected
                return digest
            self.directory.mkdir(exist_ok=True)
            write_atomic(self.directory, digest, data)
        return digest

    def read(self, digest: str, *, name: str | None = None) -> bytes:
        """The bytes kept under `digest`; AttachedFileMissing or AttachedFileDamaged (named by `name`)."""
        path = self.directory / check_digest(digest)
        label = f"“{name}”" if name else digest[:12]
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise AttachedFileMissing(label) from None
        except OSError as error:
            raise StoreError(f"The attached file {label} could not be read: {error.strerror or error}.") from None
        if hashlib.sha256(data).hexdigest() != digest:
            with held(self._lock):
                kept = move_aside(self.directory, digest) if path.exists() else path
                (self.directory / f"{digest}{INDEX_SUFFIX}").unlink(missing_ok=True)
            raise AttachedFileDamaged(label, kept)
        return data

    def exists(self, digest: str) -> bool:
        return (self.directory / check_digest(digest)).is_file()

    def put_index(self, digest: str, data: bytes) -> None:
        """Cache a document's search index beside its file (derived: rebuilt when missing)."""
        check_digest(digest)
        with held(self._lock):
            self.directory.mkdir(exist_ok=True)
            write_atomic(self.directory, f"{digest}{INDEX_SUFFIX}", data, durable=False)

    def read_index(self, digest: str) -> bytes | None:
        """The cached index of a document, or None (never built, or removed)."""
        try:
            return (self.directory / f"{check_digest(digest)}{INDEX_SUFFIX}").read_bytes()
        except OSError:
            return None

    def remove(self, digests: Iterable[str]) -> None:
        """Forget files (and their indexes) outright; callers use `collect`, which checks references."""
        with held(self._lock):
            for digest in digests:
                for file_name in (check_digest(digest), f"{digest}{INDEX_SUFFIX}"):
                    (self.directory / file_name).unlink(missing_ok=True)

    def collect(self, candidates: Iterable[str] | None = None, *, grace: float = GRACE_SECONDS) -> list[str]:
        """Remove the files (of `candidates`, or all) that no conversation or draft of this store
        references and that were not put within `grace` seconds; the digests removed."""
        with held(self._lock):
            kept = self._kept(candidates)
            if not kept:
                return []
            referenced = self._referenced()
            newest = time.time() - grace
            removed = []
            for digest in sorted(kept - referenced):
                path = self.directory / digest
                try:
                    if path.stat().st_mtime > newest:
                        continue
                except FileNotFoundError:
                    continue
                path.unlink(missing_ok=True)
                (self.directory / f"{digest}{INDEX_SUFFIX}").unlink(missing_ok=True)
                removed.append(digest)
            return removed

    def _kept(self, candidates: Iterable[str] | None) -> set[str]:
        try:
            names = {entry.name for entry in os.scandir(self.directory)}
        except FileNotFoundError:
            return set()
        if candidates is None:
            return {name for name in names if DIGEST.match(name)}
        return {digest for digest in candidates if DIGEST.match(digest or "") and digest in names}

    def _referenced(self) -> set[str]:
        """Every digest the store's conversations and drafts reference (their raw bytes, searched)."""
        found: set[str] = set()
        for folder in (self.store_directory, self.store_directory / DRAFTS_DIR_NAME):
            try:
                entries = list(os.scandir(folder))
            except FileNotFoundError:
                continue
            for entry in entries:
                if entry.name.endswith(".json") and not entry.name.startswith(TEMP_PREFIX) and entry.is_file():
                    try:
                        with open(entry.path, "rb") as file:
                            found |= references_in(file.read())
                    except OSError:
                        continue
        return found


def carry_files(message: dict[str, Any], files: AttachedFiles, carried: set[str]) -> dict[str, Any]:
    """A message's JSON form for an export, each attachment not carried yet given its bytes as
    "data" (base64), so that an import restores them. The export stays a conversation document:
    its readers ignore "data"."""
    attachments = message.get("attachments")
    if not attachments:
        return message
    with_data = []
    for attachment in attachments:
        digest = attachment["digest"]
        if digest not in carried and files.exists(digest):
            attachment = {**attachment, "data": base64.b64encode(files.read(digest, name=attachment["name"]))
                          .decode("ascii")}
            carried.add(digest)
        with_data.append(attachment)
    return {**message, "attachments": with_data}


def carried_files(raw_messages: Any) -> dict[str, bytes]:
    """The files an export carries (digest -> bytes); ValueError names a file whose bytes are not
    the ones its digest names."""
    found: dict[str, bytes] = {}
    for message in raw_messages if isinstance(raw_messages, list) else ():
        attachments = message.get("attachments") if isinstance(message, dict) else None
        for attachment in attachments if isinstance(attachments, list) else ():
            if not isinstance(attachment, dict) or not isinstance(attachment.get("data"), str):
                continue
            try:
                data = base64.b64decode(attachment["data"], validate=True)
            except ValueError:
                data = None
            if data is None or hashlib.sha256(data).hexdigest() != attachment.get("digest"):
                raise ValueError(f"the attached file “{attachment.get('name')}” in it is damaged")
            found[attachment["digest"]] = data
    return found
