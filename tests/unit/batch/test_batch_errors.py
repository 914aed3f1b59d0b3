"""Every batch failure is a ``BatchError`` (the ``batch`` area's class) and still the class
it was raised as before: a data file that is not rows is a ``ReadError``, a batch that
cannot start an ``InputError`` (exit 2), a worker that dies a ``BatchError`` only (exit 1)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from edc_issue.batch import FunctionStep, ProcessExecutor, issue_batch, open_rows
from edc_issue.batch.lock import FolderLock
from edc_issue.cli import main
from edc_issue.errors import (
    BatchDataError,
    BatchError,
    BatchInputError,
    InputError,
    ReadError,
    TemplateError,
)

from .conftest import learner


def _fake_sign(credential: dict[str, Any]) -> dict[str, Any]:
    return dict(credential, proof={"type": "TestOnly"})


STEP = FunctionStep(_fake_sign, issuer_id="did:example:issuer")


@pytest.mark.parametrize(("text", "code"), [("", "batch.no_header"),
                                            ("a,a\n1,2\n", "batch.bad_header"),
                                            ("=cmd,b\n1,2\n", "batch.formula")])
def test_a_data_file_that_is_not_rows(tmp_path: Path, text: str, code: str) -> None:
    path = tmp_path / "rows.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BatchDataError) as info:
        open_rows(path)
    assert info.value.code == code
    assert isinstance(info.value, ReadError) and isinstance(info.value, BatchError)
    with pytest.raises(BatchDataError) as unknown:
        open_rows(tmp_path / "rows.pdf")
    assert unknown.value.code == "batch.unknown_format"


def test_a_batch_that_cannot_start_is_an_input_error(tmp_path: Path,
                                                     ob3_template: dict[str, Any]) -> None:
    with pytest.raises(BatchInputError) as jobs:
        issue_batch(ob3_template, [learner(1)], STEP, tmp_path, jobs=0)
    assert jobs.value.code == "batch.bad_jobs" and isinstance(jobs.value, InputError)
    with pytest.raises(BatchInputError):
        ProcessExecutor(0)
    with FolderLock(tmp_path), pytest.raises(BatchInputError) as locked:
        issue_batch(ob3_template, [learner(1)], STEP, tmp_path)
    assert locked.value.code == "batch.output_locked"
    assert not (tmp_path / "report.csv").exists()
    rows = [{k: v for k, v in learner(1).items() if k != "email"}]
    with pytest.raises(TemplateError) as missing:
        issue_batch(ob3_template, rows, STEP, tmp_path)
    assert isinstance(missing.value, BatchInputError)


def test_a_worker_that_dies_stops_the_run(tmp_path: Path, ob3_template: dict[str, Any],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # the step must be importable in the worker processes (spawned, with this sys.path)
    module = tmp_path / "lib" / "_dying_step.py"
    module.parent.mkdir()
    module.write_text(textwrap.dedent("""\
        import os

        def die(credential):
            os._exit(7)
        """), encoding="utf-8")
    monkeypatch.syspath_prepend(str(module.parent))
    import _dying_step  # type: ignore[import-not-found]

    try:
        with pytest.raises(BatchError) as info:
            issue_batch(ob3_template, [learner(i) for i in range(4)],
                        FunctionStep(_dying_step.die, issuer_id="did:example:issuer"),
                        tmp_path / "out", jobs=2)
    finally:
        sys.modules.pop("_dying_step", None)
    assert info.value.code == "batch.worker_died"
    assert not isinstance(info.value, InputError)  # the input was fine: exit 1, not 2
    assert "again" in info.value.message
    # the run wrote its report: a re-run resumes (nothing was issued)
    assert (tmp_path / "out" / "report.csv").is_file()


def test_the_command_line_exit_statuses(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        key_file: Path) -> None:
    template = Path(__file__).resolve().parents[3] / "src/edc_issue/templates/ob3-badge.json"
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    status = main(["issue", "--template", str(template), "--data", str(empty),
                   "--key", str(key_file), "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert status == 2 and "[batch.no_header]" in err and str(empty) in err
    assert "Traceback" not in err
