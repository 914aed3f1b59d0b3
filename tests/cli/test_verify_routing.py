"""``verify`` routes each input to its verifier: JAdES envelopes, baked images, JSON, JWTs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from edc_issue import verify
from edc_issue.baking import bake
from edc_issue.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EU = FIXTURES / "edc-sealed" / "eu-elm-support"
OB30 = FIXTURES / "openbadges" / "ob30"


@pytest.mark.parametrize("name", ["Sample-CertOfPart-signed.jsonld",
                                  "Sample-TranscriptOfRecords-signed.jsonld"])
def test_sealed_eu_sample_verifies_through_the_top_level_api(name: str) -> None:
    envelope = json.loads((EU / name).read_text())
    result = verify(envelope)
    assert result.ok, [c for c in result.checks if not c.ok]
    assert result.format == "jades"
    names = {c.check for c in result.checks}
    assert {"FORMAT", "SEAL", "EXPIRY", "REVOCATION"} <= names


def test_a_changed_payload_byte_fails_seal_through_the_top_level_api() -> None:
    envelope = json.loads((EU / "Sample-CertOfPart-signed.jsonld").read_text())
    envelope["payload"] = envelope["payload"].replace("urn:credential:", "urn:credentiaL:", 1)
    result = verify(envelope)
    assert not result.ok
    assert any(c.check == "SEAL" and not c.ok for c in result.checks)


def test_trust_anchors_may_be_pem_bytes_and_an_unrelated_anchor_fails_the_chain() -> None:
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "unrelated TEST CA")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    pem = cert.public_bytes(serialization.Encoding.PEM)
    envelope = json.loads((EU / "Sample-CertOfPart-signed.jsonld").read_text())
    result = verify(envelope, trust=[pem])
    assert not result.ok
    assert any(c.check.startswith("SEAL") and not c.ok for c in result.checks)


@pytest.mark.parametrize("image", ["simple-json.png", "simple-json.svg", "simple-jwt.png",
                                   "simple-jwt.svg"])
def test_baked_fixtures_verify_from_the_cli(image: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--format", "json", str(OB30 / image)]) == 0
    (result,) = json.loads(capsys.readouterr().out)["results"]
    assert result["ok"] is True
    assert result["checks"][0]["check"] == "BAKED"


def test_a_baked_tampered_credential_fails(tmp_path: Path) -> None:
    signed = json.loads((OB30 / "simple.json").read_text())
    signed["name"] = signed.get("name", "") + " (edited)"
    png = bake((OB30 / "simple-json.png").read_bytes(), signed)
    out = tmp_path / "tampered.png"
    out.write_bytes(png)
    assert main(["verify", str(out)]) == 1


def test_an_image_without_a_credential_is_bad_input(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    plain = tmp_path / "plain.png"
    plain.write_bytes((FIXTURES.parent.parent / "examples" / "data" / "badge.png").read_bytes())
    assert main(["verify", str(plain)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(plain) in err[0]
