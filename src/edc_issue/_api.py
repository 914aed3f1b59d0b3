"""Top-level ``sign()`` and ``verify()``: the code that joins keys, proofs and JSON-LD.

``sign`` embeds a Data Integrity proof (or, with ``suite="vc-jwt"``, returns a compact
VC-JWT). ``verify`` routes a document to the verifier of its format (see
:data:`VERIFIERS`) and returns a :class:`~edc_issue.results.VerificationResult`;
it raises only when no answer can be reached.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ._dates import parse_datetime
from ._issuer import Issuer
from ._types import Clock, JsonObject, Signer
from .errors import EdcIssueError, InputError, KeyMaterialError
from .formats.detect import sniff
from .jsonld import OfflineLoader
from .keys.key import Key
from .proofs.data_integrity import (
    ASSERTION_METHOD,
    document_proofs,
    verify_proof_value,
)
from .proofs.registry import SuiteRegistry, default_registry
from .proofs.resolver import ResolvedMethod, VerificationMethodResolver
from .results import Check, Severity, VerificationResult

__all__ = ["VERIFIERS", "Issuer", "VerifyOptions", "sign", "verify"]

# ---- sign ----------------------------------------------------------------------------


def sign(
    credential: JsonObject,
    key: Key | Signer,
    *,
    suite: str | None = None,
    created: str | datetime | None = None,
    proof_purpose: str = ASSERTION_METHOD,
    expires: str | datetime | None = None,
    domain: str | Sequence[str] | None = None,
    challenge: str | None = None,
    proof_id: str | None = None,
    previous_proof: str | Sequence[str] | None = None,
    issuer_from_key: bool = False,
    proof_as_list: bool | None = None,
    loader: OfflineLoader | None = None,
    registry: SuiteRegistry | None = None,
    clock: Clock | None = None,
) -> JsonObject | str:
    """Sign *credential* with *key* and return the secured credential.

    The shortcut for ``Issuer(key, suite=..., ...).issue(credential, created=...)``
    (:class:`edc_issue.Issuer` keeps the settings for many credentials).

    :param key: a :class:`~edc_issue.Key`, or any :class:`~edc_issue.Signer` (an object
        with ``id``, ``algorithm`` and ``sign(data)``: an HSM, a KMS).
    :param suite: ``eddsa-rdfc-2022``, ``ecdsa-rdfc-2019`` or ``vc-jwt``; default from
        the key type (Ed25519 → eddsa-rdfc-2022, P-256/P-384 → ecdsa-rdfc-2019).
    :param created: the proof's ``created`` (ISO 8601); default: now, from *clock*.
    :param proof_id: the new proof's ``id``; *previous_proof* names proofs already on the
        credential that it chains to (a proof chain); other existing proofs form a proof set.
    :param issuer_from_key: set ``issuer`` (or ``issuer.id``) to the key's controller,
        which verifiers such as vc-js require to control the key.
    :param proof_as_list: write ``proof`` as an array; by default it is an array for Open
        Badges and CLR credentials (their JSON Schema requires it) or when the proof set
        holds several proofs.
    :param loader: resolves ``@context``; default: bundled contexts only, offline.
    :returns: a new dict with the proof added, or a compact JWS string for ``vc-jwt``.
    :raises JsonLdError: a term or type that no context defines (signing is strict).
    :raises KeyMaterialError: ``proof.algorithm_mismatch`` or ``key.no_secret``.
    :raises ProofFormatError: ``proof.unknown_suite``.
    :raises SignerError: ``signer.failed`` when a signer's backend fails.
    """
    if not isinstance(credential, dict):
        raise InputError("a credential must be a JSON object", code="input.invalid")
    issuer = Issuer(key, suite=suite, clock=clock, loader=loader, registry=registry,
                    issuer_from_key=issuer_from_key, proof_purpose=proof_purpose,
                    proof_as_list=proof_as_list)
    return issuer.issue(credential, created=created, expires=expires, domain=domain,
                        challenge=challenge, proof_id=proof_id, previous_proof=previous_proof)


# ---- verify --------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyOptions:
    """Everything a format verifier may use; built by :func:`verify`."""

    trust: Sequence[Any] = ()
    resolver: VerificationMethodResolver = field(default_factory=VerificationMethodResolver)
    require_key_binding: bool = False
    proof_purpose: str = ASSERTION_METHOD
    domain: str | None = None
    challenge: str | None = None
    loader: OfflineLoader | None = None
    registry: SuiteRegistry = field(default_factory=default_registry)
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    check_dates: bool = True


#: A format verifier: gets the input and the options, returns the checks it made.
Verifier = Callable[[Any, VerifyOptions], VerificationResult]


def _is_compact_jws(document: Any) -> bool:
    return sniff(document) == "vc-jwt"


def _is_jades(document: Any) -> bool:
    return sniff(document) == "jades"


def _is_json_ld(document: Any) -> bool:
    return isinstance(document, dict)


def _verify_jwt(document: Any, options: VerifyOptions) -> VerificationResult:
    from .proofs import vc_jwt

    outcome = vc_jwt.verify_jwt(str(document).strip(), resolver=options.resolver,
                                now=options.now)
    result = VerificationResult(format="vc-jwt", document=outcome.payload)
    for check in outcome.checks:
        result.add(check)
    payload = outcome.payload
    if payload is not None and outcome.resolved is not None:
        result.add(_binding_check(payload, outcome.resolved, "header", "jwt", options))
        authorized = outcome.resolved.is_authorized(ASSERTION_METHOD)
        if authorized is False:
            result.add(Check("jwt.purpose", False,
                             f"the controller document does not list {outcome.resolved.key.id} "
                             "under assertionMethod", path="header.kid",
                             code="proof.method_not_authorized"))
    if payload is not None and options.check_dates:
        for check in _date_checks(payload, options.now):
            result.add(check)
    return result


def _trust_anchors(trust: Sequence[Any]) -> list[Any]:
    """Certificates from what the caller gave: x509 objects, PEM or DER bytes or text."""
    from cryptography import x509

    anchors: list[Any] = []
    for item in trust:
        if isinstance(item, x509.Certificate):
            anchors.append(item)
            continue
        raw = item.encode("ascii") if isinstance(item, str) else bytes(item)
        try:
            if b"-----BEGIN" in raw:
                anchors.extend(x509.load_pem_x509_certificates(raw))
            else:
                anchors.append(x509.load_der_x509_certificate(raw))
        except ValueError as exc:
            raise KeyMaterialError(
                "a trust anchor is not an X.509 certificate (PEM or DER)",
                code="key.malformed",
            ) from exc
    return anchors


def _verify_jades(document: Any, options: VerifyOptions) -> VerificationResult:
    from .seal import verify_envelope

    return verify_envelope(document, trust=_trust_anchors(options.trust) or None,
                           now=options.now, conformance=_edc_conformance)


def _edc_conformance(payload: JsonObject) -> list[Check]:
    """``FORMAT.shacl``: the sealed payload against the EDC SHACL shapes."""
    from .validate import validate  # type: ignore[attr-defined,unused-ignore]

    try:
        report = validate(payload, profile="auto")
    except EdcIssueError as exc:
        return [Check("FORMAT.shacl", False, f"SHACL conformance not checked: {exc}",
                      severity="warning", code=exc.code)]
    profile = report.profile or "auto"
    if report.ok:
        return [Check("FORMAT.shacl", True, f"the payload conforms ({profile})")]
    findings = [f for f in report.findings if f.severity == "error"]
    first = findings[0] if findings else None
    message = f"{len(findings)} violation(s) of {profile}"
    if first is not None:
        message += f"; first: {first.path}: {first.message}"
    return [Check("FORMAT.shacl", False, message, path=first.path if first else None,
                  code="credential.not_conforming")]


def _is_image(document: Any) -> bool:
    return sniff(document) in ("png", "svg")


def _verify_baked(document: Any, options: VerifyOptions) -> VerificationResult:
    """Unbake the credential from a PNG or SVG badge and verify what is inside."""
    from .formats.baking import detect_image_kind, unbake

    kind = detect_image_kind(bytes(document))
    inner = unbake(bytes(document))
    for name, recognises, verifier in VERIFIERS:
        if name != "baked" and recognises(inner):
            result = verifier(inner, options)
            result.format = f"baked-{kind}+{result.format or name}"
            result.checks.insert(0, Check("BAKED", True,
                                          f"credential extracted from the {kind.upper()} image"))
            return result
    raise InputError("the image holds neither a credential nor a compact JWT",
                     code="bake.no_credential")


#: Ordered (name, recogniser, verifier) entries; the first matching recogniser wins.
#: Add an entry to route another format (put it before ``data-integrity``).
VERIFIERS: list[tuple[str, Callable[[Any], bool], Verifier]] = [
    ("baked", _is_image, _verify_baked),
    ("vc-jwt", _is_compact_jws, _verify_jwt),
    ("jades", _is_jades, _verify_jades),
    ("data-integrity", _is_json_ld, lambda d, o: _verify_data_integrity(d, o)),
]


def verify(
    document: JsonObject | str | bytes,
    *,
    trust: list[Any] | None = None,
    controllers: Iterable[JsonObject] = (),
    allow_network: bool = False,
    require_key_binding: bool = False,
    proof_purpose: str = ASSERTION_METHOD,
    domain: str | None = None,
    challenge: str | None = None,
    loader: OfflineLoader | None = None,
    registry: SuiteRegistry | None = None,
    resolver: VerificationMethodResolver | None = None,
    clock: Clock | None = None,
    check_dates: bool = True,
    status_lists: Sequence[Any] | Mapping[str, Any] | None = None,
    check_status: bool = True,
) -> VerificationResult:
    """Verify every proof, JWT or seal of *document* and return the checks made.

    *document* is a credential (a dict) with Data Integrity proofs, a compact VC-JWT
    (a str), a JAdES-sealed EDC (its envelope, a dict) or a baked badge (PNG or SVG
    bytes). Data Integrity proofs are checked with the allowlisted suites; keys come from
    did:key (offline), from *controllers*, from the network only with
    *allow_network*, or from an https / did:web URL fragment holding the key. The key's
    binding to the issuer is its own check: unconfirmed is a warning (``ok`` stays
    true) unless *require_key_binding*.

    :param trust: trust anchors for sealed (JAdES) documents: certificates, or PEM/DER
        bytes. Without any, the EU samples' test anchor applies and is reported as such.
    :param controllers: controller documents, DID documents or verification methods
        the caller trusts.
    :param clock: returns "now" for date checks (default: the system clock).
    :param status_lists: Bitstring Status List credentials (or 1EdTech revocation lists)
        to check ``credentialStatus`` against, matched by their ``id``; or a mapping
        from the URL a list is published at to the list. A list that is not given is
        fetched only with *allow_network*; otherwise the status check is a warning.
    :param check_status: set False to skip ``credentialStatus`` entirely.
    :returns: a result whose ``ok`` is False when a check of severity ``error`` failed;
        never raises because a credential is bad.
    :raises EdcIssueError: only when no answer can be reached.
    """
    if resolver is None:
        resolver = VerificationMethodResolver(controllers, allow_network=allow_network)
    else:
        for doc in controllers:
            resolver.add(doc)
    options = VerifyOptions(
        trust=list(trust or []),
        resolver=resolver,
        require_key_binding=require_key_binding,
        proof_purpose=proof_purpose,
        domain=domain,
        challenge=challenge,
        loader=loader,
        registry=registry or default_registry(),
        now=(clock or (lambda: datetime.now(timezone.utc)))(),
        check_dates=check_dates,
    )
    for name, recognises, verifier in VERIFIERS:
        if recognises(document):
            result = verifier(document, options)
            if result.format is None:
                result.format = name
            if check_status:
                _add_status_checks(result, document, status_lists, options, allow_network)
            return result
    raise InputError(
        "expected a JSON object (a credential or a JAdES envelope), a compact JWS string "
        "or a baked PNG/SVG image",
        code="input.invalid",
    )


def _add_status_checks(
    result: VerificationResult,
    document: Any,
    status_lists: Sequence[Any] | Mapping[str, Any] | None,
    options: VerifyOptions,
    allow_network: bool,
) -> None:
    """Check ``credentialStatus`` (revocation, suspension) against the given lists."""
    from .status import check_status

    target = bytes(document) if isinstance(document, bytearray) else document
    def verify_list(status_list: Any) -> VerificationResult:
        return verify(status_list, resolver=options.resolver, allow_network=allow_network,
                      loader=options.loader, registry=options.registry,
                      clock=lambda: options.now, check_status=False)

    for check in check_status(target, lists=status_lists, allow_network=allow_network,
                              verify_list=verify_list, clock=lambda: options.now):
        result.add(check)


def _issuer_id(document: Mapping[str, Any]) -> str | None:
    for field_name in ("issuer", "holder"):
        value = document.get(field_name)
        if isinstance(value, dict):
            value = value.get("id")
        if isinstance(value, str):
            return value
    return None


def _verify_data_integrity(document: JsonObject, options: VerifyOptions) -> VerificationResult:
    result = VerificationResult(document=document)
    proofs = document_proofs(document)
    if not proofs:
        result.add(Check("proof", False, "the document has no proof", path="proof",
                         code="proof.missing"))
        if options.check_dates:
            for check in _date_checks(document, options.now):
                result.add(check)
        return result
    several = isinstance(document.get("proof"), list)
    verified = 0
    for index, proof in enumerate(proofs):
        label = f"proof[{index}]" if several else "proof"
        checks, signature_ok = _verify_one(document, proof, proofs, label, options)
        for check in checks:
            result.add(check)
        verified += signature_ok
    if verified == 0 and all(c.ok or c.severity != "error" for c in result.checks):
        # every proof was skipped (unsupported suites): say so, and fail
        result.add(Check("proofs", False, "no proof could be checked: none uses a supported "
                         f"suite ({', '.join(options.registry.names())})", path="proof",
                         code="proof.none_verified"))
    if options.check_dates:
        for check in _date_checks(document, options.now):
            result.add(check)
    return result


def _verify_one(
    document: JsonObject, proof: Any, proofs: list[Any], label: str, options: VerifyOptions,
) -> tuple[list[Check], bool]:
    checks: list[Check] = []
    if not isinstance(proof, dict):
        return [Check(label, False, "a proof must be a JSON object", path=label,
                      code="proof.malformed")], False
    try:
        suite = options.registry.for_proof(proof)
    except EdcIssueError as exc:
        # an unsupported proof is skipped with a warning (as vc-js does), not counted
        return [Check(f"{label}.suite", False, f"{exc.message}; this proof was not checked",
                      path=f"{label}.cryptosuite", code=exc.code, severity="warning")], False
    name = f"{label}.{suite.name}"
    for field_name in ("verificationMethod", "proofPurpose", "proofValue"):
        if not isinstance(proof.get(field_name), str):
            return [Check(f"{name}.signature", False,
                          f'"{field_name}" is missing or not a string',
                          path=f"{label}.{field_name}", code="proof.malformed")], False
    purpose = proof["proofPurpose"]
    if purpose != options.proof_purpose:
        checks.append(Check(f"{name}.purpose", False,
                            f'proofPurpose is "{purpose}"; expected "{options.proof_purpose}"',
                            path=f"{label}.proofPurpose", code="proof.purpose_mismatch"))
    checks += _option_checks(proof, label, name, options)
    try:
        resolved = options.resolver.resolve(proof["verificationMethod"])
    except EdcIssueError as exc:
        checks.append(Check(f"{name}.signature", False, str(exc),
                            path=f"{label}.verificationMethod", code=exc.code))
        return checks, False
    key = resolved.key
    if key.kind not in suite.required_algorithm:
        checks.append(Check(
            f"{name}.signature", False,
            f'the verification method is a {key.kind} key; the cryptosuite "{suite.name}" '
            f'requires {" or ".join(suite.required_algorithm)}',
            path=f"{label}.verificationMethod", code="proof.algorithm_mismatch"))
        return checks, False
    try:
        outcome = verify_proof_value(document, proof, key, suite, all_proofs=proofs,
                                     loader=options.loader)
    except EdcIssueError as exc:
        checks.append(Check(f"{name}.signature", False, str(exc), path=label, code=exc.code))
        return checks, False
    valid = outcome.valid
    if valid:
        checks.append(Check(f"{name}.signature", True,
                            f"{suite.name} signature verifies with {key.id}", path=label))
    else:
        checks.append(Check(f"{name}.signature", False,
                            f"{suite.name} signature does not verify with {key.id}: the "
                            "document or its proof was changed, or another key signed it",
                            path=f"{label}.proofValue", code="proof.bad_signature"))
    if outcome.unsigned:
        first_path, first_message = outcome.unsigned[0]
        more = f" (and {len(outcome.unsigned) - 1} more)" if len(outcome.unsigned) > 1 else ""
        checks.append(Check(
            f"{name}.coverage", False,
            f"{first_message}{more}: no @context defines it, so the signature does not "
            "cover it and a change would go unnoticed (vc-js refuses such documents)",
            path=first_path or None, code="proof.unsigned_data"))
    authorized = resolved.is_authorized(purpose)
    if authorized is False:
        checks.append(Check(f"{name}.purpose", False,
                            f"the controller document of {resolved.controller} does not list "
                            f"{key.id} under {purpose}", path=f"{label}.verificationMethod",
                            code="proof.method_not_authorized"))
    checks.append(_binding_check(document, resolved, label, name, options))
    return checks, valid


def _option_checks(proof: JsonObject, label: str, name: str, options: VerifyOptions
                   ) -> list[Check]:
    checks: list[Check] = []
    expires = proof.get("expires")
    if expires is not None:
        when = parse_datetime(expires)
        if when is None or when <= options.now:
            checks.append(Check(f"{name}.expires", False,
                                f"the proof expired at {expires}" if when else
                                f'"expires" is not a dateTime: {expires!r}',
                                path=f"{label}.expires", code="proof.expired"))
    if options.domain is not None:
        domains = proof.get("domain")
        domains = domains if isinstance(domains, list) else [domains]
        if options.domain not in domains:
            checks.append(Check(f"{name}.domain", False,
                                f'the proof\'s domain {proof.get("domain")!r} is not '
                                f'"{options.domain}"', path=f"{label}.domain",
                                code="proof.domain_mismatch"))
    if options.challenge is not None and proof.get("challenge") != options.challenge:
        checks.append(Check(f"{name}.challenge", False, "the proof's challenge does not match",
                            path=f"{label}.challenge", code="proof.challenge_mismatch"))
    return checks


def _binding_check(document: JsonObject, resolved: ResolvedMethod, label: str, name: str,
                   options: VerifyOptions) -> Check:
    issuer = _issuer_id(document)
    check = f"{name}.key_binding"
    path = f"{label}.kid" if label == "header" else f"{label}.verificationMethod"
    unconfirmed: Severity = "error" if options.require_key_binding else "warning"
    vm = resolved.key.id
    if resolved.source == "embedded":
        return Check(
            check, False,
            f"key binding unconfirmed: the key is carried in the JWT's own jwk header; "
            f"nothing shows that issuer {issuer} controls it (use kid with a DID, or check "
            "the key out of band)",
            path=path, code="proof.key_binding_unconfirmed", severity=unconfirmed)
    if resolved.source == "fragment":
        return Check(
            check, False,
            f"key binding unconfirmed: the key was taken from the fragment of {vm}; "
            f"no controller document of {resolved.controller} was supplied or fetched, so "
            f"nothing shows that issuer {issuer} controls this key (supply it in "
            "controllers=[...], or fetch it with allow_network=True)",
            path=path, code="proof.key_binding_unconfirmed", severity=unconfirmed)
    if issuer is None:
        return Check(check, False,
                     "key binding unconfirmed: the document names no issuer to bind the key to",
                     path=path, code="proof.key_binding_unconfirmed", severity=unconfirmed)
    if resolved.controller == issuer:
        how = {"did:key": "the did:key itself", "document": "the supplied controller document",
               "network": "the fetched controller document"}.get(resolved.source, "")
        return Check(check, True, f"issuer {issuer} controls {vm} ({how})", path=path)
    message = (f"issuer {issuer} is not the controller ({resolved.controller}) of the "
               f"verification method {vm}")
    if issuer.startswith("did:"):
        return Check(check, False, message, path=path, code="proof.key_binding_mismatch")
    return Check(check, False, f"key binding unconfirmed: {message}", path=path,
                 code="proof.key_binding_unconfirmed", severity=unconfirmed)


def _date_checks(document: JsonObject, now: datetime) -> list[Check]:
    checks: list[Check] = []
    # (field, is an end date): not valid before a start date, expired at an end date
    fields = [("validFrom", False), ("issuanceDate", False), ("validUntil", True),
              ("expirationDate", True)]
    for field_name, is_end in fields:
        if field_name not in document:
            continue
        when = parse_datetime(document[field_name])
        if when is None:
            checks.append(Check("validity", False,
                                f"{field_name} is not a dateTime: {document[field_name]!r}",
                                path=field_name, code="credential.bad_date"))
        elif (when <= now) if is_end else (when > now):
            what, code = (("expired", "credential.expired") if is_end else
                          ("not valid yet", "credential.not_yet_valid"))
            checks.append(Check("validity", False, f"{what}: {field_name} is "
                                f"{document[field_name]}", path=field_name, code=code))
    if not checks and any(f in document for f in
                          ("validFrom", "issuanceDate", "validUntil", "expirationDate")):
        checks.append(Check("validity", True, "the credential is within its validity period"))
    return checks

