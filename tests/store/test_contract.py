"""The store's contract (`Store`): every implementation has its methods with the same parameters,
and `open_store` picks the implementation from settings in one place (JSON files by default)."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from models.message import Message
from models.store import AttachedFiles, ConversationStore, DraftArea, Drafts, FileArea, Store, open_store
from settings import Settings


def contract_methods(protocol: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member) for name, member in vars(protocol).items()
        if inspect.isfunction(member) and not name.startswith("_")
    }


def implementations() -> list[tuple[type, type]]:
    """(protocol, implementation) pairs: the JSON store always, PostgreSQL's once it is there."""
    pairs: list[tuple[type, type]] = [(Store, ConversationStore), (DraftArea, Drafts), (FileArea, AttachedFiles)]
    try:
        from models.store.postgres import PostgresDrafts, PostgresFiles, PostgresStore
    except ImportError:
        return pairs
    return [*pairs, (Store, PostgresStore), (DraftArea, PostgresDrafts), (FileArea, PostgresFiles)]


@pytest.mark.parametrize(("protocol", "implementation"), implementations(), ids=lambda kind: kind.__name__)
def test_every_implementation_has_the_contracts_methods(protocol: type, implementation: type) -> None:
    for name, signature in contract_methods(protocol).items():
        own = inspect.signature(getattr(implementation, name))
        assert list(own.parameters) == list(signature.parameters), name
        assert [parameter.kind for parameter in own.parameters.values()] == \
            [parameter.kind for parameter in signature.parameters.values()], name


def test_without_a_database_url_the_store_is_the_json_files_in_the_conversations_folder(
    settings: Settings, conversations_dir: Path
) -> None:
    assert settings.database_url == ""
    store = open_store(settings, None)
    store.save("Kept", [Message("user", "in a file")])
    assert isinstance(store, ConversationStore)
    assert [path.parent for path in conversations_dir.glob("*.json")] == [conversations_dir]


def test_the_database_url_is_never_shown_with_the_settings(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from settings import load_settings

    monkeypatch.setenv("BNAGPT_DATABASE_URL", "postgresql://bna:s3cret@db.example/bna")
    loaded = load_settings()
    assert loaded.database_url == "postgresql://bna:s3cret@db.example/bna"
    assert "s3cret" not in repr(loaded)
