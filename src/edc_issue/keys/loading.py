"""``load_key``: read a key file or dict in any of the forms edc_issue accepts.

Accepted forms:

- a Multikey document ``{"type": "Multikey", "id", "controller", "publicKeyMultibase",
  "secretKeyMultibase"}`` (the contract's key file), and the W3C vector files'
  ``{"publicKeyMultibase", "privateKeyMultibase" | "secretKeyMultibase"}``;
- a JWK, public or private (RSA key files are private JWKs with ``kid``), or a
  verification method with ``publicKeyJwk`` / ``privateKeyJwk``;
- a PEM file: PKCS#8 private key or SubjectPublicKeyInfo public key.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from .._io import parse_json_text, read_bytes
from ..errors import KeyMaterialError
from .jwk import key_from_jwk
from .key import Key
from .multikey import decode_public_multibase, decode_secret_multibase, encode_public_multibase
from .pem import key_from_pem

__all__ = ["load_key"]

_SECRET_FIELDS = ("secretKeyMultibase", "privateKeyMultibase")


def load_key(source: str | os.PathLike[str] | Mapping[str, Any], *,
             password: bytes | None = None) -> Key:
    """Load a key from a file path or an already parsed dict.

    :param password: for an encrypted PEM private key (not used for other keys).
    :raises ReadError: the file is missing or unreadable.
    :raises KeyMaterialError: ``key.malformed``, ``key.unsupported``,
        ``key.mismatch`` (a secret key that does not match its public key),
        ``key.password_required`` / ``key.bad_password`` (an encrypted PEM key). The
        error's ``pointer`` names the file and field; key material is never shown.
    """
    if isinstance(source, Mapping):
        return _from_dict(dict(source), where=None)
    path = os.fspath(source)
    raw = read_bytes(path, max_bytes=1024 * 1024)
    if raw.lstrip().startswith(b"-----BEGIN"):
        try:
            return key_from_pem(raw, password=password)
        except KeyMaterialError as exc:
            raise _located(exc, path, None) from None
    value = parse_json_text(raw, source=path)
    if not isinstance(value, dict):
        raise KeyMaterialError("a key file must hold a JSON object", pointer=path,
                               code="key.malformed")
    return _from_dict(value, where=path)


def _located(exc: KeyMaterialError, where: str | None, field: str | None) -> KeyMaterialError:
    pointer = ": ".join(p for p in (where, field or exc.pointer) if p) or None
    return KeyMaterialError(exc.message, pointer=pointer, hint=exc.hint, code=exc.code)


def _str_field(doc: dict[str, Any], name: str, where: str | None) -> str | None:
    value = doc.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise KeyMaterialError("expected a string", pointer=_ptr(where, name),
                               code="key.malformed")
    return value


def _ptr(where: str | None, field: str) -> str:
    return f"{where}: {field}" if where else field


def _from_dict(doc: dict[str, Any], *, where: str | None) -> Key:
    key_id = _str_field(doc, "id", where)
    controller = _str_field(doc, "controller", where)
    if "kty" in doc:
        try:
            return key_from_jwk(doc, controller=controller)
        except KeyMaterialError as exc:
            raise _located(exc, where, None) from None
    for field in ("privateKeyJwk", "publicKeyJwk"):
        jwk = doc.get(field)
        if isinstance(jwk, dict):
            try:
                return key_from_jwk(jwk, id=key_id or jwk.get("kid"), controller=controller)
            except KeyMaterialError as exc:
                raise _located(exc, where, field) from None
    public_mb = _str_field(doc, "publicKeyMultibase", where)
    secret_field = next((f for f in _SECRET_FIELDS if doc.get(f) is not None), None)
    if public_mb is None and secret_field is None:
        raise KeyMaterialError(
            "no key found; expected publicKeyMultibase (with secretKeyMultibase to sign), "
            "a JWK (kty), or publicKeyJwk",
            pointer=where, code="key.malformed",
        )
    private = None
    kind = None
    if secret_field is not None:
        secret = _str_field(doc, secret_field, where)
        try:
            kind, private = decode_secret_multibase(secret or "")
        except KeyMaterialError as exc:
            raise _located(exc, where, secret_field) from None
    if public_mb is not None:
        try:
            pub_kind, public = decode_public_multibase(public_mb)
        except KeyMaterialError as exc:
            raise _located(exc, where, "publicKeyMultibase") from None
        if private is not None:
            if pub_kind != kind or encode_public_multibase(private.public_key()) != public_mb:
                raise KeyMaterialError(
                    f"{secret_field} does not belong to publicKeyMultibase",
                    pointer=_ptr(where, secret_field or ""), code="key.mismatch",
                )
        kind = pub_kind
    else:
        assert private is not None
        public = private.public_key()
    assert kind is not None
    return Key(kind, public=public, private=private, id=key_id, controller=controller)
