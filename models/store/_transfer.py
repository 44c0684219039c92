"""Moving a store's conversations and drafts to another owner's store: how the conversations of a
server that had no accounts go to a person who signs in (`python -m controller.move_conversations`).
"""

from __future__ import annotations

import os
from pathlib import Path

from models.store._drafts import DRAFTS_DIR_NAME
from models.store._files import held, store_lock
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
            name = unique_name(summary.name, target.exists)
            target._files.write(  # noqa: SLF001
                name, conversation.messages, conversation.summary, model=summary.model,
                assistant=conversation.assistant, updated=summary.updated,
            )
            source.delete(summary.name)
            moved.append(name)
    _move_drafts(source.directory, target.directory)
    return moved


def _move_drafts(source: Path, target: Path) -> None:
    """Move the drafts area's files (ids are random, so none is taken in the target)."""
    drafts = source / DRAFTS_DIR_NAME
    if not drafts.is_dir():
        return
    with held(store_lock(source)), held(store_lock(target)):
        (target / DRAFTS_DIR_NAME).mkdir(exist_ok=True)
        for entry in os.scandir(drafts):
            if entry.name.endswith(".json") and not entry.name.startswith("."):
                os.replace(entry.path, target / DRAFTS_DIR_NAME / entry.name)
