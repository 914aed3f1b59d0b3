"""Make a TEST-ONLY e-seal certificate to try sealing without a real eIDAS certificate.

Writes into the folder given (default ``demo-out/test-pki``):

- ``test-ca.pem``: a self-signed "edc-issue TEST CA (test only)" certificate, to pass
  to ``edc-issue verify --trust``;
- ``test-eseal.p12``: a PKCS#12 with an e-seal certificate (organizationIdentifier
  ``VATAL-TEST…``, digitalSignature + nonRepudiation) and its key, protected by the
  password in the environment variable named by ``--password-env`` (default
  ``EDC_TEST_SEAL_PASSWORD``; it must be set);
- ``test-eseal.pem``: the e-seal certificate alone.

Usage::

    EDC_TEST_SEAL_PASSWORD=... python examples/make_test_certificate.py demo-out/test-pki \\
        --org "Universiteti TEST" --country AL --org-id VATAL-TEST00000

Never use these certificates for real credentials: a verifier trusts only the CA you
give it, and nobody else trusts this one.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID


def _certificate(
    subject: x509.Name,
    key: rsa.RSAPrivateKey,
    issuer_name: x509.Name,
    issuer_key: rsa.RSAPrivateKey,
    *,
    ca: bool,
    days: int,
) -> x509.Certificate:
    now = datetime.now(timezone.utc) - timedelta(minutes=5)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca, content_commitment=not ca, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .sign(issuer_key, hashes.SHA256())
    )


def main() -> int:
    """Write the test CA, the test e-seal certificate and its PKCS#12."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", default="demo-out/test-pki", type=Path)
    parser.add_argument("--org", default="Universiteti TEST (edc-issue demo)")
    parser.add_argument("--country", default="AL")
    parser.add_argument("--org-id", default="VATAL-TEST00000")
    parser.add_argument("--password-env", default="EDC_TEST_SEAL_PASSWORD")
    args = parser.parse_args()
    password = os.environ.get(args.password_env)
    if not password:
        print(f"error: set the environment variable {args.password_env} to the PKCS#12 "
              "password to use", file=sys.stderr)
        return 2
    ca_key = rsa.generate_private_key(65537, 2048)
    ca_name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, args.country),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "edc-issue TEST CA"),
        x509.NameAttribute(NameOID.COMMON_NAME, "edc-issue TEST CA (test only)"),
    ])
    ca = _certificate(ca_name, ca_key, ca_name, ca_key, ca=True, days=3650)
    seal_key = rsa.generate_private_key(65537, 2048)
    seal_name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, args.country),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, args.org),
        x509.NameAttribute(NameOID.COMMON_NAME, f"{args.org} TEST e-seal"),
        x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, args.org_id),
    ])
    seal = _certificate(seal_name, seal_key, ca_name, ca_key, ca=False, days=825)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "test-ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (args.out / "test-eseal.pem").write_bytes(seal.public_bytes(serialization.Encoding.PEM))
    p12 = pkcs12.serialize_key_and_certificates(
        b"edc-issue TEST e-seal", seal_key, seal, [ca],
        serialization.BestAvailableEncryption(password.encode()),
    )
    p12_path = args.out / "test-eseal.p12"
    p12_path.write_bytes(p12)
    os.chmod(p12_path, 0o600)
    print(f"TEST-ONLY e-seal certificate for {args.org} ({args.org_id}, {args.country}) "
          f"-> {p12_path}; trust anchor -> {args.out / 'test-ca.pem'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
