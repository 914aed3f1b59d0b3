"""Shared test fixtures. Tests never use the network: pytest-socket blocks it."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent


def load_fixture(*parts: str) -> Any:
    """Read a JSON fixture below tests/fixtures."""
    return json.loads(FIXTURES.joinpath(*parts).read_text(encoding="utf-8"))


@pytest.fixture
def fixtures_dir() -> Path:
    """The folder of vendored test data."""
    return FIXTURES


@pytest.fixture
def fixed_clock() -> Any:
    """A clock that always answers 2026-01-01T00:00:00Z."""
    moment = datetime(2026, 1, 1, tzinfo=timezone.utc)
    return lambda: moment
