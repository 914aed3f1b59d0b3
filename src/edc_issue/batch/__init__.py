"""Batch issuance from CSV, XLSX or JSONL with credential templates.

::

    from edc_issue.batch import SignStep, issue_batch, load_template, open_rows
    report = issue_batch(load_template("badge-template.json"), open_rows("learners.csv"),
                         SignStep("issuer-key.json"), "out/", jobs=2)
    print(report.issued, report.failed, report.report_csv)

See :func:`issue_batch` for how a run goes and how it resumes. The parts:

- rows: :func:`open_rows` (:class:`CsvSource`, :class:`XlsxSource`, :class:`JsonlSource`);
- templates: :func:`load_template`, :class:`Template`;
- output steps, which make each credential's files: :class:`SignStep`, :class:`SealStep`,
  :class:`BakeStep`, :class:`RenderStep` (a PDF or HTML page beside each credential),
  :class:`OfferStep` (an OpenID4VCI offer per row), :class:`FunctionStep` (any
  :class:`OutputStep`);
- the pure row function :func:`issue_row` (a :class:`RowTask` in, a :class:`RowOutcome`
  out, nothing written), run by an :class:`Executor` (:class:`InlineExecutor`,
  :class:`ProcessExecutor`), whose files the runner writes through a :class:`Sink`
  (:class:`FolderSink`);
- the report: :class:`BatchReport`, ``report.csv`` and ``report.json``;
- the errors: :class:`BatchError` and below it :class:`BatchInputError` (the batch cannot
  start: exit 2), :class:`BatchDataError` (a data file that is not rows) and
  :class:`TemplateError` (all defined in :mod:`edc_issue.errors`).

The output steps were first called "signers" (one of them signs nothing): ``KeySigner``,
``SealSigner``, ``BakingSigner``, ``CallableSigner`` and ``BatchSigner`` still import, with
a :class:`DeprecationWarning`.
"""

from __future__ import annotations

import warnings as _warnings
from typing import Any as _Any

from ..errors import BatchDataError, BatchError, BatchInputError
from .executors import Executor, InlineExecutor, ProcessExecutor
from .journal import JOURNAL_NAME
from .lock import LOCK_NAME
from .outputs import (
    OFFER_SUFFIXES,
    BakeStep,
    FunctionStep,
    GroupOutputStep,
    OfferStep,
    OutputFile,
    OutputStep,
    RenderStep,
    SealStep,
    SignStep,
    dump_json,
)
from .planner import DELIVERY_SUFFIX
from .progress import LineProgress, Progress, TqdmProgress, auto_progress
from .report import REPORT_CSV, REPORT_JSON, BatchReport, ReportWriter, RowResult, RowStatus
from .rows import RowOutcome, RowTask, RowWork, issue_row, issue_rows, validate_with_models
from .runner import issue_batch
from .sinks import FolderSink, Sink
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
    "DELIVERY_SUFFIX",
    "FILTERS",
    "JOURNAL_NAME",
    "LOCK_NAME",
    "OFFER_SUFFIXES",
    "REPORT_CSV",
    "REPORT_JSON",
    "BakeStep",
    "BatchDataError",
    "BatchError",
    "BatchInputError",
    "BatchReport",
    "Cell",
    "CsvSource",
    "Executor",
    "FolderSink",
    "FunctionStep",
    "GroupOutputStep",
    "InlineExecutor",
    "JsonlSource",
    "LineProgress",
    "OfferStep",
    "OutputFile",
    "OutputStep",
    "Placeholder",
    "ProcessExecutor",
    "Progress",
    "RenderContext",
    "RenderStep",
    "Rendered",
    "ReportWriter",
    "Row",
    "RowError",
    "RowFailure",
    "RowOutcome",
    "RowResult",
    "RowSource",
    "RowStatus",
    "RowTask",
    "RowWork",
    "SealStep",
    "SignStep",
    "Sink",
    "Template",
    "TemplateError",
    "TqdmProgress",
    "XlsxSource",
    "auto_progress",
    "dump_json",
    "issue_batch",
    "issue_row",
    "issue_rows",
    "iter_rows",
    "load_template",
    "looks_like_formula",
    "open_rows",
    "validate_with_models",
]

#: The output steps' first names, kept importable (with a DeprecationWarning).
_RENAMED = {
    "BakingSigner": "BakeStep",
    "BatchSigner": "OutputStep",
    "CallableSigner": "FunctionStep",
    "KeySigner": "SignStep",
    "SealSigner": "SealStep",
}


def __getattr__(name: str) -> _Any:
    new = _RENAMED.get(name)
    if new is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    _warnings.warn(f"edc_issue.batch.{name} is now edc_issue.batch.{new}; the old name will "
                  "be removed", DeprecationWarning, stacklevel=2)
    return globals()[new]


def __dir__() -> list[str]:
    return __all__
