"""One depth limit for JSON, enforced by the reader for every command and API entry.

JSON nested deeper than :data:`edc_issue._io.MAX_JSON_DEPTH` levels is refused with
``io.too_deep`` (exit 2 at the command line, a 400 problem from the service), never a
``RecursionError`` deep inside ``copy.deepcopy``, pyld or pySHACL (exit 3).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from edc_issue import Issuer, sign, verify
from edc_issue import validate as validate_one
from edc_issue._io import MAX_JSON_DEPTH, check_depth, json_depth, parse_json_text
from edc_issue.batch import SignStep, issue_batch
from edc_issue.cli import cli
from edc_issue.errors import ReadError
from edc_issue.formats.detect import MAX_DEPTH, detect
from edc_issue.keys import generate_key

ROOT = Path(__file__).resolve().parents[2]
OB3 = ROOT / "examples" / "data" / "ob3-sample-unsigned.json"
EDC_UPLOAD = ROOT / "examples" / "data" / "edc-CertOfPart-upload.json"
#: the depth the issue reported: below the JSON parser's own limit, above deepcopy's
REPORTED = 500


def nested(levels: int) -> dict[str, Any]:
    """An object *levels* deep (the outer object counts as one)."""
    value: dict[str, Any] = {"leaf": 1}
    for _ in range(levels - 1):
        value = {"x": value}
    return value


def deep_credential(path: Path = OB3, levels: int = REPORTED) -> dict[str, Any]:
    document = json.loads(path.read_text(encoding="utf-8"))
    subject = document.get("credential", document)["credentialSubject"]
    subject["deep"] = nested(levels)
    return document


def test_one_limit() -> None:
    assert MAX_DEPTH == MAX_JSON_DEPTH == 256
    assert json_depth(nested(MAX_JSON_DEPTH)) == MAX_JSON_DEPTH
    check_depth(nested(MAX_JSON_DEPTH), source="x")  # at the limit: accepted
    with pytest.raises(ReadError) as info:
        check_depth(nested(MAX_JSON_DEPTH + 1), source="in.json")
    assert info.value.code == "io.too_deep" and info.value.pointer == "in.json"


@pytest.mark.parametrize(("value", "depth"), [
    (5, 0), ("x", 0), ({}, 1), ([], 1), ([1, "a", None], 1), ({"a": {"b": []}}, 3),
    ([1, {"a": [2, {"b": ()}]}, "x", []], 5), ({"a": [], "b": {"c": {"d": [[{}]]}}}, 6)])
def test_json_depth_counts_the_deepest_branch(value: Any, depth: int) -> None:
    assert json_depth(value) == depth


@pytest.mark.parametrize("text", [
    json.dumps(nested(REPORTED)),
    json.dumps(nested(MAX_JSON_DEPTH + 1)),
    "[" * 100_000 + "]" * 100_000,   # deeper than the parser itself goes
    "[" * 100_000,
])
def test_the_reader_refuses_deep_json(text: str) -> None:
    with pytest.raises(ReadError) as info:
        parse_json_text(text, source="in.json")
    assert info.value.code == "io.too_deep"
    assert parse_json_text(json.dumps(nested(MAX_JSON_DEPTH)))["x"]


# ---- the Python API ----------------------------------------------------------------------


def _too_deep(call: Any, *args: Any, **kwargs: Any) -> ReadError:
    with pytest.raises(ReadError) as info:
        call(*args, **kwargs)
    assert info.value.code == "io.too_deep", info.value
    return info.value


def test_sign_and_issuer_refuse_deep_dicts() -> None:
    key = generate_key("ed25519")
    _too_deep(sign, deep_credential(), key, issuer_from_key=True)
    _too_deep(Issuer(key, issuer_from_key=True).issue, deep_credential())
    _too_deep(sign, deep_credential(), key, suite="vc-jwt", issuer_from_key=True)


def test_verify_and_validate_refuse_deep_dicts() -> None:
    _too_deep(verify, deep_credential())
    _too_deep(validate_one, deep_credential())
    _too_deep(detect, deep_credential())
    _too_deep(verify, json.dumps(deep_credential()).encode())
    _too_deep(validate_one, json.dumps(deep_credential()).encode())


def test_seal_edc_refuses_deep_dicts() -> None:
    from edc_issue.edc import seal_edc
    from edc_issue.seal.signer import LocalSigner
    from edc_issue.seal.testpki import make_test_pki

    pki = make_test_pki()
    signer = LocalSigner(pki.eseal_key, [pki.eseal, pki.ca])
    _too_deep(seal_edc, deep_credential(EDC_UPLOAD), signer)


def test_a_batch_row_too_deep_fails_alone(tmp_path: Path) -> None:
    template = json.loads(OB3.read_text(encoding="utf-8"))
    template["credentialSubject"]["name"] = "{{name}}"
    template["credentialSubject"]["achievement"]["description"] = "{{extra}}"
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps({"name": "Arta", "extra": "x"}) + "\n"
                    + json.dumps({"name": "Besa", "extra": nested(REPORTED)}) + "\n"
                    + "[" * 50_000 + "\n", encoding="utf-8")
    key = generate_key("ed25519")
    report = issue_batch(template, rows, SignStep(key, issuer_from_key=True),
                         tmp_path / "out", validate=False)
    assert (report.issued, report.failed) == (1, 2)
    assert {f.row: [e.code for e in f.errors] for f in report.failures} == {
        2: ["io.too_deep"], 3: ["io.too_deep"]}
    # rows from Python: the credential the row makes is refused where it is signed
    python_rows = [{"name": "Arta", "extra": "x"}, {"name": "Besa", "extra": nested(REPORTED)}]
    report = issue_batch(template, python_rows, SignStep(key, issuer_from_key=True),
                         tmp_path / "out2", validate=False)
    assert (report.issued, report.failed) == (1, 1)
    assert [e.code for e in report.failures[0].errors] == ["io.too_deep"]


# ---- the command line --------------------------------------------------------------------


def _run(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, args, env=env, catch_exceptions=False)
    err = result.stderr
    assert "Traceback" not in result.output + err
    return result.exit_code, err


@pytest.fixture
def deep_files(tmp_path: Path) -> Path:
    (tmp_path / "deep-ob3.json").write_text(json.dumps(deep_credential()), encoding="utf-8")
    (tmp_path / "deep-edc.json").write_text(json.dumps(deep_credential(EDC_UPLOAD)),
                                            encoding="utf-8")
    return tmp_path


def _one_line_too_deep(code: int, err: str, name: str) -> None:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and name in lines[0] and lines[0].endswith("[io.too_deep]"), err


def test_cli_sign_verify_validate_canon(deep_files: Path) -> None:
    key = deep_files / "key.json"
    assert _run(["keygen", "-o", str(key)])[0] == 0
    doc = str(deep_files / "deep-ob3.json")
    for args in (["sign", "--key", str(key), "--issuer-from-key", doc],
                 ["sign", "--key", str(key), "--suite", "vc-jwt", doc],
                 ["verify", doc], ["validate", doc], ["canon", doc]):
        code, err = _run(args)
        _one_line_too_deep(code, err, "deep-ob3.json")


def test_cli_seal(deep_files: Path) -> None:
    env = {"EDC_TEST_SEAL_PASSWORD": "test-only-not-secret"}
    code, err = _run(["seal-cert", "--test", "-o", str(deep_files / "pki")], env=env)
    assert code == 0, err
    p12 = next((deep_files / "pki").glob("*.p12"))
    code, err = _run(["seal", "--p12", str(p12), "--password-env", "EDC_TEST_SEAL_PASSWORD",
                      str(deep_files / "deep-edc.json")], env=env)
    _one_line_too_deep(code, err, "deep-edc.json")


def test_cli_issue_with_a_deep_template(deep_files: Path) -> None:
    key = deep_files / "key.json"
    assert _run(["keygen", "-o", str(key)])[0] == 0
    rows = deep_files / "rows.csv"
    rows.write_text("name\nArta\n", encoding="utf-8")
    code, err = _run(["issue", "--template", str(deep_files / "deep-ob3.json"), "--data",
                      str(rows), "--key", str(key), "-o", str(deep_files / "out")])
    _one_line_too_deep(code, err, "deep-ob3.json")
