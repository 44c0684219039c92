"""The name rule of saved conversations: what a valid name is, and finding a free one."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator

from models.store._records import InvalidName

MAX_NAME_LENGTH = 120
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f]")  # exactly Unicode category Cc
SURROGATES = re.compile("[\ud800-\udfff]")


def validate_name(name: str) -> str:
    """The name as stored and shown (NFC, surrounding whitespace stripped), or InvalidName."""
    if not isinstance(name, str):
        raise InvalidName("A conversation name must be text.")
    normalised = unicodedata.normalize("NFC", name).strip()
    if not normalised:
        raise InvalidName("Please give the conversation a name.")
    if len(normalised) > MAX_NAME_LENGTH:
        raise InvalidName(
            f"Please keep the name to {MAX_NAME_LENGTH} characters or fewer (this one has {len(normalised)})."
        )
    if CONTROL_CHARACTERS.search(normalised):
        raise InvalidName("The name contains control characters such as tabs or line breaks; please remove them.")
    # Lone surrogates cannot be written as UTF-8, so no file could hold this name.
    if SURROGATES.search(normalised):
        raise InvalidName("The name contains characters that are not valid text; please retype it.")
    return normalised


def unique_name(base: str, exists: Callable[[str], bool]) -> str:
    """The first of `base` (cleaned), "base (2)", "base (3)"… for which `exists` is False, cut to fit."""
    for candidate in name_candidates(base, MAX_NAME_LENGTH, lambda attempt: f" ({attempt})"):
        name = validate_name(candidate)
        if not exists(name):
            return name
    raise AssertionError("the candidate names never run out")


def name_candidates(raw_name: str, max_length: int, suffix: Callable[[int], str]) -> Iterator[str]:
    """Names to try: `raw_name` cleaned, then with `suffix(2)`, `suffix(3)`… added, each cut to `max_length`."""
    # Imported names come from other apps and files, so make one valid rather than refuse it.
    cleaned = "".join(" " if unicodedata.category(char) in ("Cc", "Cs") else char for char in raw_name)
    base = unicodedata.normalize("NFC", cleaned).strip() or "Imported conversation"
    for attempt in itertools.count(1):
        ending = suffix(attempt) if attempt > 1 else ""
        yield (base[: max_length - len(ending)].rstrip() + ending).strip()
