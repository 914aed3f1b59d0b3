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


# --- the EU upload format, validation, only EDCs, passwords without a terminal ---------


def test_upload_format_writes_delivery_details_beside_the_seal(files, pki) -> None:
    upload = json.loads(EDC_UPLOAD.read_text(encoding="utf-8"))
    out_file = files / "sealed.json"
    result, out = run(["seal", "--p12", str(files / "seal.p12"), "--password-env", "SEAL_PW",
                       str(files / "in.json"), "-o", str(out_file)], env={"SEAL_PW": PASSWORD})
    assert result.exit_code == 0, out
    details = json.loads((files / "sealed.deliveryDetails.json").read_text())
    assert details == upload["deliveryDetails"]
    assert "deliveryDetails" not in json.loads(out_file.read_text())["payload"]
    assert "conforming to edc-generic-full" in out


def test_to_stdout_the_delivery_details_are_named_not_lost_silently(files) -> None:
    result, out = run(["seal", "--p12", str(files / "seal.p12"), "--password-env", "SEAL_PW",
                       str(files / "in.json")], env={"SEAL_PW": PASSWORD})
    assert result.exit_code == 0, out
    assert "deliveryDetails are not written" in result.stderr


def test_a_non_conforming_credential_exits_1_with_the_paths(files) -> None:
    upload = json.loads(EDC_UPLOAD.read_text(encoding="utf-8"))
    del upload["credential"]["credentialSubject"]["hasClaim"]
    upload["credential"]["validFrom"] = "yesterday"
    (files / "bad-edc.json").write_text(json.dumps(upload))
    args = ["seal", "--p12", str(files / "seal.p12"), "--password-env", "SEAL_PW",
            str(files / "bad-edc.json"), "-o", str(files / "out.json")]
    result, out = run(args, env={"SEAL_PW": PASSWORD})
    assert result.exit_code == 1, out
    assert "validation.failed" in result.stderr and "validFrom" in result.stderr
    assert "credentialSubject" in result.stderr
    assert not (files / "out.json").exists()
    result, out = run([*args[:-2], "--no-validate", *args[-2:]], env={"SEAL_PW": PASSWORD})
    assert result.exit_code == 0, out


def test_an_open_badge_is_not_sealed(files) -> None:
    badge = {"@context": ["https://www.w3.org/ns/credentials/v2",
                          "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
             "type": ["VerifiableCredential", "OpenBadgeCredential"]}
    (files / "badge.json").write_text(json.dumps(badge))
    result, out = run(["seal", "--p12", str(files / "seal.p12"), "--password-env", "SEAL_PW",
                       str(files / "badge.json")], env={"SEAL_PW": PASSWORD})
    assert result.exit_code == 2 and "seal.not_edc" in out and "Open Badge" in out


def test_level_t_and_up_need_a_tsa(files) -> None:
    result, out = run(["seal", "--p12", str(files / "seal.p12"), "--password-env", "SEAL_PW",
                       "--level", "LTA", str(files / "in.json")], env={"SEAL_PW": PASSWORD})
    assert result.exit_code == 2 and "--tsa" in out


def test_no_terminal_and_no_password_env_is_one_line_exit_2(files) -> None:
    """A real process with no standard input: no prompt, no GetPassWarning."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "edc_issue", "seal", "--p12",
                           str(files / "seal.p12"), str(files / "in.json")],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert "--password-env" in lines[0] and "GetPassWarning" not in proc.stderr


def test_a_password_piped_on_stdin_is_read(files) -> None:
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "edc_issue", "seal", "--p12",
                           str(files / "seal.p12"), str(files / "in.json"), "-o",
                           str(files / "piped.json")], input=PASSWORD + "\n",
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert PASSWORD not in proc.stderr + proc.stdout


def test_seal_cert_makes_a_marked_test_certificate_with_utf8_names(tmp_path) -> None:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    result, out = run(["seal-cert", "--test", "--org", "Универзитет ТЕСТ — Tiranë",
                       "--country", "mk", "-o", str(tmp_path / "pki")],
                      env={"EDC_TEST_SEAL_PASSWORD": PASSWORD})
    assert result.exit_code == 0, out
    cert = x509.load_pem_x509_certificate((tmp_path / "pki" / "test-eseal.pem").read_bytes())
    org = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0]
    assert org.value == "Универзитет ТЕСТ — Tiranë" and org._type.name == "UTF8String"
    assert "TEST" in cert.subject.rfc4514_string()
    assert (tmp_path / "pki" / "test-eseal.p12").stat().st_mode & 0o077 == 0
    # without --test nothing is made
    result, out = run(["seal-cert", "-o", str(tmp_path / "other")],
                      env={"EDC_TEST_SEAL_PASSWORD": PASSWORD})
    assert result.exit_code == 2 and not (tmp_path / "other").exists()


def test_the_test_certificate_seals_an_upload_and_verifies(tmp_path) -> None:
    env = {"EDC_TEST_SEAL_PASSWORD": PASSWORD}
    assert run(["seal-cert", "--test", "-o", str(tmp_path / "pki")], env=env)[0].exit_code == 0
    shutil.copy(EDC_UPLOAD, tmp_path / "in.json")
    result, out = run(["seal", "--p12", str(tmp_path / "pki" / "test-eseal.p12"),
                       "--password-env", "EDC_TEST_SEAL_PASSWORD", str(tmp_path / "in.json"),
                       "-o", str(tmp_path / "sealed.json")], env=env)
    assert result.exit_code == 0, out
    result, out = run(["verify", "--trust", str(tmp_path / "pki" / "test-ca.pem"),
                       str(tmp_path / "sealed.json")])
    assert result.exit_code == 0, out
