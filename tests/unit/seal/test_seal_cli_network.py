"""``edc-issue seal --level LT|LTA``, ``extend`` and ``seal --csc`` against the local trust
services on 127.0.0.1 (OCSP responder, RFC 3161 TSA, CSC v2.0 stand-in)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    pkcs12,
)

from edc_issue.cli import cli
from edc_issue.seal import seal_level, verify_envelope

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

PASSWORD = "test-only-password-not-secret"
EDC_UPLOAD = (Path(__file__).resolve().parents[2] / "fixtures" / "edc-samples" / "eu-elm-support"
              / "AA-Annex1-MC-unsigned.json")


def run(args, env=None):
    result = CliRunner().invoke(cli, args, env=env, catch_exceptions=False)
    assert "Traceback" not in result.output and PASSWORD not in result.output
    return result


@pytest.fixture
def files(trust_services, tmp_path):
    pki = trust_services.pki
    (tmp_path / "seal.p12").write_bytes(pkcs12.serialize_key_and_certificates(
        b"seal", pki.eseal_key, pki.eseal, [pki.ca], BestAvailableEncryption(PASSWORD.encode())))
    shutil.copy(EDC_UPLOAD, tmp_path / "in.json")
    return tmp_path


def test_seal_at_lta_then_verify_offline(trust_services, files) -> None:
    result = run(["seal", "--p12", str(files / "seal.p12"), "--password-env", "PW",
                  "--level", "LTA", "--tsa", f"{trust_services.url}/tsa",
                  str(files / "in.json"), "-o", str(files / "lta.json")], env={"PW": PASSWORD})
    assert result.exit_code == 0, result.output
    assert "JAdES baseline LTA" in result.stderr
    envelope = json.loads((files / "lta.json").read_text())
    assert seal_level(envelope) == "LTA"
    trust_services.stop()
    checked = verify_envelope(envelope, trust=[trust_services.pki.ca])
    assert checked.ok, [c for c in checked.checks if not c.ok]


def test_a_revoked_certificate_is_refused_at_lt(trust_services, files) -> None:
    from datetime import datetime, timedelta, timezone

    pki = trust_services.pki
    trust_services.revoked[pki.eseal.serial_number] = datetime.now(timezone.utc) - timedelta(
        hours=2)
    result = run(["seal", "--p12", str(files / "seal.p12"), "--password-env", "PW",
                  "--level", "LT", "--tsa", f"{trust_services.url}/tsa",
                  str(files / "in.json"), "-o", str(files / "lt.json")], env={"PW": PASSWORD})
    assert result.exit_code == 2 and "key.revoked" in result.stderr
    assert not (files / "lt.json").exists()


def test_extend_a_b_seal_to_lta(trust_services, files) -> None:
    assert run(["seal", "--p12", str(files / "seal.p12"), "--password-env", "PW",
                str(files / "in.json"), "-o", str(files / "b.json")],
               env={"PW": PASSWORD}).exit_code == 0
    (files / "ca.pem").write_bytes(trust_services.pki.ca.public_bytes(Encoding.PEM))
    result = run(["extend", str(files / "b.json"), "--level", "LTA", "--tsa",
                  f"{trust_services.url}/tsa", "--trust", str(files / "ca.pem"), "-o",
                  str(files / "lta.json")])
    assert result.exit_code == 0, result.output
    assert "from JAdES baseline B to LTA" in result.stderr
    assert seal_level(json.loads((files / "lta.json").read_text())) == "LTA"
    result = run(["verify", "--trust", str(files / "ca.pem"), str(files / "lta.json")])
    assert result.exit_code == 0, result.output
    assert "REVOCATION" in result.output


def test_extend_refuses_a_tampered_seal(trust_services, files) -> None:
    assert run(["seal", "--p12", str(files / "seal.p12"), "--password-env", "PW",
                str(files / "in.json"), "-o", str(files / "b.json")],
               env={"PW": PASSWORD}).exit_code == 0
    envelope = json.loads((files / "b.json").read_text())
    envelope["payload"] = envelope["payload"].replace('"issued"', '"issued" ', 1)
    (files / "b.json").write_text(json.dumps(envelope))
    result = run(["extend", str(files / "b.json"), "--level", "LT", "--tsa",
                  f"{trust_services.url}/tsa"])
    assert result.exit_code == 2 and "seal.not_extendable" in result.stderr


def test_seal_through_the_csc_stand_in(trust_services, files) -> None:
    account = trust_services.csc
    result = run(["seal", "--csc", f"{trust_services.url}/csc/v2", "--csc-client-id",
                  account.client_id, "--csc-secret-env", "CSC_SECRET", str(files / "in.json"),
                  "-o", str(files / "csc.json")], env={"CSC_SECRET": account.client_secret})
    assert result.exit_code == 0, result.output
    assert account.client_secret not in result.output
    envelope = json.loads((files / "csc.json").read_text())
    assert verify_envelope(envelope, trust=[trust_services.pki.ca]).ok
    assert trust_services.counts["authorize"] == 1
