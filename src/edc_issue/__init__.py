"""edc-issue: issue, sign, seal, validate and verify EDCs and Open Badges 3.0.

The public API (names fixed by the contract)::

    import edc_issue as edc
    key = edc.load_key("issuer-key.json")                     # Multikey / JWK / PEM
    signed = edc.sign(credential, key)                         # Data Integrity, offline
    result = edc.verify(signed)                                # result.ok, result.checks
    report = edc.validate(credential)                          # report.ok, report.findings
    canonical = edc.canonicalize_nquads(edc.to_nquads(doc))    # RDFC-1.0

Sealing EDCs: :func:`edc_issue.seal.seal`. Models: :mod:`edc_issue.models.edc`,
:mod:`edc_issue.models.ob3`. Building EDCs: :mod:`edc_issue.edc`.
"""

from ._api import Issuer, Verifier, sign, verify
from ._types import Fetcher, Signer
from ._version import __version__
from .errors import EdcIssueError
from .jsonld import OfflineLoader, canonicalize_nquads, to_nquads
from .keys import Key, generate_key, load_key
from .results import Check, Finding, ValidationReport, VerificationResult
from .validate import validate

__all__ = [
    "Check",
    "EdcIssueError",
    "Fetcher",
    "Finding",
    "Issuer",
    "Key",
    "OfflineLoader",
    "Signer",
    "ValidationReport",
    "VerificationResult",
    "Verifier",
    "__version__",
    "canonicalize_nquads",
    "generate_key",
    "load_key",
    "sign",
    "to_nquads",
    "validate",
    "verify",
]


def __dir__() -> list[str]:
    return __all__
