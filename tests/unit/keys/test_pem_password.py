"""Encrypted PEM keys: ``key.password_required`` without a password, ``key.bad_password``
with a wrong one (never ``key.malformed (TypeError)``), and ``sign --password-env``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from edc_issue.cli import cli
from edc_issue.errors import KeyMaterialError
from edc_issue.keys import key_from_pem, load_key

PASSWORD = "test-only-pem-password"
OB3 = Path(__file__).resolve().parents[3] / "examples" / "data" / "ob3-sample-unsigned.json"


def _pem(private: object, fmt: serialization.PrivateFormat, password: str | None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password.encode()) if password
        else serialization.NoEncryption())
    return private.private_bytes(serialization.Encoding.PEM, fmt, encryption)  # type: ignore[attr-defined]


ENCRYPTED = {
    "pkcs8-ed25519": (ed25519.Ed25519PrivateKey.generate(), serialization.PrivateFormat.PKCS8),
    "pkcs8-p256": (ec.generate_private_key(ec.SECP256R1()), serialization.PrivateFormat.PKCS8),
    "traditional-p256": (ec.generate_private_key(ec.SECP256R1()),
                         serialization.PrivateFormat.TraditionalOpenSSL),
}


@pytest.mark.parametrize("name", sorted(ENCRYPTED))
def test_encrypted_pem_codes(name: str) -> None:
    private, fmt = ENCRYPTED[name]
    data = _pem(private, fmt, PASSWORD)
    with pytest.raises(KeyMaterialError) as info:
        key_from_pem(data)
    assert info.value.code == "key.password_required"
    assert "TypeError" not in info.value.message
    with pytest.raises(KeyMaterialError) as info:
        key_from_pem(data, password=b"wrong-guess-1234")
    assert info.value.code == "key.bad_password"
    assert "wrong-guess-1234" not in str(info.value)
    key = key_from_pem(data, password=PASSWORD.encode())
    assert key.has_secret


def test_a_password_for_a_key_that_needs_none_is_ignored(tmp_path: Path) -> None:
    private, fmt = ENCRYPTED["pkcs8-ed25519"]
    path = tmp_path / "plain.pem"
    path.write_bytes(_pem(private, fmt, None))
    assert load_key(path, password=b"unneeded").has_secret


def test_load_key_names_the_file(tmp_path: Path) -> None:
    private, fmt = ENCRYPTED["pkcs8-p256"]
    path = tmp_path / "enc.pem"
    path.write_bytes(_pem(private, fmt, PASSWORD))
    with pytest.raises(KeyMaterialError) as info:
        load_key(path)
    assert info.value.code == "key.password_required" and "enc.pem" in str(info.value.pointer)


@pytest.fixture
def enc_key(tmp_path: Path) -> Path:
    private, fmt = ENCRYPTED["pkcs8-ed25519"]
    path = tmp_path / "enc.pem"
    path.write_bytes(_pem(private, fmt, PASSWORD))
    return path


def _sign(args: list[str], env: dict[str, str] | None = None, input: str | None = None
          ) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["sign", *args], env=env, input=input,
                                catch_exceptions=False)
    assert "Traceback" not in result.output + result.stderr
    assert PASSWORD not in result.output + result.stderr
    return result.exit_code, result.stdout, result.stderr


def test_sign_with_password_env(enc_key: Path) -> None:
    code, out, err = _sign(["--key", str(enc_key), "--password-env", "PEM_PW",
                            "--issuer-from-key", str(OB3)], env={"PEM_PW": PASSWORD})
    assert code == 0, err
    assert json.loads(out)["proof"]


def test_sign_with_a_wrong_password_env(enc_key: Path) -> None:
    code, _, err = _sign(["--key", str(enc_key), "--password-env", "PEM_PW", str(OB3)],
                         env={"PEM_PW": "wrong-guess-1234"})
    assert code == 2
    assert err.strip().endswith("[key.bad_password]") and "enc.pem" in err
    assert "wrong-guess-1234" not in err


def test_sign_asks_once_on_stdin(enc_key: Path) -> None:
    code, out, err = _sign(["--key", str(enc_key), "--issuer-from-key", str(OB3)],
                           input=PASSWORD + "\n")
    assert code == 0, err
    assert json.loads(out[out.index("{"):])["proof"]


def test_sign_without_terminal_or_password_env_is_one_line(enc_key: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "edc_issue", "sign", "--key", str(enc_key),
                           str(OB3)], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "--password-env" in lines[0], proc.stderr
    assert "GetPassWarning" not in proc.stderr and "TypeError" not in proc.stderr


def _issue(tmp_path: Path, enc_key: Path, *extra: str, env: dict[str, str] | None = None
           ) -> tuple[int, str]:
    folder = tmp_path / "in"
    result = CliRunner().invoke(cli, ["template", "init", "--ob3", "-o", str(folder)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, [
        "issue", "--template", str(folder / "ob3-badge.json"),
        "--data", str(folder / "learners.csv"),
        "--key", str(enc_key), "--issuer-from-key", "--key-column", "student_id",
        "-o", str(tmp_path / "out"), *extra], env=env, catch_exceptions=False)
    assert "Traceback" not in result.output + result.stderr
    assert PASSWORD not in result.output + result.stderr
    return result.exit_code, result.stderr


def test_issue_with_an_encrypted_pem_key_and_password_env(tmp_path: Path, enc_key: Path,
                                                          ) -> None:
    from edc_issue import verify

    code, err = _issue(tmp_path, enc_key, "--password-env", "PEM_PW", "--jobs", "2",
                       env={"PEM_PW": PASSWORD})
    assert code == 0, err
    signed = sorted((tmp_path / "out").glob("*.json"))
    signed = [p for p in signed if not p.name.startswith("report")]
    assert signed and all(verify(json.loads(p.read_text())).ok for p in signed[:3])


def test_issue_with_an_encrypted_pem_key_and_no_password(tmp_path: Path, enc_key: Path
                                                         ) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "edc_issue", "template", "init", "--ob3", "-o",
         str(tmp_path / "in")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "edc_issue", "issue", "--template",
         str(tmp_path / "in" / "ob3-badge.json"), "--data",
         str(tmp_path / "in" / "learners.csv"), "--key", str(enc_key), "--issuer-from-key",
         "-o", str(tmp_path / "out")], stdin=subprocess.DEVNULL, capture_output=True,
        text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "--password-env" in lines[0], proc.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.json"))
