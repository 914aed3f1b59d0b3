"""edc-issue: issue, sign, seal, validate and verify EDCs and Open Badges 3.0.

The public API (see the contract in ``docs/``)::

    import edc_issue as edc
    nquads = edc.to_nquads(credential)             # offline, strict by default
    canonical = edc.canonicalize_nquads(nquads)    # RDFC-1.0
"""

from __future__ import annotations

from ._version import __version__
from .errors import EdcIssueError
from .jsonld import OfflineLoader, canonicalize_nquads, to_nquads
from .results import Check, Finding, ValidationReport, VerificationResult

__all__ = [
    "Check",
    "EdcIssueError",
    "Finding",
    "OfflineLoader",
    "ValidationReport",
    "VerificationResult",
    "__version__",
    "canonicalize_nquads",
    "to_nquads",
]


def __dir__() -> list[str]:
    return __all__
