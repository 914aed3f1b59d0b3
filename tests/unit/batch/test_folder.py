"""One output folder: an exclusive lock, and one report that keeps every run's rows."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from edc_issue.batch import FunctionStep, issue_batch
from edc_issue.errors import InputError

from .conftest import learner


def _fake_sign(credential: dict[str, Any]) -> dict[str, Any]:
    return dict(credential, proof={"type": "TestOnly"})


STEP = FunctionStep(_fake_sign, issuer_id="did:example:issuer")


def _report_rows(out: Path) -> list[dict[str, str]]:
    with (out / "report.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


class _RunsAnotherBatch:
    """A progress callback that tries a second batch into the same folder mid-run."""

    def __init__(self, template: dict[str, Any], out: Path) -> None:
        self.template, self.out = template, out
        self.error: InputError | None = None

    def start(self, total: int | None) -> None:
        pass

    def update(self, status: str) -> None:
        if self.error is None:
            with pytest.raises(InputError) as info:
                issue_batch(self.template, [learner(1)], STEP, self.out)
            self.error = info.value

    def close(self) -> None:
        pass


def test_a_folder_in_use_is_refused(tmp_path: Path, ob3_template: dict[str, Any]) -> None:
    probe = _RunsAnotherBatch(ob3_template, tmp_path)
    report = issue_batch(ob3_template, [learner(i) for i in range(3)], STEP, tmp_path,
                         progress=probe)
    assert report.issued == 3
    assert probe.error is not None and probe.error.code == "batch.output_locked"
    assert str(tmp_path) in str(probe.error) and "another" in probe.error.message
    # the refused run changed nothing, and once the first ends the folder is free
    assert len(_report_rows(tmp_path)) == 3
    assert issue_batch(ob3_template, [learner(1)], STEP, tmp_path).skipped == 1


def test_the_report_keeps_every_run(tmp_path: Path, ob3_template: dict[str, Any]) -> None:
    first = tmp_path / "autumn.csv"
    second = tmp_path / "spring.csv"
    for path, learners in ((first, range(3)), (second, range(3, 5))):
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(learner(0)))
            writer.writeheader()
            writer.writerows(learner(i) for i in learners)
    out = tmp_path / "out"
    assert issue_batch(ob3_template, first, STEP, out).issued == 3
    again = issue_batch(ob3_template, second, STEP, out)
    assert (again.issued, again.total) == (2, 2)
    rows = _report_rows(out)
    assert [(r["run"], r["data"], r["row"], r["status"]) for r in rows] == [
        ("1", str(first), "2", "issued"), ("1", str(first), "3", "issued"),
        ("1", str(first), "4", "issued"),
        ("2", str(second), "2", "issued"), ("2", str(second), "3", "issued")]
    for r in rows:
        assert (out / r["file"]).is_file()
    document = json.loads((out / "report.json").read_text())
    assert [(r["run"], r["data"], r["row"]) for r in document["rows"]] == [
        (int(r["run"]), r["data"], int(r["row"])) for r in rows]
    assert [run["run"] for run in document["runs"]] == [1, 2]
    assert [run["data"] for run in document["runs"]] == [str(first), str(second)]
    assert [run["summary"]["issued"] for run in document["runs"]] == [3, 2]
    assert document["summary"]["issued"] == 2  # the latest run's
    # a third run of the first file skips its rows, and the report still has every line
    third = issue_batch(ob3_template, first, STEP, out)
    assert third.skipped == 3
    rows = _report_rows(out)
    assert len(rows) == 8
    assert [r["status"] for r in rows if r["run"] == "3"] == ["skipped"] * 3


def test_a_report_written_before_runs_were_recorded_is_kept(
        tmp_path: Path, ob3_template: dict[str, Any]) -> None:
    """An output folder from a version without the run history: its report lines stay."""
    import sqlite3

    rows = [learner(i) for i in range(2)]
    assert issue_batch(ob3_template, rows, STEP, tmp_path).issued == 2
    old = _report_rows(tmp_path)
    with sqlite3.connect(tmp_path / ".edc-issue-journal.sqlite") as db:  # as it was then
        db.execute("DROP TABLE results")
        db.execute("DROP TABLE runs")
    db.close()
    with (tmp_path / "report.csv").open("w", encoding="utf-8", newline="") as fh:
        fields = ["row", "status", "id", "file", "status_index", "column", "reason", "code"]
        writer = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(old)
    again = issue_batch(ob3_template, [*rows, learner(7)], STEP, tmp_path)
    assert (again.issued, again.skipped) == (1, 2)
    lines = _report_rows(tmp_path)
    assert [(r["run"], r["row"], r["status"]) for r in lines] == [
        ("0", "1", "issued"), ("0", "2", "issued"),
        ("1", "1", "skipped"), ("1", "2", "skipped"), ("1", "3", "issued")]
    assert [r["id"] for r in lines[:2]] == [r["id"] for r in old]
