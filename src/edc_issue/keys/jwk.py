"""JSON Web Keys (RFC 7517) for every key type, via joserfc; thumbprints (RFC 7638).

Private JWKs are the key-file form of RSA keys (with ``kid``). Ed25519 is an ``OKP``
key (RFC 8037), P-256 and P-384 are ``EC`` keys.
"""

from __future__ import annotations

from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import ECKey, JWKRegistry, OKPKey, RSAKey

from .._types import JsonObject
from ..errors import KeyMaterialError
from .key import AnyPrivateKey, AnyPublicKey, Key, key_kind

__all__ = ["joserfc_key", "jwk_thumbprint", "key_from_jwk", "key_to_jwk"]


def joserfc_key(key: Key, *, include_secret: bool) -> OKPKey | ECKey | RSAKey:
    """Return *key* as a joserfc key object (for JWS signing and verification)."""
    material: Any = key.private_key if include_secret else key.public_key
    imported: OKPKey | ECKey | RSAKey
    if key.kind == "ed25519":
        imported = OKPKey.import_key(material)
    elif key.kind == "rsa":
        imported = RSAKey.import_key(material)
    else:
        imported = ECKey.import_key(material)
    return imported


def key_to_jwk(key: Key, *, include_secret: bool = False) -> JsonObject:
    """Return *key* as a JWK dict; ``kid`` is the key's id when it has one."""
    jwk: JsonObject = dict(joserfc_key(key, include_secret=include_secret)
                           .as_dict(private=include_secret))
    if key.id:
        jwk["kid"] = key.id
    return jwk


def jwk_thumbprint(key: Key) -> str:
    """Return the RFC 7638 SHA-256 thumbprint of *key*'s public JWK (base64url)."""
    return str(joserfc_key(key, include_secret=False).thumbprint())


def key_from_jwk(jwk: JsonObject, *, id: str | None = None, controller: str | None = None) -> Key:
    """Read a public or private JWK (Ed25519 OKP, EC P-256/P-384, RSA).

    :param id: overrides the JWK's ``kid`` as the verification-method id.
    :raises KeyMaterialError: ``key.malformed`` or ``key.unsupported``; the message
        never includes key material.
    """
    kty = jwk.get("kty")
    if kty not in ("OKP", "EC", "RSA"):
        raise KeyMaterialError(
            f'JWK "kty" is {kty!r}; expected "OKP" (Ed25519), "EC" (P-256, P-384) or "RSA"',
            pointer="kty", code="key.unsupported",
        )
    if kty == "OKP" and jwk.get("crv") != "Ed25519":
        raise KeyMaterialError(
            f'JWK "crv" is {jwk.get("crv")!r}; only "Ed25519" is supported for OKP keys',
            pointer="crv", code="key.unsupported",
        )
    if kty == "EC" and jwk.get("crv") not in ("P-256", "P-384"):
        raise KeyMaterialError(
            f'JWK "crv" is {jwk.get("crv")!r}; expected "P-256" or "P-384"',
            pointer="crv", code="key.unsupported",
        )
    try:
        imported = JWKRegistry.import_key(dict(jwk))
        public: Any = imported.public_key
        private: Any = imported.private_key if imported.is_private else None
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise KeyMaterialError(
            f"JWK of type {kty} is malformed ({type(exc).__name__})", code="key.malformed"
        ) from None
    kind = key_kind(public, source="JWK")
    kid = id if id is not None else jwk.get("kid")
    pub: AnyPublicKey = public
    priv: AnyPrivateKey | None = private
    key = Key(kind, public=pub, private=priv, id=kid if isinstance(kid, str) else None,
              controller=controller)
    return key
