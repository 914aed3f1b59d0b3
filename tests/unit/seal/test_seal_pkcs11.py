"""Pkcs11Signer against a real SoftHSM2 token: the key is generated on the token and never
leaves it; the seal verifies like any other, also with the plain-cryptography check of
the RFC 7797 signing input; the CLI's --pkcs11 reads the PIN from --pin-env.

Skipped, with the reason, where SoftHSM2 or python-pkcs11 is missing (.ci/run installs
both).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from edc_issue.cli import cli
from edc_issue.errors import KeyMaterialError
from edc_issue.seal import seal, verify_envelope

pkcs11 = pytest.importorskip("pkcs11", reason="python-pkcs11 is not installed "
                             "(pip install 'edc-issue[pkcs11]')")

MODULES = [os.environ.get("EDC_ISSUE_SOFTHSM2_MODULE", ""),
           "/usr/lib/softhsm/libsofthsm2.so",
           "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
           "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
           "/usr/local/lib/softhsm/libsofthsm2.so"]
MODULE = next((m for m in MODULES if m and Path(m).exists()), None)
UTIL = shutil.which("softhsm2-util")
if MODULE is None or UTIL is None:
    pytest.skip("SoftHSM2 is not installed (apt-get install softhsm2)", allow_module_level=True)

PIN = "1234-test-only"
TOKEN = "edc-test"
EDC_UPLOAD = (Path(__file__).resolve().parents[2] / "fixtures" / "edc-samples" / "eu-elm-support"
              / "Sample-CertOfPart-unsigned.json")


def _certificate(public_key, pki, cn: str) -> x509.Certificate:
    now = datetime.now(timezone.utc)
    subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "AL"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME,
                                            "edc-issue TEST organisation"),
                         x509.NameAttribute(NameOID.COMMON_NAME, cn),
                         x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, "VATAL-TEST00000")])
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(pki.ca.cert.subject)
            .public_key(public_key).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .sign(pki.ca.key, hashes.SHA256()))


@pytest.fixture(scope="module")
def token(tmp_path_factory, pki):
    """A SoftHSM2 token with an RSA and a P-256 key generated on it, their TEST
    certificates and the TEST CA stored beside them (CKA_ID links key and certificate)."""
    from pkcs11 import Attribute, CertificateType, KeyType, ObjectClass
    from pkcs11.util.ec import encode_ec_public_key, encode_named_curve_parameters

    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\n"
                    "log.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)  # read when the module initialises
    subprocess.run([UTIL, "--init-token", "--free", "--label", TOKEN, "--so-pin", "87654321",
                    "--pin", PIN], check=True, capture_output=True)
    lib = pkcs11.lib(MODULE)
    certs = {}
    with lib.get_token(token_label=TOKEN).open(user_pin=PIN, rw=True) as session:
        pub, _ = session.generate_keypair(KeyType.RSA, 2048, label="seal-rsa", id=b"\x01",
                                          store=True)
        rsa_key = rsa.RSAPublicNumbers(int.from_bytes(pub[Attribute.PUBLIC_EXPONENT], "big"),
                                       int.from_bytes(pub[Attribute.MODULUS], "big")
                                       ).public_key()
        params = session.create_domain_parameters(
            KeyType.EC, {Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1")},
            local=True)
        ec_pub, _ = params.generate_keypair(store=True, label="seal-ec", id=b"\x02")
        ec_key = serialization.load_der_public_key(encode_ec_public_key(ec_pub))
        for label, key_id, public in (("seal-rsa", b"\x01", rsa_key), ("seal-ec", b"\x02",
                                                                         ec_key)):
            cert = _certificate(public, pki, f"edc-issue TEST SEAL in an HSM ({label})")
            certs[label] = cert
            session.create_object({
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True, Attribute.LABEL: label, Attribute.ID: key_id,
                Attribute.SUBJECT: cert.subject.public_bytes(),
                Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER)})
        session.create_object({
            Attribute.CLASS: ObjectClass.CERTIFICATE,
            Attribute.CERTIFICATE_TYPE: CertificateType.X_509, Attribute.TOKEN: True,
            Attribute.LABEL: "ca", Attribute.ID: b"\x09",
            Attribute.SUBJECT: pki.ca.cert.subject.public_bytes(),
            Attribute.VALUE: pki.ca.cert.public_bytes(serialization.Encoding.DER)})
    return {"certs": certs, "folder": folder}


_OPEN: list = []


@pytest.fixture(autouse=True)
def _close_sessions():
    """PKCS#11 logs in per process: close every signer so the next test logs in anew."""
    yield
    while _OPEN:
        _OPEN.pop().close()


def _signer(**kw):
    from edc_issue.seal import Pkcs11Signer

    kw.setdefault("key_label", "seal-rsa")
    kw.setdefault("pin", PIN)
    signer = Pkcs11Signer(MODULE, token=TOKEN, **kw)
    _OPEN.append(signer)
    return signer


@pytest.mark.parametrize(("label", "alg"), [("seal-rsa", "RS256"), ("seal-rsa", "PS256"),
                                            ("seal-ec", "ES256")])
def test_a_seal_made_in_softhsm_verifies(token, pki, credential, first_principles, label,
                                         alg) -> None:
    signer = _signer(key_label=label, algorithm=alg if alg == "PS256" else None)
    assert signer.algorithm == alg
    chain = signer.certificate_chain
    assert chain[0] == token["certs"][label] and chain[1] == pki.ca.cert  # read from the token
    envelope = seal(credential, signer)
    assert first_principles(envelope)["alg"] == alg
    result = verify_envelope(envelope, trust=[pki.ca.cert])
    assert result.ok, [c for c in result.checks if not c.ok]
    assert PIN not in repr(signer)


def test_the_certificate_can_come_from_a_file(token, pki, credential) -> None:
    signer = _signer(certificates=[token["certs"]["seal-rsa"], pki.ca.cert])
    assert verify_envelope(seal(credential, signer), trust=[pki.ca.cert]).ok


@pytest.mark.parametrize(("kw", "code"), [
    ({"pin": "0000"}, "key.bad_pin"),
    ({"key_label": "no-such-key"}, "key.not_found"),
])
def test_refusals(token, kw, code) -> None:
    with pytest.raises(KeyMaterialError) as info:
        _signer(**kw)
    assert info.value.code == code
    assert "0000" not in str(info.value)


def test_an_unknown_token(token) -> None:
    from edc_issue.seal import Pkcs11Signer

    with pytest.raises(KeyMaterialError) as info:
        Pkcs11Signer(MODULE, token="no-such-token", key_label="seal-rsa", pin=PIN)
    assert info.value.code == "key.not_found"


def _run(args, env=None, input=None):
    result = CliRunner().invoke(cli, args, env=env, input=input, catch_exceptions=False)
    out = result.output + (result.stderr if hasattr(result, "stderr") else "")
    assert "Traceback" not in out and PIN not in out
    return result, out


def test_cli_seal_with_pkcs11(token, pki, tmp_path) -> None:
    shutil.copy(EDC_UPLOAD, tmp_path / "in.json")
    result, out = _run(["seal", "--pkcs11", MODULE, "--token", TOKEN, "--key-label",
                        "seal-rsa", "--pin-env", "HSM_PIN", str(tmp_path / "in.json"), "-o",
                        str(tmp_path / "sealed.json")], env={"HSM_PIN": PIN})
    assert result.exit_code == 0, out
    envelope = json.loads((tmp_path / "sealed.json").read_text())
    assert verify_envelope(envelope, trust=[pki.ca.cert]).ok
    assert (tmp_path / "sealed.deliveryDetails.json").exists()


def test_cli_pkcs11_wrong_pin_and_no_pin(token, tmp_path) -> None:
    shutil.copy(EDC_UPLOAD, tmp_path / "in.json")
    args = ["seal", "--pkcs11", MODULE, "--token", TOKEN, "--key-label", "seal-rsa",
            str(tmp_path / "in.json")]
    result, out = _run([*args[:-1], "--pin-env", "HSM_PIN", args[-1]],
                       env={"HSM_PIN": "0000"})
    assert result.exit_code == 2 and "key.bad_pin" in out and "0000" not in out
    result, out = _run(args, input="")  # no terminal, nothing on stdin
    assert result.exit_code == 2 and "--pin-env" in out
    assert len([line for line in result.stderr.splitlines() if line.strip()]) == 1
