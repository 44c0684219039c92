"""Owners: whose conversations a store holds.

A store is opened for an owner. The owner None is the one local user of a server without
accounts, whose conversations stay in the store's directory as they always were; a signed-in
person's owner is a key made from their provider's issuer and `sub` (an e-mail address can change
or pass to someone else; those two cannot), and their conversations, drafts and indexes live in
`<directory>/.owners/<key>/`, a store directory of its own that no other owner's store ever reads.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from models.store._files import write_atomic

OWNERS_DIR_NAME = ".owners"
PROFILE_FILE_NAME = ".owner.json"  # who the owner is, so that a person can be found by e-mail
OWNER_KEY = re.compile(r"[0-9a-f]{32}\Z")


def owner_key(issuer: str, subject: str) -> str:
    """The stable key of the person `subject` at the provider `issuer` (128 bits of a SHA-256)."""
    if not issuer or not subject:
        raise ValueError("an owner needs both an issuer and a subject")
    # JSON keeps the two apart: ("a", "bc") and ("ab", "c") give different keys.
    return hashlib.sha256(json.dumps([issuer, subject]).encode("utf-8")).hexdigest()[:32]


def owner_directory(root: Path, owner: str | None) -> Path:
    """Where the store of `owner` (None: the local user) keeps its files under the directory `root`."""
    if owner is None:
        return root
    if not isinstance(owner, str) or not OWNER_KEY.match(owner):
        raise ValueError("an owner is None or a key made by owner_key")  # never a path of someone's choosing
    return root / OWNERS_DIR_NAME / owner


def remember_owner(directory: Path, profile: dict[str, str]) -> None:
    """Record who owns the store in `directory` (issuer, sub, e-mail, name), when it changed."""
    path = directory / PROFILE_FILE_NAME
    data = json.dumps(profile, ensure_ascii=False, sort_keys=True).encode("utf-8")
    try:
        if path.read_bytes() == data:
            return  # every page view signs in again: no write when nothing changed
    except OSError:
        pass
    write_atomic(directory, PROFILE_FILE_NAME, data, durable=False)


def find_owners(root: Path, email: str) -> list[tuple[str, dict[str, str]]]:
    """The owners who signed in with `email` (any case), with what was recorded of them."""
    found = []
    for profile_path in sorted((root / OWNERS_DIR_NAME).glob(f"*/{PROFILE_FILE_NAME}")):
        try:
            profile = json.loads(profile_path.read_bytes())
        except (OSError, ValueError):
            continue
        if str(profile.get("email", "")).casefold() == email.strip().casefold():
            found.append((profile_path.parent.name, profile))
    return found
