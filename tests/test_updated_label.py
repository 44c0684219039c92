"""When a listed conversation was last updated, as the sidebar words it, in the person's time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from view.conversation_list import updated_label

NOW = datetime(2026, 11, 21, 4, 30, tzinfo=UTC)  # a Saturday


@pytest.mark.parametrize("updated, zone, expected", [
    ("2026-11-21T04:05:00.000000+00:00", "UTC", "04:05"),
    ("2026-11-21T04:05:00.000000+00:00", "America/New_York", "23:05"),  # still Friday evening there
    ("2026-11-20T23:59:00.000000+00:00", "UTC", "Yesterday"),
    ("2026-11-20T23:59:00.000000+00:00", "Europe/Lisbon", "Yesterday"),
    ("2026-11-17T10:00:00.000000+00:00", "UTC", "Tue"),
    ("2026-11-03T10:00:00.000000+00:00", "UTC", "3 Nov"),
    ("2025-12-31T10:00:00.000000+00:00", "UTC", "31 Dec 2025"),
    ("not a time", "UTC", ""),
])
def test_updated_label(updated, zone, expected):
    assert updated_label(updated, NOW, ZoneInfo(zone)) == expected
