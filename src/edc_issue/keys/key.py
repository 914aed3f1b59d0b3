"""The :class:`Key` type: one key pair (or public key) with its verification-method id.

A ``Key`` never shows its secret half: not in ``repr``, ``str`` or error messages.
Only :meth:`Key.to_multikey` and :meth:`Key.to_jwk` with ``include_secret=True``
export it, for writing a key file.
"""

from __future__ import annotations

from typing import Literal, get_args

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from .._types import JsonObject
from ..errors import KeyMaterialError
from .did_key import did_key_from_public
from .multikey import (
    MULTIKEY_CONTEXT,
    PrivateKey,
    PublicKey,
    ec_kind,
    encode_public_multibase,
    encode_secret_multibase,
)

__all__ = [
    "ALGORITHMS", "KEY_KINDS", "MIN_RSA_BITS", "AnyPrivateKey", "AnyPublicKey", "Key",
    "KeyKind", "generate_key", "key_kind",
]

#: The key types edc_issue generates and signs with.
KeyKind = Literal["ed25519", "p256", "p384", "rsa"]
KEY_KINDS: tuple[str, ...] = get_args(KeyKind)

#: The signature algorithm of each key type, as a fully specified JOSE name (RFC 9864):
#: what :attr:`Key.algorithm` says and :meth:`Key.sign` produces.
ALGORITHMS: dict[KeyKind, str] = {
    "ed25519": "Ed25519", "p256": "ES256", "p384": "ES384", "rsa": "RS256",
}

AnyPublicKey = PublicKey | rsa.RSAPublicKey
AnyPrivateKey = PrivateKey | rsa.RSAPrivateKey

_EC_HASH: dict[str, type[hashes.HashAlgorithm]] = {"p256": hashes.SHA256, "p384": hashes.SHA384}
_EC_SIZE = {"p256": 32, "p384": 48}


class Key:
    """A signing key pair, or a public key for verifying, with its identifiers.

    A ``Key`` is a :class:`~edc_issue.Signer` (``id``, ``algorithm``, ``sign(data)``):
    it signs anywhere a key from an HSM or a KMS can.

    :param kind: ``ed25519``, ``p256``, ``p384`` or ``rsa``.
    :param public: the public key (a ``cryptography`` object).
    :param private: the private key, or None for a verify-only key.
    :param id: the verification-method id (``did:key:z…#z…``, ``did:web:…#…``, a JWK ``kid``).
        Multikey types default to their did:key method.
    :param controller: the DID or URL that controls the key (default: the part of *id*
        before ``#``).
    """

    __slots__ = ("_private", "_public", "controller", "id", "kind")

    def __init__(
        self,
        kind: KeyKind,
        *,
        public: AnyPublicKey,
        private: AnyPrivateKey | None = None,
        id: str | None = None,
        controller: str | None = None,
    ) -> None:
        if kind not in KEY_KINDS:
            raise KeyMaterialError(
                f'key type "{kind}" is not supported; expected one of {", ".join(KEY_KINDS)}',
                code="key.unsupported",
            )
        self.kind: KeyKind = kind
        self._public = public
        self._private = private
        if id is None and kind != "rsa":
            did = self.to_did_key()
            id = f"{did}#{did[len('did:key:'):]}"
        self.id: str | None = id
        if controller is None and id is not None and "#" in id:
            controller = id.split("#", 1)[0]
        self.controller: str | None = controller

    # ---- views -------------------------------------------------------------------------

    @property
    def public_key(self) -> AnyPublicKey:
        """The public key as a ``cryptography`` object."""
        return self._public

    @property
    def private_key(self) -> AnyPrivateKey:
        """The private key as a ``cryptography`` object.

        :raises KeyMaterialError: ``key.no_secret`` for a public-only key.
        """
        if self._private is None:
            raise KeyMaterialError(
                f"key {self.id or self.kind} has no secret part; a signing key is needed",
                code="key.no_secret",
            )
        return self._private

    @property
    def has_secret(self) -> bool:
        """True when this key can sign."""
        return self._private is not None

    def require_secret(self) -> None:
        """Refuse a public-only key where signing needs the secret.

        :raises KeyMaterialError: ``key.no_secret``.
        """
        self.private_key  # noqa: B018 - the property raises key.no_secret

    @property
    def algorithm(self) -> str:
        """The algorithm of the signatures :meth:`sign` returns: ``Ed25519``, ``ES256``,
        ``ES384`` or ``RS256`` (fully specified JOSE names, RFC 9864)."""
        return ALGORITHMS[self.kind]

    @property
    def public_multibase(self) -> str:
        """The key's ``publicKeyMultibase`` (Ed25519, P-256, P-384 only)."""
        if isinstance(self._public, rsa.RSAPublicKey):
            raise KeyMaterialError("an RSA key has no Multikey form", code="key.unsupported")
        return encode_public_multibase(self._public)

    def public_only(self) -> Key:
        """Return the same key without its secret part."""
        return Key(self.kind, public=self._public, id=self.id, controller=self.controller)

    def with_id(self, id: str, controller: str | None = None) -> Key:
        """Return the same key under another verification-method id and controller."""
        return Key(self.kind, public=self._public, private=self._private, id=id,
                   controller=controller)

    def __repr__(self) -> str:
        secret = "present" if self._private is not None else "absent"
        return f"Key(kind={self.kind!r}, id={self.id!r}, secret={secret})"

    __str__ = __repr__

    # ---- conversions -------------------------------------------------------------------

    def to_did_key(self) -> str:
        """Return the key's did:key (Ed25519, P-256, P-384)."""
        if isinstance(self._public, rsa.RSAPublicKey):
            raise KeyMaterialError("an RSA key has no did:key form here", code="key.unsupported")
        return did_key_from_public(self._public)

    def to_multikey(self, *, include_secret: bool = False) -> JsonObject:
        """Return the key as a Multikey document (the key-file form of the contract).

        :param include_secret: add ``secretKeyMultibase`` (for writing a key file only).
        """
        doc: JsonObject = {
            "@context": MULTIKEY_CONTEXT,
            "type": "Multikey",
            "id": self.id,
            "controller": self.controller,
            "publicKeyMultibase": self.public_multibase,
        }
        if include_secret:
            private = self.private_key
            assert not isinstance(private, rsa.RSAPrivateKey)
            doc["secretKeyMultibase"] = encode_secret_multibase(private)
        return doc

    def to_jwk(self, *, include_secret: bool = False) -> JsonObject:
        """Return the key as a JWK (``kid`` is the verification-method id when known)."""
        from .jwk import key_to_jwk

        return key_to_jwk(self, include_secret=include_secret)

    # ---- signatures --------------------------------------------------------------------

    def sign(self, data: bytes) -> bytes:
        """Sign *data*: Ed25519; ECDSA with SHA-256 (P-256) or SHA-384 (P-384), as raw
        ``r || s``; RSA PKCS#1 v1.5 with SHA-256.

        :raises KeyMaterialError: ``key.no_secret`` for a public-only key.
        """
        private = self.private_key
        if isinstance(private, ed25519.Ed25519PrivateKey):
            return private.sign(data)
        if isinstance(private, ec.EllipticCurvePrivateKey):
            der = private.sign(data, ec.ECDSA(_EC_HASH[self.kind]()))
            r, s = decode_dss_signature(der)
            size = _EC_SIZE[self.kind]
            return r.to_bytes(size, "big") + s.to_bytes(size, "big")
        return private.sign(data, padding.PKCS1v15(), hashes.SHA256())

    def verify(self, signature: bytes, data: bytes) -> bool:
        """Return True if *signature* over *data* is valid for this key (never raises)."""
        public = self._public
        try:
            if isinstance(public, ed25519.Ed25519PublicKey):
                public.verify(signature, data)
            elif isinstance(public, ec.EllipticCurvePublicKey):
                size = _EC_SIZE[self.kind]
                if len(signature) != 2 * size:
                    return False
                r = int.from_bytes(signature[:size], "big")
                s = int.from_bytes(signature[size:], "big")
                public.verify(encode_dss_signature(r, s), data, ec.ECDSA(_EC_HASH[self.kind]()))
            else:
                public.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, ValueError):
            return False
        return True


def generate_key(kind: str, *, id: str | None = None, controller: str | None = None) -> Key:
    """Generate a new key pair.

    :param kind: ``ed25519``, ``p256``, ``p384`` or ``rsa`` (3072 bits).
    :param id: the verification-method id; Multikey types default to their did:key
        method, RSA keys to their JWK thumbprint.
    :raises KeyMaterialError: ``key.unsupported`` for another *kind*.
    """
    private: AnyPrivateKey
    if kind == "ed25519":
        private = ed25519.Ed25519PrivateKey.generate()
    elif kind == "p256":
        private = ec.generate_private_key(ec.SECP256R1())
    elif kind == "p384":
        private = ec.generate_private_key(ec.SECP384R1())
    elif kind == "rsa":
        private = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    else:
        raise KeyMaterialError(
            f'key type "{kind}" is not supported; expected one of {", ".join(KEY_KINDS)}',
            code="key.unsupported",
        )
    key = Key(kind, public=private.public_key(), private=private, id=id,  # type: ignore[arg-type]
              controller=controller)
    if key.id is None:
        from .jwk import jwk_thumbprint

        key = key.with_id(jwk_thumbprint(key), controller)
    return key

#: The smallest RSA key accepted (NIST SP 800-131A; RS256 with less is refused).
MIN_RSA_BITS = 2048


def key_kind(public: object, *, source: str) -> KeyKind:
    """Return the kind of a ``cryptography`` public key: ed25519, p256, p384 or rsa.

    :param source: what the key was read from, for the message (``JWK``, ``PEM``).
    :raises KeyMaterialError: ``key.unsupported`` for other key types and curves, and for
        RSA keys shorter than :data:`MIN_RSA_BITS`.
    """
    if isinstance(public, ed25519.Ed25519PublicKey):
        return "ed25519"
    if isinstance(public, ec.EllipticCurvePublicKey):
        return ec_kind(public.curve)
    if isinstance(public, rsa.RSAPublicKey):
        if public.key_size < MIN_RSA_BITS:
            raise KeyMaterialError(
                f"RSA key has {public.key_size} bits; at least {MIN_RSA_BITS} are required",
                code="key.unsupported",
            )
        return "rsa"
    raise KeyMaterialError(
        f"{source} key of type {type(public).__name__} is not supported; expected Ed25519, "
        "P-256, P-384 or RSA", code="key.unsupported",
    )

