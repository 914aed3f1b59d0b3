"""Multikey: multibase (base58btc) + multicodec encodings of public and secret keys.

See: <https://www.w3.org/TR/controller-document/#multikey> and the multicodec table
(<https://github.com/multiformats/multicodec/blob/master/table.csv>). Public EC keys
are compressed SEC1 points; secret keys are the raw seed or scalar.
"""

from __future__ import annotations

from typing import Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from ..errors import KeyMaterialError
from ._base58 import multibase_decode, multibase_encode

__all__ = [
    "CURVES",
    "MULTIKEY_CONTEXT",
    "PRIVATE_PREFIX",
    "PUBLIC_PREFIX",
    "MultikeyKind",
    "PrivateKey",
    "PublicKey",
    "decode_public_multibase",
    "decode_secret_multibase",
    "ec_kind",
    "encode_public_multibase",
    "encode_secret_multibase",
    "kind_of_public_multibase",
]

MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"

#: Key types that have a Multikey form.
MultikeyKind = Literal["ed25519", "p256", "p384"]

PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey
PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey

#: Multicodec varint prefixes: ed25519-pub 0xed, p256-pub 0x1200, p384-pub 0x1201.
PUBLIC_PREFIX: dict[MultikeyKind, bytes] = {
    "ed25519": b"\xed\x01",
    "p256": b"\x80\x24",
    "p384": b"\x81\x24",
}
#: ed25519-priv 0x1300, p256-priv 0x1306, p384-priv 0x1307.
PRIVATE_PREFIX: dict[MultikeyKind, bytes] = {
    "ed25519": b"\x80\x26",
    "p256": b"\x86\x26",
    "p384": b"\x87\x26",
}
#: The curve of each EC kind.
CURVES: dict[str, ec.EllipticCurve] = {"p256": ec.SECP256R1(), "p384": ec.SECP384R1()}
_PUBLIC_LENGTH = {"ed25519": 32, "p256": 33, "p384": 49}
_SCALAR_LENGTH = {"p256": 32, "p384": 48}


def _split(data: bytes, table: dict[MultikeyKind, bytes], what: str) -> tuple[MultikeyKind, bytes]:
    for kind, prefix in table.items():
        if data.startswith(prefix):
            return kind, data[len(prefix):]
    head = data[:2].hex() or "nothing"
    raise KeyMaterialError(
        f"unknown multicodec prefix 0x{head} for a {what}; expected ed25519, P-256 or P-384",
        code="key.unsupported",
    )


def kind_of_public_multibase(text: str) -> MultikeyKind:
    """Return the key type named by a ``publicKeyMultibase`` value, without decoding the key."""
    return _split(multibase_decode(text), PUBLIC_PREFIX, "public key")[0]


def encode_public_multibase(key: PublicKey) -> str:
    """Return ``publicKeyMultibase`` for *key* (EC points compressed)."""
    if isinstance(key, ed25519.Ed25519PublicKey):
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return multibase_encode(PUBLIC_PREFIX["ed25519"] + raw)
    kind = ec_kind(key.curve)
    point = key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
    )
    return multibase_encode(PUBLIC_PREFIX[kind] + point)


def decode_public_multibase(text: str) -> tuple[MultikeyKind, PublicKey]:
    """Decode ``publicKeyMultibase``.

    :raises KeyMaterialError: ``key.malformed`` (bad multibase, wrong length, not a
        point on the curve) or ``key.unsupported`` (another multicodec).
    """
    kind, raw = _split(multibase_decode(text), PUBLIC_PREFIX, "public key")
    if len(raw) != _PUBLIC_LENGTH[kind]:
        raise KeyMaterialError(
            f"a {kind} public key has {_PUBLIC_LENGTH[kind]} bytes, found {len(raw)}",
            code="key.malformed",
        )
    try:
        if kind == "ed25519":
            return kind, ed25519.Ed25519PublicKey.from_public_bytes(raw)
        return kind, ec.EllipticCurvePublicKey.from_encoded_point(CURVES[kind], raw)
    except ValueError as exc:
        raise KeyMaterialError(
            f"the {kind} public key is not a valid point", code="key.malformed"
        ) from exc


def encode_secret_multibase(key: PrivateKey) -> str:
    """Return ``secretKeyMultibase`` for *key*.

    Ed25519 uses the 64-byte form (seed then public key), as ``@digitalbazaar/ed25519-multikey``
    writes it; EC keys use the big-endian scalar.
    """
    if isinstance(key, ed25519.Ed25519PrivateKey):
        seed = key.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        public = key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return multibase_encode(PRIVATE_PREFIX["ed25519"] + seed + public)
    kind = ec_kind(key.curve)
    scalar = key.private_numbers().private_value.to_bytes(_SCALAR_LENGTH[kind], "big")
    return multibase_encode(PRIVATE_PREFIX[kind] + scalar)


def decode_secret_multibase(text: str) -> tuple[MultikeyKind, PrivateKey]:
    """Decode ``secretKeyMultibase`` (or the vectors' ``privateKeyMultibase``).

    Ed25519 accepts the 32-byte seed and the 64-byte seed-plus-public form (whose public
    half must match the seed). Messages never include key bytes.

    :raises KeyMaterialError: ``key.malformed`` or ``key.unsupported``.
    """
    kind, raw = _split(multibase_decode(text), PRIVATE_PREFIX, "secret key")
    try:
        if kind == "ed25519":
            if len(raw) not in (32, 64):
                raise KeyMaterialError(
                    f"an ed25519 secret key has 32 or 64 bytes, found {len(raw)}",
                    code="key.malformed",
                )
            private = ed25519.Ed25519PrivateKey.from_private_bytes(raw[:32])
            if len(raw) == 64:
                public = private.public_key().public_bytes(
                    serialization.Encoding.Raw, serialization.PublicFormat.Raw
                )
                if public != raw[32:]:
                    raise KeyMaterialError(
                        "the ed25519 secret key's public half does not match its seed",
                        code="key.mismatch",
                    )
            return kind, private
        if len(raw) != _SCALAR_LENGTH[kind]:
            raise KeyMaterialError(
                f"a {kind} secret key has {_SCALAR_LENGTH[kind]} bytes, found {len(raw)}",
                code="key.malformed",
            )
        value = int.from_bytes(raw, "big")
        return kind, ec.derive_private_key(value, CURVES[kind])
    except ValueError as exc:
        raise KeyMaterialError(f"the {kind} secret key is invalid", code="key.malformed") from exc


def ec_kind(curve: ec.EllipticCurve) -> MultikeyKind:
    """Return ``"p256"`` or ``"p384"`` for *curve*.

    :raises KeyMaterialError: ``key.unsupported`` for any other curve.
    """
    if isinstance(curve, ec.SECP256R1):
        return "p256"
    if isinstance(curve, ec.SECP384R1):
        return "p384"
    raise KeyMaterialError(
        f"EC curve {curve.name} is not supported; expected P-256 or P-384",
        code="key.unsupported",
    )

