"""The embedded default: what ``edc-issue serve`` sets up when it has no configuration.

In the data folder (``--data DIR``, default ``./edc-issue-data``):

- ``keys/default.json``: the default tenant's Ed25519 key (did:key), made once;
- ``tokens/default.token``: its bearer token (printed at every start), made once;
- with ``--dev``: ``dev-pki/test-ca.pem`` and ``dev-pki/test-eseal.p12``, a TEST e-seal
  certificate (organizationIdentifier ``VATAL-TEST…``) whose password is in
  ``dev-pki/password`` — never for real credentials: nobody trusts this CA;
- ``edc-issue.db``: the SQLite database.

Secret files are written with mode 0600.
"""

from __future__ import annotations

import json
import os
import secrets
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .._io import atomic_write
from ._auth import hash_secret, hash_token
from .config import BasicUser, SealConfig, ServiceConfig, TenantConfig

__all__ = ["DevSetup", "prepare_default"]

DEV_SEAL_PASSWORD_ENV = "EDC_ISSUE_DEV_SEAL_PASSWORD"


class DevSetup:
    """What :func:`prepare_default` made: the config to run and what to print."""

    def __init__(self, config: ServiceConfig, token: str | None,
                 trust_anchor: Path | None) -> None:
        self.config = config
        self.token = token
        self.trust_anchor = trust_anchor


def _secret_file(path: Path, make: str) -> str:
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, make + "\n")
    os.chmod(path, 0o600)
    return make


def _default_key(path: Path) -> None:
    if path.exists():
        return
    from ..keys import generate_key

    key = generate_key("ed25519")
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(key.to_multikey(include_secret=True), indent=2) + "\n")
    os.chmod(path, 0o600)


def _dev_pki(folder: Path, password: str) -> tuple[Path, Path]:
    p12_path, ca_path = folder / "test-eseal.p12", folder / "test-ca.pem"
    if p12_path.exists() and ca_path.exists():
        return p12_path, ca_path
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    def certificate(subject: x509.Name, key: rsa.RSAPrivateKey, issuer: x509.Name,
                    issuer_key: rsa.RSAPrivateKey, *, ca: bool, days: int) -> x509.Certificate:
        now = datetime.now(timezone.utc) - timedelta(minutes=5)
        return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now).not_valid_after(now + timedelta(days=days))
                .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(
                    digital_signature=not ca, content_commitment=not ca,
                    key_encipherment=False, data_encipherment=False, key_agreement=False,
                    key_cert_sign=ca, crl_sign=ca, encipher_only=False,
                    decipher_only=False), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                               critical=False)
                .sign(issuer_key, hashes.SHA256()))

    ca_key = rsa.generate_private_key(65537, 2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "AL"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "edc-issue TEST CA"),
                         x509.NameAttribute(NameOID.COMMON_NAME,
                                            "edc-issue TEST CA (dev only)")])
    ca = certificate(ca_name, ca_key, ca_name, ca_key, ca=True, days=3650)
    seal_key = rsa.generate_private_key(65537, 2048)
    seal_name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "AL"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "edc-issue TEST issuer (dev only)"),
        x509.NameAttribute(NameOID.COMMON_NAME, "edc-issue TEST e-seal"),
        x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, "VATAL-TEST00000"),
    ])
    seal = certificate(seal_name, seal_key, ca_name, ca_key, ca=False, days=825)
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write(ca_path, ca.public_bytes(serialization.Encoding.PEM).decode("ascii"))
    p12 = pkcs12.serialize_key_and_certificates(
        b"edc-issue TEST e-seal", seal_key, seal, [ca],
        serialization.BestAvailableEncryption(password.encode("utf-8")))
    p12_path.write_bytes(p12)
    os.chmod(p12_path, 0o600)
    return p12_path, ca_path


def prepare_default(config: ServiceConfig) -> DevSetup:
    """Fill in the default tenant when *config* has none (keys and token made once).

    With ``config.dev``, the default tenant also gets a TEST e-seal; its password goes
    to the environment variable ``EDC_ISSUE_DEV_SEAL_PASSWORD`` of this process (the
    server's workers inherit it).
    """
    if config.tenants:
        return DevSetup(config, None, None)
    data = config.data_dir.resolve()
    key_path = data / "keys" / "default.json"
    _default_key(key_path)
    token = _secret_file(data / "tokens" / "default.token", secrets.token_urlsafe(32))
    seal = None
    anchor = None
    basic: tuple[BasicUser, ...] = ()
    if config.dev:
        password = _secret_file(data / "dev-pki" / "password", secrets.token_urlsafe(18))
        p12_path, anchor = _dev_pki(data / "dev-pki", password)
        os.environ[DEV_SEAL_PASSWORD_ENV] = password
        seal = SealConfig(p12=p12_path, password_env=DEV_SEAL_PASSWORD_ENV)
        basic = (BasicUser(username="dev", password_hash=hash_secret(token)),)
    tenant = TenantConfig(key=key_path, tokens=(hash_token(token),), seal=seal,
                          basic_users=basic, trust=(anchor,) if anchor else ())
    updated = config.model_copy(update={"tenants": {config.default_tenant: tenant},
                                        "data_dir": data})
    return DevSetup(updated, token, anchor)
