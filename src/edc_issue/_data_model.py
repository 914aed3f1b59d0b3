"""The W3C VC Data Model (1.1 or 2.0, chosen by the first ``@context``) where a credential
is signed and where it is verified.

:func:`require_data_model` is what :class:`~edc_issue.Issuer` (and so ``sign()``, ``edc-issue
sign`` and the batch) runs before signing: a credential that breaks a rule is refused with a
:class:`~edc_issue.errors.DataModelError` listing every problem with its JSON path.
:func:`data_model_checks` is what :class:`~edc_issue.Verifier` adds to every result: the same
rules as ``vcdm.*`` checks, whatever the format (Data Integrity, VC-JWT, a baked badge, a
sealed EDC), plus the ``relatedResource`` digests that can be checked offline.

The rules themselves are :func:`edc_issue.validate.vcdm.check_vcdm`'s (``validate()`` runs
them too); this module only chooses how strictly and turns findings into errors or checks.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from .errors import DataModelError, ReadError
from .results import Check, Finding
from .validate.vcdm import VC_V1, VC_V2, check_related_resources, check_vcdm

__all__ = ["data_model_checks", "data_model_findings", "require_data_model"]

_EDC_TYPE = "EuropeanDigitalCredential"


def _is_edc(doc: dict[str, Any]) -> bool:
    types = doc.get("type", doc.get("@type"))
    return _EDC_TYPE in (types if isinstance(types, list) else [types])


def data_model_findings(credential: dict[str, Any]) -> list[Finding]:
    """Return the VC Data Model errors of *credential* as it is about to be signed (its
    issuer set, and for VC 1.1 its ``issuanceDate``; an EDC's dates are ELM's own)."""
    return [f for f in check_vcdm(credential, edc=_is_edc(credential))
            if f.severity == "error"]


def require_data_model(credential: dict[str, Any]) -> None:
    """Refuse *credential* unless it follows the VC Data Model.

    :raises DataModelError: the first problem's code (``vcdm.*``), with every problem in
        ``problems`` as ``(path, "message [code]")`` and in ``findings``.
    """
    from .formats.detect import is_presentation

    if is_presentation(credential):
        return  # a presentation's own rules are not a credential's
    findings = data_model_findings(credential)
    if not findings:
        return
    first = findings[0]
    more = f" (and {len(findings) - 1} more problem(s))" if len(findings) > 1 else ""
    raise DataModelError(
        f"{first.message}{more}", code=first.code or "vcdm.invalid", pointer=first.path,
        hint="the credential must follow the VC Data Model before it is signed; "
             "check_data_model=False signs it anyway (test vectors only)",
        spec="https://www.w3.org/TR/vc-data-model-2.0/",
        problems=[(f.path, f"{f.message} [{f.code or 'vcdm.invalid'}]") for f in findings],
        findings=findings)


def _jwt_credential(token: str) -> dict[str, Any] | None:
    from .formats.detect import decode_jwt, jwt_credential

    try:
        _, payload = decode_jwt(token)
    except ReadError:
        return None
    credential = dict(jwt_credential(payload))
    if isinstance(payload.get("vc"), dict):
        # VC-JWT 1.1 moves these into registered claims (iss, nbf, exp, jti, sub)
        if "issuer" not in credential and isinstance(payload.get("iss"), str):
            credential["issuer"] = payload["iss"]
        if "issuanceDate" not in credential and _is_number(payload.get("nbf")):
            credential["issuanceDate"] = _timestamp(payload["nbf"])
        if "expirationDate" not in credential and _is_number(payload.get("exp")):
            credential["expirationDate"] = _timestamp(payload["exp"])
        if "id" not in credential and isinstance(payload.get("jti"), str):
            credential["id"] = payload["jti"]
    return credential


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _timestamp(value: float) -> str | float:
    try:
        when = datetime.fromtimestamp(value, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return value  # reported as a malformed date
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _credential_of(document: Any, fmt: str) -> tuple[dict[str, Any] | None, bool]:
    """The credential a routed document carries, and whether it is an EDC payload."""
    if fmt == "vc-jwt" and isinstance(document, str):
        return _jwt_credential(document), False
    if fmt == "jades" and isinstance(document, dict):
        from .formats.detect import detect

        detected = detect(document)
        return detected.credential, True
    if fmt == "data-integrity" and isinstance(document, dict):
        return document, _is_edc(document)
    return None, False


def data_model_checks(document: Any, fmt: str) -> list[Check]:
    """The ``vcdm.*`` checks of a document routed to format *fmt* (``data-integrity``,
    ``vc-jwt`` or ``jades``; other formats, and presentations, get none here).

    Each rule broken is a failed check named by its rule (``vcdm.context``,
    ``vcdm.issuer``...) with the JSON path and code; when none is, one passed ``vcdm``
    check. Each ``relatedResource`` digest is a ``vcdm.relatedResource`` check: passed
    when it matches the copy available offline, failed when it does not, and a warning
    (not done) when the resource is not available offline. Never raises.
    """
    credential, edc = _credential_of(document, fmt)
    if credential is None:
        return []
    from .formats.detect import is_presentation

    if is_presentation(credential):
        return []
    checks: list[Check] = []
    for finding in check_vcdm(credential, edc=edc):
        if finding.severity == "error":
            checks.append(Check(finding.rule or "vcdm", False, finding.message,
                                path=finding.path or None, code=finding.code))
    if not checks:
        version = {VC_V1: "1.1", VC_V2: "2.0"}.get(_first_context(credential), "")
        checks.append(Check("vcdm", True, f"the credential follows the VC Data Model "
                                          f"{version}".rstrip()))
    for finding in check_related_resources(credential):
        passed = finding.severity == "info"
        checks.append(Check(finding.rule, passed, finding.message, path=finding.path,
                            code=finding.code,
                            severity="warning" if finding.severity == "warning" else "error"))
    return checks


def _first_context(credential: dict[str, Any]) -> Any:
    contexts = credential.get("@context")
    if isinstance(contexts, list) and contexts:
        return contexts[0] if isinstance(contexts[0], str) else None
    return None
