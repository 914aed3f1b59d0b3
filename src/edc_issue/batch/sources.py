"""Rows for batch issuance: CSV, XLSX and JSONL, streamed one row at a time.

- **CSV**: any delimiter (``,`` ``;`` tab ``|``, found with :class:`csv.Sniffer`), UTF-8
  with or without a byte-order mark. The first record is the header. A record with
  more or fewer values than the header is an error for that row.
- **XLSX**: the first sheet (or a named one), read with openpyxl in read-only mode
  (streaming). The first non-empty row is the header. A cell holding a formula is an
  error for that row: we never evaluate formulas, and never pass them on.
- **JSONL**: one JSON object per line; its keys are the columns.

Every row carries its number as the user sees it: the spreadsheet row (the header is
row 1) or the file's line number. A problem that concerns only one row (wrong column
count, a formula, a line that is not JSON) is reported on that row
(:attr:`Row.errors`) and the other rows go on. A problem with the whole file
(unreadable, no header, duplicate column names, not UTF-8) raises :class:`ReadError`
before any row is read.

A cell whose text starts like a spreadsheet formula (``=``, ``@``, or ``+``/``-``
followed by something other than a number) is refused: credentials and reports are
opened in spreadsheets, and ``=cmd|' /C calc'!A1`` must never reach one (CWE-1236).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from ..errors import ReadError

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

#: A cell value: text from CSV; numbers, dates and booleans from XLSX or JSONL too.
Cell = Any

_CSV_SUFFIXES = (".csv", ".tsv", ".txt")
_XLSX_SUFFIXES = (".xlsx", ".xlsm")
_JSONL_SUFFIXES = (".jsonl", ".ndjson")
_SNIFF_BYTES = 64 * 1024
_CHUNK = 1024 * 1024
_NUMBERISH = re.compile(r"[+-][0-9 .,()/:]*\Z")


@dataclass(frozen=True)
class RowError:
    """Why one row cannot be issued.

    :param row: the row number (spreadsheet row or file line).
    :param column: the column concerned, or None for the whole row.
    :param reason: what is wrong and what was expected.
    :param code: a stable ``area.reason`` code (``batch.formula``, ``batch.column_count``...).
    """

    row: int
    column: str | None
    reason: str
    code: str = "batch.invalid_row"

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column!r}" if self.column else "")
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class Row:
    """One input row: its number, its values by column, and any problem found reading it."""

    number: int
    values: Mapping[str, Cell]
    errors: tuple[RowError, ...] = field(default_factory=tuple)


@runtime_checkable
class RowSource(Protocol):
    """Rows with a header: what :func:`~edc_issue.batch.issue_batch` reads."""

    @property
    def columns(self) -> list[str]:
        """The column names, from the header (known before any row is read)."""
        ...

    def count(self) -> int | None:
        """Return the number of rows, if it can be found cheaply, else None."""
        ...

    def __iter__(self) -> Iterator[Row]:
        """Yield the rows in order, one at a time."""
        ...


def looks_like_formula(text: str) -> bool:
    """Return True if *text* would be taken as a formula by a spreadsheet.

    ``=…`` and ``@…`` always are; ``+…`` and ``-…`` are unless they read as a
    number, a phone number or a date (``-3.5``, ``+33 6 12 34 56 78``).
    Leading spaces, tabs and line breaks are ignored, as spreadsheets do.
    """
    stripped = text.lstrip(" \t\r\n")
    if not stripped:
        return False
    first = stripped[0]
    if first in "=@":
        return True
    if first in "+-":
        return len(stripped) > 1 and not _NUMBERISH.match(stripped)
    return False


def _formula_errors(number: int, values: Mapping[str, Cell]) -> list[RowError]:
    errors: list[RowError] = []
    for column, value in values.items():
        if _has_formula(value):
            errors.append(RowError(
                number, column,
                "the cell starts like a spreadsheet formula (=, +, -, @); formulas are "
                "refused (prefix it with an apostrophe in the spreadsheet if it is text)",
                "batch.formula"))
    return errors


def _has_formula(value: Cell) -> bool:
    if isinstance(value, str):
        return looks_like_formula(value)
    if isinstance(value, dict):
        return any(_has_formula(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_formula(v) for v in value)
    return False


def _check_header(names: list[str], source: str) -> list[str]:
    columns = [n.strip() for n in names]
    while columns and columns[-1] == "":
        columns.pop()  # trailing empty header cells (a trailing delimiter)
    if not columns:
        raise ReadError("the header row is empty; the first row must name the columns",
                        pointer=source, code="batch.no_header")
    seen: set[str] = set()
    for position, name in enumerate(columns, start=1):
        if not name:
            raise ReadError(f"column {position} of the header has no name", pointer=source,
                            code="batch.bad_header")
        if name in seen:
            raise ReadError(f"column {name!r} appears twice in the header", pointer=source,
                            code="batch.bad_header")
        if looks_like_formula(name):
            raise ReadError(f"header cell {name!r} starts like a spreadsheet formula",
                            pointer=source, code="batch.formula")
        seen.add(name)
    return columns


# --------------------------------------------------------------------------- CSV

_DELIMITERS = ",;\t|"


def _detect_delimiter(sample: str, suffix: str) -> str:
    """The sniffer's choice when the header agrees, else the header's most frequent candidate.

    :class:`csv.Sniffer` looks at whole records, where a value such as ``=cmd|' /C x'!A0``
    can mislead it; the header line rarely holds a delimiter inside a name.
    """
    header = next((line for line in sample.splitlines() if line.strip()), "")
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    try:
        sniffed: str | None = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    if sniffed is not None and counts.get(sniffed, 0) == counts[best] and counts[best] > 0:
        return sniffed
    if counts[best] > 0:
        return best
    return "\t" if suffix == ".tsv" else ","


class CsvSource:
    """Rows of a CSV file (any delimiter; UTF-8, with or without a byte-order mark).

    :param delimiter: force a delimiter instead of detecting it.
    :raises ReadError: the file is unreadable, not UTF-8, or its header is unusable.
    """

    def __init__(self, path: str | os.PathLike[str], *, delimiter: str | None = None) -> None:
        self.path = Path(path)
        self._source = str(self.path)
        sample = self._sample()
        self.delimiter = delimiter or _detect_delimiter(sample, self.path.suffix.lower())
        self._columns: list[str] | None = None
        self._count: int | None = None
        with self._open() as fh:
            reader = csv.reader(fh, delimiter=self.delimiter)
            header = next((r for r in reader if any(c.strip() for c in r)), None)
        if header is None:
            raise ReadError("the file has no header row (it is empty)", pointer=self._source,
                            code="batch.no_header")
        self._columns = _check_header(header, self._source)

    def _open(self) -> io.TextIOWrapper:
        try:
            return open(self.path, encoding="utf-8-sig", newline="")
        except FileNotFoundError:
            raise ReadError("no such file", pointer=self._source, code="io.unreadable") from None
        except OSError as exc:
            raise ReadError(f"cannot read: {exc.strerror}", pointer=self._source,
                            code="io.unreadable") from None

    def _sample(self) -> str:
        """Read the start of the file, checking that the whole file is UTF-8 on the way."""
        decoder = codecs.getincrementaldecoder("utf-8-sig")()
        sample = ""
        offset = 0
        try:
            with open(self.path, "rb") as fh:
                while chunk := fh.read(_CHUNK):
                    try:
                        text = decoder.decode(chunk)
                    except UnicodeDecodeError as exc:
                        raise ReadError(
                            f"not UTF-8 text (byte {offset + exc.start}); save the spreadsheet "
                            "as 'CSV UTF-8'", pointer=self._source, code="io.not_utf8") from None
                    if len(sample) < _SNIFF_BYTES:
                        sample += text[: _SNIFF_BYTES - len(sample)]
                    offset += len(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise ReadError("not UTF-8 text (the file ends inside a character)",
                            pointer=self._source, code="io.not_utf8") from None
        except FileNotFoundError:
            raise ReadError("no such file", pointer=self._source, code="io.unreadable") from None
        except IsADirectoryError:
            raise ReadError("is a folder, not a file", pointer=self._source,
                            code="io.unreadable") from None
        except OSError as exc:
            raise ReadError(f"cannot read: {exc.strerror}", pointer=self._source,
                            code="io.unreadable") from None
        # cut the sample at the last complete line so the sniffer sees whole records
        if len(sample) >= _SNIFF_BYTES and "\n" in sample:
            sample = sample[: sample.rindex("\n") + 1]
        return sample

    @property
    def columns(self) -> list[str]:
        """The header's column names."""
        assert self._columns is not None
        return list(self._columns)

    def count(self) -> int | None:
        """Return the number of data rows (one streaming pass over the file)."""
        if self._count is None:
            total = 0
            with self._open() as fh:
                reader = csv.reader(fh, delimiter=self.delimiter)
                header_seen = False
                for record in reader:
                    if not any(c.strip() for c in record):
                        continue
                    if not header_seen:
                        header_seen = True
                        continue
                    total += 1
            self._count = total
        return self._count

    def __iter__(self) -> Iterator[Row]:
        columns = self.columns
        width = len(columns)
        with self._open() as fh:
            reader = csv.reader(fh, delimiter=self.delimiter)
            header_seen = False
            while True:
                start = reader.line_num + 1
                try:
                    record = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    yield Row(start, {}, (RowError(start, None, f"not valid CSV: {exc}",
                                                   "batch.bad_csv"),))
                    continue
                if not any(c.strip() for c in record):
                    continue  # blank line
                if not header_seen:
                    header_seen = True
                    continue
                values = [c.strip() for c in record]
                if len(values) > width and not any(values[width:]):
                    values = values[:width]  # trailing delimiters
                if len(values) != width:
                    yield Row(start, dict(zip(columns, values, strict=False)), (RowError(
                        start, None,
                        f"the row has {len(values)} values but the header has {width} columns "
                        "(check for an unquoted delimiter in a value)", "batch.column_count"),))
                    continue
                row_values = dict(zip(columns, values, strict=False))
                yield Row(start, row_values, tuple(_formula_errors(start, row_values)))


# --------------------------------------------------------------------------- XLSX


def _xlsx_value(value: Any) -> Cell:
    if isinstance(value, datetime):
        return value.date() if value.time() == time(0) and value.tzinfo is None else value
    if isinstance(value, str):
        return value.strip()
    if value is None:
        return ""
    return value


class XlsxSource:
    """Rows of an XLSX workbook sheet, streamed with openpyxl's read-only mode.

    :param sheet: the sheet's name (default: the first sheet).
    :raises ReadError: the file is not a readable workbook, the sheet is missing, or
        the header is unusable.
    """

    def __init__(self, path: str | os.PathLike[str], *, sheet: str | None = None) -> None:
        self.path = Path(path)
        self.sheet = sheet
        self._source = str(self.path)
        workbook, ws = self._open()
        try:
            self._header_row = 0
            header: list[str] | None = None
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                if any(v not in (None, "") for v in values):
                    header = ["" if v is None else str(v) for v in values]
                    self._header_row = number
                    break
            if header is None:
                raise ReadError("the sheet is empty; the first row must name the columns",
                                pointer=self._source, code="batch.no_header")
            self._columns = _check_header(header, self._source)
            max_row = getattr(ws, "max_row", None)
            self._count = (max_row - self._header_row) if isinstance(max_row, int) else None
        finally:
            workbook.close()

    def _open(self) -> tuple[Any, Any]:
        try:
            import openpyxl
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise ReadError("reading .xlsx needs openpyxl: pip install 'openpyxl>=3.1'",
                            pointer=self._source, code="config.extra_missing") from exc
        if not self.path.is_file():
            raise ReadError("no such file", pointer=self._source, code="io.unreadable")
        try:
            workbook = openpyxl.load_workbook(self.path, read_only=True, data_only=False)
        except Exception as exc:  # openpyxl raises zipfile, KeyError, InvalidFileException...
            raise ReadError(f"not a readable .xlsx workbook ({type(exc).__name__})",
                            pointer=self._source, code="io.unreadable") from None
        if self.sheet is None:
            return workbook, workbook.worksheets[0]
        if self.sheet not in workbook.sheetnames:
            names = ", ".join(workbook.sheetnames)
            workbook.close()
            raise ReadError(f"no sheet named {self.sheet!r} (sheets: {names})",
                            pointer=self._source, code="batch.no_sheet")
        return workbook, workbook[self.sheet]

    @property
    def columns(self) -> list[str]:
        """The header's column names."""
        return list(self._columns)

    def count(self) -> int | None:
        """Return the number of rows below the header, as the workbook records it."""
        return self._count

    def __iter__(self) -> Iterator[Row]:
        columns = self._columns
        width = len(columns)
        workbook, ws = self._open()
        try:
            rows = ws.iter_rows(min_row=self._header_row + 1)
            for number, cells in enumerate(rows, start=self._header_row + 1):
                errors: list[RowError] = []
                values: dict[str, Cell] = {}
                for position, cell in enumerate(cells):
                    raw = getattr(cell, "value", None)
                    if position >= width:
                        if raw not in (None, ""):
                            errors.append(RowError(
                                number, None,
                                f"a value in column {position + 1}, which has no header",
                                "batch.column_count"))
                        continue
                    column = columns[position]
                    if getattr(cell, "data_type", None) == "f" or (
                        isinstance(raw, str) and raw.startswith("=")
                    ):
                        errors.append(RowError(
                            number, column, "the cell holds a spreadsheet formula; formulas "
                            "are refused (paste the values instead)", "batch.formula"))
                        values[column] = ""
                        continue
                    values[column] = _xlsx_value(raw)
                if not errors and not any(v not in (None, "") for v in values.values()):
                    continue  # an empty row
                for column in columns:
                    values.setdefault(column, "")
                errors.extend(e for e in _formula_errors(number, values)
                              if e.column not in {x.column for x in errors})
                yield Row(number, values, tuple(errors))
        finally:
            workbook.close()


# --------------------------------------------------------------------------- JSONL


class JsonlSource:
    """Rows of a JSON Lines file: one JSON object per line; its keys are the columns.

    The columns are the keys of the first object.

    :raises ReadError: the file is unreadable or holds no object.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._source = str(self.path)
        self._columns: list[str] | None = None
        for row in self._rows():
            if not row.errors:
                self._columns = list(row.values)
                break
        if self._columns is None:
            raise ReadError("no JSON object found; expected one object per line",
                            pointer=self._source, code="batch.no_header")
        self._count: int | None = None

    def _open(self) -> io.TextIOWrapper:
        try:
            return open(self.path, encoding="utf-8-sig")
        except FileNotFoundError:
            raise ReadError("no such file", pointer=self._source, code="io.unreadable") from None
        except OSError as exc:
            raise ReadError(f"cannot read: {exc.strerror}", pointer=self._source,
                            code="io.unreadable") from None

    @property
    def columns(self) -> list[str]:
        """The keys of the first object."""
        assert self._columns is not None
        return list(self._columns)

    def count(self) -> int | None:
        """Return the number of non-blank lines."""
        if self._count is None:
            with self._open() as fh:
                self._count = sum(1 for line in fh if line.strip())
        return self._count

    def _rows(self) -> Iterator[Row]:
        with self._open() as fh:
            try:
                for number, line in enumerate(fh, start=1):
                    if not line.strip():
                        continue
                    try:
                        value = json.loads(line)
                    except (ValueError, RecursionError) as exc:
                        msg = exc.msg if isinstance(exc, json.JSONDecodeError) else "too deep"
                        yield Row(number, {}, (RowError(number, None,
                                                        f"not valid JSON: {msg}",
                                                        "batch.bad_json"),))
                        continue
                    if not isinstance(value, dict):
                        yield Row(number, {}, (RowError(number, None,
                                                        "expected a JSON object on the line",
                                                        "batch.bad_json"),))
                        continue
                    yield Row(number, value, tuple(_formula_errors(number, value)))
            except UnicodeDecodeError:
                raise ReadError("not UTF-8 text", pointer=self._source,
                                code="io.not_utf8") from None

    def __iter__(self) -> Iterator[Row]:
        return self._rows()


# --------------------------------------------------------------------------- helpers


def open_rows(path: str | os.PathLike[str], *, sheet: str | None = None,
              delimiter: str | None = None) -> RowSource:
    """Open a CSV, XLSX or JSONL file of rows, chosen by its extension.

    :raises ReadError: ``batch.unknown_format`` for any other extension, or the
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
        raise ReadError("old .xls workbooks are not supported; save it as .xlsx or CSV UTF-8",
                        pointer=str(p), code="batch.unknown_format")
    raise ReadError(
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
        return Row(number, values, tuple(_formula_errors(number, values)))

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
