"""Suite name → cryptosuite, with an allowlist (only listed suites are used).

A proof is matched by its ``cryptosuite`` when its type is ``DataIntegrityProof``,
and by its ``type`` otherwise (the legacy ``Ed25519Signature2020``). The default
registry signs with ``eddsa-rdfc-2022`` and ``ecdsa-rdfc-2019`` and also verifies
``eddsa-2022`` and ``Ed25519Signature2020``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import AlgorithmMismatchError, ConfigError, ProofFormatError
from ..keys.key import KeyKind
from . import ecdsa_rdfc_2019, eddsa_rdfc_2022
from .data_integrity import DATA_INTEGRITY_PROOF, RdfcSuite
from .legacy import Ed25519Signature2020, Eddsa2022

__all__ = ["DEFAULT_SUITE", "SuiteRegistry", "default_registry", "suite_name_of"]

#: The suite used for each key type when the caller names none.
DEFAULT_SUITE: Mapping[KeyKind, str] = {
    "ed25519": eddsa_rdfc_2022.NAME,
    "p256": ecdsa_rdfc_2019.NAME,
    "p384": ecdsa_rdfc_2019.NAME,
}


def suite_name_of(proof: Mapping[str, Any]) -> str | None:
    """Return the suite name a proof asks for: its ``cryptosuite`` or its ``type``."""
    kind = proof.get("type")
    if kind == DATA_INTEGRITY_PROOF:
        name = proof.get("cryptosuite")
        return name if isinstance(name, str) else None
    return kind if isinstance(kind, str) else None


class SuiteRegistry:
    """The cryptosuites edc_issue may use, by name.

    :param suites: the suites known.
    :param allowed: the names that may be used (default: all known). A proof naming a
        known suite outside the allowlist is refused, like an unknown one.
    """

    def __init__(self, suites: Iterable[RdfcSuite], *, allowed: Iterable[str] | None = None
                 ) -> None:
        self._suites: dict[str, RdfcSuite] = {}
        for suite in suites:
            self.register(suite)
        self._allowed = set(allowed) if allowed is not None else None

    def register(self, suite: RdfcSuite) -> None:
        """Add *suite* (replacing one of the same name)."""
        if not suite.name or not suite.required_algorithm:
            raise ConfigError(f"suite {suite!r} must have a name and a required algorithm",
                              code="config.invalid")
        self._suites[suite.name] = suite

    def names(self) -> list[str]:
        """Return the allowed suite names, sorted."""
        return sorted(n for n in self._suites if self._is_allowed(n))

    def _is_allowed(self, name: str) -> bool:
        return self._allowed is None or name in self._allowed

    def get(self, name: str) -> RdfcSuite:
        """Return the suite called *name*.

        :raises ProofFormatError: ``proof.unknown_suite`` (with a did-you-mean).
        :raises ConfigError: ``config.suite_not_allowed`` when known but not allowed.
        """
        suite = self._suites.get(name)
        if suite is None:
            close = difflib.get_close_matches(name, list(self._suites), n=1, cutoff=0.6)
            raise ProofFormatError(
                f'unknown proof suite "{name}"; expected one of {", ".join(self.names())}',
                hint=f'did you mean "{close[0]}"?' if close else None,
                code="proof.unknown_suite",
            )
        if not self._is_allowed(name):
            raise ConfigError(f'cryptosuite "{name}" is not allowed here',
                              code="config.suite_not_allowed")
        return suite

    def for_proof(self, proof: Mapping[str, Any]) -> RdfcSuite:
        """Return the suite that verifies *proof*.

        :raises ProofFormatError: ``proof.unknown_suite``.
        """
        name = suite_name_of(proof)
        if name is None:
            raise ProofFormatError(
                'the proof names no suite: "type" (and "cryptosuite" for DataIntegrityProof) '
                "is missing", pointer="proof", code="proof.unknown_suite",
            )
        return self.get(name)

    def default_for(self, kind: KeyKind) -> RdfcSuite:
        """Return the default suite for a key type.

        :raises AlgorithmMismatchError: ``proof.algorithm_mismatch`` (RSA keys sign only
            VC-JWT); a :class:`KeyMaterialError` too.
        """
        name = DEFAULT_SUITE.get(kind)
        if name is None:
            raise AlgorithmMismatchError(
                f'no Data Integrity cryptosuite signs with a "{kind}" key; use suite "vc-jwt" '
                "or an ed25519, p256 or p384 key", code="proof.algorithm_mismatch",
            )
        return self.get(name)


_DEFAULT = SuiteRegistry(
    [eddsa_rdfc_2022.suite, ecdsa_rdfc_2019.suite, Ed25519Signature2020(), Eddsa2022()]
)


def default_registry() -> SuiteRegistry:
    """Return the default registry (eddsa-rdfc-2022, ecdsa-rdfc-2019, and verify-only legacy)."""
    return _DEFAULT
