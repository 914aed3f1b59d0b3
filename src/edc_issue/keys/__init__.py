"""Keys: Ed25519, P-256, P-384 (Multikey, did:key, did:web) and RSA (JWK), loading and generation.

::

    from edc_issue.keys import generate_key, load_key
    key = generate_key("ed25519")         # did:key verification method by default
    key = load_key("issuer-key.json")      # Multikey document, vector key file, JWK or PEM
"""

from __future__ import annotations

from .did_key import did_key_document, did_key_from_public, is_did_key, public_key_from_did_key
from .did_web import (
    did_web_document,
    did_web_from_domain,
    did_web_key,
    did_web_method,
    did_web_url,
    is_did_web,
)
from .jwk import jwk_thumbprint, key_from_jwk, key_to_jwk
from .key import KEY_KINDS, Key, KeyKind, generate_key
from .loading import load_key
from .multikey import decode_public_multibase, encode_public_multibase
from .pem import key_from_pem

__all__ = [
    "KEY_KINDS",
    "Key",
    "KeyKind",
    "decode_public_multibase",
    "did_key_document",
    "did_key_from_public",
    "did_web_document",
    "did_web_from_domain",
    "did_web_key",
    "did_web_method",
    "did_web_url",
    "encode_public_multibase",
    "generate_key",
    "is_did_key",
    "is_did_web",
    "jwk_thumbprint",
    "key_from_jwk",
    "key_from_pem",
    "key_to_jwk",
    "load_key",
    "public_key_from_did_key",
]
