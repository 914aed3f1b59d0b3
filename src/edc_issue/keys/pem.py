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

    An encrypted private key (``ENCRYPTED PRIVATE KEY``, or ``Proc-Type: 4,ENCRYPTED``)
    needs *password*; a password given for a key that is not encrypted is not used.

    :raises KeyMaterialError: ``key.password_required`` (encrypted, no *password*),
        ``key.bad_password`` (encrypted, a wrong *password*; never shown),
        ``key.malformed`` (not PEM) or ``key.unsupported`` (another algorithm or curve).
    """
    private: object | None = None
    public: object
    encrypted = b"ENCRYPTED PRIVATE KEY" in data or b"Proc-Type: 4,ENCRYPTED" in data
    if encrypted and password is None:
        raise KeyMaterialError("the private key is encrypted and no password was given",
                               code="key.password_required",
                               hint="give the key's password (password=...)")
    try:
        if b"PRIVATE KEY" in data:
            private = serialization.load_pem_private_key(
                data, password=password if encrypted else None)
            public = private.public_key()
        else:
            public = serialization.load_pem_public_key(data)
    except ValueError as exc:
        if encrypted:
            raise KeyMaterialError("wrong password for the encrypted private key",
                                   code="key.bad_password") from None
        raise KeyMaterialError(
            f"not a readable PEM key ({type(exc).__name__}); expected PKCS#8 or "
            "SubjectPublicKeyInfo", code="key.malformed",
        ) from None
    except TypeError as exc:
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
