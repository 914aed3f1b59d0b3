"""Every vendored file matches the sha256 recorded beside it, and every file is recorded."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROVENANCE_FILES = sorted(
    [*ROOT.joinpath("schemas").rglob("PROVENANCE.json"),
     *ROOT.joinpath("tests", "fixtures").rglob("PROVENANCE.json"),
     *ROOT.joinpath("examples").rglob("PROVENANCE.json")]
)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_bundled_contexts_match_their_pinned_sha256() -> None:
    folder = ROOT / "schemas" / "contexts"
    index = json.loads((folder / "index.json").read_text())
    assert len(index) >= 26
    for url, entry in index.items():
        assert entry["source"] and entry["licence"], url
        assert _sha256(folder / entry["file"]) == entry["sha256"], url
    listed = {e["file"] for e in index.values()}
    on_disk = {p.name for p in folder.iterdir() if p.name != "index.json"}
    assert on_disk == listed


def test_there_is_provenance_to_check() -> None:
    assert PROVENANCE_FILES, "no PROVENANCE.json found under schemas/ or tests/fixtures/"


@pytest.mark.parametrize(
    "provenance", PROVENANCE_FILES, ids=lambda p: str(p.relative_to(ROOT))
)
def test_vendored_files_match_their_sha256(provenance: Path) -> None:
    data = json.loads(provenance.read_text())
    files = data["files"]
    assert files, provenance
    for name, entry in files.items():
        path = provenance.parent / name
        assert path.is_file(), f"{name} is listed in {provenance} but missing"
        assert entry.get("source") and entry.get("licence"), name
        assert _sha256(path) == entry["sha256"], f"{name} does not match its sha256"
