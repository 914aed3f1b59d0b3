"""Result objects of ``verify()`` and ``validate()``: ordinary answers, never exceptions.

Their JSON forms are the shape fixed in the public contract::

    {"results": [{"file": ..., "ok": true|false,
                  "checks": [{"check": ..., "ok": ..., "message": ..., "path": ...}]}]}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Check", "Finding", "Severity", "ValidationReport", "VerificationResult"]

#: ``error`` decides the verdict; ``warning`` is reported but does not change ``ok``
#: (unless the caller asks, e.g. ``--fail-on warning``); ``info`` is context.
Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Check:
    """One verification check: a signature, a digest, a date, a status, a key binding.

    :param check: the check's name, e.g. ``proof[0].signature``, ``SEAL``, ``EXPIRY``.
    :param ok: whether it passed. A check that could not be made is ``ok=False``
        with severity ``warning`` and says so in ``message``.
    :param path: where in the document (a JSON path), when it applies.
    :param code: a stable ``area.reason`` code for failures.
    """

    check: str
    ok: bool
    message: str
    path: str | None = None
    code: str | None = None
    severity: Severity = "error"

    def to_json(self) -> dict[str, Any]:
        """Return the contract's JSON form of this check (extra keys are additive)."""
        out: dict[str, Any] = {
            "check": self.check,
            "ok": self.ok,
            "message": self.message,
            "path": self.path,
            "severity": self.severity,
        }
        if self.code:
            out["code"] = self.code
        return out


@dataclass
class VerificationResult:
    """The answer of ``verify()``: every check made, and the verdict.

    ``ok`` is true when at least one check was made and no check of severity
    ``error`` failed. Warnings (say, a key binding that could not be confirmed
    offline) are listed but do not change ``ok``.
    """

    checks: list[Check] = field(default_factory=list)
    file: str | None = None
    format: str | None = None
    document: Any = None

    @property
    def ok(self) -> bool:
        """True when some check was made and no error-severity check failed."""
        return bool(self.checks) and all(c.ok for c in self.checks if c.severity == "error")

    @property
    def warnings(self) -> list[Check]:
        """The checks that failed with severity ``warning``."""
        return [c for c in self.checks if not c.ok and c.severity == "warning"]

    def add(self, check: Check) -> None:
        """Append one check."""
        self.checks.append(check)

    def to_json(self) -> dict[str, Any]:
        """Return the contract's JSON form (one entry of ``results``)."""
        out: dict[str, Any] = {
            "file": self.file,
            "ok": self.ok,
            "checks": [c.to_json() for c in self.checks],
        }
        if self.format:
            out["format"] = self.format
        return out


@dataclass(frozen=True)
class Finding:
    """One validation finding: what is wrong, where, by which rule.

    :param path: JSON path in the source document (``credentialSubject.hasClaim[0].title``).
    :param rule: the rule that found it: a SHACL shape and constraint, a JSON Schema
        keyword, or a VC Data Model rule id.
    """

    path: str
    message: str
    severity: Severity = "error"
    rule: str = ""
    code: str | None = None
    value: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the contract's JSON form (a ``checks`` entry with rule and severity)."""
        out: dict[str, Any] = {
            "check": self.rule or "validation",
            "ok": False,
            "message": self.message,
            "path": self.path,
            "severity": self.severity,
            "rule": self.rule,
        }
        if self.code:
            out["code"] = self.code
        if self.value is not None:
            out["value"] = self.value
        return out


@dataclass
class ValidationReport:
    """The answer of ``validate()``: the findings and the verdict.

    ``ok`` is true when no finding has severity ``error``.
    """

    findings: list[Finding] = field(default_factory=list)
    file: str | None = None
    format: str | None = None
    profile: str | None = None

    @property
    def ok(self) -> bool:
        """True when no finding is an error."""
        return not any(f.severity == "error" for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        """Return the contract's JSON form (one entry of ``results``)."""
        out: dict[str, Any] = {
            "file": self.file,
            "ok": self.ok,
            "checks": [f.to_json() for f in self.findings],
        }
        if self.format:
            out["format"] = self.format
        if self.profile:
            out["profile"] = self.profile
        return out
