"""VP-JWT: a verifiable presentation secured as a compact JWS (VC-JOSE-COSE, ``vp+jwt``).

See: <https://www.w3.org/TR/vc-jose-cose/#securing-vps-with-jose>. The JWS payload is
the presentation itself plus the registered claims ``iss`` (the holder), ``jti`` (the
presentation's id), ``aud`` (the domain), ``nonce`` (the challenge) and ``iat``; the
header carries ``alg``, ``typ: "vp+jwt"`` and ``kid`` (or ``jwk`` for a key whose id is
no URL). The VC Data Model 1.1 form, a ``vp`` claim holding the presentation
(<https://www.w3.org/TR/vc-data-model-1.1/#jwt-encoding>), is read as well.

Verification (:func:`verify_vp_jwt`) checks the signature and the times as for a
VC-JWT (:func:`edc_issue.proofs.vc_jwt.verify_jwt`), then ``nonce`` and ``aud`` against
the challenge and domain expected; what is presented is checked by the caller.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from .._b64 import b64url_encode
from .._types import JsonObject, Signer
from ..errors import KeyMaterialError
from ..keys.key import Key
from ..keys.signing import signer_id, signer_kind, signer_sign
from ..results import Check
from .resolver import VerificationMethodResolver
from .vc_jwt import _HEADER_ALG, JwtVerification, verify_jwt
from .verify import issuer_id

__all__ = ["VP_JWT_TYPES", "presentation_of_payload", "sign_vp_jwt", "verify_vp_jwt"]

#: Header ``typ`` values that name a presentation.
VP_JWT_TYPES = frozenset({"vp+jwt", "vp-ld+jwt", "application/vp+jwt"})
#: Claims that sit beside the presentation in a VP-JWT payload.
_VP_CLAIMS = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "nonce"})


def sign_vp_jwt(presentation: JsonObject, signer: Signer, *, challenge: str,
                domain: str | None = None, now: datetime | None = None) -> str:
    """Return *presentation* as a compact VP-JWT signed by *signer*.

    :param challenge: the ``nonce`` claim.
    :param domain: the ``aud`` claim.
    :param now: the ``iat`` claim (default: the system clock).
    :raises KeyMaterialError: ``key.no_secret``, ``key.malformed`` or ``key.unsupported``.
    :raises SignerError: ``signer.failed`` when a signer backend fails.
    """
    signer_kind(signer)
    header: dict[str, Any] = {"alg": _HEADER_ALG.get(signer.algorithm, signer.algorithm),
                              "typ": "vp+jwt"}
    key_id = signer.id
    if isinstance(signer, Key) and (not key_id or ":" not in key_id):
        public = signer.public_only().to_jwk()
        public.pop("kid", None)
        header["jwk"] = public
    elif not key_id:
        raise KeyMaterialError("the signer has no verification-method id for kid",
                               code="key.malformed")
    else:
        header["kid"] = signer_id(signer)
    claims: JsonObject = {k: v for k, v in presentation.items() if k != "proof"}
    when = now or datetime.now(timezone.utc)
    registered: dict[str, Any] = {
        "iss": issuer_id(presentation),
        "jti": presentation.get("id") if isinstance(presentation.get("id"), str) else None,
        "aud": domain,
        "nonce": challenge,
        "iat": int(when.timestamp()),
    }
    claims.update({k: v for k, v in registered.items() if v is not None})
    payload = json.dumps(claims, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    signing_input = (b64url_encode(json.dumps(header, separators=(",", ":")).encode("ascii"))
                     + "." + b64url_encode(payload))
    return f"{signing_input}.{b64url_encode(signer_sign(signer, signing_input.encode()))}"


def presentation_of_payload(payload: Mapping[str, Any]) -> JsonObject:
    """The presentation a VP-JWT payload carries: its ``vp`` claim (VC Data Model 1.1), or
    the payload without the registered claims (VC-JOSE-COSE)."""
    vp = payload.get("vp")
    if isinstance(vp, dict):
        return dict(vp)
    return {k: v for k, v in payload.items() if k not in _VP_CLAIMS}


def verify_vp_jwt(token: str, *, resolver: VerificationMethodResolver, now: datetime,
                  challenge: str | None, domain: str | None) -> JwtVerification:
    """Check a VP-JWT's signature, times, ``nonce`` (the *challenge*) and ``aud`` (the
    *domain*). Never raises because the token is bad: each problem is a failed check.

    A challenge that was not given cannot be checked: that is a failed check
    (``proof.challenge_required``), since a presentation without one can be replayed.
    """
    out = verify_jwt(token.strip(), resolver=resolver, now=now)
    payload = out.payload
    if payload is None:
        return out
    nonce = payload.get("nonce")
    if challenge is None:
        out.checks.append(Check("jwt.challenge", False,
                                "no challenge was expected (challenge=...), so replay of this "
                                "presentation is not prevented", path="nonce",
                                code="proof.challenge_required"))
    elif nonce != challenge:
        out.checks.append(Check("jwt.challenge", False,
                                "the presentation's nonce does not match the challenge",
                                path="nonce", code="proof.challenge_mismatch"))
    else:
        out.checks.append(Check("jwt.challenge", True, "the nonce is the challenge",
                                path="nonce"))
    if domain is not None:
        aud = payload.get("aud")
        audiences = aud if isinstance(aud, list) else [aud]
        if domain in audiences:
            out.checks.append(Check("jwt.domain", True, f'aud names "{domain}"', path="aud"))
        else:
            out.checks.append(Check("jwt.domain", False,
                                    f'the presentation\'s aud {aud!r} is not "{domain}"',
                                    path="aud", code="proof.domain_mismatch"))
    return out
