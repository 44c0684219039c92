"""Moving a store's conversations and drafts to another owner's store: how the conversations of a
server that had no accounts go to a person who signs in (`python -m controller.move_conversations`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from models.store._drafts import DRAFTS_DIR_NAME
from models.store._files import held
from models.store._format import references_in
from models.store._names import unique_name
from models.store._records import StoreError
from models.store._store import ConversationStore


def move_conversations(source: ConversationStore, target: ConversationStore) -> list[str]:
    """Move every conversation and draft of `source` to `target`; the names they have there.

    Each keeps its messages, settings, `created` and `updated`; a name the target has already
    gets a suffix, as an import would. A conversation is removed from the source only once it is
    written in the target, so a crash leaves it in both, never in neither.
    """
    if source.directory == target.directory:
        raise StoreError("Those conversations are already there.")
    moved = []
    with source._files.locked(), target._files.locked():  # noqa: SLF001 - the package's own parts
        for summary in source.list().conversations:
            conversation = source.load(summary.name)
            _carry_files(source, target, (a.digest for m in conversation.messages for a in m.attachments))
            name = unique_name(summary.name, target.exists)
            target._files.write(  # noqa: SLF001
                name, conversation.messages, conversation.summary, model=summary.model,
                assistant=conversation.assistant, updated=summary.updated,
            )
            source.delete(summary.name)
            moved.append(name)
    _move_drafts(source, target)
    return moved


def _carry_files(source: ConversationStore, target: ConversationStore, digests: Iterable[str]) -> None:
    """Copy the attached files a conversation or draft references to the target's file area first, so
    that it never names a file the target lacks (the source's go when nothing there references them)."""
    for digest in set(digests):
        if source.files.exists(digest) and not target.files.exists(digest):
            target.files.put(source.files.read(digest))


def _move_drafts(source: ConversationStore, target: ConversationStore) -> None:
    """Move the drafts area's files (ids are random, so none is taken in the target), and their attachments."""
    drafts = source.directory / DRAFTS_DIR_NAME
    if not drafts.is_dir():
        return
    with held(source._files.lock), held(target._files.lock):  # noqa: SLF001 - the package's own parts
        (target.directory / DRAFTS_DIR_NAME).mkdir(exist_ok=True)
        for entry in os.scandir(drafts):
            if entry.name.endswith(".json") and not entry.name.startswith("."):
                _carry_files(source, target, references_in(Path(entry.path).read_bytes()))
                os.replace(entry.path, target.directory / DRAFTS_DIR_NAME / entry.name)
