"""Errors raised on purpose by edc_issue.

Catch :class:`EdcIssueError` for everything; each error has a stable ``code``
(``area.reason``) that never changes once released (see ``docs/errors.md``). Each class
declares the codes it may carry (:attr:`EdcIssueError.codes`), and a code's area names
its class (:data:`AREAS`)::

    EdcIssueError                 error
    ├─ InputError                 input.*            the data we were given is wrong (exit 2)
    │  ├─ ReadError               io.* (reading)     unreadable, not JSON, too large, fetch failed
    │  ├─ ModelError              model.*            wraps pydantic; .problems
    │  ├─ DataModelError          vcdm.*             not the VC Data Model (on signing); .problems
    │  ├─ ContextError            jsonld.context_*   a context not bundled, or failing to load
    │  ├─ JsonLdError             jsonld.*           undefined terms, relative IRIs; .problems
    │  ├─ CanonicalizationError   canon.*            poison graph, bad N-Quads
    │  ├─ KeyMaterialError        key.*              malformed, unsupported, no secret ...
    │  ├─ ProofFormatError        proof.*            malformed proof or JWT, unknown suite
    │  │  └─ AlgorithmMismatchError  proof.algorithm_mismatch (also a KeyMaterialError)
    │  ├─ BakingError             bake.*             a PNG/SVG badge
    │  ├─ ConversionError         ob3.*              an EDC that does not convert to OB 3.0
    │  ├─ ProfileError            validate.*         an unknown validation profile
    │  ├─ RenderError             render.*           a document or theme that cannot be rendered
    │  └─ BatchInputError         batch.bad_jobs ·   a batch that cannot start (also a BatchError)
    │     │                       batch.output_locked
    │     ├─ BatchDataError       batch.no_header …  a data file that is not rows (also a ReadError)
    │     └─ TemplateError        batch.template ·   a batch template that cannot work
    │                             batch.missing_column
    ├─ BatchError                 batch.*            a batch run failed (a worker died); the base
    │                                                of the batch errors above
    ├─ ConfigError                config.*           suite not allowed, extra missing
    ├─ SignerError                signer.*           a signing backend (HSM, KMS) failed
    ├─ ValidationError            validation.*       a credential refused for not conforming
    ├─ StatusError                status.*           a status list cannot do what was asked
    │  └─ StatusFetchError        status.fetch_failed (also a ReadError)
    └─ IOFailure                  io.* (writing)     io.write_failed · io.exists

``verify()`` and ``validate()`` never raise because a credential is bad: they
return a result whose ``ok`` is false. They raise only when no answer can be
reached (unreadable input, missing key, ...).
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "AREAS",
    "AlgorithmMismatchError",
    "BakingError",
    "BatchDataError",
    "BatchError",
    "BatchInputError",
    "CanonicalizationError",
    "ConfigError",
    "ContextError",
    "ConversionError",
    "DataModelError",
    "EdcIssueError",
    "EdcIssueWarning",
    "IOFailure",
    "InputError",
    "JsonLdError",
    "KeyMaterialError",
    "ModelError",
    "ProfileError",
    "ProofFormatError",
    "ReadError",
    "RenderError",
    "SecurityWarning",
    "SignerError",
    "StatusError",
    "StatusFetchError",
    "TemplateError",
    "ValidationError",
]

#: Codes raised elsewhere under a class their area does not name, until their modules
#: move them (seal/ and _edc_sealing.py, with their own owner; validate/shacl.py). Each is
#: accepted by the class named; nothing new may be added here.
ELSEWHERE: dict[str, frozenset[str]] = {
    "InputError": frozenset({"seal.already_sealed", "seal.not_edc", "seal.not_extendable",
                             "seal.level"}),
    "ProofFormatError": frozenset({"seal.malformed"}),
    "SignerError": frozenset({"seal.tsa_failed", "seal.revocation_unavailable"}),
}


class EdcIssueError(Exception):
    """Base class for every error edc_issue raises on purpose.

    :param message: what was found and what was expected, in one line.
    :param code: one of the class's :attr:`codes` (default: its :attr:`code`).
    :param pointer: where: a JSON path (``credentialSubject.name``) or a file name.
    :param hint: what to do about it (a did-you-mean, a parameter to pass).
    :param spec: a link to the specification section that applies.
    :raises ValueError: for a *code* the class does not declare (a bug in the caller).
    """

    #: The default code.
    code: ClassVar[str] = "error"
    #: Every code this class itself may carry (not its subclasses'); each class declares
    #: its own, and the area before the dot names the class (:data:`AREAS`).
    codes: ClassVar[frozenset[str]] = frozenset({"error"})

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "codes" not in cls.__dict__:
            raise TypeError(f"{cls.__name__} must declare the codes it may carry")
        if cls.code not in cls.codes:
            raise TypeError(f"{cls.__name__}.code {cls.code!r} is not one of its codes")

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
            cls = type(self)
            if code not in cls.codes and code not in ELSEWHERE.get(cls.__name__, ()):
                raise ValueError(f"{cls.__name__} does not carry the code {code!r}; "
                                 f"it carries {', '.join(sorted(cls.codes))}")
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
    #: input.usage and input.aborted: the command line's own (a bad option, Ctrl-C)
    codes: ClassVar[frozenset[str]] = frozenset({"input.invalid", "input.usage",
                                                 "input.aborted"})


class ReadError(InputError):
    """A file or URL could not be read or parsed (missing, not JSON, not an object, too
    large, a fetch that failed)."""

    code: ClassVar[str] = "io.unreadable"
    codes: ClassVar[frozenset[str]] = frozenset({
        "io.unreadable", "io.not_json", "io.not_object", "io.not_utf8", "io.too_large",
        "io.too_deep", "io.fetch_failed",
    })


class ModelError(InputError):
    """A credential does not fit the data model; ``problems`` lists each one with its path."""

    code: ClassVar[str] = "model.invalid"
    codes: ClassVar[frozenset[str]] = frozenset({"model.invalid"})


class DataModelError(InputError):
    """A credential given to be signed does not follow the W3C VC Data Model (1.1 or 2.0,
    chosen by its first ``@context``).

    ``code`` is the first problem's; ``problems`` lists every one as ``(path, "message
    [code]")``, and ``findings`` as :class:`~edc_issue.results.Finding` objects. Refused
    before signing; ``check_data_model=False`` signs anyway (for test vectors only).
    """

    code: ClassVar[str] = "vcdm.invalid"
    codes: ClassVar[frozenset[str]] = frozenset({
        "vcdm.invalid", "vcdm.missing_context", "vcdm.base_context_not_first",
        "vcdm.malformed_context", "vcdm.context_not_list", "vcdm.missing_type",
        "vcdm.malformed_type", "vcdm.invalid_id", "vcdm.missing_issuer",
        "vcdm.invalid_issuer", "vcdm.missing_subject", "vcdm.empty_subject",
        "vcdm.invalid_date", "vcdm.date_without_timezone", "vcdm.dates_out_of_order",
        "vcdm.missing_issuance_date", "vcdm.malformed", "vcdm.malformed_language_value",
        "vcdm.related_resource", "vcdm.related_resource_duplicate",
        "vcdm.related_resource_no_digest", "vcdm.related_resource_digest",
        "vcdm.related_resource_unchecked",
    })

    def __init__(self, message: str, *, code: str | None = None, pointer: str | None = None,
                 hint: str | None = None, spec: str | None = None,
                 problems: list[tuple[str, str]] | None = None,
                 findings: list[Any] | None = None) -> None:
        super().__init__(message, code=code, pointer=pointer, hint=hint, spec=spec,
                         problems=problems)
        #: every problem as a :class:`~edc_issue.results.Finding`
        self.findings: list[Any] = list(findings or [])


class ContextError(InputError):
    """A JSON-LD context is not bundled (and the network is not allowed) or failed to load."""

    code: ClassVar[str] = "jsonld.context_not_allowed"
    codes: ClassVar[frozenset[str]] = frozenset({
        "jsonld.context_not_allowed", "jsonld.context_fetch_failed", "jsonld.context_tampered",
    })


class JsonLdError(InputError):
    """JSON-LD processing failed, or would silently drop data in strict mode."""

    code: ClassVar[str] = "jsonld.invalid"
    codes: ClassVar[frozenset[str]] = frozenset({
        "jsonld.invalid", "jsonld.undefined_term", "jsonld.relative_iri",
    })


class CanonicalizationError(InputError):
    """RDFC-1.0 could not canonicalize the dataset (poison graph, malformed N-Quads)."""

    code: ClassVar[str] = "canon.invalid_nquads"
    codes: ClassVar[frozenset[str]] = frozenset({
        "canon.invalid_nquads", "canon.poison_graph", "canon.unsupported_hash",
    })


class KeyMaterialError(InputError):
    """A key is malformed, of an unsupported type, or does not match what it is used for."""

    code: ClassVar[str] = "key.malformed"
    codes: ClassVar[frozenset[str]] = frozenset({
        "key.malformed", "key.unsupported", "key.mismatch", "key.no_secret",
        "key.bad_password", "key.password_required", "key.unresolved", "key.fetch_failed",
        "key.expired",
        "key.not_yet_valid", "key.usage", "key.revoked", "key.bad_pin", "key.not_found",
    })


class ProofFormatError(InputError):
    """A proof or JWT is structurally malformed, names an unknown suite, or does not fit
    the key it is made with."""

    code: ClassVar[str] = "proof.malformed"
    codes: ClassVar[frozenset[str]] = frozenset({"proof.malformed", "proof.unknown_suite"})


class AlgorithmMismatchError(ProofFormatError, KeyMaterialError):
    """The key's (or signer's) algorithm is not one the cryptosuite requires.

    A proof error by its code's area, and a :class:`KeyMaterialError` too: code that
    caught the key error it was raised as before keeps working.
    """

    code: ClassVar[str] = "proof.algorithm_mismatch"
    codes: ClassVar[frozenset[str]] = frozenset({"proof.algorithm_mismatch"})


class BakingError(InputError):
    """A credential cannot be baked into, or read from, a PNG or SVG image.

    The ``code`` says why: ``bake.not_png``, ``bake.not_svg``, ``bake.unknown_format``,
    ``bake.corrupt_png``, ``bake.invalid_svg``, ``bake.unsafe_xml``,
    ``bake.unsupported_encoding``, ``bake.invalid_credential`` or ``bake.no_credential``.
    """

    code: ClassVar[str] = "bake.invalid"
    codes: ClassVar[frozenset[str]] = frozenset({
        "bake.invalid", "bake.not_png", "bake.not_svg", "bake.unknown_format",
        "bake.corrupt_png", "bake.invalid_svg", "bake.unsafe_xml", "bake.unsupported_encoding",
        "bake.invalid_credential", "bake.no_credential",
    })


class ConversionError(InputError):
    """An EDC cannot be turned into an Open Badge (no learning achievement, no title ...)."""

    code: ClassVar[str] = "ob3.not_convertible"
    codes: ClassVar[frozenset[str]] = frozenset({"ob3.not_convertible"})


class ProfileError(InputError):
    """A validation profile that does not exist was asked for (with a did-you-mean)."""

    code: ClassVar[str] = "validate.unknown_profile"
    codes: ClassVar[frozenset[str]] = frozenset({"validate.unknown_profile"})


class RenderError(InputError):
    """A document cannot be rendered (not a credential the templates know, a bad theme).

    Codes: ``render.unsupported`` (neither an EDC nor an Open Badge), ``render.media_type``
    (a media type other than PDF, HTML or PNG), ``render.lang`` (not a language tag),
    ``render.verify_url`` (not an http(s) URL), ``render.theme`` (a theme file that cannot be
    used), ``render.template`` (a theme's template failed to compile).
    """

    code: ClassVar[str] = "render.unsupported"
    codes: ClassVar[frozenset[str]] = frozenset({
        "render.unsupported", "render.media_type", "render.lang", "render.verify_url",
        "render.theme", "render.template",
    })


class BatchError(EdcIssueError):
    """A batch run failed, or cannot start: the base of every ``batch.*`` error.

    Raised as itself when the run broke down (``batch.worker_died``: a worker process
    died; run again to resume), or inside the run for an output step that returned other
    files than its suffixes promise (``batch.signer_output``: that row fails). A bad row
    never raises: it is a line of the report.
    """

    code: ClassVar[str] = "batch.worker_died"
    codes: ClassVar[frozenset[str]] = frozenset({"batch.worker_died", "batch.signer_output"})


class BatchInputError(BatchError, InputError):
    """A batch that cannot start as asked (exit status 2; nothing is issued):
    ``batch.bad_jobs`` (fewer than one job) or ``batch.output_locked`` (another run is
    writing to the output folder)."""

    code: ClassVar[str] = "batch.bad_jobs"
    codes: ClassVar[frozenset[str]] = frozenset({"batch.bad_jobs", "batch.output_locked"})


class BatchDataError(BatchInputError, ReadError):
    """A batch's data file cannot be read as rows; also a :class:`ReadError`, as it was
    raised before.

    Codes: ``batch.no_header`` (empty, or no header row), ``batch.bad_header`` (a column
    without a name, or twice), ``batch.formula`` (a header cell that starts like a
    spreadsheet formula), ``batch.no_sheet`` (no such worksheet), ``batch.unknown_format``
    (neither CSV, XLSX nor JSONL).
    """

    code: ClassVar[str] = "batch.no_header"
    codes: ClassVar[frozenset[str]] = frozenset({
        "batch.no_header", "batch.bad_header", "batch.formula", "batch.no_sheet",
        "batch.unknown_format",
    })


class TemplateError(BatchInputError):
    """A batch template is unusable: bad placeholder syntax, unknown filter, missing column."""

    code: ClassVar[str] = "batch.template"
    codes: ClassVar[frozenset[str]] = frozenset({"batch.template", "batch.missing_column"})


class ConfigError(EdcIssueError):
    """The library is configured wrongly (suite not allowed, optional extra missing)."""

    code: ClassVar[str] = "config.invalid"
    codes: ClassVar[frozenset[str]] = frozenset({
        "config.invalid", "config.suite_not_allowed", "config.extra_missing",
    })


class SignerError(EdcIssueError):
    """A signing backend (file key, HSM, KMS) failed; the backend's error is ``__cause__``."""

    code: ClassVar[str] = "signer.failed"
    codes: ClassVar[frozenset[str]] = frozenset({"signer.failed", "signer.auth_failed"})


class ValidationError(EdcIssueError):
    """A credential was refused because it does not conform (sealing an invalid EDC);
    ``problems`` lists every finding with its path."""

    code: ClassVar[str] = "validation.failed"
    codes: ClassVar[frozenset[str]] = frozenset({"validation.failed"})


class StatusError(EdcIssueError):
    """A status list cannot do what was asked (full, index out of range, malformed)."""

    code: ClassVar[str] = "status.invalid"
    codes: ClassVar[frozenset[str]] = frozenset({
        "status.invalid", "status.bad_index", "status.bad_purpose", "status.bad_value",
        "status.bad_suite", "status.too_small", "status.list_full",
        "status.index_out_of_range", "status.irreversible", "status.list_exists",
        "status.no_list", "status.no_allocation_record", "status.malformed_record",
        "status.malformed_list", "status.list_too_large", "status.malformed_entry",
        "status.not_allocated", "status.not_in_list", "status.wrong_key",
    })


class StatusFetchError(StatusError, ReadError):
    """A status list could not be fetched or parsed, or a list given is no status list;
    also a :class:`ReadError` (an input error), as it was raised before."""

    code: ClassVar[str] = "status.fetch_failed"
    codes: ClassVar[frozenset[str]] = frozenset({"status.fetch_failed",
                                                 "status.unreadable_list"})


class IOFailure(EdcIssueError):
    """Writing output failed (disk full, permission denied), or the output is in the way."""

    code: ClassVar[str] = "io.write_failed"
    codes: ClassVar[frozenset[str]] = frozenset({"io.write_failed", "io.exists"})


#: The class an area's codes belong to (each code is carried by that class or one of its
#: subclasses). Two areas name two sibling classes each, whose split readers rely on:
#: ``io`` (reading: :class:`ReadError`, an input error; writing: :class:`IOFailure`) and
#: ``jsonld`` (contexts: :class:`ContextError`; expansion: :class:`JsonLdError`).
AREAS: dict[str, tuple[type[EdcIssueError], ...]] = {
    "error": (EdcIssueError,),
    "input": (InputError,),
    "io": (ReadError, IOFailure),
    "model": (ModelError,),
    "vcdm": (DataModelError,),
    "jsonld": (ContextError, JsonLdError),
    "canon": (CanonicalizationError,),
    "key": (KeyMaterialError,),
    "proof": (ProofFormatError,),
    "bake": (BakingError,),
    "ob3": (ConversionError,),
    "validate": (ProfileError,),
    "render": (RenderError,),
    "batch": (BatchError,),
    "config": (ConfigError,),
    "signer": (SignerError,),
    "validation": (ValidationError,),
    "status": (StatusError,),
}


class EdcIssueWarning(UserWarning):
    """Base class of the warnings edc_issue emits."""


class SecurityWarning(EdcIssueWarning):
    """Something works but is weaker than it should be (network fetch, weak algorithm)."""
