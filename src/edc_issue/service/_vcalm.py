"""The library's verification result as a VCALM ``VerificationResult``.

::

    {"verified": false,
     "problemDetails": [{"type": "urn:edc-issue:error:proof.bad_signature",
                         "title": "proof.bad_signature", "detail": "...", "pointer": "/proof"}],
     "results": {"proof": [{"verified": false, "input": {...}}],
                 "credentialStatus": [{"verified": true, "input": {...}}],
                 "validFrom": {"verified": true, "input": "2024-01-01T00:00:00Z"}},
     "checks": [...]}            # the library's checks, in the contract's JSON form

Warnings (a status list that was not given, a key binding that cannot be confirmed
offline) are problem details with ``"severity": "warning"``; they do not change
``verified``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["from_error", "to_vcalm"]


def _problem(code: str, detail: str, pointer: str | None, severity: str) -> dict[str, Any]:
    out: dict[str, Any] = {"type": f"urn:edc-issue:error:{code}", "title": code,
                           "detail": detail, "severity": severity}
    if pointer and pointer.startswith("/"):  # already a JSON pointer (/options/challenge)
        out["pointer"] = pointer
    elif pointer:
        out["pointer"] = "/" + pointer.replace("]", "").replace("[", ".").replace(".", "/")
    return out


def to_vcalm(result: dict[str, Any], document: Any, *, return_credential: bool = False,
             prefix: str = "") -> dict[str, Any]:
    """Map ``VerificationResult.to_json()`` (with ``document``) to the VCALM shape."""
    checks: list[dict[str, Any]] = result.get("checks", [])
    problems = [
        _problem(c.get("code") or "verify.failed", c["message"], c.get("path"),
                 c.get("severity", "error"))
        for c in checks if not c.get("ok")
    ]
    credential = result.get("document") if isinstance(result.get("document"), dict) else (
        document if isinstance(document, dict) else None)
    results: dict[str, Any] = {}
    proof_checks = [c for c in checks if str(c.get("check", "")).startswith("proof")]
    if credential is not None:
        proofs = credential.get("proof")
        proof_list = proofs if isinstance(proofs, list) else ([proofs] if proofs else [])
        entries = []
        for index, proof in enumerate(proof_list):
            label = f"proof[{index}]" if isinstance(proofs, list) else "proof"
            mine = [c for c in proof_checks if str(c.get("check", "")).split(".")[0] == label]
            entries.append({"verified": bool(mine) and all(
                c.get("ok") or c.get("severity") != "error" for c in mine), "input": proof})
        if entries:
            results["proof"] = entries
        for name in ("validFrom", "validUntil"):
            if name in credential:
                failed = any(c.get("path") == name and not c.get("ok") for c in checks)
                results[name] = {"verified": not failed, "input": credential[name]}
        status = credential.get("credentialStatus")
        if status is not None:
            status_checks = [c for c in checks if c.get("check") == "status"]
            inputs = status if isinstance(status, list) else [status]
            results["credentialStatus"] = [
                {"verified": bool(c.get("ok")), "input": entry,
                 **({"value": 1} if c.get("code") in ("status.revoked", "status.suspended")
                    else {"value": 0} if c.get("ok") else {})}
                for entry, c in zip(inputs, status_checks, strict=False)
            ]
    seal_checks = [c for c in checks if c.get("check") in ("FORMAT", "SEAL", "EXPIRY",
                                                           "REVOCATION")]
    if seal_checks:
        results["seal"] = [{"check": c["check"], "verified": bool(c.get("ok"))}
                           for c in seal_checks]
    out: dict[str, Any] = {"verified": bool(result.get("ok")), "problemDetails": problems,
                           "results": results, "checks": checks}
    if result.get("format"):
        out["format"] = result["format"]
    if return_credential and credential is not None:
        out["credential"] = credential
    return out


def from_error(code: str, message: str, pointer: str | None = None) -> dict[str, Any]:
    """A VCALM result for a credential the library could not verify at all."""
    return {"verified": False, "problemDetails": [_problem(code, message, pointer, "error")],
            "results": {}, "checks": []}
