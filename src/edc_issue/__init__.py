"""edc-issue: issue, sign, seal, validate and verify EDCs and Open Badges 3.0.

The public API (names fixed by the contract)::

    import edc_issue as edc
    key = edc.load_key("issuer-key.json")                     # Multikey / JWK / PEM
    signed = edc.sign(credential, key)                         # Data Integrity, offline
    result = edc.verify(signed)                                # result.ok, result.checks
    report = edc.validate(credential)                          # report.ok, report.findings
    canonical = edc.canonicalize_nquads(edc.to_nquads(doc))    # RDFC-1.0

    issuer = edc.Issuer(signer, suite="eddsa-rdfc-2022")       # settings held once
    verifier = edc.Verifier(trust=[root_pem], status_lists=[status_list])
    vp = edc.sign_presentation(edc.build_presentation([signed], holder=holder_did), key,
                               challenge=challenge)          # verify(vp, challenge=...)

Sealing EDCs: :func:`edc_issue.seal.seal`. Models: :mod:`edc_issue.models.edc`,
:mod:`edc_issue.models.ob3`. Building EDCs: :mod:`edc_issue.edc`.

Importing this package is cheap: the names that need cryptography, pyld, pydantic or the
SHACL stack are loaded on first use (PEP 562), and then are ordinary attributes.
"""

import importlib as _importlib
import typing as _typing

from ._types import Fetcher, Signer
from ._version import __version__
from .errors import EdcIssueError
from .results import Check, Finding, ValidationReport, VerificationResult
from .validate import validate

if _typing.TYPE_CHECKING:
    from ._api import Issuer, Verifier, sign, verify
    from ._presentations import build_presentation, sign_presentation
    from .jsonld import OfflineLoader, canonicalize_nquads, to_nquads
    from .keys import Key, generate_key, load_key

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
    "build_presentation",
    "canonicalize_nquads",
    "generate_key",
    "load_key",
    "sign",
    "sign_presentation",
    "to_nquads",
    "validate",
    "verify",
]

#: The names loaded on first use, and the module each comes from.
_LAZY = {
    "Issuer": "._api",
    "Verifier": "._api",
    "sign": "._api",
    "verify": "._api",
    "build_presentation": "._presentations",
    "sign_presentation": "._presentations",
    "OfflineLoader": ".jsonld",
    "canonicalize_nquads": ".jsonld",
    "to_nquads": ".jsonld",
    "Key": ".keys",
    "generate_key": ".keys",
    "load_key": ".keys",
}
#: Defined in private modules: shown (in reprs, tracebacks, docs) as ``edc_issue.<name>``.
_PRIVATE_HOMES = ("edc_issue._api", "edc_issue._issuer", "edc_issue._verifier",
                  "edc_issue._types", "edc_issue._presentations")


def _public_module(value: _typing.Any) -> _typing.Any:
    if getattr(value, "__module__", None) in _PRIVATE_HOMES:
        value.__module__ = __name__
    return value


def __getattr__(name: str) -> _typing.Any:
    home = _LAZY.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = _public_module(getattr(_importlib.import_module(home, __name__), name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


for _name in ("Fetcher", "Signer"):
    _public_module(globals()[_name])
del _name
