"""Batch issuance from CSV, XLSX or JSONL with credential templates.

::

    from edc_issue.batch import KeySigner, issue_batch, load_template, open_rows
    report = issue_batch(load_template("badge-template.json"), open_rows("learners.csv"),
                         KeySigner("issuer-key.json"), "out/", jobs=2)
    print(report.issued, report.failed, report.report_csv)

See :func:`issue_batch` for how a run goes and how it resumes.
"""

from __future__ import annotations

from .progress import LineProgress, Progress, TqdmProgress, auto_progress
from .report import REPORT_CSV, REPORT_JSON, BatchReport, ReportWriter, RowResult, RowStatus
from .runner import JOURNAL_NAME, issue_batch
from .signers import (
    BakingSigner,
    BatchSigner,
    CallableSigner,
    KeySigner,
    OutputFile,
    SealSigner,
    dump_json,
    validate_with_models,
)
from .sources import (
    Cell,
    CsvSource,
    JsonlSource,
    Row,
    RowError,
    RowSource,
    XlsxSource,
    iter_rows,
    looks_like_formula,
    open_rows,
)
from .template import (
    BUILTINS,
    FILTERS,
    Placeholder,
    RenderContext,
    Rendered,
    RowFailure,
    Template,
    TemplateError,
    load_template,
)

__all__ = [
    "BUILTINS",
    "FILTERS",
    "JOURNAL_NAME",
    "REPORT_CSV",
    "REPORT_JSON",
    "BakingSigner",
    "BatchReport",
    "BatchSigner",
    "CallableSigner",
    "Cell",
    "CsvSource",
    "JsonlSource",
    "KeySigner",
    "LineProgress",
    "OutputFile",
    "Placeholder",
    "Progress",
    "RenderContext",
    "Rendered",
    "ReportWriter",
    "Row",
    "RowError",
    "RowFailure",
    "RowResult",
    "RowSource",
    "RowStatus",
    "SealSigner",
    "Template",
    "TemplateError",
    "TqdmProgress",
    "XlsxSource",
    "auto_progress",
    "dump_json",
    "issue_batch",
    "iter_rows",
    "load_template",
    "looks_like_formula",
    "open_rows",
    "validate_with_models",
]


def __dir__() -> list[str]:
    return __all__
