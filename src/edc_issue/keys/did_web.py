"""did:web identifiers, their ``did.json`` URLs, and the DID document to publish.

See: <https://w3c-ccg.github.io/did-method-web/>. Resolving a did:web needs the
network; :mod:`edc_issue.proofs.resolver` does it only when the caller opts in.
"""

from __future__ import annotations

import urllib.parse
from typing import TYPE_CHECKING

from .._types import JsonObject
from ..errors import KeyMaterialError
from .did_key import DID_CONTEXT
from .multikey import MULTIKEY_CONTEXT

if TYPE_CHECKING:
    from .key import Key

__all__ = [
    "DID_WEB_PREFIX",
    "did_web_document",
    "did_web_from_domain",
    "did_web_key",
    "did_web_method",
    "did_web_url",
    "is_did_web",
]

DID_WEB_PREFIX = "did:web:"
JWK_CONTEXT = "https://w3id.org/security/jwk/v1"


def is_did_web(value: str) -> bool:
    """Return True if *value* is a did:web identifier or DID URL."""
    return isinstance(value, str) and value.startswith(DID_WEB_PREFIX)


def did_web_from_domain(domain: str) -> str:
    """Return the did:web for *domain*, e.g. ``example.edu`` or ``example.edu:8443/users/alice``.

    A port's colon is percent-encoded and path segments become ``:``-separated, as the
    did:web method says.

    :raises KeyMaterialError: ``key.malformed`` for an empty domain or one with a scheme.
    """
    text = domain.strip().strip("/")
    if not text or "://" in text or any(c.isspace() for c in text):
        raise KeyMaterialError(
            f'"{domain}" is not a domain name; expected e.g. "example.edu" (no https://)',
            code="key.malformed",
        )
    host, _, path = text.partition("/")
    parts = [urllib.parse.quote(host, safe="")]
    parts += [urllib.parse.quote(p, safe="") for p in path.split("/") if p]
    return DID_WEB_PREFIX + ":".join(parts)


def did_web_url(did: str) -> str:
    """Return the HTTPS URL of the ``did.json`` that a did:web names.

    :raises KeyMaterialError: ``key.malformed`` if *did* is not a did:web.
    """
    base = did.split("#", 1)[0]
    if not is_did_web(base) or len(base) == len(DID_WEB_PREFIX):
        raise KeyMaterialError(f'"{did}" is not a did:web', code="key.malformed")
    segments = [urllib.parse.unquote(s) for s in base[len(DID_WEB_PREFIX):].split(":")]
    host, path = segments[0], segments[1:]
    if not host or any(not p for p in path):
        raise KeyMaterialError(f'"{did}" is not a valid did:web', code="key.malformed")
    if path:
        return f"https://{host}/{'/'.join(path)}/did.json"
    return f"https://{host}/.well-known/did.json"


def did_web_document(did: str, methods: list[JsonObject]) -> JsonObject:
    """Return the DID document to publish at :func:`did_web_url` for *methods*.

    Each method (a Multikey or JsonWebKey document, public part only) is listed for
    ``assertionMethod`` and ``authentication``.
    """
    contexts = [DID_CONTEXT]
    if any(m.get("type") == "Multikey" for m in methods):
        contexts.append(MULTIKEY_CONTEXT)
    if any(m.get("type") == "JsonWebKey" for m in methods):
        contexts.append(JWK_CONTEXT)
    ids = [m["id"] for m in methods]
    return {
        "@context": contexts,
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": ids,
        "authentication": ids,
    }


def did_web_method(key: Key) -> JsonObject:
    """Return *key*'s public verification method for its DID document: a ``Multikey``
    (Ed25519, P-256, P-384) or a ``JsonWebKey`` (RSA), never the secret half."""
    method: JsonObject = {"id": key.id, "controller": key.controller}
    if key.kind == "rsa":
        jwk = key.public_only().to_jwk()
        jwk.pop("kid", None)
        method.update(type="JsonWebKey", publicKeyJwk=jwk)
    else:
        method.update(type="Multikey", publicKeyMultibase=key.public_multibase)
    return method


def did_web_key(key: Key, domain: str) -> tuple[Key, JsonObject]:
    """Return *key* under ``did:web:DOMAIN`` and the DID document to publish for it.

    The verification method is ``did:web:DOMAIN#<fragment>``: the public multibase of an
    Ed25519/P-256/P-384 key, the JWK thumbprint of an RSA key. Publish the document at
    :func:`did_web_url` of the key's controller.

    :raises KeyMaterialError: ``key.malformed`` for a *domain* that is not a domain name.
    """
    from .jwk import jwk_thumbprint

    did = did_web_from_domain(domain)
    fragment = key.public_multibase if key.kind != "rsa" else jwk_thumbprint(key)
    named = key.with_id(f"{did}#{fragment}", did)
    return named, did_web_document(did, [did_web_method(named)])
