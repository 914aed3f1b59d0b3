"""Errors raised on purpose by edc_issue.

Catch :class:`EdcIssueError` for everything; each error has a stable ``code``
(``area.reason``) that never changes once released (see ``docs/errors.md``)::

    EdcIssueError                 error
    ├─ InputError                 input.invalid      the data we were given is wrong
    │  ├─ ReadError               io.unreadable · io.not_json · io.not_object · io.too_large
    │  ├─ ModelError              model.invalid (wraps pydantic; .problems)
    │  ├─ ContextError            jsonld.context_not_allowed · jsonld.context_fetch_failed
    │  ├─ JsonLdError             jsonld.undefined_term · jsonld.relative_iri · jsonld.invalid
    │  ├─ CanonicalizationError   canon.poison_graph · canon.invalid_nquads
    │  ├─ KeyMaterialError        key.malformed · key.unsupported · key.mismatch · key.revoked ·
    │  │                          key.bad_pin · key.not_found
    │  └─ ProofFormatError        proof.malformed · proof.unknown_suite
    ├─ ConfigError                config.suite_not_allowed · config.extra_missing
    ├─ SignerError                signer.failed (HSM/KMS backend; __cause__ kept) ·
    │                             signer.auth_failed · seal.tsa_failed · seal.revocation_unavailable
    ├─ ValidationError            validation.failed (raised only by helpers that must stop)
    ├─ StatusError                status.list_full · status.index_taken
    └─ IOFailure                  io.write_failed

``verify()`` and ``validate()`` never raise because a credential is bad: they
return a result whose ``ok`` is false. They raise only when no answer can be
reached (unreadable input, missing key, ...).
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "CanonicalizationError",
    "ConfigError",
    "ContextError",
    "EdcIssueError",
    "EdcIssueWarning",
    "IOFailure",
    "InputError",
    "JsonLdError",
    "KeyMaterialError",
    "ModelError",
    "ProofFormatError",
    "ReadError",
    "SecurityWarning",
    "SignerError",
    "StatusError",
    "ValidationError",
]


class EdcIssueError(Exception):
    """Base class for every error edc_issue raises on purpose.

    :param message: what was found and what was expected, in one line.
    :param code: overrides the class's default code (``area.reason``).
    :param pointer: where: a JSON path (``credentialSubject.name``) or a file name.
    :param hint: what to do about it (a did-you-mean, a flag to pass).
    :param spec: a link to the specification section that applies.
    """

    code: ClassVar[str] = "error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        pointer: str | None = None,
        hint: str | None = None,
        spec: str | None = None,
        problems: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            # instance attribute shadows the class default
            self.code = code  # type: ignore[misc]
        self.pointer = pointer
        self.hint = hint
        self.spec = spec
        #: every problem found, as (path, message), when there is more than one
        self.problems: list[tuple[str, str]] = list(problems or [])

    def __str__(self) -> str:
        text = self.message
        if self.pointer:
            text = f"{self.pointer}: {text}"
        if self.hint:
            text = f"{text} ({self.hint})"
        return text


class InputError(EdcIssueError):
    """The data we were given is wrong: exit status 2 at the command line."""

    code: ClassVar[str] = "input.invalid"


class ReadError(InputError):
    """A file could not be read or parsed (missing, not JSON, not an object, too large)."""

    code: ClassVar[str] = "io.unreadable"


class ModelError(InputError):
    """A credential does not fit the data model; ``problems`` lists each one with its path."""

    code: ClassVar[str] = "model.invalid"


class ContextError(InputError):
    """A JSON-LD context is not bundled (and the network is not allowed) or failed to load."""

    code: ClassVar[str] = "jsonld.context_not_allowed"


class JsonLdError(InputError):
    """JSON-LD processing failed, or would silently drop data in strict mode."""

    code: ClassVar[str] = "jsonld.invalid"


class CanonicalizationError(InputError):
    """RDFC-1.0 could not canonicalize the dataset (poison graph, malformed N-Quads)."""

    code: ClassVar[str] = "canon.invalid_nquads"


class KeyMaterialError(InputError):
    """A key is malformed, of an unsupported type, or does not match what it is used for."""

    code: ClassVar[str] = "key.malformed"


class ProofFormatError(InputError):
    """A proof, JWT or seal is structurally malformed or names an unknown suite."""

    code: ClassVar[str] = "proof.malformed"


class ConfigError(EdcIssueError):
    """The library is configured wrongly (suite not allowed, optional extra missing)."""

    code: ClassVar[str] = "config.invalid"


class SignerError(EdcIssueError):
    """A signing backend (file key, HSM, KMS) failed; the backend's error is ``__cause__``."""

    code: ClassVar[str] = "signer.failed"


class ValidationError(EdcIssueError):
    """A credential failed validation where the caller asked to stop on failure."""

    code: ClassVar[str] = "validation.failed"


class StatusError(EdcIssueError):
    """A status list cannot do what was asked (full, index already taken)."""

    code: ClassVar[str] = "status.invalid"


class IOFailure(EdcIssueError):
    """Writing output failed (disk full, permission denied)."""

    code: ClassVar[str] = "io.write_failed"


class EdcIssueWarning(UserWarning):
    """Base class of the warnings edc_issue emits."""


class SecurityWarning(EdcIssueWarning):
    """Something works but is weaker than it should be (network fetch, weak algorithm)."""
