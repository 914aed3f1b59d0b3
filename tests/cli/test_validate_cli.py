"""``edc-issue validate``: exit codes, formats, globs and folders, --fail-on, --jobs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from edc_issue.cli import cli

FIX = Path(__file__).parent.parent / "fixtures" / "validate"
GOOD_EDC = FIX / "edc" / "eu-elm-support" / "AA-Annex1-MC-signed.jsonld"
BAD_EDC = FIX / "edc" / "elm-repo-3.1" / "Sample-CertOfPart-unsigned.jsonld"
GOOD_OB = FIX / "ob3" / "spec" / "02-sample-openbadgecredential.unsigned.json"
BAD_OB = FIX / "ob3" / "validator-fixtures" / "simple-err-issuer-type.json"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["validate", *args])
    return result.exit_code, result.stdout, result.stderr


def test_valid_files_exit_0() -> None:
    code, out, _ = run(str(GOOD_EDC), str(GOOD_OB))
    assert code == 0
    assert "AA-Annex1-MC-signed.jsonld: ok (edc+jades, edc-generic-full@3.2)" in out


def test_invalid_file_exit_1_text_grouped() -> None:
    code, out, _ = run(str(GOOD_OB), str(BAD_EDC))
    assert code == 1
    assert "Sample-CertOfPart-unsigned.jsonld: INVALID" in out
    assert "issuer.eIDASIdentifier" in out


def test_json_shape() -> None:
    code, out, _ = run("--format", "json", str(BAD_EDC), str(GOOD_OB))
    assert code == 1
    results = json.loads(out)["results"]
    assert [r["ok"] for r in results] == [False, True]
    check = results[0]["checks"][0]
    assert set(check) >= {"check", "ok", "message", "path"}


def test_junit() -> None:
    code, out, _ = run("--format", "junit", str(BAD_OB), str(GOOD_OB))
    assert code == 1
    assert out.startswith("<?xml") and 'tests="2" failures="1"' in out


def test_bad_inputs_exit_2_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "empty.json").write_bytes(b"")
    (tmp_path / "text.json").write_text("not json")
    (tmp_path / "deep.json").write_text("[" * 10000 + "]" * 10000)
    (tmp_path / "big.json").write_bytes(b'{"x": "' + b"a" * (50 * 1024 * 1024) + b'"}')
    (tmp_path / "ctx.json").write_text(json.dumps({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://example.org/unknown"],
        "type": ["VerifiableCredential"], "issuer": "did:example:1",
        "credentialSubject": {"id": "did:example:2"}}))
    shutil.copy(GOOD_OB, tmp_path / "zz-good.json")
    code, out, err = run(str(tmp_path))
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 4 and all(line.startswith("error: ") for line in lines)
    assert "io.too_large" in err and "Traceback" not in err
    assert "ctx.json: INVALID" in out and "jsonld.context_not_allowed" not in err
    assert "zz-good.json: ok" in out  # the run went on


def test_glob_and_missing(tmp_path: Path) -> None:
    shutil.copy(GOOD_OB, tmp_path / "a.json")
    code, out, err = run(str(tmp_path / "*.json"), str(tmp_path / "nothing-*.json"))
    assert code == 2 and "pattern matches no file" in err and "a.json: ok" in out


def test_fail_on_warning(tmp_path: Path) -> None:
    # an EDC with an undefined term: a warning only
    doc = json.loads(GOOD_EDC.read_text())
    inner = json.loads(doc["payload"])
    inner["cnf"] = {"kid": "x"}
    path = tmp_path / "warn.json"
    path.write_text(json.dumps(inner))
    assert run(str(path))[0] == 0
    assert run("--fail-on", "warning", str(path))[0] == 1


def test_unknown_profile_is_a_usage_error() -> None:
    code, _, err = run("--profile", "edc-generc-full", str(GOOD_EDC))
    assert code == 2 and 'did you mean "edc-generic-full"' in err


@pytest.mark.slow
def test_jobs_keep_input_order() -> None:
    files = [str(BAD_OB), str(GOOD_EDC), str(GOOD_OB), str(BAD_EDC)] * 2
    code, out, _ = run("--jobs", "2", "--format", "json", *files)
    assert code == 1
    assert [r["file"] for r in json.loads(out)["results"]] == files


def test_a_json_string_is_no_credential_not_invalid_json(tmp_path: Path) -> None:
    path = tmp_path / "string.json"
    path.write_text('"just a string"')
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert "no credential found" in result.output and "invalid JSON" not in result.output


def test_validate_a_batch_folder_right_after_issue(tmp_path: Path) -> None:
    """``validate OUTDIR`` after ``issue``: the batch's own reports are skipped, and said so."""
    runner = CliRunner()
    key = tmp_path / "key.json"
    assert runner.invoke(cli, ["keygen", "-o", str(key)]).exit_code == 0
    assert runner.invoke(cli, ["template", "init", "--ob3", "-o", str(tmp_path / "t")]
                         ).exit_code == 0
    out = tmp_path / "out"
    issued = runner.invoke(cli, ["issue", "--template", str(tmp_path / "t" / "ob3-badge.json"),
                                 "--data", str(tmp_path / "t" / "learners.csv"), "--key",
                                 str(key), "--issuer-from-key", "-o", str(out)])
    assert issued.exit_code == 0, issued.output
    assert (out / "report.json").exists() and (out / "report.csv").exists()
    named = [str(p) for p in sorted(out.iterdir()) if p.suffix == ".json"]  # as pre-commit does
    assert len(named) == 2
    for args in ([str(out)], [str(out / "*.json")], [str(out / "**" / "*.json")], named):
        code, stdout, err = run(*args)
        assert code == 0, stdout + err
        assert "report.json" not in stdout
        assert f"note: skipped {out / 'report.json'}" in err, err
        assert "1 valid" in stdout
    # a report.json elsewhere is a file like any other (and not a credential)
    shutil.copy(out / "report.json", tmp_path / "report.json")
    code, stdout, _ = run(str(tmp_path / "report.json"))
    assert code == 1 and "report.json: INVALID" in stdout
