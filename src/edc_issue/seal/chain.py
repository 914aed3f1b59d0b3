"""X.509 checks for seals: chain building to trust anchors, validity, key usage, revocation.

The chain is built from the envelope's own certificates (``x5c``, ``xVals``) and the
caller's trust anchors, one issuer link at a time, each link's signature checked with
``cryptography`` (``verify_directly_issued_by``). Revocation is judged in
:mod:`edc_issue.seal.revocation`.

See: <https://www.rfc-editor.org/rfc/rfc5280#section-6>, <https://www.rfc-editor.org/rfc/rfc6960>
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

__all__ = [
    "ChainResult",
    "build_chain",
    "check_key_usage",
    "check_validity",
    "describe",
    "extension",
    "fingerprint",
    "issued_by",
    "spki",
]

_MAX_DEPTH = 10
_E = TypeVar("_E", bound=x509.ExtensionType)


def fingerprint(cert: x509.Certificate) -> bytes:
    """SHA-256 of the certificate's DER encoding."""
    return cert.fingerprint(hashes.SHA256())


def describe(cert: x509.Certificate) -> str:
    """A short human name: the CN, else the whole subject."""
    cns = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    if cns:
        value = cns[0].value
        return value if isinstance(value, str) else value.decode("utf-8", "replace")
    return cert.subject.rfc4514_string()


def spki(cert: x509.Certificate) -> bytes:
    """The DER SubjectPublicKeyInfo of *cert*."""
    return cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@dataclass(frozen=True)
class ChainResult:
    """A path from the signing certificate upwards.

    :param path: the signing certificate first; the last one is the anchor when
        ``anchor`` is set.
    :param anchor: the trust anchor the path reached, or ``None``.
    :param problem: why the path is broken (a bad link signature, a non-CA issuer),
        or ``None``.
    """

    path: tuple[x509.Certificate, ...]
    anchor: x509.Certificate | None
    problem: str | None


def extension(cert: x509.Certificate, kind: type[_E]) -> _E | None:
    """The value of one extension, or ``None`` if absent.

    Certificates in the wild carry extensions ``cryptography`` refuses to parse as
    a whole (a policy notice in the wrong string type); then the single extension
    is read with ``asn1crypto``'s lenient parser.

    :raises ValueError: the extension is present but unreadable.
    """
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None
    except ValueError:
        pass
    return _lenient_extension(cert, kind)


def _lenient_extension(cert: x509.Certificate, kind: type[_E]) -> _E | None:
    from asn1crypto import x509 as a_x509

    parsed = a_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    oid = kind.oid.dotted_string
    for ext in parsed["tbs_certificate"]["extensions"] or []:
        if ext["extn_id"].dotted != oid:
            continue
        native = ext["extn_value"].parsed
        if kind is x509.KeyUsage:
            bits = set(native.native)
            return x509.KeyUsage(  # type: ignore[return-value]
                digital_signature="digital_signature" in bits,
                content_commitment="non_repudiation" in bits,
                key_encipherment="key_encipherment" in bits,
                data_encipherment="data_encipherment" in bits,
                key_agreement="key_agreement" in bits,
                key_cert_sign="key_cert_sign" in bits,
                crl_sign="crl_sign" in bits,
                encipher_only="key_agreement" in bits and "encipher_only" in bits,
                decipher_only="key_agreement" in bits and "decipher_only" in bits,
            )
        if kind is x509.BasicConstraints:
            value = native.native
            return x509.BasicConstraints(  # type: ignore[return-value]
                ca=bool(value.get("ca")), path_length=value.get("path_len_constraint")
            )
        if kind is x509.ExtendedKeyUsage:
            return x509.ExtendedKeyUsage(  # type: ignore[return-value]
                [x509.ObjectIdentifier(o.dotted) for o in native]
            )
        if kind is x509.SubjectKeyIdentifier:
            return x509.SubjectKeyIdentifier(native.native)  # type: ignore[return-value]
        raise ValueError(f"extension {oid} cannot be read")
    return None


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        bc = extension(cert, x509.BasicConstraints)
        ku = extension(cert, x509.KeyUsage)
    except ValueError:
        return False
    if bc is None:
        # X.509 v1 self-signed roots carry no extensions
        return cert.version == x509.Version.v1
    if not bc.ca:
        return False
    return ku is None or ku.key_cert_sign


def issued_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    """Whether *parent*'s key signed *child* (names must chain too).

    ``verify_directly_issued_by`` refuses SHA-1, which older CA certificates in
    long-term envelopes still carry, so the signature is checked directly.
    """
    if child.issuer != parent.subject:
        return False
    key = parent.public_key()
    digest = child.signature_hash_algorithm
    try:
        if isinstance(key, rsa.RSAPublicKey) and digest is not None:
            pad = child.signature_algorithm_parameters
            if not isinstance(pad, (padding.PKCS1v15, padding.PSS)):
                return False
            key.verify(child.signature, child.tbs_certificate_bytes, pad, digest)
        elif isinstance(key, ec.EllipticCurvePublicKey) and digest is not None:
            key.verify(child.signature, child.tbs_certificate_bytes, ec.ECDSA(digest))
        else:
            child.verify_directly_issued_by(parent)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def build_chain(
    leaf: x509.Certificate,
    pool: Iterable[x509.Certificate],
    anchors: Sequence[x509.Certificate],
) -> ChainResult:
    """Build a path from *leaf* through *pool* to one of *anchors*.

    A certificate equal to an anchor (same subject and public key) ends the path.
    Without a reachable anchor the path goes as far as the issuer links allow and
    ``anchor`` is ``None``.
    """
    anchor_keys = {(a.subject.public_bytes(), spki(a)): a for a in anchors}
    candidates = list({fingerprint(c): c for c in [*pool, *anchors]}.values())
    path = [leaf]
    current = leaf
    for _ in range(_MAX_DEPTH):
        hit = anchor_keys.get((current.subject.public_bytes(), spki(current)))
        if hit is not None:
            return ChainResult(tuple(path), hit, None)
        if current.issuer == current.subject and issued_by(current, current):
            return ChainResult(tuple(path), None, None)  # a root that is not an anchor
        issuers = [c for c in candidates if c.subject == current.issuer and c not in path]
        # prefer an anchor, then any certificate whose key verifies the link
        issuers.sort(key=lambda c: (c.subject.public_bytes(), spki(c)) not in anchor_keys)
        parent = next((c for c in issuers if issued_by(current, c)), None)
        if parent is None:
            if issuers:
                return ChainResult(
                    tuple(path), None,
                    f"the signature of '{describe(current)}' does not verify with the key of "
                    f"its issuer '{describe(issuers[0])}'",
                )
            return ChainResult(tuple(path), None, None)  # issuer unknown: path ends
        if not _is_ca(parent):
            return ChainResult(
                tuple(path), None,
                f"'{describe(parent)}' issued '{describe(current)}' but is not a CA "
                "(basicConstraints / keyCertSign)",
            )
        path.append(parent)
        current = parent
    return ChainResult(tuple(path), None, "the chain is longer than 10 certificates")


def check_validity(path: Sequence[x509.Certificate], when: datetime) -> str | None:
    """Return why a certificate of *path* was not valid at *when*, or ``None``."""
    for cert in path:
        if when < cert.not_valid_before_utc:
            return (f"'{describe(cert)}' was not yet valid at {when:%Y-%m-%dT%H:%M:%SZ} "
                    f"(valid from {cert.not_valid_before_utc:%Y-%m-%dT%H:%M:%SZ})")
        if when > cert.not_valid_after_utc:
            return (f"'{describe(cert)}' had expired at {when:%Y-%m-%dT%H:%M:%SZ} "
                    f"(valid until {cert.not_valid_after_utc:%Y-%m-%dT%H:%M:%SZ})")
    return None


def check_key_usage(cert: x509.Certificate) -> tuple[bool, str]:
    """A seal's certificate must allow ``digitalSignature`` (RFC 5280 §4.2.1.3)."""
    try:
        ku = extension(cert, x509.KeyUsage)
    except ValueError as exc:
        return False, f"the keyUsage extension cannot be read ({exc})"
    if ku is None:
        return True, "no keyUsage extension: any use is allowed (RFC 5280 §4.2.1.3)"
    if not ku.digital_signature:
        allowed = [n for n in ("content_commitment", "key_cert_sign", "crl_sign",
                               "key_encipherment", "data_encipherment")
                   if getattr(ku, n)]
        return False, (
            "the certificate's keyUsage does not include digitalSignature "
            f"(it allows {', '.join(allowed) or 'nothing relevant'})"
        )
    extra = " and nonRepudiation" if ku.content_commitment else ""
    return True, f"keyUsage allows digitalSignature{extra}"
