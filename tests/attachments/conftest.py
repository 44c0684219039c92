"""Settings for the attachment tests: the defaults (no key, no secrets or .env of the developer's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from settings import Settings, load_settings


@pytest.fixture
def limits(tmp_path: Path) -> Settings:
    """The app's default settings, read from nothing but DEFAULTS."""
    missing = str(tmp_path / "not-there")
    return load_settings({"BNAGPT_SECRETS_FILE": missing, "BNAGPT_DOTENV_FILE": missing,
                          "BNAGPT_CONVERSATIONS_DIR": str(tmp_path / "conversations")})
