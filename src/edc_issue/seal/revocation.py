"""Revocation of the certificates of a seal: what an OCSP response or a CRL says.

At verification, revocation is judged only from the validation data embedded in the
envelope (``rVals``: OCSP responses and CRLs): nothing is fetched. At sealing (JAdES
baseline LT), :mod:`edc_issue.seal.ltv` fetches that data and checks it with the same
functions.

See: <https://www.rfc-editor.org/rfc/rfc6960>, <https://www.rfc-editor.org/rfc/rfc5280#section-6.3>
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID

from .chain import describe, extension, issued_by, spki

__all__ = ["RevocationResult", "check_revocation", "crl_status", "ocsp_status"]


@dataclass(frozen=True)
class RevocationResult:
    """Revocation status of the signing certificate from the envelope's ``rVals``."""

    status: Literal["good", "revoked", "unknown"]
    message: str
    #: when the certificate was revoked, if it was (also for "good as of the seal's time")
    revoked_at: datetime | None = None


def _verify_ocsp_signature(resp: ocsp.OCSPResponse, signer: x509.Certificate) -> bool:
    key = signer.public_key()
    algo = resp.signature_hash_algorithm
    try:
        if isinstance(key, rsa.RSAPublicKey) and algo is not None:
            key.verify(resp.signature, resp.tbs_response_bytes, padding.PKCS1v15(), algo)
        elif isinstance(key, ec.EllipticCurvePublicKey) and algo is not None:
            key.verify(resp.signature, resp.tbs_response_bytes, ec.ECDSA(algo))
        else:
            return False
    except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
        return False
    return True


def _ocsp_signer(
    resp: ocsp.OCSPResponse, issuer: x509.Certificate, pool: Sequence[x509.Certificate]
) -> x509.Certificate | None:
    for cand in [issuer, *resp.certificates, *pool]:
        by_name = resp.responder_name is not None and cand.subject == resp.responder_name
        by_key = False
        if resp.responder_key_hash is not None:
            try:
                ski = x509.SubjectKeyIdentifier.from_public_key(cand.public_key())
                by_key = ski.digest == resp.responder_key_hash
            except (ValueError, TypeError):
                by_key = False
        if not (by_name or by_key):
            continue
        if cand == issuer:
            return cand
        # a delegated responder: issued by the CA, for OCSP signing (RFC 6960 §4.2.2.2)
        try:
            eku = extension(cand, x509.ExtendedKeyUsage)
        except ValueError:
            continue
        if eku is not None and ExtendedKeyUsageOID.OCSP_SIGNING in eku and issued_by(cand, issuer):
            return cand
    return None


def _issuer_key_hash(issuer: x509.Certificate, algorithm: hashes.HashAlgorithm) -> bytes:
    """Hash of the issuer's subjectPublicKey BIT STRING value (RFC 6960 §4.1.1 CertID)."""
    from asn1crypto import keys as a_keys

    info = a_keys.PublicKeyInfo.load(spki(issuer))
    digest = hashes.Hash(algorithm)
    digest.update(info["public_key"].contents[1:])  # without the unused-bits byte
    return digest.finalize()


def ocsp_status(
    der: bytes,
    cert: x509.Certificate,
    issuer: x509.Certificate,
    *,
    pool: Sequence[x509.Certificate],
    at: datetime,
) -> RevocationResult | None:
    """What one DER OCSP response says about *cert* at *at*; ``None`` if it is not about it.

    The response must be successful, name *cert* (serial and issuer key hash) and be
    signed by *issuer* or by its delegated OCSP responder (RFC 6960 §4.2.2.2).
    """
    try:
        resp = ocsp.load_der_ocsp_response(der)
        if resp.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
            return None
        singles = list(resp.responses)
    except (ValueError, TypeError):
        return None
    for single in singles:
        if single.serial_number != cert.serial_number:
            continue
        try:
            if single.issuer_key_hash != _issuer_key_hash(issuer, single.hash_algorithm):
                continue
        except (ValueError, TypeError, UnsupportedAlgorithm):
            continue
        signer = _ocsp_signer(resp, issuer, pool)
        if signer is None or not _verify_ocsp_signature(resp, signer):
            return RevocationResult("unknown", f"the OCSP response for '{describe(cert)}' is "
                                    "not signed by its issuer or the issuer's OCSP responder")
        produced = resp.produced_at_utc
        if single.certificate_status == ocsp.OCSPCertStatus.GOOD:
            return RevocationResult("good", f"OCSP for '{describe(cert)}' (produced "
                                    f"{produced:%Y-%m-%dT%H:%M:%SZ}, by '{describe(signer)}'): "
                                    "good")
        if single.certificate_status == ocsp.OCSPCertStatus.REVOKED:
            when = single.revocation_time_utc
            if when is not None and when > at:
                return RevocationResult("good", f"OCSP: '{describe(cert)}' was revoked on "
                                        f"{when:%Y-%m-%d}, after the seal's time "
                                        f"{at:%Y-%m-%dT%H:%M:%SZ}", revoked_at=when)
            return RevocationResult("revoked", f"OCSP: '{describe(cert)}' was revoked on "
                                    f"{when:%Y-%m-%dT%H:%M:%SZ}" if when else
                                    f"OCSP: '{describe(cert)}' is revoked", revoked_at=when)
        return RevocationResult("unknown", f"OCSP: the responder does not know "
                                f"'{describe(cert)}'")
    return None


def crl_status(
    der: bytes, cert: x509.Certificate, issuer: x509.Certificate, *, at: datetime
) -> RevocationResult | None:
    """What one DER CRL says about *cert* at *at*; ``None`` if it is not *issuer*'s CRL."""
    try:
        crl = x509.load_der_x509_crl(der)
    except ValueError:
        return None
    if crl.issuer != cert.issuer:
        return None
    try:
        if not crl.is_signature_valid(issuer.public_key()):  # type: ignore[arg-type]
            return None
    except (TypeError, ValueError, UnsupportedAlgorithm):
        return None
    entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
    if entry is None:
        return RevocationResult("good", f"CRL of {crl.last_update_utc:%Y-%m-%d} by "
                                f"'{describe(issuer)}': '{describe(cert)}' is not listed")
    when = entry.revocation_date_utc
    if when > at:
        return RevocationResult("good", f"CRL: '{describe(cert)}' was revoked on "
                                f"{when:%Y-%m-%d}, after the seal's time "
                                f"{at:%Y-%m-%dT%H:%M:%SZ}", revoked_at=when)
    return RevocationResult("revoked", f"CRL: '{describe(cert)}' was revoked on "
                            f"{when:%Y-%m-%dT%H:%M:%SZ}", revoked_at=when)


def check_revocation(
    leaf: x509.Certificate,
    issuer: x509.Certificate | None,
    *,
    ocsp_responses: Sequence[bytes],
    crls: Sequence[bytes],
    pool: Sequence[x509.Certificate],
    at: datetime,
) -> RevocationResult:
    """Judge *leaf*'s revocation status at *at* from embedded OCSP responses and CRLs.

    Every response used must be signed by the issuer (or its delegated OCSP
    responder). A revocation after *at* leaves the seal valid as of *at*.
    """
    if issuer is None:
        return RevocationResult("unknown", "the issuer certificate is not available, so "
                                "embedded revocation data cannot be checked")
    for der in ocsp_responses:
        found = ocsp_status(der, leaf, issuer, pool=pool, at=at)
        if found is not None:
            return found
    for der in crls:
        found = crl_status(der, leaf, issuer, at=at)
        if found is not None:
            return found
    return RevocationResult("unknown", "the envelope holds no OCSP response or CRL for "
                            f"'{describe(leaf)}'")
