"""A run stopped half-way (Ctrl-C, SIGTERM, a write error) loses no row and resumes."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from edc_issue.batch import FolderSink, FunctionStep, issue_batch
from edc_issue.errors import IOFailure

from .conftest import learner

STEP_ARGS: dict[str, Any] = {"issuer_id": "did:example:issuer"}


def _fake_sign(credential: dict[str, Any]) -> dict[str, Any]:
    return dict(credential, proof={"type": "TestOnly"})


def _report_rows(out: Path) -> list[dict[str, str]]:
    with (out / "report.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


class _StopAfter:
    """A progress callback that presses Ctrl-C after *n* rows."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.seen = 0

    def start(self, total: int | None) -> None:
        pass

    def update(self, status: str) -> None:
        self.seen += 1
        if self.seen == self.n:
            raise KeyboardInterrupt

    def close(self) -> None:
        pass


def _credentials(out: Path) -> list[Path]:
    return sorted(p for p in out.glob("*.json") if p.name != "report.json")


def _check_resumed(out: Path, template: dict[str, Any], rows: list[dict[str, str]]) -> None:
    again = issue_batch(template, rows, FunctionStep(_fake_sign, **STEP_ARGS), out,
                        key_column="student_id")
    assert again.ok
    documents = [json.loads(p.read_text()) for p in _credentials(out)]
    assert len(documents) == len(rows)  # every learner, once
    assert len({d["id"] for d in documents}) == len(rows)
    lines = _report_rows(out)
    issued = [r for r in lines if r["status"] == "issued"]
    assert sorted(r["id"] for r in issued) == sorted(d["id"] for d in documents)
    for r in lines:
        assert r["status"] != "failed"
        assert (out / r["file"]).is_file()


def test_ctrl_c_keeps_what_was_issued(tmp_path: Path, ob3_template: dict[str, Any]) -> None:
    rows = [learner(i) for i in range(40)]
    with pytest.raises(KeyboardInterrupt):
        issue_batch(ob3_template, rows, FunctionStep(_fake_sign, **STEP_ARGS), tmp_path,
                    key_column="student_id", chunk_size=8, progress=_StopAfter(13))
    lines = _report_rows(tmp_path)
    assert 13 <= len(lines) < 40
    assert {r["run"] for r in lines} == {"1"} and {r["status"] for r in lines} == {"issued"}
    assert len(_credentials(tmp_path)) == len(lines)
    runs = json.loads((tmp_path / "report.json").read_text())["runs"]
    assert runs[0]["summary"]["stopped"] is True
    _check_resumed(tmp_path, ob3_template, rows)


class _FailingSink(FolderSink):
    """Writes the files, then fails (or is interrupted) before the run can record them."""

    def __init__(self, folder: Path, error: BaseException, after: int) -> None:
        super().__init__(folder)
        self.error, self.after, self.calls = error, after, 0

    def write(self, files: Sequence[tuple[str, bytes]]) -> None:
        self.calls += 1
        super().write(files)
        if self.calls == self.after:
            raise self.error


@pytest.mark.parametrize("error", [KeyboardInterrupt(), IOFailure("disk full")])
def test_a_stop_between_writing_and_recording_loses_no_row(
        tmp_path: Path, ob3_template: dict[str, Any], error: BaseException) -> None:
    rows = [learner(i) for i in range(30)]
    sink = _FailingSink(tmp_path, error, after=2)
    with pytest.raises(type(error)):
        issue_batch(ob3_template, rows, FunctionStep(_fake_sign, **STEP_ARGS), tmp_path,
                    key_column="student_id", chunk_size=8, sink=sink)
    lines = _report_rows(tmp_path)
    written = _credentials(tmp_path)
    # the second chunk's files were written: its rows are in the report, as issued
    assert len(lines) == len(written) >= 16
    assert sorted(r["file"] for r in lines) == sorted(p.name for p in written)
    _check_resumed(tmp_path, ob3_template, rows)
