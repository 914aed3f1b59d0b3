"""The wallet's proof of possession: a JWT of type ``openid4vci-proof+jwt``.

See: OpenID4VCI 1.0 §8.2.1.1 and Appendix F.1
<https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0.html#name-jwt-proof-type>.

The header names the holder's key in exactly one way: ``jwk`` (a public JWK) or ``kid``
(a DID URL: did:key or did:jwk, resolved offline). The payload's ``aud`` is the Credential
Issuer Identifier, ``iat`` is recent, and ``nonce`` a ``c_nonce`` from the Nonce Endpoint,
spent by this proof. Each refusal is an :class:`OID4VCIError` with the code the
specification names: ``invalid_proof``, or ``invalid_nonce`` for a nonce that is unknown,
spent or expired (the wallet then asks for a new one).
"""

from __future__ import annotations

import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .._types import JsonObject
from ..errors import EdcIssueError
from ..keys.did_key import is_did_key, public_key_from_did_key
from ..keys.jwk import key_from_jwk
from ..keys.key import Key
from ..proofs.sd_jwt import SdJwtError, b64url_decode, b64url_encode, decode_jws, verify_jws
from .errors import OID4VCIError
from .stores import NonceStore

__all__ = ["PROOF_TYP", "HolderKey", "did_jwk", "holder_key_from_kid", "validate_proof_jwt"]

#: The ``typ`` of a key proof JWT.
PROOF_TYP = "openid4vci-proof+jwt"
#: The proof algorithms accepted (asymmetric only; ``none`` and MACs never).
PROOF_ALGORITHMS = ("ES256", "ES384", "EdDSA", "Ed25519", "RS256", "PS256")


@dataclass(frozen=True)
class HolderKey:
    """The key a wallet proved it holds.

    :param key: the public key.
    :param did: the holder's DID: the ``kid``'s, or the did:jwk of a ``jwk`` header.
    :param jwk: the public JWK (for ``cnf`` in an SD-JWT VC).
    """

    key: Key
    did: str
    jwk: JsonObject


def did_jwk(jwk: JsonObject) -> str:
    """Return the did:jwk of a public JWK (``did:jwk:`` + base64url of its JSON)."""
    public = {k: v for k, v in jwk.items() if k not in ("d", "p", "q", "dp", "dq", "qi", "kid")}
    return "did:jwk:" + b64url_encode(json.dumps(public, separators=(",", ":"),
                                        sort_keys=True).encode("utf-8"))


def _refuse(message: str, pointer: str | None = None) -> OID4VCIError:
    return OID4VCIError(message, code="oid4vci.invalid_proof", pointer=pointer)


def _public_jwk(key: Key) -> JsonObject:
    jwk = key.public_only().to_jwk()
    jwk.pop("kid", None)
    return jwk


def holder_key_from_kid(kid: str) -> HolderKey:
    """Resolve a did:key or did:jwk DID URL, offline.

    :raises OID4VCIError: ``oid4vci.invalid_proof`` for any other kid.
    """
    base = kid.split("#", 1)[0]
    try:
        if is_did_key(base):
            kind, public, vm_id = public_key_from_did_key(kid)
            key = Key(kind, public=public, id=vm_id, controller=base)
            return HolderKey(key, base, _public_jwk(key))
        if base.startswith("did:jwk:"):
            fragment = kid.partition("#")[2]
            if fragment not in ("", "0"):
                raise _refuse(f"a did:jwk has one key, #0; the kid names #{fragment}",
                              "header.kid")
            jwk = json.loads(b64url_decode(base[len("did:jwk:"):]))
            if not isinstance(jwk, dict) or any(k in jwk for k in ("d", "p", "q")):
                raise _refuse("the did:jwk is not a public JWK", "header.kid")
            key = key_from_jwk(jwk, id=f"{base}#0", controller=base).public_only()
            return HolderKey(key, base, _public_jwk(key))
    except (binascii.Error, ValueError) as exc:
        raise _refuse("the did:jwk does not decode", "header.kid") from exc
    except EdcIssueError as exc:
        if isinstance(exc, OID4VCIError):
            raise
        raise _refuse(f"the kid's key does not decode: {exc.message}", "header.kid") from exc
    raise _refuse(f"the kid {kid!r} is not a did:key or did:jwk DID URL; send the key as "
                  "jwk instead", "header.kid")


def _holder(header: JsonObject) -> HolderKey:
    named = [k for k in ("jwk", "kid", "x5c") if k in header]
    if len(named) != 1:
        raise _refuse("the proof header names its key exactly once: jwk or kid "
                      f"(found {', '.join(named) or 'neither'})", "header")
    if named[0] == "x5c":
        raise _refuse("x5c key proofs are not accepted; send jwk or a DID URL kid",
                      "header.x5c")
    if named[0] == "kid":
        if not isinstance(header["kid"], str):
            raise _refuse("kid must be a string", "header.kid")
        return holder_key_from_kid(header["kid"])
    jwk = header["jwk"]
    if not isinstance(jwk, dict):
        raise _refuse("jwk must be a JSON object", "header.jwk")
    if any(k in jwk for k in ("d", "p", "q", "k")):
        raise _refuse("the jwk header holds private key material", "header.jwk")
    try:
        key = key_from_jwk(jwk).public_only()
    except EdcIssueError as exc:
        raise _refuse(f"the jwk header: {exc.message}", "header.jwk") from exc
    public = _public_jwk(key)
    did = did_jwk(public)
    return HolderKey(key.with_id(f"{did}#0", did), did, public)


def validate_proof_jwt(
    token: Any,
    *,
    audience: str,
    nonces: NonceStore,
    now: datetime,
    max_age: int = 300,
    leeway: int = 60,
) -> HolderKey:
    """Check one ``openid4vci-proof+jwt`` and spend its nonce; return the holder's key.

    The nonce is spent only once everything else checks, so a forged proof cannot use
    up a wallet's nonce.

    :param audience: the Credential Issuer Identifier (the proof's ``aud``).
    :param max_age: seconds ``iat`` may lie in the past; :param leeway: clock skew.
    :raises OID4VCIError: ``oid4vci.invalid_proof`` (typ, alg, key, signature, aud, iat,
        no nonce) or ``oid4vci.invalid_nonce`` (a nonce not issued, spent or expired).
    """
    if not isinstance(token, str):
        raise _refuse("a jwt proof is a compact JWS string", "proofs.jwt")
    try:
        header, payload = decode_jws(token)
    except SdJwtError as exc:
        raise _refuse(exc.message, "proofs.jwt") from exc
    if header.get("typ") != PROOF_TYP:
        raise _refuse(f'the proof typ is {header.get("typ")!r}; expected "{PROOF_TYP}"',
                      "header.typ")
    alg = header.get("alg")
    if alg not in PROOF_ALGORITHMS:
        raise _refuse(f"the proof alg {alg!r} is not accepted; use one of "
                      f"{', '.join(PROOF_ALGORITHMS)}", "header.alg")
    holder = _holder(header)
    problem = verify_jws(token, holder.key, algorithms=[str(alg)])
    if problem:
        raise _refuse(f"the proof is not signed by the key it names: {problem}", "signature")
    aud = payload.get("aud")
    if aud != audience and not (isinstance(aud, list) and audience in aud):
        raise _refuse(f"the proof's aud is {aud!r}; expected the credential issuer "
                      f"{audience!r}", "payload.aud")
    iat = payload.get("iat")
    stamp = now.timestamp()
    if not isinstance(iat, (int, float)) or isinstance(iat, bool):
        raise _refuse("the proof has no iat", "payload.iat")
    if iat > stamp + leeway:
        raise _refuse("the proof's iat lies in the future", "payload.iat")
    if iat < stamp - max_age:
        raise _refuse(f"the proof's iat is more than {max_age} seconds old", "payload.iat")
    nonce = payload.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise _refuse("the proof has no nonce; get a c_nonce from the nonce endpoint",
                      "payload.nonce")
    if not nonces.consume(nonce, now):
        raise OID4VCIError("the proof's nonce was not issued here, is spent or has expired; "
                           "get a new c_nonce", code="oid4vci.invalid_nonce",
                           pointer="payload.nonce")
    return holder
