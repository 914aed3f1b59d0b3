"""Verifiable presentations: build one, sign it (:func:`sign_presentation`), verify it.

A presentation (VC Data Model 2.0 §4.13, 1.1 §4.10) wraps credentials a holder shows a
verifier, signed by the holder with proof purpose ``authentication`` over a
``challenge`` (and a ``domain``) the verifier chose, so that it cannot be replayed.
Secured with a Data Integrity proof, or as a VP-JWT (:mod:`edc_issue.proofs.vp_jwt`).

What :meth:`edc_issue.Verifier.verify` checks for a presentation, in order:

1. the VP data model (``vcdm.presentation_*``): ``@context`` an ordered list whose first
   item is the v2 (or v1) credentials context, ``type`` includes
   ``VerifiablePresentation``, ``id`` and ``holder`` (or ``holder.id``) URLs, each
   ``verifiableCredential`` an object: a credential or an ``EnvelopedVerifiableCredential``
   whose ``id`` is a ``data:`` URL;
2. its proof: signature, purpose ``authentication``, the ``challenge`` and ``domain``
   expected (no expected challenge is a failure, ``proof.challenge_required``: a
   presentation whose challenge nobody checks can be replayed), and that the holder
   controls the key (the key binding check, as for a credential's issuer). A presentation
   without a proof is not verified (``proof.missing``), unless the verifier was built
   with ``allow_unsigned_presentation=True`` and expects no challenge: then it is a
   warning, and only the credentials inside are verified;
3. each credential (``verifiableCredential[i]``): a full verification of its own
   (proofs, dates, status, key binding), with the verifier's settings but purpose
   ``assertionMethod`` and no challenge; an enveloped VC-JWT is taken from its ``data:``
   URL. Every check is reported with the prefix ``verifiableCredential[i].``, and
   :attr:`PresentationResult.credentials` holds one result per credential;
4. holder claims (VC Data Model 2.0 §5.12): a credential secured with the same key as the
   presentation (self-asserted) needs a ``holder`` and its ``issuer`` must be the holder
   (failures); a credential whose subject ``id`` is a DID other than the holder's is a
   warning (``credential.holder_not_subject``): the data model allows a holder to present
   credentials about someone else (§ Subject-Holder Relationships), so the verifier decides.
"""

from __future__ import annotations

import base64
import binascii
import copy
import re
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ._types import Clock, JsonObject, Signer
from .errors import EdcIssueError, InputError
from .formats.detect import decode_jwt, is_compact_jwt, is_presentation
from .results import Check, VerificationResult

if TYPE_CHECKING:
    from ._verifier import Verifier
    from .jsonld import OfflineLoader
    from .proofs.registry import SuiteRegistry

__all__ = [
    "AUTHENTICATION",
    "ENVELOPED_TYPE",
    "PresentationResult",
    "build_presentation",
    "envelope_jwt",
    "is_vp_jwt",
    "looks_like_presentation",
    "presentation_problems",
    "sign_presentation",
    "verify_presentation",
    "verify_vp_jwt_document",
]

AUTHENTICATION = "authentication"
CREDENTIALS_V1 = "https://www.w3.org/2018/credentials/v1"
CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
ENVELOPED_TYPE = "EnvelopedVerifiableCredential"
#: Media types of an enveloped credential that is a compact JWT.
_JWT_MEDIA_TYPES = frozenset({"application/vc+jwt", "application/vc-ld+jwt",
                              "application/jwt"})
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")


# ---- building ----------------------------------------------------------------------------


def envelope_jwt(token: str) -> JsonObject:
    """Return the ``EnvelopedVerifiableCredential`` holding the compact VC-JWT *token*
    (VC-JOSE-COSE: a ``data:application/vc+jwt,...`` URL)."""
    return {"@context": CREDENTIALS_V2, "id": f"data:application/vc+jwt,{token.strip()}",
            "type": ENVELOPED_TYPE}


def build_presentation(credentials: Iterable[JsonObject | str], *, holder: str | None = None,
                       presentation_id: str | None = None) -> JsonObject:
    """Return an unsigned presentation of *credentials* (VC Data Model 2.0).

    :param credentials: secured credentials: JSON objects (with Data Integrity proofs),
        or compact VC-JWT strings, which are enveloped (:func:`envelope_jwt`).
    :param holder: the holder's URL (a DID), normally the controller of the key that
        signs the presentation.
    :param presentation_id: the presentation's ``id`` (a URL, e.g. ``urn:uuid:...``).
    :raises InputError: ``input.invalid`` for an entry that is neither.
    """
    entries: list[JsonObject] = []
    for index, credential in enumerate(credentials):
        if isinstance(credential, str) and is_compact_jwt(credential.strip()):
            entries.append(envelope_jwt(credential))
        elif isinstance(credential, dict):
            entries.append(copy.deepcopy(credential))
        else:
            raise InputError("a credential to present must be a JSON object or a compact "
                             "VC-JWT", pointer=f"verifiableCredential[{index}]",
                             code="input.invalid")
    presentation: JsonObject = {"@context": [CREDENTIALS_V2],
                                "type": ["VerifiablePresentation"]}
    if presentation_id is not None:
        presentation["id"] = presentation_id
    if holder is not None:
        presentation["holder"] = holder
    if entries:
        presentation["verifiableCredential"] = entries
    return presentation


# ---- the VP data model ---------------------------------------------------------------------


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and bool(_URL.match(value))


def _types(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _holder_id(presentation: JsonObject) -> str | None:
    holder = presentation.get("holder")
    if isinstance(holder, dict):
        holder = holder.get("id")
    return holder if isinstance(holder, str) else None


def _entries(presentation: JsonObject) -> list[tuple[str, Any]]:
    value = presentation.get("verifiableCredential")
    if value is None:
        return []
    if isinstance(value, list):
        return [(f"verifiableCredential[{i}]", v) for i, v in enumerate(value)]
    return [("verifiableCredential", value)]


def _first_context(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else None


def presentation_problems(presentation: Any) -> list[tuple[str, str, str]]:
    """Return ``(path, message, code)`` for every VP data-model rule *presentation*
    breaks (VC Data Model 2.0 §4.13, 1.1 §4.10); empty when it conforms."""
    out: list[tuple[str, str, str]] = []
    if not isinstance(presentation, dict):
        return [("", "a presentation must be a JSON object", "vcdm.presentation_context")]
    context = presentation.get("@context")
    if not isinstance(context, list) or _first_context(context) not in (CREDENTIALS_V2,
                                                                         CREDENTIALS_V1):
        out.append(("@context", "@context must be an ordered list whose first item is "
                    f"{CREDENTIALS_V2} (or {CREDENTIALS_V1})", "vcdm.presentation_context"))
    types = presentation.get("type")
    if types is None:
        out.append(("type", "type is missing; it must include VerifiablePresentation",
                    "vcdm.presentation_type"))
    elif "VerifiablePresentation" not in _types(types) or not all(
            isinstance(t, str) for t in _types(types)):
        out.append(("type", "type must be strings including VerifiablePresentation",
                    "vcdm.presentation_type"))
    if "id" in presentation and not _is_url(presentation["id"]):
        out.append(("id", "id must be a URL", "vcdm.presentation_id"))
    if "holder" in presentation:
        holder = presentation["holder"]
        if isinstance(holder, dict):
            if not _is_url(holder.get("id")):
                out.append(("holder.id", "holder must be a URL or an object whose id is a URL",
                            "vcdm.presentation_holder"))
        elif not _is_url(holder):
            out.append(("holder", "holder must be a URL or an object whose id is a URL",
                        "vcdm.presentation_holder"))
    for path, entry in _entries(presentation):
        out += _entry_problems(path, entry)
    return out


def _entry_problems(path: str, entry: Any) -> list[tuple[str, str, str]]:
    if not isinstance(entry, dict):
        return [(path, "a verifiableCredential must be an object (a credential, or an "
                 f"{ENVELOPED_TYPE} for a JWT), not {type(entry).__name__}",
                 "vcdm.presentation_credential")]
    types = _types(entry.get("type"))
    if ENVELOPED_TYPE in types:
        problems = []
        context = entry.get("@context")
        if (context if isinstance(context, str) else _first_context(context)) != CREDENTIALS_V2:
            problems.append((f"{path}.@context", f"an {ENVELOPED_TYPE}'s @context must start "
                             f"with {CREDENTIALS_V2}", "vcdm.enveloped_credential"))
        if _envelope_parts(entry.get("id")) is None:
            problems.append((f"{path}.id", f"an {ENVELOPED_TYPE}'s id must be a data: URL "
                             "holding the credential", "vcdm.enveloped_credential"))
        return problems
    if "VerifiableCredential" not in types:
        return [(f"{path}.type", "a verifiableCredential's type must include "
                 f"VerifiableCredential (or be {ENVELOPED_TYPE})",
                 "vcdm.presentation_credential")]
    return []


def _envelope_parts(ident: Any) -> tuple[str, str] | None:
    """``(media type, data)`` of a ``data:`` URL (RFC 2397), or None."""
    if not isinstance(ident, str) or not ident.startswith("data:") or "," not in ident:
        return None
    head, _, data = ident[5:].partition(",")
    media_type, *params = head.split(";")
    data = urllib.parse.unquote(data).strip()
    if "base64" in params:
        try:
            data = base64.b64decode(data, validate=True).decode("utf-8").strip()
        except (binascii.Error, UnicodeDecodeError):
            return None
    return (media_type.strip().lower(), data) if data else None


def _model_checks(presentation: Any) -> list[Check]:
    problems = presentation_problems(presentation)
    checks = [Check("vcdm.presentation", False, message, path=path or None, code=code)
              for path, message, code in problems]
    if not problems:
        checks.append(Check("vcdm.presentation", True,
                            "the presentation follows the VC Data Model"))
    return checks


# ---- signing -------------------------------------------------------------------------------


def sign_presentation(
    presentation: JsonObject,
    signer: Signer,
    *,
    challenge: str,
    domain: str | None = None,
    suite: str | None = None,
    created: str | datetime | None = None,
    expires: str | datetime | None = None,
    loader: OfflineLoader | None = None,
    registry: SuiteRegistry | None = None,
    clock: Clock | None = None,
    check_data_model: bool = True,
) -> JsonObject | str:
    """Sign *presentation* as its holder, with proof purpose ``authentication``.

    ::

        vp = edc_issue.build_presentation([signed_credential], holder=key.controller)
        signed_vp = edc_issue.sign_presentation(vp, key, challenge=challenge_from_verifier)

    :param signer: a :class:`~edc_issue.Key` or any :class:`~edc_issue.Signer` (the
        holder's key: its controller should be the ``holder``).
    :param challenge: the verifier's challenge (a nonce), carried by the proof.
    :param domain: the verifier's domain, carried by the proof (``aud`` of a VP-JWT).
    :param suite: ``eddsa-rdfc-2022``, ``ecdsa-rdfc-2019`` or ``vc-jwt`` (a VP-JWT,
        ``typ: vp+jwt``); default from the signer's algorithm.
    :param check_data_model: check the VP data model first (never off by default; off
        only for test vectors that break it on purpose).
    :returns: a new dict with the proof added, or a compact VP-JWT string.
    :raises InputError: ``input.invalid`` for a presentation that breaks the VP data
        model (every problem in ``problems``, the first in ``pointer``), or an empty
        challenge.
    :raises JsonLdError: a term that no context defines (signing is strict).
    :raises KeyMaterialError: ``proof.algorithm_mismatch`` or ``key.no_secret``.
    :raises SignerError: ``signer.failed`` when a signer's backend fails.
    """
    from ._issuer import Issuer

    if not isinstance(presentation, dict):
        raise InputError("a presentation must be a JSON object", code="input.invalid")
    if not isinstance(challenge, str) or not challenge:
        raise InputError("a presentation is signed over the verifier's challenge: give "
                         "challenge=...", pointer="challenge", code="input.invalid")
    if check_data_model:
        problems = presentation_problems(presentation)
        if problems:
            path, message, _code = problems[0]
            raise InputError(
                f"the presentation breaks the VC Data Model: {message}"
                + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""),
                pointer=path or None, code="input.invalid",
                problems=[(p, m) for p, m, _c in problems])
    if suite in ("vc-jwt", "vp-jwt"):
        from .keys.signing import signer_kind
        from .proofs.vp_jwt import sign_vp_jwt

        signer_kind(signer)
        now = (clock or (lambda: datetime.now(timezone.utc)))()
        return sign_vp_jwt(presentation, signer, challenge=challenge, domain=domain, now=now)
    issuer = Issuer(signer, suite=suite, clock=clock, loader=loader, registry=registry,
                    proof_purpose=AUTHENTICATION)
    signed = issuer.issue(presentation, created=created, expires=expires, domain=domain,
                          challenge=challenge)
    assert isinstance(signed, dict)
    return signed


# ---- verifying -----------------------------------------------------------------------------


@dataclass
class PresentationResult(VerificationResult):
    """A presentation's result: its own checks and every credential's (prefixed with
    ``verifiableCredential[i].``), and :attr:`credentials`, one result per credential (in
    order; ``None`` for an entry that could not be verified at all)."""

    credentials: list[VerificationResult | None] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The contract's JSON form, plus ``credentials`` (one entry each)."""
        out = super().to_json()
        out["credentials"] = [c.to_json() if c is not None else None
                              for c in self.credentials]
        return out


def looks_like_presentation(value: Any) -> bool:
    """True for a JSON object typed ``VerifiablePresentation``, or one that is no
    credential (no ``credentialSubject``) but has a presentation's ``holder``,
    ``verifiableCredential`` or ``authentication`` proof: it is then verified, and
    refused, as a presentation whose ``type`` is wrong."""
    if not isinstance(value, dict):
        return False
    if is_presentation(value):
        return True
    if "credentialSubject" in value or "VerifiableCredential" in _types(value.get("type")):
        return False
    if "holder" in value or "verifiableCredential" in value:
        return True
    proof = value.get("proof")
    return any(isinstance(p, dict) and p.get("proofPurpose") == AUTHENTICATION
               for p in (proof if isinstance(proof, list) else [proof]))


def is_vp_jwt(value: Any) -> bool:
    """True for a compact JWS whose header ``typ`` names a presentation, or whose payload
    is one (a ``vp`` claim, or ``type`` ``VerifiablePresentation``)."""
    if not isinstance(value, str) or not is_compact_jwt(value.strip()):
        return False
    from .proofs.vp_jwt import VP_JWT_TYPES

    try:
        header, payload = decode_jwt(value)
    except EdcIssueError:
        return False
    typ = header.get("typ")
    return ((isinstance(typ, str) and typ in VP_JWT_TYPES) or isinstance(payload.get("vp"), dict)
            or is_presentation(payload))


def _credential_verifier(verifier: Verifier) -> Verifier:
    """The verifier of the credentials inside: the same keys, lists and settings, purpose
    ``assertionMethod``, no challenge or domain (those are the presentation's)."""
    if verifier._credential_verifier is not None:
        return verifier._credential_verifier
    from ._verifier import BUILT_IN_FORMATS, Verifier

    extra = verifier.formats[:len(verifier.formats) - len(BUILT_IN_FORMATS)]
    child = Verifier(
        trust=verifier._trust_given, resolver=verifier.resolver,
        allow_network=verifier.allow_network,
        require_key_binding=verifier.policy.require_key_binding, loader=verifier.loader,
        registry=verifier.registry, clock=verifier.clock,
        check_dates=verifier.policy.check_dates, status_lists=verifier._status_lists_given,
        check_status=verifier.check_status, require_status=verifier.require_status,
        fetcher=verifier.fetcher, check_conformance=verifier.check_conformance, formats=extra,
        check_data_model=verifier.check_data_model)
    verifier._credential_verifier = child
    return child


def _presentation_proof_verifier(verifier: Verifier) -> Any:
    from dataclasses import replace

    from .proofs.verify import ProofVerifier

    return ProofVerifier(resolver=verifier.resolver, registry=verifier.registry,
                         loader=verifier.loader,
                         policy=replace(verifier.policy, proof_purpose=AUTHENTICATION))


def verify_presentation(document: JsonObject, verifier: Verifier, now: datetime
                        ) -> PresentationResult:
    """Verify a presentation with a Data Integrity proof (the module's steps 1 to 4)."""
    from .proofs.data_integrity import document_proofs

    result = PresentationResult(document=document, format="presentation")
    for check in _model_checks(document):
        result.add(check)
    proofs = document_proofs(document)
    challenge = verifier.policy.challenge
    if not proofs and verifier.allow_unsigned_presentation \
            and challenge is None and verifier.policy.domain is None:
        result.add(Check("proof", False, "the presentation has no proof: nothing shows who "
                         "presented it (allowed by allow_unsigned_presentation=True)",
                         path="proof", code="proof.missing", severity="warning"))
    else:
        proof_result = _presentation_proof_verifier(verifier).verify_data_integrity(
            document, now)
        for check in proof_result.checks:
            result.add(check)
        if proofs and challenge is not None and not any(
                c.code == "proof.challenge_mismatch" for c in proof_result.checks):
            result.add(Check("proof.challenge", True, "the proof carries the expected "
                             "challenge", path="proof.challenge"))
        if proofs and challenge is None:
            result.add(Check("proof.challenge", False,
                             "no challenge was expected (challenge=...), so replay of this "
                             "presentation is not prevented", path="proof.challenge",
                             code="proof.challenge_required"))
    keys = {p["verificationMethod"] for p in proofs
            if isinstance(p, dict) and isinstance(p.get("verificationMethod"), str)}
    _verify_credentials(result, document, verifier, now, keys)
    return result


def verify_vp_jwt_document(token: str, verifier: Verifier, now: datetime
                           ) -> PresentationResult:
    """Verify a VP-JWT: its signature, nonce and aud, then what it presents."""
    from .proofs.vp_jwt import presentation_of_payload, verify_vp_jwt

    outcome = verify_vp_jwt(token, resolver=verifier.resolver, now=now,
                            challenge=verifier.policy.challenge, domain=verifier.policy.domain)
    payload = outcome.payload
    presentation = presentation_of_payload(payload) if payload is not None else None
    result = PresentationResult(document=presentation, format="vp-jwt")
    if presentation is not None:
        for check in _model_checks(presentation):
            result.add(check)
    for check in outcome.checks:
        result.add(check)
    if presentation is None:
        return result
    keys: set[str] = set()
    if outcome.resolved is not None:
        proofs = _presentation_proof_verifier(verifier)
        result.add(proofs.binding_check(presentation, outcome.resolved, "header", "jwt"))
        if outcome.resolved.is_authorized(AUTHENTICATION) is False:
            result.add(Check("jwt.purpose", False,
                             f"the controller document does not list "
                             f"{outcome.resolved.key.id} under authentication",
                             path="header.kid", code="proof.method_not_authorized"))
        if outcome.resolved.key.id:
            keys.add(outcome.resolved.key.id)
    _verify_credentials(result, presentation, verifier, now, keys)
    return result


def _credential_keys(entry: Any) -> set[str]:
    """The verification methods that secure a credential (its proofs, or a JWT's kid)."""
    if isinstance(entry, str):
        try:
            header, _payload = decode_jwt(entry)
        except EdcIssueError:
            return set()
        kid = header.get("kid")
        return {kid} if isinstance(kid, str) else set()
    proofs = entry.get("proof") if isinstance(entry, dict) else None
    found = set()
    for proof in proofs if isinstance(proofs, list) else [proofs]:
        if isinstance(proof, dict) and isinstance(proof.get("verificationMethod"), str):
            found.add(proof["verificationMethod"])
    return found


def _subject_ids(credential: Any) -> list[str]:
    subject = credential.get("credentialSubject") if isinstance(credential, dict) else None
    subjects = subject if isinstance(subject, list) else [subject]
    return [s["id"] for s in subjects if isinstance(s, dict) and isinstance(s.get("id"), str)]


def _prefixed(check: Check, prefix: str) -> Check:
    path = f"{prefix}.{check.path}" if check.path else prefix
    return Check(f"{prefix}.{check.check}", check.ok, check.message, path=path,
                 code=check.code, severity=check.severity)


def _verify_credentials(result: PresentationResult, presentation: JsonObject,
                        verifier: Verifier, now: datetime, presentation_keys: set[str]
                        ) -> None:
    holder = _holder_id(presentation)
    child = _credential_verifier(verifier)
    for prefix, entry in _entries(presentation):
        if not isinstance(entry, dict):
            result.credentials.append(None)  # reported by the data-model check
            continue
        target: Any = entry
        if ENVELOPED_TYPE in _types(entry.get("type")):
            parts = _envelope_parts(entry.get("id"))
            if parts is None or parts[0] not in _JWT_MEDIA_TYPES or not is_compact_jwt(
                    parts[1]):
                if parts is not None:
                    result.add(Check(f"{prefix}.envelope", False,
                                     f"an enveloped credential of media type {parts[0]!r} "
                                     "cannot be verified here (a VC-JWT is "
                                     "application/vc+jwt)", path=f"{prefix}.id",
                                     code="vcdm.enveloped_credential"))
                result.credentials.append(None)
                continue
            target = parts[1]
        try:
            inner = child.verify_at(target, now)
        except EdcIssueError as exc:
            result.add(Check(prefix, False, f"the credential cannot be verified: {exc}",
                             path=prefix, code=exc.code))
            result.credentials.append(None)
            continue
        result.credentials.append(inner)
        for check in inner.checks:
            result.add(_prefixed(check, prefix))
        credential = inner.document if isinstance(inner.document, dict) else entry
        _holder_claims(result, prefix, credential, _credential_keys(target), holder,
                       presentation_keys)


def _holder_claims(result: PresentationResult, prefix: str, credential: Any,
                   credential_keys: set[str], holder: str | None,
                   presentation_keys: set[str]) -> None:
    """VC Data Model 2.0 §5.12 (self-asserted credentials) and the subject's binding."""
    if credential_keys and credential_keys & presentation_keys:
        from .proofs.verify import issuer_id

        issuer = issuer_id(credential) if isinstance(credential, dict) else None
        if holder is None:
            # §5.12's MUST (a holder) is for a credential secured only by the presentation;
            # this one carries a proof of its own, verified above, so its issuer is
            # authenticated without the holder: the W3C suite's VP of credentials signed
            # with the presentation's key and no holder verifies. Only the claim that the
            # issuer is the holder is unconfirmed: a warning.
            result.add(Check(f"{prefix}.self_asserted", False,
                             "the credential is secured with the presentation's own key, and "
                             "the presentation names no holder: that its issuer is the "
                             "holder is not confirmed", path="holder",
                             code="vcdm.self_asserted_no_holder", severity="warning"))
        elif issuer != holder:
            result.add(Check(f"{prefix}.self_asserted", False,
                             f"the credential is secured with the presentation's own key "
                             f"(self-asserted), so its issuer ({issuer}) must be the holder "
                             f"({holder})", path=f"{prefix}.issuer",
                             code="vcdm.self_asserted_issuer_mismatch"))
        else:
            result.add(Check(f"{prefix}.self_asserted", True,
                             f"self-asserted by the holder {holder}", path=f"{prefix}.issuer"))
    subjects = _subject_ids(credential)
    if holder is None or not subjects:
        return
    if holder in subjects:
        result.add(Check(f"{prefix}.holder_binding", True,
                         f"the holder {holder} is the credential's subject",
                         path=f"{prefix}.credentialSubject.id"))
    elif any(s.startswith("did:") for s in subjects):
        result.add(Check(f"{prefix}.holder_binding", False,
                         f"the holder {holder} is not the credential's subject "
                         f"({', '.join(subjects)}); a holder may present credentials about "
                         "others, so the verifier decides", path=f"{prefix}.credentialSubject.id",
                         code="credential.holder_not_subject", severity="warning"))

