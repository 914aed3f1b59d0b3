"""PEM import: PKCS#8 private keys and SubjectPublicKeyInfo public keys (RFC 5958, RFC 5280)."""

from __future__ import annotations

from typing import cast

from cryptography.hazmat.primitives import serialization

from ..errors import KeyMaterialError
from .key import AnyPrivateKey, AnyPublicKey, Key, key_kind

__all__ = ["key_from_pem"]


def key_from_pem(
    data: bytes, *, password: bytes | None = None, id: str | None = None,
    controller: str | None = None,
) -> Key:
    """Read a PEM private key (PKCS#8, or the traditional EC/RSA forms) or public key.

    :raises KeyMaterialError: ``key.malformed`` (not PEM, wrong password) or
        ``key.unsupported`` (another algorithm or curve).
    """
    private: object | None = None
    public: object
    try:
        if b"PRIVATE KEY" in data:
            private = serialization.load_pem_private_key(data, password=password)
            public = private.public_key()
        else:
            public = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise KeyMaterialError(
            f"not a readable PEM key ({type(exc).__name__}); expected PKCS#8 or "
            "SubjectPublicKeyInfo", code="key.malformed",
        ) from None
    except Exception as exc:  # cryptography's UnsupportedAlgorithm
        raise KeyMaterialError(
            f"unsupported PEM key ({type(exc).__name__})", code="key.unsupported"
        ) from None
    kind = key_kind(public, source="PEM")
    pub = cast("AnyPublicKey", public)  # key_kind accepted only these types
    priv: AnyPrivateKey | None = private  # type: ignore[assignment]
    key = Key(kind, public=pub, private=priv, id=id, controller=controller)
    if key.id is None:
        from .jwk import jwk_thumbprint

        key = key.with_id(jwk_thumbprint(key), controller)
    return key
