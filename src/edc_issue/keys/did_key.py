"""did:key for Ed25519, P-256 and P-384 keys: identifiers, resolution (offline), DID documents.

See: <https://w3c-ccg.github.io/did-key-spec/>. A did:key is ``did:key:`` followed by the
key's ``publicKeyMultibase``; its one verification method is ``did:key:z...#z...``.
"""

from __future__ import annotations

from functools import lru_cache

from .._types import JsonObject
from ..errors import KeyMaterialError
from .multikey import (
    MULTIKEY_CONTEXT,
    MultikeyKind,
    PublicKey,
    decode_public_multibase,
    encode_public_multibase,
)

__all__ = [
    "DID_CONTEXT",
    "DID_KEY_PREFIX",
    "did_key_document",
    "did_key_from_public",
    "is_did_key",
    "public_key_from_did_key",
    "split_did_url",
]

DID_KEY_PREFIX = "did:key:"
DID_CONTEXT = "https://www.w3.org/ns/did/v1"


def is_did_key(value: str) -> bool:
    """Return True if *value* is a did:key identifier or DID URL."""
    return isinstance(value, str) and value.startswith(DID_KEY_PREFIX)


def split_did_url(url: str) -> tuple[str, str | None]:
    """Split a DID URL (or any URL) into the part before ``#`` and the fragment (or None)."""
    base, sep, fragment = url.partition("#")
    return base, (fragment if sep else None)


def did_key_from_public(key: PublicKey) -> str:
    """Return the did:key of *key*."""
    return DID_KEY_PREFIX + encode_public_multibase(key)


def public_key_from_did_key(did_url: str) -> tuple[MultikeyKind, PublicKey, str]:
    """Decode the key of a did:key or did:key DID URL, offline.

    :returns: the key type, the public key, and the verification-method id
        (``did:key:z...#z...``).
    :raises KeyMaterialError: ``key.malformed`` if the identifier is not a did:key,
        its key does not decode, or its fragment names another key.
    """
    base, fragment = split_did_url(did_url)
    if not is_did_key(base):
        raise KeyMaterialError(f'"{did_url}" is not a did:key', code="key.malformed")
    multibase = base[len(DID_KEY_PREFIX):]
    kind, public = _decode(multibase)
    if fragment not in (None, "", multibase):
        raise KeyMaterialError(
            f'did:key fragment "#{fragment}" does not name the key "{multibase}"',
            code="key.malformed",
        )
    return kind, public, f"{base}#{multibase}"


@lru_cache(maxsize=1024)
def _decode(multibase: str) -> tuple[MultikeyKind, PublicKey]:
    """Decode a did:key's key once per process (key objects are immutable; errors are
    not cached)."""
    return decode_public_multibase(multibase)


@lru_cache(maxsize=1024)
def _reencoded(multibase: str) -> str:
    """The key of a did:key, decoded and encoded again (as the DID document writes it)."""
    return encode_public_multibase(_decode(multibase)[1])


def did_key_document(did: str) -> JsonObject:
    """Return the DID document of a did:key (one Multikey method for every relationship)."""
    _, _public, vm_id = public_key_from_did_key(did)
    base = split_did_url(did)[0]
    method = {
        "id": vm_id,
        "type": "Multikey",
        "controller": base,
        "publicKeyMultibase": _reencoded(base[len(DID_KEY_PREFIX):]),
    }
    return {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": base,
        "verificationMethod": [method],
        "authentication": [vm_id],
        "assertionMethod": [vm_id],
        "capabilityDelegation": [vm_id],
        "capabilityInvocation": [vm_id],
    }
