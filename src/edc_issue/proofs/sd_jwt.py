"""SD-JWT VC: selectively disclosable JWTs (RFC 9901) in the credential format of
SD-JWT-based Verifiable Credentials (IETF draft-ietf-oauth-sd-jwt-vc), with key binding.

See: <https://www.rfc-editor.org/rfc/rfc9901>,
<https://datatracker.ietf.org/doc/draft-ietf-oauth-sd-jwt-vc/>.

An SD-JWT is ``<issuer-signed JWT>~<disclosure>~...~<KB-JWT>`` (the KB-JWT part is empty
without key binding). Each selectively disclosable claim becomes a *disclosure*, the
base64url of ``[salt, name, value]`` (``[salt, value]`` for an array element), and the
JWT carries only the digest of each disclosure, in an ``_sd`` array (``{"...": digest}``
in arrays). The holder shows some disclosures and leaves out others; a verifier recomputes
each digest and finds it in the signed payload.

:func:`issue_sd_jwt` signs through any :class:`~edc_issue.Signer` (the JWS is built by
hand and checked with joserfc); :func:`verify_sd_jwt` never raises because an SD-JWT is
bad: every problem is a failed :class:`~edc_issue.results.Check` with an ``sdjwt.*`` code.
:func:`present_sd_jwt` is the holder's side: pick disclosures, add a KB-JWT.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, ClassVar

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.errors import SecurityWarning as JoseSecurityWarning

from .._types import JsonObject, Signer
from ..errors import EdcIssueError, InputError
from ..keys.jwk import joserfc_key, key_from_jwk
from ..keys.key import Key
from ..results import Check
from .resolver import VerificationMethodResolver

__all__ = [
    "ALWAYS_VISIBLE",
    "KB_JWT_TYP",
    "NEVER_DISCLOSABLE",
    "SD_JWT_VC_TYP",
    "SdJwtError",
    "SdJwtVerification",
    "b64url_decode",
    "b64url_encode",
    "decode_jws",
    "is_sd_jwt",
    "issue_sd_jwt",
    "jws_algorithm",
    "present_sd_jwt",
    "sign_jws",
    "verify_jws",
    "verify_sd_jwt",
]

#: The ``typ`` of an SD-JWT VC (SD-JWT VC draft §3.2.1); ``vc+sd-jwt`` (before draft 06)
#: is accepted when verifying.
SD_JWT_VC_TYP = "dc+sd-jwt"
_ACCEPTED_TYPS = (SD_JWT_VC_TYP, "vc+sd-jwt")
#: The ``typ`` of a key-binding JWT (RFC 9901 §4.3).
KB_JWT_TYP = "kb+jwt"
#: Claims an SD-JWT VC never discloses selectively (SD-JWT VC draft §3.2.2.2).
NEVER_DISCLOSABLE = frozenset({"iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status"})
#: Claims :func:`issue_sd_jwt` leaves in the clear by default: the above plus ``iat``
#: and ``jti`` (as the EUDI reference issuer does).
ALWAYS_VISIBLE = NEVER_DISCLOSABLE | {"iat", "jti"}

_HASHES: dict[str, Callable[[bytes], Any]] = {
    "sha-256": hashlib.sha256, "sha-384": hashlib.sha384, "sha-512": hashlib.sha512,
}
#: JWS ``alg`` for each key type, and for each signer algorithm (RFC 7518, RFC 9864).
_KEY_ALG = {"ed25519": "EdDSA", "p256": "ES256", "p384": "ES384", "rsa": "RS256"}
_SIGNER_ALG = {"Ed25519": "EdDSA"}
#: The algorithms accepted when verifying, with the key type each needs (never none/HMAC).
_ACCEPTED_ALGS = {"EdDSA": "ed25519", "Ed25519": "ed25519", "ES256": "p256", "ES384": "p384",
                  "RS256": "rsa", "PS256": "rsa"}
_MAX_TOKEN = 4 * 1024 * 1024


class SdJwtError(InputError):
    """An SD-JWT cannot be made or read: bad claims, a disclosure frame naming a claim
    that must stay visible, a token that is not an SD-JWT at all."""

    code: ClassVar[str] = "sdjwt.malformed"
    codes: ClassVar[frozenset[str]] = frozenset({
        "sdjwt.malformed", "sdjwt.not_disclosable", "sdjwt.unsupported_sd_alg",
        "sdjwt.bad_claims",
    })


# ---- JOSE helpers (compact JWS through a Signer; checked with joserfc) ------------------


def b64url_encode(data: bytes) -> str:
    """base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode base64url without padding; padding or other characters are an error."""
    if not isinstance(text, str) or "=" in text:
        raise binascii.Error("not base64url without padding")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def jws_algorithm(signer: Signer | Key) -> str:
    """Return the JWS ``alg`` a signer's signatures are: ``EdDSA``, ``ES256``, ``ES384``,
    ``RS256`` or ``PS256``.

    :raises SdJwtError: ``sdjwt.malformed`` for an algorithm JWS does not name here.
    """
    if isinstance(signer, Key):
        return _KEY_ALG[signer.kind]
    algorithm = getattr(signer, "algorithm", None)
    alg = _SIGNER_ALG.get(str(algorithm), algorithm)
    if alg not in _ACCEPTED_ALGS:
        raise SdJwtError(f"the signer's algorithm {algorithm!r} has no JWS name here; "
                         f"expected one of Ed25519, ES256, ES384, RS256, PS256")
    return str(alg)


def sign_jws(header: JsonObject, payload: JsonObject, signer: Signer | Key) -> str:
    """Return the compact JWS of *payload* under *header* (``alg`` is set from the signer).

    RFC 7515 §7.1: ``BASE64URL(header) '.' BASE64URL(payload) '.' BASE64URL(signature)``.
    The signer returns JOSE signatures already (raw ``r || s`` for ECDSA).
    """
    protected = {"alg": jws_algorithm(signer), **{k: v for k, v in header.items()
                                                 if k != "alg"}}
    signing_input = b64url_encode(_json(protected)) + "." + b64url_encode(_json(payload))
    signature = signer.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url_encode(signature)}"


def decode_jws(token: str) -> tuple[JsonObject, JsonObject]:
    """Return the header and payload of a compact JWS, unverified.

    :raises SdJwtError: ``sdjwt.malformed`` if it is not three base64url parts with JSON
        objects for header and payload.
    """
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3:
        raise SdJwtError("a compact JWS has three parts separated by '.'")
    try:
        header = json.loads(b64url_decode(parts[0]))
        payload = json.loads(b64url_decode(parts[1]))
    except (binascii.Error, ValueError) as exc:
        raise SdJwtError("the JWS header or payload is not base64url JSON") from exc
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise SdJwtError("the JWS header and payload must be JSON objects")
    return header, payload


class _Registry(jws.JWSRegistry):
    max_header_length = 16 * 1024  # an x5c chain or a jwk header is larger than 512 bytes
    max_payload_length = _MAX_TOKEN


@contextmanager
def _quiet_eddsa(alg: str) -> Iterator[None]:
    # joserfc warns that RFC 9864 deprecates "EdDSA"; wallets and their libraries use it
    with warnings.catch_warnings():
        if alg == "EdDSA":
            warnings.simplefilter("ignore", JoseSecurityWarning)
        yield


def verify_jws(token: str, key: Key, *, algorithms: Iterable[str] | None = None) -> str | None:
    """Check a compact JWS's signature with *key*; return None if it verifies, else why.

    :param algorithms: the ``alg`` values accepted (default: those that fit *key*).
    """
    try:
        header, _ = decode_jws(token)
    except SdJwtError as exc:
        return exc.message
    alg = header.get("alg")
    allowed = set(algorithms) if algorithms is not None else set(_ACCEPTED_ALGS)
    if alg not in allowed or alg not in _ACCEPTED_ALGS:
        return f"the JWS algorithm {alg!r} is not accepted"
    if _ACCEPTED_ALGS[alg] != key.kind:
        return f'alg "{alg}" does not fit the {key.kind} key'
    try:
        with _quiet_eddsa(alg):
            jws.deserialize_compact(token, joserfc_key(key, include_secret=False),
                                    registry=_Registry(algorithms=[alg]))
    except JoseError as exc:
        return f"the {alg} signature does not verify ({exc.error})"
    return None


# ---- issuing ------------------------------------------------------------------------


def _salt() -> str:
    return b64url_encode(secrets.token_bytes(16))  # 128 bits (RFC 9901 §9.3)


@dataclass
class _Builder:
    hash_name: str
    salt: Callable[[], str]
    disclosures: list[str] = field(default_factory=list)

    def digest(self, disclosure: str) -> str:
        return b64url_encode(_HASHES[self.hash_name](disclosure.encode("ascii")).digest())

    def disclose(self, parts: list[Any]) -> str:
        disclosure = b64url_encode(_json(parts))
        self.disclosures.append(disclosure)
        return self.digest(disclosure)

    def value(self, value: Any, nested: bool) -> Any:
        """Return *value* with its members (objects) or elements (arrays) disclosable."""
        if not nested:
            return value
        if isinstance(value, Mapping):
            return self.object(value, set(value), nested)
        if isinstance(value, list):
            return [{"...": self.disclose([self.salt(), self.value(v, nested)])}
                    for v in value]
        return value

    def object(self, claims: Mapping[str, Any], disclosable: set[str], nested: bool
               ) -> JsonObject:
        out: JsonObject = {}
        digests: list[str] = []
        for name, value in claims.items():
            if name in disclosable:
                digests.append(self.disclose([self.salt(), name, self.value(value, nested)]))
            else:
                out[name] = value
        if digests:
            out["_sd"] = sorted(digests)  # sorted: the order says nothing (RFC 9901 §4.2.4.1)
        return out


def issue_sd_jwt(
    claims: JsonObject,
    signer: Signer | Key,
    *,
    disclosable: Iterable[str] | None = None,
    nested: bool = True,
    holder_jwk: JsonObject | None = None,
    typ: str = SD_JWT_VC_TYP,
    hash_alg: str = "sha-256",
    header: JsonObject | None = None,
    salt: Callable[[], str] | None = None,
) -> str:
    """Return *claims* as an SD-JWT (an SD-JWT VC when they carry ``vct``) signed by *signer*.

    See: <https://www.rfc-editor.org/rfc/rfc9901#section-4>.

    :param claims: the JWT claims: ``vct``, ``iss``, ``iat``, ``exp`` ... and the subject's.
    :param disclosable: the top-level claims to make selectively disclosable; default
        every claim except :data:`ALWAYS_VISIBLE`. Naming one of
        :data:`NEVER_DISCLOSABLE` is an error.
    :param nested: inside a disclosable claim, make each member of an object and each
        element of an array disclosable too (recursive disclosures).
    :param holder_jwk: the holder's public JWK, bound as ``cnf.jwk`` (key binding).
    :param header: more JWS header parameters (``kid`` by default from the signer's id;
        ``x5c``).
    :param salt: returns a fresh salt per disclosure (tests pass a fixed sequence).
    :raises SdJwtError: ``sdjwt.not_disclosable``, ``sdjwt.unsupported_sd_alg``,
        ``sdjwt.bad_claims``.
    """
    if not isinstance(claims, Mapping):
        raise SdJwtError("the claims must be a JSON object", code="sdjwt.bad_claims")
    if hash_alg not in _HASHES:
        raise SdJwtError(f"_sd_alg {hash_alg!r} is not supported; use one of "
                         f"{', '.join(_HASHES)}", code="sdjwt.unsupported_sd_alg")
    for reserved in ("_sd", "_sd_alg", "..."):
        if reserved in claims:
            raise SdJwtError(f'the claim name "{reserved}" is reserved by SD-JWT',
                             pointer=reserved, code="sdjwt.bad_claims")
    payload = dict(claims)
    if holder_jwk is not None:
        if any(k in holder_jwk for k in ("d", "p", "q", "k")):
            raise SdJwtError("the holder JWK holds private key material", pointer="cnf.jwk",
                             code="sdjwt.bad_claims")
        payload["cnf"] = {"jwk": dict(holder_jwk)}
    names = set(payload) - ALWAYS_VISIBLE if disclosable is None else set(disclosable)
    refused = sorted(names & NEVER_DISCLOSABLE)
    if refused:
        raise SdJwtError(f"{', '.join(refused)} must not be selectively disclosed in an "
                         "SD-JWT VC", pointer=refused[0], code="sdjwt.not_disclosable")
    unknown = sorted(names - set(payload))
    if unknown:
        raise SdJwtError(f"disclosable names {', '.join(unknown)}, which the claims lack",
                         pointer=unknown[0], code="sdjwt.bad_claims")
    builder = _Builder(hash_alg, salt or _salt)
    body = builder.object(payload, names, nested)
    body["_sd_alg"] = hash_alg
    protected: JsonObject = {"typ": typ}
    if signer.id and ":" in signer.id:
        protected["kid"] = signer.id
    protected.update(header or {})
    token = sign_jws(protected, body, signer)
    return "~".join([token, *builder.disclosures]) + "~"


# ---- reading --------------------------------------------------------------------------


def is_sd_jwt(value: Any) -> bool:
    """Return True if *value* looks like an SD-JWT (compact JWS, then ``~``-separated
    disclosures, ending in ``~`` or a KB-JWT)."""
    if not isinstance(value, str) or "~" not in value:
        return False
    first = value.strip().split("~", 1)[0]
    return first.count(".") == 2 and all(first.split("."))


@dataclass
class _Parsed:
    jwt: str
    disclosures: list[str]
    kb_jwt: str | None
    #: the part a KB-JWT's sd_hash covers: everything up to and including the last ``~``
    presented: str


def _split(token: str) -> _Parsed:
    if not isinstance(token, str) or len(token) > _MAX_TOKEN:
        raise SdJwtError("an SD-JWT must be a string of at most 4 MiB")
    token = token.strip()
    parts = token.split("~")
    if len(parts) < 2:
        raise SdJwtError("an SD-JWT ends in '~' (or a KB-JWT after the last '~')")
    jwt, disclosures, last = parts[0], parts[1:-1], parts[-1]
    if any(not d for d in disclosures):
        raise SdJwtError("an SD-JWT has an empty disclosure ('~~')")
    return _Parsed(jwt, disclosures, last or None, token[: len(token) - len(last)])


@dataclass
class SdJwtVerification:
    """What :func:`verify_sd_jwt` found.

    :param checks: every check made (``ok`` is true when none of severity error failed).
    :param claims: the processed claims: the signed payload with every disclosed claim
        in place, digests and ``_sd_alg`` removed (None when the JWT did not decode).
    :param header: the issuer-signed JWT's header.
    :param disclosed: ``(path, value)`` of each disclosure that was presented.
    :param key_binding: a KB-JWT was presented and verifies.
    :param holder_key: the key bound in ``cnf`` (None without one).
    """

    checks: list[Check] = field(default_factory=list)
    claims: JsonObject | None = None
    header: JsonObject | None = None
    disclosed: list[tuple[str, Any]] = field(default_factory=list)
    key_binding: bool = False
    holder_key: Key | None = None

    @property
    def ok(self) -> bool:
        """True when checks were made and no error-level check failed."""
        return bool(self.checks) and all(c.ok for c in self.checks if c.severity == "error")

    def fail(self, check: str, message: str, code: str, path: str | None = None) -> None:
        """Add a failed check."""
        self.checks.append(Check(check, False, message, path=path, code=code))


class _Invalid(Exception):
    def __init__(self, message: str, code: str, path: str | None = None) -> None:
        super().__init__(message)
        self.message, self.code, self.path = message, code, path


class _Processor:
    """RFC 9901 §7.1 steps 3-5: put every disclosure in its place, exactly once."""

    def __init__(self, disclosures: Sequence[str], hash_name: str) -> None:
        self.by_digest: dict[str, tuple[str, list[Any]]] = {}
        self.used: set[str] = set()
        self.disclosed: list[tuple[str, Any]] = []
        for disclosure in disclosures:
            digest = b64url_encode(_HASHES[hash_name](disclosure.encode("ascii")).digest())
            try:
                parts = json.loads(b64url_decode(disclosure))
            except (binascii.Error, ValueError):
                raise _Invalid("a disclosure is not base64url JSON",
                               "sdjwt.bad_disclosure") from None
            if not isinstance(parts, list) or len(parts) not in (2, 3) or \
                    not isinstance(parts[0], str):
                raise _Invalid("a disclosure must be [salt, name, value] or [salt, value]",
                               "sdjwt.bad_disclosure")
            if digest in self.by_digest:
                raise _Invalid("the same disclosure is presented twice",
                               "sdjwt.duplicate_digest")
            self.by_digest[digest] = (disclosure, parts)
        self.seen: set[str] = set()

    def _take(self, digest: Any, path: str) -> list[Any] | None:
        if not isinstance(digest, str):
            raise _Invalid("a digest must be a string", "sdjwt.bad_disclosure", path)
        if digest in self.seen:
            raise _Invalid("a digest appears more than once in the SD-JWT",
                           "sdjwt.duplicate_digest", path)
        self.seen.add(digest)
        found = self.by_digest.get(digest)
        if found is None:
            return None  # not presented, or a decoy
        self.used.add(digest)
        return found[1]

    def value(self, value: Any, path: str) -> Any:
        if isinstance(value, dict):
            return self.object(value, path)
        if isinstance(value, list):
            return self.array(value, path)
        return value

    def object(self, node: JsonObject, path: str) -> JsonObject:
        out: JsonObject = {}
        for name, value in node.items():
            if name in ("_sd", "_sd_alg"):
                continue
            out[name] = self.value(value, f"{path}{name}")
        digests = node.get("_sd", [])
        if not isinstance(digests, list):
            raise _Invalid("_sd must be an array of digests", "sdjwt.bad_disclosure",
                           f"{path}_sd")
        for digest in digests:
            parts = self._take(digest, f"{path}_sd")
            if parts is None:
                continue
            if len(parts) != 3 or not isinstance(parts[1], str):
                raise _Invalid("an object's disclosure must be [salt, name, value]",
                               "sdjwt.bad_disclosure", f"{path}_sd")
            name = parts[1]
            if name in ("_sd", "..."):
                raise _Invalid(f'a disclosure may not name "{name}"', "sdjwt.bad_disclosure",
                               f"{path}{name}")
            if name in out:
                raise _Invalid(f'the disclosed claim "{name}" is already in the payload',
                               "sdjwt.claim_collision", f"{path}{name}")
            out[name] = self.value(parts[2], f"{path}{name}.")
            self.disclosed.append((f"{path}{name}", out[name]))
        return out

    def array(self, items: list[Any], path: str) -> list[Any]:
        out: list[Any] = []
        for index, item in enumerate(items):
            if isinstance(item, dict) and "..." in item:
                if len(item) != 1:
                    raise _Invalid('an array digest {"...": d} has no other keys',
                                   "sdjwt.bad_disclosure", f"{path}[{index}]")
                parts = self._take(item["..."], f"{path}[{index}]")
                if parts is None:
                    continue
                if len(parts) != 2:
                    raise _Invalid("an array element's disclosure must be [salt, value]",
                                   "sdjwt.bad_disclosure", f"{path}[{index}]")
                value = self.value(parts[1], f"{path}[{index}].")
                out.append(value)
                self.disclosed.append((f"{path}[{index}]", value))
            else:
                out.append(self.value(item, f"{path}[{index}]."))
        return out


def _issuer_key(header: JsonObject, payload: JsonObject, key: Key | None,
                resolver: VerificationMethodResolver | None) -> Key:
    if key is not None:
        return key
    kid = header.get("kid")
    if isinstance(kid, str) and kid.startswith("did:"):
        resolver = resolver or VerificationMethodResolver()
        try:
            resolved = resolver.resolve(kid)
        except EdcIssueError as exc:
            raise _Invalid(f"the issuer key {kid} is not resolved: {exc.message}",
                           "sdjwt.key_unresolved", "header.kid") from None
        iss = payload.get("iss")
        if isinstance(iss, str) and iss.startswith("did:") and resolved.controller != iss:
            raise _Invalid(f"kid {kid} is not a key of the issuer {iss}",
                           "sdjwt.key_unresolved", "header.kid")
        return resolved.key
    raise _Invalid("no issuer key: pass the issuer's key, or sign with a DID URL kid",
                   "sdjwt.key_unresolved", "header")


def _time_checks(payload: JsonObject, now: datetime, leeway: int, out: SdJwtVerification
                 ) -> None:
    stamp = now.timestamp()
    for claim in ("iat", "nbf", "exp"):
        if claim in payload and not isinstance(payload[claim], (int, float)):
            out.fail(f"sd-jwt.{claim}", f"{claim} must be a NumericDate", "sdjwt.bad_claims",
                     claim)
    exp, nbf = payload.get("exp"), payload.get("nbf")
    if isinstance(exp, (int, float)) and exp + leeway <= stamp:
        out.fail("sd-jwt.exp", "the SD-JWT has expired (exp)", "sdjwt.expired", "exp")
    if isinstance(nbf, (int, float)) and nbf - leeway > stamp:
        out.fail("sd-jwt.nbf", "the SD-JWT is not valid yet (nbf)", "sdjwt.not_yet_valid",
                 "nbf")


def verify_sd_jwt(
    token: str,
    *,
    key: Key | None = None,
    resolver: VerificationMethodResolver | None = None,
    now: datetime | None = None,
    require_key_binding: bool = False,
    audience: str | None = None,
    nonce: str | None = None,
    max_kb_age: int = 300,
    leeway: int = 60,
    vc: bool = True,
) -> SdJwtVerification:
    """Check an SD-JWT (VC): signature, disclosures, dates and, when present or required,
    the key-binding JWT.

    See: <https://www.rfc-editor.org/rfc/rfc9901#section-7>.

    :param key: the issuer's public key; default: resolve the header's DID URL ``kid``
        (did:key offline; others through *resolver*). An SD-JWT whose key cannot be found
        fails; it is never passed unchecked.
    :param require_key_binding: fail without a KB-JWT (a verifier's presentation).
    :param audience: the KB-JWT's expected ``aud``; :param nonce: its expected ``nonce``.
        Both are required to accept a KB-JWT when key binding is required.
    :param max_kb_age: seconds a KB-JWT's ``iat`` may lie in the past.
    :param vc: check the SD-JWT VC rules too (``typ`` ``dc+sd-jwt``, a ``vct``).
    """
    out = SdJwtVerification()
    when = now or datetime.now(timezone.utc)
    try:
        parsed = _split(token)
        header, payload = decode_jws(parsed.jwt)
    except SdJwtError as exc:
        out.fail("sd-jwt.format", exc.message, "sdjwt.malformed")
        return out
    out.header = header
    try:
        if vc and header.get("typ") not in _ACCEPTED_TYPS:
            raise _Invalid(f'typ is {header.get("typ")!r}; an SD-JWT VC has "dc+sd-jwt"',
                           "sdjwt.bad_typ", "header.typ")
        issuer_key = _issuer_key(header, payload, key, resolver)
        problem = verify_jws(parsed.jwt, issuer_key)
        if problem:
            raise _Invalid(problem, "sdjwt.bad_signature", "header.alg")
        out.checks.append(Check("sd-jwt.signature", True,
                                f"{header.get('alg')} signature of the issuer verifies"))
        hash_name = payload.get("_sd_alg", "sha-256")
        if hash_name not in _HASHES:
            raise _Invalid(f"_sd_alg {hash_name!r} is not supported",
                           "sdjwt.unsupported_sd_alg", "_sd_alg")
        processor = _Processor(parsed.disclosures, hash_name)
        claims = processor.object(payload, "")
        unused = len(parsed.disclosures) - len(processor.used)
        if unused:
            raise _Invalid(f"{unused} disclosure(s) match no digest of the SD-JWT",
                           "sdjwt.unreferenced_disclosure")
    except _Invalid as exc:
        out.fail("sd-jwt.signature" if exc.code in ("sdjwt.bad_signature",
                 "sdjwt.key_unresolved", "sdjwt.bad_typ") else "sd-jwt.disclosures",
                 exc.message, exc.code, exc.path)
        return out
    out.claims, out.disclosed = claims, processor.disclosed
    out.checks.append(Check("sd-jwt.disclosures", True,
                            f"{len(parsed.disclosures)} disclosure(s) match their digests"))
    if vc and not isinstance(claims.get("vct"), str):
        out.fail("sd-jwt.vct", "an SD-JWT VC needs a vct (its type) in the clear",
                 "sdjwt.no_vct", "vct")
    _time_checks(claims, when, leeway, out)
    if parsed.kb_jwt is None:
        if require_key_binding:
            out.fail("sd-jwt.key_binding", "a key-binding JWT is required", "sdjwt.kb_missing")
        cnf = claims.get("cnf")
        if isinstance(cnf, dict) and isinstance(cnf.get("jwk"), dict):
            out.holder_key = _holder_key(cnf)
        return out
    _check_key_binding(parsed, claims, hash_name, when, audience, nonce, max_kb_age,
                       leeway, require_key_binding, out)
    return out


def _holder_key(cnf: Mapping[str, Any]) -> Key | None:
    try:
        return key_from_jwk(cnf["jwk"]).public_only()
    except (EdcIssueError, KeyError, TypeError):
        return None


def _check_key_binding(parsed: _Parsed, claims: JsonObject, hash_name: str, now: datetime,
                       audience: str | None, nonce: str | None, max_age: int, leeway: int,
                       required: bool, out: SdJwtVerification) -> None:
    """RFC 9901 §7.3: the KB-JWT is signed by the cnf key over this presentation."""
    assert parsed.kb_jwt is not None
    cnf = claims.get("cnf")
    holder = _holder_key(cnf) if isinstance(cnf, dict) and isinstance(cnf.get("jwk"), dict) \
        else None
    out.holder_key = holder
    try:
        if holder is None:
            raise _Invalid("a KB-JWT is presented but the SD-JWT binds no key (cnf.jwk)",
                           "sdjwt.no_cnf", "cnf")
        try:
            kb_header, kb = decode_jws(parsed.kb_jwt)
        except SdJwtError as exc:
            raise _Invalid(f"the KB-JWT: {exc.message}", "sdjwt.kb_invalid") from None
        if kb_header.get("typ") != KB_JWT_TYP:
            raise _Invalid(f'the KB-JWT typ is {kb_header.get("typ")!r}; expected "kb+jwt"',
                           "sdjwt.kb_invalid", "kb.header.typ")
        problem = verify_jws(parsed.kb_jwt, holder)
        if problem:
            raise _Invalid(f"the KB-JWT: {problem}", "sdjwt.kb_invalid", "kb")
        expected = b64url_encode(_HASHES[hash_name](parsed.presented.encode("ascii")).digest())
        if kb.get("sd_hash") != expected:
            raise _Invalid("the KB-JWT's sd_hash does not match this presentation",
                           "sdjwt.kb_sd_hash", "kb.sd_hash")
        iat = kb.get("iat")
        stamp = now.timestamp()
        if not isinstance(iat, (int, float)) or iat > stamp + leeway or \
                iat < stamp - max_age - leeway:
            raise _Invalid("the KB-JWT's iat is missing or outside the accepted window",
                           "sdjwt.kb_stale", "kb.iat")
        if (audience is not None or required) and kb.get("aud") != audience:
            raise _Invalid(f"the KB-JWT's aud is {kb.get('aud')!r}; expected {audience!r}",
                           "sdjwt.kb_audience", "kb.aud")
        if (nonce is not None or required) and kb.get("nonce") != nonce:
            raise _Invalid("the KB-JWT's nonce is not the one expected", "sdjwt.kb_nonce",
                           "kb.nonce")
    except _Invalid as exc:
        out.fail("sd-jwt.key_binding", exc.message, exc.code, exc.path)
        return
    out.key_binding = True
    out.checks.append(Check("sd-jwt.key_binding", True,
                            "the KB-JWT is signed by the bound key over this presentation"))


# ---- the holder's side ----------------------------------------------------------------


def present_sd_jwt(
    token: str,
    *,
    disclose: Iterable[str] | None = None,
    holder: Signer | Key | None = None,
    audience: str | None = None,
    nonce: str | None = None,
    iat: int | None = None,
) -> str:
    """Return a presentation of *token*: only the disclosures of the top-level claims
    named in *disclose* (with what they contain), and a KB-JWT when *holder* is given.

    :param disclose: top-level claim names to show; default every disclosure.
    :param holder: the key bound in ``cnf``; signs the KB-JWT over the presentation.
    :raises SdJwtError: ``sdjwt.malformed`` if *token* is not an SD-JWT.
    """
    parsed = _split(token)
    _, payload = decode_jws(parsed.jwt)
    hash_name = payload.get("_sd_alg", "sha-256")
    if hash_name not in _HASHES:
        raise SdJwtError(f"_sd_alg {hash_name!r} is not supported",
                         code="sdjwt.unsupported_sd_alg")
    keep = parsed.disclosures
    if disclose is not None:
        wanted = set(disclose)
        by_digest = {b64url_encode(_HASHES[hash_name](d.encode("ascii")).digest()): d
                     for d in parsed.disclosures}
        chosen: list[str] = []

        def walk(value: Any, top: bool) -> None:
            if isinstance(value, dict):
                for digest in value.get("_sd", []) if isinstance(value.get("_sd"), list) \
                        else []:
                    found = by_digest.get(digest)
                    if found is None:
                        continue
                    parts = json.loads(b64url_decode(found))
                    if top and parts[1] not in wanted:
                        continue
                    chosen.append(found)
                    walk(parts[-1], False)
                for name, member in value.items():
                    if name != "_sd" and (not top or name in wanted):
                        walk(member, False)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, dict) and set(item) == {"..."}:
                        found = by_digest.get(item["..."])
                        if found is not None:
                            chosen.append(found)
                            walk(json.loads(b64url_decode(found))[-1], False)
                    else:
                        walk(item, False)

        walk(payload, True)
        keep = [d for d in parsed.disclosures if d in set(chosen)]
    presented = "~".join([parsed.jwt, *keep]) + "~"
    if holder is None:
        return presented
    sd_hash = b64url_encode(_HASHES[hash_name](presented.encode("ascii")).digest())
    claims: JsonObject = {
        "iat": int(datetime.now(timezone.utc).timestamp()) if iat is None else iat,
        "sd_hash": sd_hash,
    }
    if audience is not None:
        claims["aud"] = audience
    if nonce is not None:
        claims["nonce"] = nonce
    return presented + sign_jws({"typ": KB_JWT_TYP}, claims, holder)
