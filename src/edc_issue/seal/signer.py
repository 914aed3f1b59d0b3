"""Who signs a seal: the :class:`Signer` protocol, :class:`LocalSigner`, and key loading.

A :class:`Signer` holds (or reaches) the private key of an e-seal certificate and
signs the JWS signing input. It is :class:`edc_issue.Signer` (``id``, ``algorithm``,
``sign``) plus the ``certificate_chain``. A file on disk is one backend
(:class:`LocalSigner`, loaded from PKCS#12 or from a PEM key plus certificate chain);
an HSM (:class:`~edc_issue.seal.Pkcs11Signer`) or a QTSP's remote seal
(:class:`~edc_issue.seal.CscSigner`) are others. The private key never leaves the backend.

A signer that can sign many inputs in one round trip (a remote service that authorises
a group of hashes at once) also has :meth:`MultiSigner.sign_many`; :func:`sign_all`
uses it when it is there.

Passwords are bytes or str given by the caller (the CLI reads them from an
environment variable or a prompt, never from the command line); they are never
included in an error message.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from .._io import read_bytes
from .._types import Signer as _BaseSigner
from ..errors import KeyMaterialError, SignerError
from ._jws import (
    EC_ALGORITHMS,
    SUPPORTED_ALGORITHMS,
    der_to_raw,
    hash_for,
    issuer_serial_kid,
    rsa_padding,
)

__all__ = [
    "SUPPORTED_ALGORITHMS",
    "LocalSigner",
    "MultiSigner",
    "Signer",
    "load_pem_signer",
    "load_pkcs12_signer",
    "read_signer_files",
    "sign_all",
]


@runtime_checkable
class Signer(_BaseSigner, Protocol):
    """:class:`edc_issue.Signer` with the e-seal certificate chain.

    ``algorithm`` is the JWS ``alg`` of the seal (``RS256``, ``PS256``, ``ES256``, ...);
    :meth:`sign` returns the JWS signature (raw ``r || s`` for ECDSA, RFC 7518 §3.4).
    """

    @property
    def certificate_chain(self) -> Sequence[x509.Certificate]:
        """The signing certificate first, then the intermediates (the ``x5c`` chain)."""
        ...


@runtime_checkable
class MultiSigner(Signer, Protocol):
    """A :class:`Signer` that signs many inputs at once (one authorisation, one round trip)."""

    def sign_many(self, data: Sequence[bytes]) -> list[bytes]:
        """Return the signature of each of *data*, in order.

        :raises SignerError: the backend failed; no signature is returned then.
        """
        ...


def sign_all(signer: Signer, data: Sequence[bytes]) -> list[bytes]:
    """Sign every item of *data*: in one call when *signer* has ``sign_many``.

    :raises SignerError: the backend failed, or returned another number of signatures.
    """
    many = getattr(signer, "sign_many", None)
    if callable(many):
        signatures = list(many(list(data)))
        if len(signatures) != len(data):
            raise SignerError(f"the signer returned {len(signatures)} signatures for "
                              f"{len(data)} inputs")
        return signatures
    return [signer.sign(item) for item in data]


def _default_algorithm(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    if isinstance(key, rsa.RSAPrivateKey):
        return "RS256"
    alg = EC_ALGORITHMS.get(key.curve.name)
    if alg is None:
        raise KeyMaterialError(
            f"elliptic curve {key.curve.name} is not supported; expected P-256, P-384 or P-521",
            code="key.unsupported",
        )
    return alg


class LocalSigner:
    """A :class:`Signer` over a private key held in memory (read from a file).

    :param private_key: an RSA or EC private key (``cryptography`` object).
    :param certificate_chain: the signing certificate first, then intermediates.
    :param algorithm: the JWS ``alg``; default ``RS256`` for RSA, ``ES256``/``ES384``/
        ``ES512`` by curve for EC.
    :raises KeyMaterialError: ``key.mismatch`` if the key does not belong to the first
        certificate; ``key.unsupported`` for other key types or an algorithm that does
        not fit the key.
    """

    def __init__(
        self,
        private_key: object,
        certificate_chain: Sequence[x509.Certificate],
        *,
        algorithm: str | None = None,
    ) -> None:
        if not isinstance(private_key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
            raise KeyMaterialError(
                f"{type(private_key).__name__} keys cannot seal; expected an RSA or EC key",
                code="key.unsupported",
            )
        if not certificate_chain:
            raise KeyMaterialError(
                "no certificate was given with the key; a seal needs the signing certificate",
                code="key.malformed",
            )
        leaf_key = certificate_chain[0].public_key()
        if leaf_key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ) != private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ):
            raise KeyMaterialError(
                "the private key does not belong to the first certificate of the chain "
                f"({certificate_chain[0].subject.rfc4514_string()})",
                code="key.mismatch",
            )
        alg = algorithm or _default_algorithm(private_key)
        if alg not in SUPPORTED_ALGORITHMS:
            raise KeyMaterialError(
                f"algorithm {alg!r} is not supported; expected one of "
                f"{', '.join(SUPPORTED_ALGORITHMS)}",
                code="key.unsupported",
            )
        if isinstance(private_key, rsa.RSAPrivateKey) != (alg[:2] in ("RS", "PS")):
            raise KeyMaterialError(
                f"algorithm {alg} does not fit a {type(private_key).__name__}",
                code="key.unsupported",
            )
        if isinstance(private_key, ec.EllipticCurvePrivateKey) and EC_ALGORITHMS.get(
            private_key.curve.name
        ) != alg:
            raise KeyMaterialError(
                f"algorithm {alg} does not fit curve {private_key.curve.name}",
                code="key.unsupported",
            )
        self._key = private_key
        self._chain = list(certificate_chain)
        self._alg = alg

    def __repr__(self) -> str:
        # never show key material
        subject = self._chain[0].subject.rfc4514_string()
        return f"LocalSigner(algorithm={self._alg!r}, subject={subject!r})"

    @property
    def id(self) -> str:
        """The ``kid`` the seal carries: base64 of the certificate's DER ``IssuerSerial``."""
        return issuer_serial_kid(self._chain[0])

    @property
    def algorithm(self) -> str:
        """The JWS ``alg`` this signer produces."""
        return self._alg

    @property
    def certificate_chain(self) -> list[x509.Certificate]:
        """The signing certificate first, then the intermediates."""
        return list(self._chain)

    def sign(self, data: bytes) -> bytes:
        """Sign *data* with the JWS algorithm (RFC 7518 §3.3-3.5)."""
        digest = hash_for(self._alg)
        try:
            if isinstance(self._key, rsa.RSAPrivateKey):
                return self._key.sign(data, rsa_padding(self._alg), digest)
            return der_to_raw(self._key.sign(data, ec.ECDSA(digest)), self._alg)
        except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
            raise SignerError(f"signing with the local key failed: {exc}") from exc


def _as_password(password: bytes | str | None) -> bytes | None:
    if password is None:
        return None
    return password.encode("utf-8") if isinstance(password, str) else password


def load_pkcs12_signer(
    source: str | os.PathLike[str] | bytes,
    password: bytes | str | None = None,
    *,
    algorithm: str | None = None,
) -> LocalSigner:
    """Read a PKCS#12 file (``.p12``/``.pfx``) holding the e-seal key and certificate chain.

    :param source: a path, or the file's bytes.
    :param password: the PKCS#12 password (never logged or shown in errors).
    :raises KeyMaterialError: ``key.bad_password`` if the password is wrong or missing;
        ``key.malformed`` if the file is not PKCS#12 or holds no key or certificate.
    :raises ReadError: the file cannot be read.
    """
    name = "<bytes>" if isinstance(source, bytes) else str(source)
    data = source if isinstance(source, bytes) else read_bytes(source)
    try:
        loaded = pkcs12.load_pkcs12(data, _as_password(password))
    except ValueError as exc:
        # cryptography says "Invalid password or PKCS12 data": tell which by trying
        # to parse the outer structure without decrypting.
        from asn1crypto import pkcs12 as a_pkcs12

        try:
            a_pkcs12.Pfx.load(data).native  # noqa: B018  (parse only)
        except Exception:
            raise KeyMaterialError(
                "not a PKCS#12 file", pointer=name, code="key.malformed"
            ) from None
        raise KeyMaterialError(
            "wrong or missing password for the PKCS#12 file",
            pointer=name,
            code="key.bad_password",
            hint="pass the PKCS#12 password as password=",
        ) from exc
    except UnsupportedAlgorithm as exc:
        raise KeyMaterialError(
            f"the PKCS#12 file uses an unsupported algorithm ({exc})",
            pointer=name,
            code="key.unsupported",
        ) from exc
    if loaded.key is None or loaded.cert is None:
        raise KeyMaterialError(
            "the PKCS#12 file holds no private key and certificate",
            pointer=name,
            code="key.malformed",
        )
    chain = [loaded.cert.certificate] + [c.certificate for c in loaded.additional_certs]
    chain = _order_chain(chain)
    try:
        return LocalSigner(loaded.key, chain, algorithm=algorithm)
    except KeyMaterialError as exc:
        exc.pointer = name
        raise


def load_pem_signer(
    key: str | os.PathLike[str] | bytes,
    certificates: str | os.PathLike[str] | bytes,
    password: bytes | str | None = None,
    *,
    algorithm: str | None = None,
) -> LocalSigner:
    """Read a PEM (or DER) private key and a PEM certificate chain (signing certificate first).

    :param key: path to the key, or its bytes (PKCS#8 or traditional, optionally encrypted).
    :param certificates: path to the chain, or its bytes; the order is repaired so that
        the certificate of the key comes first.
    :param password: for an encrypted key (never logged or shown in errors).
    :raises KeyMaterialError: ``key.bad_password``, ``key.malformed``, ``key.mismatch``.
    """
    key_name = "<bytes>" if isinstance(key, bytes) else str(key)
    cert_name = "<bytes>" if isinstance(certificates, bytes) else str(certificates)
    key_data = key if isinstance(key, bytes) else read_bytes(key)
    cert_data = certificates if isinstance(certificates, bytes) else read_bytes(certificates)
    pw = _as_password(password)
    try:
        if b"-----BEGIN" in key_data:
            private_key: object = serialization.load_pem_private_key(key_data, pw)
        else:
            private_key = serialization.load_der_private_key(key_data, pw)
    except TypeError as exc:
        # password given for a clear key, or missing for an encrypted one
        encrypted = b"ENCRYPTED" in key_data
        raise KeyMaterialError(
            "the key is encrypted and needs a password" if encrypted
            else "the key is not encrypted; do not give a password",
            pointer=key_name,
            code="key.bad_password" if encrypted else "key.malformed",
        ) from exc
    except ValueError as exc:
        encrypted = b"ENCRYPTED" in key_data
        raise KeyMaterialError(
            "wrong password for the encrypted key" if encrypted and pw is not None
            else "not a PEM or DER private key",
            pointer=key_name,
            code="key.bad_password" if encrypted and pw is not None else "key.malformed",
        ) from exc
    except UnsupportedAlgorithm as exc:
        raise KeyMaterialError(
            f"unsupported key type ({exc})", pointer=key_name, code="key.unsupported"
        ) from exc
    try:
        if b"-----BEGIN" in cert_data:
            chain = x509.load_pem_x509_certificates(cert_data)
        else:
            chain = [x509.load_der_x509_certificate(cert_data)]
    except ValueError as exc:
        raise KeyMaterialError(
            "no X.509 certificate could be read (expected PEM 'BEGIN CERTIFICATE' blocks)",
            pointer=cert_name,
            code="key.malformed",
        ) from exc
    if isinstance(private_key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        spki = private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        chain = _leaf_first(chain, spki)
    try:
        return LocalSigner(private_key, _order_chain(chain), algorithm=algorithm)
    except KeyMaterialError as exc:
        exc.pointer = cert_name
        raise


def _leaf_first(chain: list[x509.Certificate], spki: bytes) -> list[x509.Certificate]:
    for i, cert in enumerate(chain):
        if cert.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ) == spki:
            return [cert, *chain[:i], *chain[i + 1:]]
    return chain


def _order_chain(chain: list[x509.Certificate]) -> list[x509.Certificate]:
    """Keep the first certificate first; follow issuer links for the rest."""
    if len(chain) < 2:
        return chain
    ordered = [chain[0]]
    rest = chain[1:]
    while rest:
        current = ordered[-1]
        nxt = next((c for c in rest if c.subject == current.issuer and c != current), None)
        if nxt is None:
            break
        ordered.append(nxt)
        rest.remove(nxt)
    return ordered + rest


def read_signer_files(
    *,
    p12: Path | None,
    key: Path | None,
    cert: Path | None,
    password: bytes | str | None,
) -> LocalSigner:
    """Load a :class:`LocalSigner` from either a PKCS#12 file or a PEM key + chain.

    :raises KeyMaterialError: ``key.malformed`` when neither or both forms are given.
    """
    if p12 is not None and (key is not None or cert is not None):
        raise KeyMaterialError("give either a PKCS#12 file or a PEM key and chain, not both")
    if p12 is not None:
        return load_pkcs12_signer(p12, password)
    if key is not None and cert is not None:
        return load_pem_signer(key, cert, password)
    raise KeyMaterialError("a seal needs a PKCS#12 file, or a PEM key and its certificate chain")
