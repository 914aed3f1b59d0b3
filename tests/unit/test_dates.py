"""xsd:dateTime parsing: every lexical form credentials use, the same on Python 3.10+."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from edc_issue._dates import parse_datetime

UTC = timezone.utc


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-05-01T12:00:00Z", datetime(2024, 5, 1, 12, tzinfo=UTC)),
    ("2024-05-01T12:00:00z", datetime(2024, 5, 1, 12, tzinfo=UTC)),
    ("2024-05-01T12:00:00", datetime(2024, 5, 1, 12, tzinfo=UTC)),
    ("2024-05-01T14:30:00+02:30", datetime(2024, 5, 1, 12, tzinfo=UTC)),
    ("2024-05-01T00:00:00-05:00", datetime(2024, 5, 1, 5, tzinfo=UTC)),
    ("2024-05-01T12:00:00.1Z", datetime(2024, 5, 1, 12, 0, 0, 100000, tzinfo=UTC)),
    ("2024-05-01T12:00:00.123456789Z", datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)),
    (" 2024-05-01T12:00:00Z ", datetime(2024, 5, 1, 12, tzinfo=UTC)),
])
def test_valid_forms(text: str, expected: datetime) -> None:
    assert parse_datetime(text) == expected


@pytest.mark.parametrize("text", ["2024-05-01", "2024-13-01T00:00:00Z", "2024-02-30T00:00:00Z",
                                  "yesterday", "2024-05-01T12:00Z", "2024-05-01T12:00:00+25:00",
                                  "", "2024-05-01 12:00:00Z"])
def test_invalid_forms(text: str) -> None:
    assert parse_datetime(text) is None


@pytest.mark.parametrize("value", [None, 20240501, ["2024-05-01T12:00:00Z"]])
def test_non_strings(value: object) -> None:
    assert parse_datetime(value) is None
