"""issue_batch(): every row ends as a file or a reported error; re-runs resume; status lists."""

from __future__ import annotations

import csv
import json
import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from edc_issue._api import verify
from edc_issue.batch import (
    JOURNAL_NAME,
    FunctionStep,
    LineProgress,
    SignStep,
    Template,
    TemplateError,
    issue_batch,
    open_rows,
)
from edc_issue.errors import StatusError
from edc_issue.status import MemoryStatusListStore, StatusList, check_status

from .conftest import COLUMNS, TEMPLATES, learner, write_csv


def _fake_sign(credential: dict[str, Any]) -> dict[str, Any]:
    return dict(credential, proof={"type": "TestOnly",
                                   "verificationMethod": "did:example:issuer#key-1"})


def _report_rows(out: Path) -> list[dict[str, str]]:
    with (out / "report.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_broken_rows_are_reported_and_good_rows_issued(tmp_path: Path, key_file: Path,
                                                       ob3_template: dict[str, Any]) -> None:
    good = [learner(i) for i in range(3)]
    data = write_csv(tmp_path / "learners.csv", [
        COLUMNS,
        list(good[0].values()),
        ["UT-1", "Bad", "Date", "b@example.org", "1988-03-14", "31/02/2025", "8"],   # row 3
        ["UT-2", "", "Noname", "c@example.org", "1988-03-14", "2025-06-27", "8"],    # row 4
        list(good[1].values()),
        ["UT-3", "Too", "Many", "d@example.org", "1988-03-14", "2025-06-27", "8", "x"],  # row 6
        ["UT-4", "=cmd|' /C calc'!A0", "X", "e@example.org", "1988-03-14", "2025-06-27", "8"],
        list(good[2].values()),
    ])
    out = tmp_path / "out"
    report = issue_batch(ob3_template, open_rows(data), SignStep(key_file), out)
    assert (report.total, report.issued, report.failed) == (7, 3, 4)
    assert not report.ok
    failures = {f.row: f.errors[0] for f in report.failures}
    assert failures[3].column == "completion_date" and failures[3].code == "batch.bad_date"
    assert failures[4].column == "given_name" and failures[4].code == "batch.empty_value"
    assert failures[6].code == "batch.column_count"
    assert failures[7].column == "given_name" and failures[7].code == "batch.formula"
    rows = _report_rows(out)
    assert [r["row"] for r in rows] == ["2", "3", "4", "5", "6", "7", "8"]
    assert [r["status"] for r in rows] == ["issued", "failed", "failed", "issued", "failed",
                                           "failed", "issued"]
    for r in rows:
        if r["status"] == "issued":
            document = json.loads((out / r["file"]).read_text())
            assert document["id"] == r["id"]
            assert verify(document).ok
        else:
            assert r["reason"] and r["code"]
    summary = json.loads((out / "report.json").read_text())
    assert summary["summary"]["failed"] == 4 and len(summary["rows"]) == 7


def test_second_run_issues_nothing_new(tmp_path: Path, ob3_template: dict[str, Any]) -> None:
    rows = [learner(i) for i in range(5)]
    signer = FunctionStep(_fake_sign, issuer_id="did:example:issuer")
    first = issue_batch(ob3_template, rows, signer, tmp_path)
    files = sorted(p.name for p in tmp_path.glob("*-*.json"))
    assert first.issued == 5 and len(files) == 5
    second = issue_batch(ob3_template, [*rows, learner(9)], signer, tmp_path)
    assert (second.issued, second.skipped, second.failed) == (1, 5, 0)
    assert len(list(tmp_path.glob("*-*.json"))) == 6
    third = issue_batch(ob3_template, rows, signer, tmp_path)
    assert (third.issued, third.skipped) == (0, 5)


def test_a_key_column_recognises_learners_whose_other_values_changed(
        tmp_path: Path, ob3_template: dict[str, Any]) -> None:
    signer = FunctionStep(_fake_sign, issuer_id="did:example:issuer")
    rows = [learner(1)]
    first = issue_batch(ob3_template, rows, signer, tmp_path, key_column="student_id")
    changed = [dict(learner(1), grade="10/10")]
    again = issue_batch(ob3_template, changed, signer, tmp_path, key_column="student_id")
    assert first.issued == 1 and again.skipped == 1 and again.issued == 0
    document = json.loads(next(tmp_path.glob("*-*.json")).read_text())
    template = Template(ob3_template, key_column="student_id")
    assert document["id"] == template.row_id(rows[0])


def test_duplicate_rows_fail(tmp_path: Path, ob3_template: dict[str, Any]) -> None:
    signer = FunctionStep(_fake_sign, issuer_id="did:example:issuer")
    report = issue_batch(ob3_template, [learner(1), learner(2), learner(1)], signer, tmp_path)
    assert report.issued == 2
    [failure] = report.failures
    assert failure.row == 3 and failure.errors[0].code == "batch.duplicate_row"
    assert "row 1" in failure.errors[0].reason


def test_an_interrupted_run_is_finished_with_the_same_id_and_index(
        tmp_path: Path, ob3_template: dict[str, Any]) -> None:
    store = MemoryStatusListStore()
    status_list = StatusList.create(store, list_id="https://example.edu/s/1",
                                    issuer="did:example:issuer", sign=_fake_sign,
                                    rng=random.Random(5))
    signer = FunctionStep(_fake_sign, issuer_id="did:example:issuer")
    rows = [learner(i) for i in range(4)]
    issue_batch(ob3_template, rows, signer, tmp_path, status_list=status_list)
    report = json.loads((tmp_path / "report.json").read_text())["rows"]
    # simulate a crash: row 2's file never reached the disk, and no "done" was journaled
    lost = report[1]
    (tmp_path / lost["files"][0]).unlink()
    with sqlite3.connect(tmp_path / JOURNAL_NAME) as db:
        assert db.execute("UPDATE rows SET state = 'pending' WHERE row = 2").rowcount == 1
    count_before = status_list.allocated_count()
    again = issue_batch(ob3_template, rows, signer, tmp_path, status_list=status_list)
    assert (again.issued, again.skipped) == (1, 3)
    redone = json.loads((tmp_path / lost["files"][0]).read_text())
    assert redone["id"] == lost["id"]
    assert redone["credentialStatus"]["statusListIndex"] == str(lost["statusListIndex"])
    assert status_list.allocated_count() == count_before  # no new index for it


def test_status_entries_are_unique_and_checkable(tmp_path: Path,
                                                 ob3_template: dict[str, Any]) -> None:
    store = MemoryStatusListStore()
    status_list = StatusList.create(store, list_id="https://example.edu/s/1",
                                    issuer="did:example:issuer", sign=_fake_sign)
    signer = FunctionStep(_fake_sign, issuer_id="did:example:issuer")
    report = issue_batch(ob3_template, [learner(i) for i in range(50)], signer, tmp_path,
                         status_list=status_list, chunk_size=7)
    assert report.issued == 50
    documents = [json.loads(p.read_text()) for p in tmp_path.glob("*-*.json")]
    indexes = {d["credentialStatus"]["statusListIndex"] for d in documents}
    assert len(indexes) == 50
    target = documents[0]
    status_list.revoke([int(target["credentialStatus"]["statusListIndex"])], sign=_fake_sign)
    lists = [store.load_credential()]
    revoked = [d["id"] for d in documents if not check_status(d, lists=lists)[0].ok]
    assert revoked == [target["id"]]


def test_edc_credentials_get_an_edc_credential_status(tmp_path: Path) -> None:
    template = json.loads((TEMPLATES / "edc-microcredential.json").read_text())
    store = MemoryStatusListStore()
    status_list = StatusList.create(store, list_id="https://example.edu/s/1",
                                    issuer="did:example:issuer", sign=_fake_sign)
    signer = FunctionStep(_fake_sign, issuer_id="urn:epass:org:1")
    report = issue_batch(template, [learner(1)], signer, tmp_path, status_list=status_list)
    assert report.ok, report.failures
    document = json.loads(next(tmp_path.glob("*-*.json")).read_text())
    assert document["credentialStatus"]["type"] == ["CredentialStatus",
                                                    "BitstringStatusListEntry"]
    assert document["@context"][-1] == "https://www.w3.org/ns/credentials/status/v1"
    assert check_status(document, lists=[store.load_credential()])[0].ok


def test_model_errors_name_the_column(tmp_path: Path, ob3_template: dict[str, Any]) -> None:
    ob3_template["credentialSubject"]["achievement"]["name"] = "{{grade|number}}"
    signer = FunctionStep(_fake_sign, issuer_id="did:example:issuer")
    report = issue_batch(ob3_template, [dict(learner(1), grade="9")], signer, tmp_path)
    [failure] = report.failures
    assert failure.errors[0].code == "model.invalid"
    assert failure.errors[0].column == "grade"


def test_a_missing_column_stops_everything_before_issuing(tmp_path: Path, key_file: Path,
                                                          ob3_template: dict[str, Any]) -> None:
    rows = [{k: v for k, v in learner(1).items() if k != "email"}]
    with pytest.raises(TemplateError) as info:
        issue_batch(ob3_template, rows, SignStep(key_file), tmp_path / "out")
    assert info.value.code == "batch.missing_column" and "email" in info.value.message
    assert not (tmp_path / "out").exists()


def test_a_full_status_list_stops_the_run(tmp_path: Path, ob3_template: dict[str, Any]) -> None:
    store = MemoryStatusListStore()
    status_list = StatusList.create(store, list_id="https://example.edu/s/1",
                                    issuer="did:example:issuer", sign=_fake_sign)
    record = store.load_record()
    assert record is not None
    record.count = record.size
    store.save_record(record)
    signer = FunctionStep(_fake_sign, issuer_id="did:example:issuer")
    with pytest.raises(StatusError) as info:
        issue_batch(ob3_template, [learner(1)], signer, tmp_path, status_list=status_list)
    assert info.value.code == "status.list_full"


def test_output_names_from_a_column(tmp_path: Path, ob3_template: dict[str, Any]) -> None:
    signer = FunctionStep(_fake_sign, issuer_id="did:example:issuer")
    rows = [dict(learner(1), family_name="O'Brien / Ünal"), dict(learner(2), family_name="report")]
    rows.append(dict(learner(3), family_name="O'Brien / Ünal"))
    issue_batch(ob3_template, rows, signer, tmp_path, name_column="family_name")
    names = sorted(p.name for p in tmp_path.glob("*.json") if p.name != "report.json")
    assert names == sorted(["O_Brien_Ünal.json", "O_Brien_Ünal-3.json", "report-credential.json"])


def test_signer_failures_are_row_errors(tmp_path: Path, ob3_template: dict[str, Any]) -> None:
    report = issue_batch(ob3_template, [learner(1)], FunctionStep(_explode, issuer_id="x"),
                         tmp_path)
    [failure] = report.failures
    assert failure.errors[0].code == "batch.internal" and "boom" in failure.errors[0].reason


def _explode(credential: dict[str, Any]) -> dict[str, Any]:
    raise RuntimeError("boom")


def test_progress_lines(tmp_path: Path, ob3_template: dict[str, Any]) -> None:
    import io

    stream = io.StringIO()
    signer = FunctionStep(_fake_sign, issuer_id="did:example:issuer")
    issue_batch(ob3_template, [learner(1)], signer, tmp_path, progress=LineProgress(stream))
    assert "1 issued, 0 skipped, 0 failed" in stream.getvalue()
