"""Validation: SHACL for EDC, JSON Schema for Open Badges 3.0, VC Data Model rules.

``validate()`` answers with a :class:`~edc_issue.results.ValidationReport`
(``ok``, ``findings``), never by raising because a credential is bad. Each
finding says where (a JSON path in the source document), what, and by which
rule. :func:`validate_file` and :func:`validate_files` serve the CLI: the
latter runs files in parallel processes and yields reports in input order.

``edc_issue.validate`` is the :func:`validate` function (the public contract), so
import this module's other names with ``from edc_issue.validate import validate_files``
rather than through the attribute.

See: <https://www.w3.org/TR/shacl/>, <https://www.imsglobal.org/spec/ob/v3p0/>,
<https://www.w3.org/TR/vc-data-model-2.0/>
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import DEFAULT_MAX_BYTES, read_bytes
from ..errors import ContextError, EdcIssueError, InputError, JsonLdError, ReadError
from ..formats.detect import Detected, detect
from ..results import Finding, ValidationReport
from .profiles import Profile, all_profile_names, parse_profile
from .vcdm import check_vcdm

if TYPE_CHECKING:
    from concurrent.futures import Future

    from ..jsonld import OfflineLoader

# The SHACL stack (rdflib, pyshacl, the shapes), the JSON Schema validator and pyld are
# imported on first use, not with this package: ``import edc_issue`` stays fast, and a
# command that validates nothing never loads them.

__all__ = [
    "Finding",
    "Profile",
    "ValidationReport",
    "all_profile_names",
    "expand_inputs",
    "is_batch_file",
    "parse_profile",
    "validate",
    "validate_file",
    "validate_files",
]


def _resolve_profile(profile: str | Profile) -> Profile | None:
    if isinstance(profile, Profile):
        return profile
    return None if profile == "auto" else parse_profile(profile)


def _validate_detected(detected: Detected, profile: Profile | None,
                       loader: OfflineLoader | None) -> ValidationReport:
    from ..jsonld import default_loader, to_nquads
    from .edc import check_edc, jsonld_findings
    from .jsonschema_ob3 import check_ob3

    report = ValidationReport(findings=list(detected.findings), format=detected.format)
    doc = detected.credential
    if doc is None:
        if not report.findings:
            report.findings.append(Finding("", "no credential found", rule="format",
                                           code="format.unknown"))
        return report
    kind = detected.kind
    if profile is not None:
        kind = "edc" if profile.kind == "shacl" else ("ob3" if kind not in ("ob3", "clr")
                                                     else kind)
    prefix = detected.prefix
    if kind == "presentation":
        report.findings.append(Finding(
            prefix, "a Verifiable Presentation: validate the credentials it holds, one by one",
            rule="format", code="format.unknown"))
        return report
    if kind == "unknown":
        report.findings.append(Finding(
            prefix, "unknown format: not a European Digital Credential, an Open Badges 3.0 / "
            "CLR credential or a Verifiable Credential (no known type)",
            rule="format", code="format.unknown"))
        return report
    if kind == "edc":
        report.findings.extend(check_vcdm(doc, prefix=prefix, edc=True,
                                          as_issuer_input=detected.container == "upload"))
        findings, used = check_edc(doc, prefix=prefix, profile=profile, loader=loader)
        report.findings.extend(findings)
        report.profile = ", ".join(p.label for p in used)
        return report
    report.findings.extend(check_vcdm(doc, prefix=prefix))
    try:
        to_nquads(doc, strict=True, loader=loader if loader is not None else default_loader())
    except (JsonLdError, ContextError) as exc:
        report.findings.extend(jsonld_findings(exc, prefix=prefix, edc=False))
    if kind in ("ob3", "clr"):
        schema = None
        if profile is not None and profile.kind == "jsonschema":
            from .profiles import OB_PROFILES

            schema = OB_PROFILES[profile.name]
        findings, used_schemas = check_ob3(doc, prefix=prefix, schema_file=schema)
        report.findings.extend(findings)
        report.profile = ", ".join(s.removesuffix(".json") for s in used_schemas) or None
    return report


def validate(
    document: dict[str, Any] | str | bytes,
    *,
    profile: str | Profile = "auto",
    loader: OfflineLoader | None = None,
) -> ValidationReport:
    """Validate one credential and return the findings.

    :param document: a parsed credential (bare, a JAdES envelope or the EU upload
        wrapper), a VC-JWT string, or file bytes (JSON, JWT, baked PNG/SVG badge).
    :param profile: ``auto`` (from ``credentialSchema`` and ``type``) or a profile
        name: ``edc-generic-full``, ``edc-accredited@3.1``, ``ob-v3p0-achievementcredential``...
    :param loader: resolves ``@context``; default: the bundled contexts, offline.
    :raises InputError: ``validate.unknown_profile`` for an unknown *profile*;
        :class:`~edc_issue.errors.ReadError` when *document* bytes are not JSON,
        a JWT or a baked badge, and ``io.too_deep`` when *document* nests deeper than
        ``edc_issue._io.MAX_JSON_DEPTH`` levels.
    """
    chosen = _resolve_profile(profile)
    detected = detect(document)
    try:
        return _validate_detected(detected, chosen, loader)
    except RecursionError:  # a backstop: detect() already refused what nests too deep
        raise ReadError("the document is nested too deeply to process", pointer="document",
                        code="io.too_deep") from None


def validate_file(
    path: str | os.PathLike[str],
    *,
    profile: str | Profile = "auto",
    loader: OfflineLoader | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ValidationReport:
    """Read and validate one file; the report's ``file`` is *path*.

    :raises ReadError: the file is missing, too large, or not JSON / JWT / a baked badge.
    """
    try:
        data = read_bytes(path, max_bytes=max_bytes)
        report = validate(data, profile=profile, loader=loader)
    except EdcIssueError as exc:
        if exc.pointer in (None, "file", "json"):
            exc.pointer = str(path)
        raise
    report.file = str(path)
    return report


def error_report(path: str, exc: EdcIssueError) -> ValidationReport:
    """The report of a file that could not be read: one finding with the error's code."""
    return ValidationReport(
        findings=[Finding("", exc.message, severity="error", rule="input", code=exc.code)],
        file=path, format="unreadable")


def _worker(path: str, profile: str, max_bytes: int) -> tuple[ValidationReport, bool]:
    try:
        return validate_file(path, profile=profile, max_bytes=max_bytes), False
    except InputError as exc:
        return error_report(path, exc), True


#: what ``edc-issue issue`` writes into its output folder beside the credentials (the names
#: of edc_issue.batch: REPORT_CSV, JOURNAL_NAME, planner.DELIVERY_SUFFIX; a test keeps them
#: equal, as validation does not import the batch layer)
BATCH_REPORT = "report.json"
BATCH_MARKERS = ("report.csv", ".edc-issue-journal.sqlite")
BATCH_DELIVERY_SUFFIX = ".deliveryDetails.json"


def is_batch_file(path: str | os.PathLike[str]) -> bool:
    """True for a file that a batch run wrote beside its credentials, not a credential:
    ``report.json`` or ``*.deliveryDetails.json`` in a folder that also holds the batch's
    ``report.csv`` or its journal."""
    p = Path(path)
    if p.name != BATCH_REPORT and not p.name.endswith(BATCH_DELIVERY_SUFFIX):
        return False
    return any((p.parent / marker).exists() for marker in BATCH_MARKERS)


def expand_inputs(inputs: Iterable[str], *, suffixes: tuple[str, ...] = (
        ".json", ".jsonld", ".jwt", ".png", ".svg"),
        on_skip: Callable[[str], None] | None = None) -> Iterator[tuple[str, str | None]]:
    """Expand files, folders (recursively, by suffix) and glob patterns, in the given order.

    Yields ``(path, problem)``; *problem* is set when an input names nothing. What a
    batch run wrote beside its credentials (:func:`is_batch_file`: ``report.json``,
    ``*.deliveryDetails.json`` beside the batch's ``report.csv`` or journal) is skipped,
    whether a folder, a pattern or the file's own name brings it (a pre-commit hook names
    every file), and passed to *on_skip*.
    """
    import glob

    def kept(found: list[str]) -> list[str]:
        out = []
        for f in found:
            if is_batch_file(f):
                if on_skip is not None:
                    on_skip(f)
            else:
                out.append(f)
        return out

    for item in inputs:
        p = Path(item)
        if p.is_dir():
            found = kept(sorted(str(f) for f in p.rglob("*") if f.is_file() and
                                f.suffix.lower() in suffixes))
            if not found:
                yield item, "folder holds no .json, .jsonld, .jwt, .png or .svg file"
            for f in found:
                yield f, None
        elif p.exists() or not glob.has_magic(item):
            for f in kept([item]):
                yield f, None
        else:
            matches = sorted(glob.glob(item, recursive=True))
            if not matches:
                yield item, "pattern matches no file"
            for m in kept([m for m in matches if Path(m).is_file()]):
                yield m, None


def _prewarm() -> None:
    """Parse the usual shapes and contexts before the worker processes start.

    Where processes are forked (Linux), each worker inherits them instead of
    parsing them again; elsewhere this costs one parse in the parent.
    """
    import multiprocessing

    if multiprocessing.get_context().get_start_method() != "fork":
        return
    from ..jsonld import default_loader
    from . import shacl

    shacl.load_shapes(parse_profile("edc-generic-full"))
    default_loader().get("http://data.europa.eu/snb/model/context/edc-ap")


def validate_files(
    paths: Iterable[str],
    *,
    profile: str = "auto",
    jobs: int = 1,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[tuple[ValidationReport, bool]]:
    """Validate many files, yielding ``(report, unreadable)`` in input order.

    With ``jobs > 1`` the files are validated in that many processes, each of which
    parses the shapes and schemas once. At most ``4 * jobs`` files are in flight, so
    memory stays flat however many files there are.
    """
    if profile != "auto":
        parse_profile(profile)  # fail fast on a typo, before any work
    if jobs <= 1:
        for path in paths:
            yield _worker(path, profile, max_bytes)
        return
    from concurrent.futures import ProcessPoolExecutor

    _prewarm()
    window: deque[Future[tuple[ValidationReport, bool]]] = deque()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for path in paths:
            window.append(pool.submit(_worker, path, profile, max_bytes))
            if len(window) >= 4 * jobs:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()
