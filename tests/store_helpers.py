"""Shared data and file helpers for the models.conversation_store tests (tests/test_store_*.py)."""

from __future__ import annotations

from pathlib import Path

from models.message import Message

MESSAGES = [
    Message("user", "Hello — ça va? 你好 👋🏽"),
    Message("assistant", "# Heading\n\n* **bold** and `code`\n\n```python\nprint('hi')\n```"),
    Message("user", "This one got no answer", error="The model timed out."),
    Message("assistant", 'Quotes " and backslashes \\ and a line separator \u2028 survive.'),
]


def conversation_files(directory: Path) -> list[Path]:
    """The conversation files in a store directory (not dotfiles, not kept-aside files)."""
    return sorted(path for path in directory.glob("*.json") if not path.name.startswith("."))


def all_files(root: Path) -> set[Path]:
    """Every file under `root`, recursively."""
    return {path for path in root.rglob("*") if path.is_file()}


def corrupt_files(directory: Path) -> list[Path]:
    """The files a store has kept aside as unreadable."""
    return sorted(directory.glob("*.corrupt"))


def temp_files(directory: Path) -> list[str]:
    """The names of the half-written `.tmp-*` files left in a store directory."""
    return [path.name for path in directory.iterdir() if path.name.startswith(".tmp-")]
