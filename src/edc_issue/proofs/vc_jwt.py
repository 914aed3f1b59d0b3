"""VC-JWT, the Open Badges 3.0 "JWT proof format": a compact JWS over the credential.

See: <https://www.imsglobal.org/spec/ob/v3p0#jwt-proof-format>. The JWS payload is the
credential itself plus the registered claims ``iss`` (issuer id), ``jti`` (credential
id), ``sub`` (subject id), ``nbf`` (``validFrom``) and ``exp`` (``validUntil``); the
header carries ``alg``, ``typ: "JWT"`` and ``kid`` or ``jwk``. JOSE is done by joserfc.
"""

from __future__ import annotations

import base64
import binascii
import json
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.errors import SecurityWarning as JoseSecurityWarning

from .._b64 import b64url_encode
from .._dates import parse_datetime
from .._types import JsonObject, Signer
from .._validity import jwt_time_checks
from ..errors import EdcIssueError, KeyMaterialError, ProofFormatError
from ..keys.jwk import joserfc_key, key_from_jwk
from ..keys.key import Key
from ..keys.signing import signer_id, signer_kind, signer_sign
from ..results import Check
from .resolver import ResolvedMethod, VerificationMethodResolver
from .verify import issuer_id

__all__ = ["ALGORITHMS", "JwtVerification", "sign_jwt", "verify_jwt"]

#: The JWS algorithm used for each key type.
ALGORITHMS = {"ed25519": "EdDSA", "p256": "ES256", "p384": "ES384", "rsa": "RS256"}
#: The header ``alg`` written for a signer's algorithm: ``EdDSA`` for ``Ed25519``, which
#: deployed Open Badges verifiers expect (RFC 9864 deprecates it; joserfc accepts both).
_HEADER_ALG = {"Ed25519": "EdDSA"}
#: The algorithms accepted when verifying (``none`` and HMAC never are).
_ACCEPTED = {"EdDSA": "ed25519", "Ed25519": "ed25519", "ES256": "p256", "ES384": "p384",
             "RS256": "rsa", "RS384": "rsa", "RS512": "rsa", "PS256": "rsa"}


class _Registry(jws.JWSRegistry):
    # joserfc caps the header at 512 bytes; an RSA key in the jwk header (as in the
    # Open Badges 3.0 examples) is larger, and credentials can be large too.
    max_header_length = 8 * 1024
    max_payload_length = 8 * 1024 * 1024



@contextmanager
def _allow_eddsa(alg: str) -> Iterator[None]:
    # "EdDSA" is what Open Badges 3.0 and deployed verifiers know; joserfc warns that
    # RFC 9864 deprecates it in favour of "Ed25519". We keep the interoperable name.
    with warnings.catch_warnings():
        if alg == "EdDSA":
            warnings.simplefilter("ignore", JoseSecurityWarning)
        yield


def _numeric_date(value: Any) -> int | None:
    when = parse_datetime(value)
    return None if when is None else int(when.timestamp())


def _subject_id(document: JsonObject) -> str | None:
    subject = document.get("credentialSubject")
    if isinstance(subject, list) and subject:
        subject = subject[0]
    value = subject.get("id") if isinstance(subject, dict) else None
    return value if isinstance(value, str) else None


def sign_jwt(credential: JsonObject, signer: Signer, *, embed_jwk: bool = False) -> str:
    """Return *credential* as a compact VC-JWT signed by *signer*.

    :param signer: a :class:`~edc_issue.Key` or any :class:`~edc_issue.Signer`; its
        ``algorithm`` is the header's ``alg`` (``Ed25519`` is written ``EdDSA``, the name
        Open Badges 3.0 verifiers know) and its ``id`` the ``kid``.
    :param embed_jwk: put the public key in the ``jwk`` header instead of ``kid`` (always
        done for a key whose id is not a DID URL or URL, e.g. an RSA key's thumbprint;
        possible only for a :class:`~edc_issue.Key`, whose public half is known).
    :raises KeyMaterialError: ``key.no_secret``, ``key.malformed`` (no kid) or
        ``key.unsupported`` (an algorithm JWS does not know).
    :raises SignerError: ``signer.failed`` when a signer backend fails.
    """
    signer_kind(signer)  # refuses an algorithm that is not supported
    alg = signer.algorithm
    header: dict[str, Any] = {"alg": _HEADER_ALG.get(alg, alg), "typ": "JWT"}
    key_id = signer.id
    if isinstance(signer, Key) and (embed_jwk or not key_id or ":" not in key_id):
        # a bare thumbprint cannot be resolved: carry the public key itself
        public = signer.public_only().to_jwk()
        public.pop("kid", None)
        header["jwk"] = public
    elif embed_jwk:
        raise KeyMaterialError("only a Key can embed its public JWK; this signer is named by "
                               "its id (kid)", code="key.unsupported")
    else:
        header["kid"] = signer_id(signer)
    claims: JsonObject = {k: v for k, v in credential.items() if k != "proof"}
    registered = {
        "iss": issuer_id(credential),
        "jti": credential.get("id") if isinstance(credential.get("id"), str) else None,
        "sub": _subject_id(credential),
        "nbf": _numeric_date(credential.get("validFrom", credential.get("issuanceDate"))),
        "exp": _numeric_date(credential.get("validUntil", credential.get("expirationDate"))),
    }
    claims.update({k: v for k, v in registered.items() if v is not None})
    payload = json.dumps(claims, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    # RFC 7515 §7.1: BASE64URL(header) '.' BASE64URL(payload) '.' BASE64URL(signature),
    # the header written as joserfc writes it; joserfc checks it when verifying
    signing_input = (b64url_encode(json.dumps(header, separators=(",", ":")).encode("ascii"))
                     + "." + b64url_encode(payload))
    signature = signer_sign(signer, signing_input.encode("ascii"))
    return f"{signing_input}.{b64url_encode(signature)}"


@dataclass
class JwtVerification:
    """What :func:`verify_jwt` found: its checks, the payload and the key's source."""

    checks: list[Check] = field(default_factory=list)
    payload: JsonObject | None = None
    resolved: ResolvedMethod | None = None


def _b64_json(part: str, what: str) -> Any:
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        return json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise ProofFormatError(f"the JWT {what} is not base64url JSON",
                               code="proof.malformed") from exc


def verify_jwt(token: str, *, resolver: VerificationMethodResolver, now: datetime
               ) -> JwtVerification:
    """Check a compact VC-JWT: header, key, signature and registered claims.

    The key comes from ``kid`` (resolved like a Data Integrity verification method) or
    from the ``jwk`` header (then its binding to the issuer is unconfirmed).
    Never raises because the JWT is bad: each problem is a failed check.
    """
    out = JwtVerification()
    parts = token.split(".")
    try:
        if len(parts) != 3:
            raise ProofFormatError("a compact JWS has three parts", code="proof.malformed")
        header = _b64_json(parts[0], "header")
        payload = _b64_json(parts[1], "payload")
        if not isinstance(header, dict) or not isinstance(payload, dict):
            raise ProofFormatError("the JWT header and payload must be JSON objects",
                                   code="proof.malformed")
    except EdcIssueError as exc:
        out.checks.append(Check("jwt.signature", False, exc.message, code=exc.code))
        return out
    out.payload = payload
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in _ACCEPTED:
        out.checks.append(Check("jwt.signature", False,
                                f'JWS algorithm {alg!r} is not accepted; expected one of '
                                f'{", ".join(sorted(_ACCEPTED))}', path="header.alg",
                                code="proof.algorithm_mismatch"))
        return out
    try:
        if isinstance(header.get("jwk"), dict):
            jwk = header["jwk"]
            if any(k in jwk for k in ("d", "p", "q")):
                raise KeyMaterialError("the jwk header holds a private key",
                                       code="key.malformed")
            key = key_from_jwk(jwk).public_only()
            out.resolved = ResolvedMethod(key, None, None, "embedded")
        elif isinstance(header.get("kid"), str):
            out.resolved = resolver.resolve(header["kid"])
            key = out.resolved.key
        else:
            raise KeyMaterialError("the JWT header has neither kid nor jwk",
                                   pointer="header", code="key.unresolved")
    except EdcIssueError as exc:
        out.checks.append(Check("jwt.signature", False, str(exc), path="header",
                                code=exc.code))
        return out
    if _ACCEPTED[alg] != key.kind:
        out.checks.append(Check("jwt.signature", False,
                                f'alg "{alg}" does not fit the {key.kind} key',
                                path="header.alg", code="proof.algorithm_mismatch"))
        return out
    try:
        with _allow_eddsa(alg):
            jws.deserialize_compact(token, joserfc_key(key, include_secret=False),
                                    registry=_Registry(algorithms=[alg]))
        out.checks.append(Check("jwt.signature", True, f"{alg} signature verifies"))
    except JoseError as exc:
        out.checks.append(Check("jwt.signature", False,
                                f"{alg} signature does not verify ({exc.error})",
                                code="proof.bad_signature"))
    out.checks += _claim_checks(payload, now)
    return out


def _claim_checks(payload: JsonObject, now: datetime) -> list[Check]:
    checks: list[Check] = []
    expected = {"iss": issuer_id(payload), "jti": payload.get("id"),
                "sub": _subject_id(payload)}
    for claim, value in expected.items():
        if claim in payload and value is not None and payload[claim] != value:
            checks.append(Check(f"jwt.{claim}", False,
                                f"claim {claim} is {payload[claim]!r} but the credential says "
                                f"{value!r}", path=claim, code="jwt.claim_mismatch"))
    return checks + jwt_time_checks(payload, now)
