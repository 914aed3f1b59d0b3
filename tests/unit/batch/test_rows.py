"""The pure row function, the Executor and Sink seams, grouped steps, and the old names."""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

import edc_issue.batch as batch
from edc_issue._api import verify
from edc_issue.batch import (
    Executor,
    FunctionStep,
    GroupOutputStep,
    InlineExecutor,
    OutputFile,
    OutputStep,
    RowOutcome,
    RowTask,
    RowWork,
    SignStep,
    Sink,
    Template,
    issue_batch,
    issue_row,
    issue_rows,
    validate_with_models,
)
from edc_issue.batch.template import RenderContext
from edc_issue.errors import ModelError, SignerError
from edc_issue.formats.envelopes import EDC_CONTEXT

from .conftest import learner

NOW_ID = "urn:uuid:00000000-0000-4000-8000-000000000001"


def _fake_sign(credential: dict[str, Any]) -> dict[str, Any]:
    return dict(credential, proof={"type": "TestOnly"})


def _credential(ob3_template: dict[str, Any], **values: str) -> RowTask:
    from datetime import datetime, timezone

    rendered = Template(ob3_template).render(2, dict(learner(1), **values), RenderContext(
        id=NOW_ID, row=2, now=datetime(2026, 1, 1, tzinfo=timezone.utc),
        issuer="did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"))
    return RowTask(2, rendered.credential, rendered.columns_by_path)


def test_issue_row_returns_the_files_and_writes_nothing(
        tmp_path: Path, key_file: Path, ob3_template: dict[str, Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    before = sorted(os.listdir(tmp_path))
    task = _credential(ob3_template)
    outcome = issue_row(task, SignStep(key_file))
    assert outcome.ok and outcome.row == 2 and sorted(os.listdir(tmp_path)) == before
    [signed] = outcome.files
    assert signed.suffix == ".json"
    document = json.loads(signed.data)
    assert document["id"] == NOW_ID and verify(document).ok
    assert task.credential.get("proof") is None  # the task is not changed


def test_issue_row_names_the_column_of_a_model_error(ob3_template: dict[str, Any]) -> None:
    ob3_template["credentialSubject"]["achievement"]["name"] = "{{grade|number}}"
    task = _credential(ob3_template, grade="9")
    outcome = issue_row(task, FunctionStep(_fake_sign))
    assert not outcome.ok and outcome.files == ()
    assert outcome.errors[0].code == "model.invalid" and outcome.errors[0].column == "grade"
    # without validation the step gets it as it is
    assert issue_row(task, FunctionStep(_fake_sign), validate=False).ok


class _TwoFiles:
    """A step that breaks its promise (two files for one suffix)."""

    issuer_id = None
    suffixes = (".json",)

    def __call__(self, credential: dict[str, Any]) -> list[OutputFile]:
        return [OutputFile(".json", b"{}"), OutputFile(".json", b"{}")]


FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "openbadges"


@pytest.mark.parametrize("name", ["ob30/endorsement-valid.json", "clr20/complex.json"])
def test_endorsements_and_clrs_are_read_through_their_models(name: str) -> None:
    good = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    validate_with_models(good)
    broken = dict(good, credentialSubject=dict(good["credentialSubject"], type=[]))
    with pytest.raises(ModelError) as info:
        validate_with_models(broken)
    assert any(path.startswith("credentialSubject") for path, _ in info.value.problems)


def test_what_the_detector_calls_an_edc_is_read_as_one() -> None:
    # the EDC context without the EDC type is an EDC that lacks its type, not "no model"
    with pytest.raises(ModelError):
        validate_with_models({"@context": [EDC_CONTEXT], "type": ["VerifiableCredential"]})
    validate_with_models({"@context": ["https://www.w3.org/ns/credentials/v2"],
                          "type": ["VerifiableCredential"]})  # a plain VC has no model


def test_a_step_returning_the_wrong_files_fails_its_row(ob3_template: dict[str, Any]) -> None:
    outcome = issue_row(_credential(ob3_template), _TwoFiles())
    assert outcome.errors[0].code == "batch.signer_output"


class _Grouped:
    """A step that makes a whole chunk in one call (as a remote seal would), counting calls."""

    issuer_id = "did:example:issuer"
    suffixes = (".json",)

    def __init__(self, fail_group: bool = False) -> None:
        self.groups: list[int] = []
        self.fail_group = fail_group

    def __call__(self, credential: dict[str, Any]) -> list[OutputFile]:
        raise AssertionError("a grouped step is called per group")

    def call_group(self, credentials: Sequence[dict[str, Any]]
                   ) -> list[list[OutputFile] | Exception]:
        self.groups.append(len(credentials))
        if self.fail_group:
            raise SignerError("the remote signer refused the authorisation")
        results: list[list[OutputFile] | Exception] = []
        for credential in credentials:
            if credential["credentialSubject"]["identifier"][0]["identityHash"].startswith("X"):
                results.append(SignerError("refused for this one"))
            else:
                results.append([OutputFile(".json", json.dumps(_fake_sign(credential)).encode())])
        return results


def test_a_grouped_step_gets_each_chunk_in_one_call(ob3_template: dict[str, Any]) -> None:
    step = _Grouped()
    assert isinstance(step, GroupOutputStep) and isinstance(step, OutputStep)
    bad_model = dict(_credential(ob3_template).credential, validFrom="not a date")
    tasks = [_credential(ob3_template), RowTask(3, bad_model),
             _credential(ob3_template, given_name="Xavier"), _credential(ob3_template)]
    outcomes = issue_rows(tasks, step)
    assert step.groups == [3]  # the row that fails validation is not sent
    assert [o.ok for o in outcomes] == [True, False, False, True]
    assert outcomes[1].errors[0].code == "model.invalid"
    assert outcomes[2].errors[0].code == "signer.failed"
    failing = _Grouped(fail_group=True)
    assert all(o.errors[0].code == "signer.failed" for o in issue_rows(tasks[:1], failing))


class _CountingExecutor:
    """An Executor that runs inline and records the chunks it is given."""

    def __init__(self) -> None:
        self.inner = InlineExecutor()
        self.chunks: list[int] = []
        self.closed = False

    def start(self, work: RowWork) -> None:
        self.inner.start(work)

    def submit(self, tasks: Sequence[RowTask]) -> Future[list[RowOutcome]]:
        self.chunks.append(len(tasks))
        return self.inner.submit(tasks)

    def close(self, *, cancel: bool = False) -> None:
        self.closed = True


class _MemorySink:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.writes = 0

    def exists(self, name: str) -> bool:
        return name in self.files

    def write(self, files: Sequence[tuple[str, bytes]]) -> None:
        self.writes += 1
        for name, data in files:
            assert name not in self.files
            self.files[name] = data


def test_an_executor_and_a_sink_of_ones_own(tmp_path: Path,
                                            ob3_template: dict[str, Any]) -> None:
    executor, sink = _CountingExecutor(), _MemorySink()
    assert isinstance(executor, Executor) and isinstance(sink, Sink)
    report = issue_batch(ob3_template, [learner(i) for i in range(10)],
                         FunctionStep(_fake_sign, issuer_id="did:example:issuer"), tmp_path,
                         executor=executor, sink=sink, chunk_size=4)
    assert report.issued == 10 and executor.closed
    assert sum(executor.chunks) == 10 and max(executor.chunks) <= 4
    assert sink.writes == 3 and len(sink.files) == 10  # one write per chunk
    assert not list(tmp_path.glob("*-*.json"))  # the folder holds only the run's own files
    names = {name for name in os.listdir(tmp_path)}
    assert {"report.csv", "report.json"} <= names
    again = issue_batch(ob3_template, [learner(i) for i in range(10)],
                        FunctionStep(_fake_sign, issuer_id="did:example:issuer"), tmp_path,
                        sink=sink)
    assert again.skipped == 10


@pytest.mark.parametrize(("old", "new"), [
    ("KeySigner", "SignStep"), ("SealSigner", "SealStep"), ("BakingSigner", "BakeStep"),
    ("CallableSigner", "FunctionStep"), ("BatchSigner", "OutputStep")])
def test_the_first_names_of_the_steps_still_import(old: str, new: str) -> None:
    with pytest.warns(DeprecationWarning, match=new):
        value = getattr(batch, old)
    assert value is getattr(batch, new)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        getattr(batch, new)
    with pytest.raises(AttributeError):
        batch.NoSuchSigner  # noqa: B018
