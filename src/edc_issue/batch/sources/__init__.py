"""Rows for batch issuance: CSV, XLSX and JSONL, streamed one row at a time.

- **CSV** (:class:`CsvSource`): any delimiter, UTF-8 with or without a byte-order mark.
- **XLSX** (:class:`XlsxSource`): the first sheet or a named one, streamed; formulas are
  refused, never evaluated.
- **JSONL** (:class:`JsonlSource`): one JSON object per line; its keys are the columns.

:func:`open_rows` picks the source by the file's extension; :func:`iter_rows` also takes
any iterable of mappings (the Python API). What every source shares (row numbers, row
errors, the formula and header checks) is in ``_rows``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from ...errors import BatchDataError
from ._rows import Cell, Row, RowError, RowSource, formula_errors, looks_like_formula
from .csv import CsvSource
from .jsonl import JsonlSource
from .xlsx import XlsxSource

__all__ = [
    "Cell",
    "CsvSource",
    "JsonlSource",
    "Row",
    "RowError",
    "RowSource",
    "XlsxSource",
    "iter_rows",
    "looks_like_formula",
    "open_rows",
]

_CSV_SUFFIXES = (".csv", ".tsv", ".txt")
_XLSX_SUFFIXES = (".xlsx", ".xlsm")
_JSONL_SUFFIXES = (".jsonl", ".ndjson")


def open_rows(path: str | os.PathLike[str], *, sheet: str | None = None,
              delimiter: str | None = None) -> RowSource:
    """Open a CSV, XLSX or JSONL file of rows, chosen by its extension.

    :raises BatchDataError: ``batch.unknown_format`` for any other extension, or the
        errors of the source classes.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in _CSV_SUFFIXES:
        return CsvSource(p, delimiter=delimiter)
    if suffix in _XLSX_SUFFIXES:
        return XlsxSource(p, sheet=sheet)
    if suffix in _JSONL_SUFFIXES:
        return JsonlSource(p)
    if suffix == ".xls":
        raise BatchDataError("old .xls workbooks are not supported; save it as .xlsx or CSV UTF-8",
                             pointer=str(p), code="batch.unknown_format")
    raise BatchDataError(
        f"unknown data format {suffix or '(no extension)'}; expected .csv, .xlsx or .jsonl",
        pointer=str(p), code="batch.unknown_format")


class _IterableSource:
    """Rows from plain mappings (the Python API); the columns are the first row's keys."""

    def __init__(self, rows: Iterable[Mapping[str, Cell] | Row]) -> None:
        self._iterator = iter(rows)
        self._first: Row | None = None
        first = next(self._iterator, None)
        if first is not None:
            self._first = self._as_row(1, first)
        self._columns = list(self._first.values) if self._first is not None else []

    @staticmethod
    def _as_row(number: int, item: Mapping[str, Cell] | Row) -> Row:
        if isinstance(item, Row):
            return item
        values = dict(item)
        return Row(number, values, tuple(formula_errors(number, values)))

    @property
    def columns(self) -> list[str]:
        return list(self._columns)

    def count(self) -> int | None:
        return None

    def __iter__(self) -> Iterator[Row]:
        if self._first is None:
            return
        yield self._first
        self._first = None
        for number, item in enumerate(self._iterator, start=2):
            yield self._as_row(number, item)


def iter_rows(rows: RowSource | Iterable[Mapping[str, Cell] | Row] | str | os.PathLike[str],
              ) -> RowSource:
    """Return *rows* as a :class:`RowSource`: a file path is opened, mappings are numbered."""
    if isinstance(rows, (str, os.PathLike)):
        return open_rows(rows)
    if isinstance(rows, RowSource):
        return rows
    return _IterableSource(rows)
