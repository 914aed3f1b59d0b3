"""TEST-ONLY e-seal certificates, to try sealing without a real eIDAS certificate.

:func:`make_test_pki` makes a self-signed TEST CA, an e-seal certificate it issues
(organizationIdentifier, digitalSignature + nonRepudiation, UTF-8 names) and a
time-stamping certificate, every name marked TEST. ``edc-issue seal-cert --test``
writes them to a folder. Nobody trusts this CA: a verifier trusts only the anchors it
is given. Real e-seal certificates come from a qualified trust service provider.

The e-seal certificate can name an OCSP responder and a CRL distribution point (for
trying JAdES LT and LTA against local test services).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

from .._io import atomic_write
from ..errors import InputError

__all__ = ["SealTestPki", "make_test_pki"]

#: what every TEST certificate says in its OU
TEST_MARK = "TEST ONLY - not for production"


@dataclass(frozen=True)
class SealTestPki:
    """A TEST CA, an e-seal certificate and a TSA certificate, with their keys."""

    ca: x509.Certificate
    ca_key: Any
    eseal: x509.Certificate
    eseal_key: Any
    tsa: x509.Certificate
    tsa_key: Any

    def write(self, folder: str | os.PathLike[str], password: str) -> dict[str, Path]:
        """Write the PKI into *folder*; return the paths by role.

        ``test-ca.pem`` (the trust anchor), ``test-eseal.p12`` (key, certificate and CA,
        encrypted with *password*), ``test-eseal.pem``, ``test-eseal-chain.pem``
        (certificate and CA), ``test-eseal-key.pem`` (PKCS#8, encrypted with *password*,
        for importing into a token), ``test-ca-key.pem`` and ``test-tsa.p12`` (for the
        local test services; encrypted with *password*). Private key files get mode 0600.
        """
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        secret = serialization.BestAvailableEncryption(password.encode("utf-8"))

        def pem(cert: x509.Certificate) -> bytes:
            return cert.public_bytes(serialization.Encoding.PEM)

        def key_pem(key: Any) -> bytes:
            return bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8, secret))

        files: dict[str, tuple[str, bytes, bool]] = {
            "ca": ("test-ca.pem", pem(self.ca), False),
            "eseal": ("test-eseal.pem", pem(self.eseal), False),
            "chain": ("test-eseal-chain.pem", pem(self.eseal) + pem(self.ca), False),
            "p12": ("test-eseal.p12", pkcs12.serialize_key_and_certificates(
                b"edc-issue TEST e-seal", self.eseal_key, self.eseal, [self.ca], secret),
                True),
            "key": ("test-eseal-key.pem", key_pem(self.eseal_key), True),
            "ca_key": ("test-ca-key.pem", key_pem(self.ca_key), True),
            "tsa": ("test-tsa.p12", pkcs12.serialize_key_and_certificates(
                b"edc-issue TEST TSA", self.tsa_key, self.tsa, [self.ca], secret), True),
        }
        paths: dict[str, Path] = {}
        for role, (name, data, private) in files.items():
            path = out / name
            atomic_write(path, data)
            if private:
                os.chmod(path, 0o600)
            paths[role] = path
        return paths


def _name(country: str, organisation: str, common_name: str,
          org_id: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, country),
             x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
             x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, TEST_MARK),
             x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if org_id:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, org_id))
    return x509.Name(attrs)


def _usage(*, ca: bool, seal: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=not ca, content_commitment=seal,
                         key_encipherment=False, data_encipherment=False,
                         key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                         encipher_only=False, decipher_only=False)


def make_test_pki(
    *,
    organisation: str = "Universiteti TEST (edc-issue demo)",
    country: str = "AL",
    org_id: str = "VATAL-TEST00000",
    key_type: str = "rsa",
    ocsp_url: str | None = None,
    crl_url: str | None = None,
    days: int = 825,
    now: datetime | None = None,
) -> SealTestPki:
    """Make a TEST CA, an e-seal certificate for *organisation* and a TSA certificate.

    :param organisation: the O of the e-seal certificate (any Unicode; written UTF-8).
    :param country: its C, ISO 3166-1 alpha-2.
    :param org_id: its organizationIdentifier (ETSI EN 319 412-1: ``VATAL-...``).
    :param key_type: ``rsa`` (RSA-2048, RS256) or ``p256`` (ES256) for the e-seal key.
    :param ocsp_url: an OCSP responder the e-seal certificate names (AIA), for LT tests.
    :param crl_url: a CRL distribution point it names.
    :raises InputError: ``input.invalid`` for a country code that is not two letters or
        an unknown key type.
    """
    if len(country) != 2 or not country.isalpha():
        raise InputError(f"country must be an ISO 3166-1 alpha-2 code like AL, found "
                         f"{country!r}", code="input.invalid")
    if key_type not in ("rsa", "p256"):
        raise InputError(f"key type must be rsa or p256, found {key_type!r}",
                         code="input.invalid")
    start = (now or datetime.now(timezone.utc)) - timedelta(minutes=5)
    ca_key = rsa.generate_private_key(65537, 2048)
    ca_name = _name(country.upper(), "edc-issue TEST CA", "edc-issue TEST CA (test only)")
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(start).not_valid_after(start + timedelta(days=3650))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(_usage(ca=True, seal=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                         critical=False)
          .sign(ca_key, hashes.SHA256()))

    def issue(subject: x509.Name, key: Any, *, seal: bool, sources: bool,
              eku: list[x509.ObjectIdentifier] | None = None) -> x509.Certificate:
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca.subject)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(start).not_valid_after(start + timedelta(days=days))
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None),
                                  critical=True)
                   .add_extension(_usage(ca=False, seal=seal), critical=True)
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                                  critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                       ca_key.public_key()), critical=False))
        if eku:
            builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
        if sources and ocsp_url:
            builder = builder.add_extension(x509.AuthorityInformationAccess([
                x509.AccessDescription(AuthorityInformationAccessOID.OCSP,
                                       x509.UniformResourceIdentifier(ocsp_url))]),
                critical=False)
        if sources and crl_url:
            builder = builder.add_extension(x509.CRLDistributionPoints([
                x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)],
                                       None, None, None)]), critical=False)
        return builder.sign(ca_key, hashes.SHA256())

    eseal_key: Any = (rsa.generate_private_key(65537, 2048) if key_type == "rsa"
                      else ec.generate_private_key(ec.SECP256R1()))
    eseal = issue(_name(country.upper(), organisation, f"{organisation} TEST e-seal",
                        org_id), eseal_key, seal=True, sources=True)
    tsa_key = rsa.generate_private_key(65537, 2048)
    tsa = issue(_name(country.upper(), "edc-issue TEST CA", "edc-issue TEST TSA"), tsa_key,
                seal=False, sources=True, eku=[ExtendedKeyUsageOID.TIME_STAMPING])
    return SealTestPki(ca, ca_key, eseal, eseal_key, tsa, tsa_key)
