"""Verifying JAdES-sealed credentials: :func:`verify_envelope`.

Checks are named after the EDC verification vocabulary
(<http://data.europa.eu/snb/verification/25831c2>): ``FORMAT``, ``SEAL``, ``EXPIRY``,
``REVOCATION``. Each aggregate follows its finer-grained checks::

    FORMAT.envelope        JWS JSON serialization with a JSON-object payload
    FORMAT.*               what the caller's conformance function checks (SHACL in verify())
    FORMAT
    SEAL.header            b64:false in crit; no unknown critical header; JAdES values well-formed
    SEAL.certificate       x5c present and readable
    SEAL.signature         over ASCII(protected) || '.' || payload (RFC 7797 §3)
    SEAL.x5t#S256          the signed digest names the x5c certificate
    SEAL.kid               the IssuerSerial in kid names the x5c certificate (when kid is one)
    SEAL.key_usage         digitalSignature
    SEAL.etsiU             the unsigned properties are readable
    SEAL.adoTst[i]         time-stamp over the payload: imprint, CMS signature, TSA EKU
    SEAL.sigTst[i]         time-stamp over the signature value: same
    SEAL.arcTst[i]         archive time-stamp over payload, header, signature, earlier etsiU
    SEAL.chain             x5c / xVals up to a trust anchor (warning when no anchors are given)
    SEAL.trust             warning: the anchor reached is the bundled TEST-ONLY one
    SEAL.validity          the chain was valid at sigT (and at the signature time-stamp)
    SEAL
    REVOCATION             from embedded OCSP responses / CRLs (rVals); nothing is fetched
    EXPIRY                 expirationDate / validUntil of the payload

Each signature goes through the step groups of ETSI TS 119 182-1 in order, one function
each (:mod:`edc_issue.seal._check_signature`, :mod:`edc_issue.seal._check_long_term`):
header; certificate, signature, digest and kid; unsigned properties; time-stamps; chain,
trust and validity; revocation.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime, timezone

from cryptography import x509

from .._types import JsonObject
from .._validity import expiry_check
from ..errors import EdcIssueError
from ..formats.detect import is_jades_envelope
from ..results import Check, VerificationResult
from ._checks import SealChecks, steps
from .jades import parse_envelope

__all__ = ["Conformance", "is_jades_envelope", "verify_envelope"]

#: Checks a sealed payload's conformance (the EDC SHACL shapes, in ``edc_issue.verify``).
Conformance = Callable[[JsonObject], Sequence[Check]]


def _utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def verify_envelope(
    envelope: JsonObject,
    *,
    trust: Sequence[x509.Certificate] | None = None,
    now: datetime | None = None,
    test_anchors: bool = True,
    conformance: Conformance | None = None,
) -> VerificationResult:
    """Verify a JAdES-sealed credential; return every check made (never raises for a bad seal).

    :param trust: trust anchors for the seal's chain. With none given, the bundled
        TEST-ONLY anchor of the EU samples is used (when *test_anchors*), and a chain
        that reaches no anchor is a warning, not an error.
    :param now: the time for ``EXPIRY`` (default: the current UTC time).
    :param conformance: checks the payload's conformance (``FORMAT.*`` checks; ``FORMAT``
        fails when one of them fails); ``None``: the payload's conformance is not checked.
        :func:`edc_issue.verify` passes the EDC SHACL validation.
    """
    result = VerificationResult(format="jades")
    when_now = _utc(now) if now is not None else datetime.now(timezone.utc)
    try:
        env = parse_envelope(envelope)
    except EdcIssueError as exc:
        result.add(Check("FORMAT.envelope", False, exc.message, path=exc.pointer,
                         code="seal.malformed"))
        result.add(Check("FORMAT", False, "not a JAdES envelope: " + exc.message,
                         code="seal.malformed"))
        result.add(Check("SEAL", False, "not checked: the envelope is malformed",
                         code="seal.malformed"))
        return result

    document = _check_payload(result, env.payload, len(env.signatures))
    _check_format(result, document, conformance)

    revocation: list[Check] = []
    for parts in env.signatures:
        checks = SealChecks(result, parts, env.payload, trust, test_anchors)
        for step in steps():
            step(checks)
            if checks.stopped:
                break
        checks.finish()
        revocation.extend(checks.revocation)
    for check in revocation:
        result.add(check)
    result.add(expiry_check(document, when_now))
    return result


def _check_payload(result: VerificationResult, payload: str, count: int) -> JsonObject | None:
    """``FORMAT.envelope``: the payload is a JSON object; return it (or ``None``)."""
    try:
        document = json.loads(payload)
    except (ValueError, RecursionError) as exc:
        problem: str | None = f"the payload is not JSON ({exc})"
    else:
        problem = None if isinstance(document, dict) else "the payload is not a JSON object"
    if problem:
        result.add(Check("FORMAT.envelope", False, problem, path="payload",
                         code="seal.malformed"))
        return None
    result.add(Check("FORMAT.envelope", True, f"JWS JSON serialization, {count} signature(s), "
                     "JSON-object payload", path="payload"))
    result.document = document
    return document  # type: ignore[no-any-return]


def _check_format(result: VerificationResult, document: JsonObject | None,
                  conformance: Conformance | None) -> None:
    """``FORMAT``: the envelope is well formed and the payload conforms (when checked)."""
    if document is None:
        failed = next(c for c in result.checks if c.check == "FORMAT.envelope" and not c.ok)
        result.add(Check("FORMAT", False, failed.message, code="seal.malformed"))
        return
    checks = list(conformance(document)) if conformance is not None else []
    for check in checks:
        result.add(check)
    failed_checks = [c for c in checks if not c.ok and c.severity == "error"]
    verdict: bool | None  # None: not checked (no conformance, or it could not answer)
    if failed_checks:
        verdict = False
    elif checks and all(c.ok for c in checks):
        verdict = True
    else:
        verdict = None
    message = "well-formed envelope" + {
        True: "; the payload conforms to the EDC shapes",
        False: "; the payload does not conform to the EDC shapes",
        None: "; SHACL conformance not checked"}[verdict]
    result.add(Check("FORMAT", verdict is not False, message,
                     code=None if verdict is not False else
                     (failed_checks[0].code or "credential.not_conforming")))
