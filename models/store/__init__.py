"""Saved conversations. `ConversationStore(directory)` keeps each conversation under its name with
a revision that every save bumps, so a save made from a stale copy is refused instead of
overwriting someone else's change; it lists them newest first, searches their words (any case,
any accents), renames, deletes and imports without ever replacing one, and reports a damaged
conversation by name instead of failing. Each conversation is one JSON document in the directory,
which is the record: the listing and search indexes are derived from it and rebuilt when missing.
A store is opened for an owner (`ConversationStore(directory, owner)`, the owner a key
from `owner_key(issuer, sub)`, or None for the one local user of a server without
accounts) and sees nothing of anyone else's. Chats without a name yet are kept as drafts
in a separate area (`store.drafts`), never listed nor searched. Import everything from here;
the modules with a leading underscore are the implementation. The design, module by module: docs/STORE.md.

The app holds a `Store` (the contract, `_contract`) from `open_store(settings, owner)`, which picks
the implementation: these JSON files, or PostgreSQL (`models.store.postgres`) when
BNAGPT_DATABASE_URL is set.
"""

from models.store._attached import FILES_DIR_NAME, AttachedFileDamaged, AttachedFileMissing, AttachedFiles
from models.store._contract import DraftArea, FileArea, RecordingArea, Store
from models.store._drafts import Draft, Drafts, InvalidDraftId, new_draft_id, validate_draft_id
from models.store._exchange import ImportedConversation, export_file_name, parse_import, to_json, to_markdown
from models.store._format import file_name_for
from models.store._listing_index import INDEX_DIR_NAME, LISTING_FILE_NAME, SETTLED_NS
from models.store._names import MAX_NAME_LENGTH, unique_name, validate_name
from models.store._open import open_store
from models.store._owners import OWNERS_DIR_NAME, find_owners, owner_key
from models.store._recordings import RECORDINGS_DIR_NAME, Recordings, recording_media_type
from models.store._records import (
    Conversation,
    ConversationDamaged,
    ConversationExists,
    ConversationNotFound,
    ConversationSummary,
    ImportProblem,
    InvalidName,
    Listing,
    StoreError,
    StoreUnavailable,
)
from models.store._store import ConversationStore
from models.store._transfer import move_conversations

__all__ = [
    # The contract every implementation keeps, and the one place that picks one from settings.
    "Store", "DraftArea", "FileArea", "RecordingArea", "open_store",
    # The store, its records and errors, and the name rule.
    "ConversationStore", "Conversation", "ConversationSummary", "Listing",
    "StoreError", "StoreUnavailable",
    "InvalidName", "ConversationExists", "ConversationNotFound", "ConversationDamaged", "ImportProblem",
    "MAX_NAME_LENGTH", "validate_name", "unique_name",
    # Owners: a store is opened for one (None: the local user of a server without accounts).
    "owner_key", "find_owners", "move_conversations",
    # Drafts: chats without a name yet, in the store's drafts area (`store.drafts`).
    "Draft", "Drafts", "InvalidDraftId", "new_draft_id", "validate_draft_id",
    # Kept recordings of spoken questions (off unless the person asks), named by their messages.
    "Recordings", "RECORDINGS_DIR_NAME", "recording_media_type",
    # Attached files' bytes, content-addressed (`store.files`), and what reading one can raise.
    "AttachedFiles", "AttachedFileMissing", "AttachedFileDamaged", "FILES_DIR_NAME",
    # Export and import files (what a person downloads or uploads).
    "ImportedConversation", "export_file_name", "parse_import", "to_json", "to_markdown",
    # Not the contract: where this implementation keeps things in its directory, for the tools that
    # prepare or inspect one from outside (bench/, tests).
    "file_name_for", "INDEX_DIR_NAME", "OWNERS_DIR_NAME", "LISTING_FILE_NAME", "SETTLED_NS",
]
