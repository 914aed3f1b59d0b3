"""``edc-issue seal``: exit codes, password handling, no secret and no traceback in output."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from edc_issue.cli import cli
from edc_issue.seal import verify_envelope

PASSWORD = "test-only-password-not-secret"
#: an EDC to seal: the EU's upload payload of a certificate of participation
EDC_UPLOAD = (Path(__file__).resolve().parents[2] / "fixtures" / "edc-samples" / "eu-elm-support"
              / "Sample-CertOfPart-unsigned.json")


@pytest.fixture
def files(pki, tmp_path):
    (tmp_path / "seal.p12").write_bytes(pki.p12())
    (tmp_path / "expired.p12").write_bytes(pki.p12(pki.expired))
    (tmp_path / "key.pem").write_bytes(pki.eseal.key_pem(PASSWORD))
    (tmp_path / "chain.pem").write_bytes(pki.eseal.pem + pki.ca.pem)
    shutil.copy(EDC_UPLOAD, tmp_path / "in.json")
    (tmp_path / "bad.json").write_text('{"payload": "trunc')
    return tmp_path


def run(args, env=None, input=None):
    runner = CliRunner()
    result = runner.invoke(cli, args, env=env, input=input, catch_exceptions=False)
    out = result.output + (result.stderr if hasattr(result, "stderr") else "")
    assert "Traceback" not in out
    assert PASSWORD not in out
    return result, out


def test_seal_with_p12_and_password_env(files, pki) -> None:
    out_file = files / "sealed.json"
    result, out = run(["seal", "--p12", str(files / "seal.p12"), "--password-env", "SEAL_PW",
                       str(files / "in.json"), "-o", str(out_file)], env={"SEAL_PW": PASSWORD})
    assert result.exit_code == 0, out
    assert "edc-issue TEST SEAL" in out and "baseline B" in out
    envelope = json.loads(out_file.read_text())
    checked = verify_envelope(envelope, trust=[pki.ca.cert])
    assert checked.ok, [c for c in checked.checks if not c.ok]


def test_seal_with_pem_key_and_chain_to_stdout(files) -> None:
    result, out = run(["seal", "--key", str(files / "key.pem"), "--cert", str(files / "chain.pem"),
                       "--password-env", "SEAL_PW", str(files / "in.json")],
                      env={"SEAL_PW": PASSWORD})
    assert result.exit_code == 0, out
    assert '"signatures"' in result.stdout


def test_password_prompt_when_no_env_var(files) -> None:
    result, out = run(["seal", "--p12", str(files / "seal.p12"), str(files / "in.json")],
                      input=PASSWORD + "\n")
    assert result.exit_code == 0, out


def test_wrong_password_exits_2_without_echoing_it(files) -> None:
    result, out = run(["seal", "--p12", str(files / "seal.p12"), "--password-env", "SEAL_PW",
                       str(files / "in.json")], env={"SEAL_PW": "wrong-guess-9876"})
    assert result.exit_code == 2
    assert "key.bad_password" in out and "seal.p12" in out
    assert "wrong-guess-9876" not in out


def test_unset_password_variable_exits_2(files) -> None:
    result, out = run(["seal", "--p12", str(files / "seal.p12"), "--password-env",
                       "NO_SUCH_VAR_FOR_TEST", str(files / "in.json")], env={})
    assert result.exit_code == 2 and "NO_SUCH_VAR_FOR_TEST" in out


def test_expired_certificate_exits_2(files) -> None:
    result, out = run(["seal", "--p12", str(files / "expired.p12"), "--password-env", "SEAL_PW",
                       str(files / "in.json")], env={"SEAL_PW": PASSWORD})
    assert result.exit_code == 2 and "key.expired" in out


@pytest.mark.parametrize("args", [
    [],  # no key at all
    ["--key", "key.pem"],  # --key without --cert
    ["--p12", "seal.p12", "--key", "key.pem", "--cert", "chain.pem"],
    ["--p12", "missing.p12"],
])
def test_usage_and_missing_files_exit_2(files, args) -> None:
    args = [str(files / a) if a.endswith((".pem", ".p12")) else a for a in args]
    result, out = run(["seal", *args, "--password-env", "SEAL_PW", str(files / "in.json")],
                      env={"SEAL_PW": PASSWORD})
    assert result.exit_code == 2, out


def test_malformed_input_exits_2(files) -> None:
    result, out = run(["seal", "--p12", str(files / "seal.p12"), "--password-env", "SEAL_PW",
                       str(files / "bad.json")], env={"SEAL_PW": PASSWORD})
    assert result.exit_code == 2 and "bad.json" in out
