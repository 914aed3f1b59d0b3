"""The validation steps of one JAdES signature, in the order :func:`verify_envelope` runs them.

Each step is a function of :class:`SealChecks` (the signature's state and the checks
made so far) that adds ``SEAL.*`` checks; a step that finds nothing more can be checked
sets ``stopped``. Steps 1-2 are in :mod:`._check_signature`, 3-6 in
:mod:`._check_long_term`. The groups follow ETSI TS 119 182-1 / EN 319 102-1: the header; the
certificate, signature, digest and kid; the unsigned properties; the time-stamps; the
chain, trust and validity; revocation (reported after every SEAL check).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from cryptography import x509

from ..results import Check, Severity, VerificationResult
from ._envelope import SignatureParts
from .chain import describe

__all__ = ["SealChecks", "steps"]

class SealChecks:
    """The state of one signature entry while its steps run, and the checks they add."""

    def __init__(self, result: VerificationResult, parts: SignatureParts, payload: str,
                 trust: Sequence[x509.Certificate] | None, test_anchors: bool) -> None:
        self.result = result
        self.parts = parts
        self.prefix = parts.path
        self.payload = payload
        self.payload_bytes = payload.encode("utf-8")
        self.trust = trust
        self.test_anchors = test_anchors
        self.failed: list[Check] = []
        self.revocation: list[Check] = []
        self.stopped = False
        # filled in by the steps
        self.header: dict[str, Any] = {}
        self.unprotected: dict[str, Any] = dict(parts.header)
        self.x5c: list[x509.Certificate] = []
        self.etsi_u: list[dict[str, Any]] = []
        self.xvals: list[x509.Certificate] = []
        self.ocsps: list[bytes] = []
        self.crls: list[bytes] = []
        self.has_tokens = False
        self.sig_tst_times: list[datetime] = []
        self.anchors: list[x509.Certificate] = []
        self.path: tuple[x509.Certificate, ...] = ()

    @property
    def leaf(self) -> x509.Certificate:
        """The signing certificate (``x5c[0]``)."""
        return self.x5c[0]

    def add(self, name: str, ok: bool, message: str, *, code: str | None = None,
            severity: Severity = "error", path: str | None = None) -> None:
        """Record one check of this signature."""
        where = path if path is not None else self.prefix
        check = Check(name, ok, message, path=where, code=None if ok else code,
                      severity=severity)
        self.result.add(check)
        if not ok and severity == "error":
            self.failed.append(check)

    def finish(self) -> None:
        """Add the ``SEAL`` aggregate: the first failed check, or a summary."""
        if self.failed:
            first = self.failed[0]
            self.result.add(Check("SEAL", False, f"{first.check}: {first.message}",
                                  path=self.prefix, code=first.code))
            return
        self.result.add(Check(
            "SEAL", True, f"sealed by '{describe(self.leaf)}' at {self.header['sigT']}: "
            f"signature, certificate digest{', time-stamps' if self.has_tokens else ''} "
            "and chain verify", path=self.prefix))


def steps() -> tuple[Callable[[SealChecks], None], ...]:
    """The steps of one signature, in order."""
    from ._check_long_term import (
        check_chain,
        check_revocation_data,
        check_timestamps,
        check_unsigned_properties,
    )
    from ._check_signature import check_header, check_signature

    return (check_header, check_signature, check_unsigned_properties, check_timestamps,
            check_chain, check_revocation_data)
