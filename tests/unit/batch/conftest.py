"""Shared pieces of the batch tests: the spec-vector Ed25519 key and the starter templates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
KEY_FILE = ROOT / "tests" / "fixtures" / "vc-di" / "eddsa" / "keyPair.json"
TEMPLATES = ROOT / "src" / "edc_issue" / "templates"
COLUMNS = ["student_id", "given_name", "family_name", "email", "date_of_birth",
           "completion_date", "grade"]


def learner(i: int) -> dict[str, str]:
    """One learner row with the starter templates' columns."""
    return {"student_id": f"UT-{i:05d}", "given_name": f"Learner{i}", "family_name": "Hoxha",
            "email": f"learner{i}@example.org", "date_of_birth": "1988-03-14",
            "completion_date": "2025-06-27", "grade": "9/10"}


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    """Write rows (the first is the header) as a CSV file."""
    import csv

    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    """A copy of the spec vectors' Ed25519 key file (never a random key)."""
    target = tmp_path / "key.json"
    target.write_text(KEY_FILE.read_text())
    return target


@pytest.fixture
def ob3_template() -> dict[str, Any]:
    """The Open Badges 3.0 starter template."""
    return json.loads((TEMPLATES / "ob3-badge.json").read_text(encoding="utf-8"))
