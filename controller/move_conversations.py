"""Give the conversations kept before accounts were turned on to one person who signs in:

    python -m controller.move_conversations alice@example.com

The person signs in once first (that records who they are beside their own conversations). Every
conversation and draft of the local user (the store's directory itself, or the database's rows when
BNAGPT_DATABASE_URL is set) moves to them, keeping
its dates; a name they already use gets a suffix. `--issuer` picks one when the same address
signed in through two providers.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from models.store import ConversationStore, StoreError, find_owners, move_conversations
from settings import ConfigurationError, Settings, load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m controller.move_conversations", description=__doc__.split("\n")[0])
    parser.add_argument("email", help="the address the person signed in with")
    parser.add_argument("--issuer", help="their provider's issuer, when the address signed in through several")
    arguments = parser.parse_args(argv)
    try:
        settings = load_settings()
        mover = DatabaseMover(settings) if settings.database_url else FolderMover(settings.conversations_dir)
        owners = [(key, profile) for key, profile in mover.find(arguments.email)
                  if arguments.issuer in (None, profile.get("iss"))]
        if not owners:
            print(f"No one has signed in to this bnaGPT as {arguments.email}{_at(arguments.issuer)} yet: "
                  "sign in once, then run this again.", file=sys.stderr)
            return 1
        if len(owners) > 1:
            issuers = ", ".join(sorted(str(profile.get("iss")) for _, profile in owners))
            print(f"{arguments.email} signed in through several providers ({issuers}); "
                  "choose one with --issuer.", file=sys.stderr)
            return 1
        moved = mover.move(owners[0][0])
    except (ConfigurationError, StoreError, OSError) as error:
        print(f"Nothing more was moved: {error}", file=sys.stderr)
        return 1
    print(f"Moved {len(moved)} conversation{'' if len(moved) == 1 else 's'} to {arguments.email}"
          f"{': ' + ', '.join(moved) if moved else ''}.")
    return 0


class FolderMover:
    """The local user's JSON files to a person's folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def find(self, email: str) -> list[tuple[str, dict[str, str]]]:
        return find_owners(self.root, email)

    def move(self, owner: str) -> list[str]:
        return move_conversations(ConversationStore(self.root), ConversationStore(self.root, owner))


class DatabaseMover:
    """The local user's rows to a person's, in the PostgreSQL database the settings name."""

    def __init__(self, settings: Settings) -> None:
        from models.store.postgres import database_for  # only with a database configured

        self.database = database_for(settings.database_url, settings.database_timeout)

    def find(self, email: str) -> list[tuple[str, dict[str, str]]]:
        from models.store.postgres import find_database_owners

        return find_database_owners(self.database, email)

    def move(self, owner: str) -> list[str]:
        from models.store.postgres import move_database_conversations

        return move_database_conversations(self.database, None, owner)


def _at(issuer: str | None) -> str:
    return f" through {issuer}" if issuer else ""


if __name__ == "__main__":
    sys.exit(main())
