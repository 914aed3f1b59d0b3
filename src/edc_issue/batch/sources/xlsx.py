"""Rows of an XLSX workbook: the first sheet (or a named one), streamed with openpyxl's
read-only mode.

The first non-empty row is the header. A cell holding a formula is an error for that
row: formulas are never evaluated, and never passed on.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import datetime, time
from pathlib import Path
from typing import Any

from ..._io import open_input
from ...errors import BatchDataError, ConfigError, ReadError
from ._rows import Cell, Row, RowError, check_header, formula_errors

__all__ = ["XlsxSource"]

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
        with self._sheet() as ws:
            self._header_row = 0
            header: list[str] | None = None
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                if any(v not in (None, "") for v in values):
                    header = ["" if v is None else str(v) for v in values]
                    self._header_row = number
                    break
            if header is None:
                raise BatchDataError("the sheet is empty; the first row must name the columns",
                                     pointer=self._source, code="batch.no_header")
            self._columns = check_header(header, self._source)
            max_row = getattr(ws, "max_row", None)
            self._count = (max_row - self._header_row) if isinstance(max_row, int) else None

    @contextlib.contextmanager
    def _sheet(self) -> Iterator[Any]:
        """The sheet, read-only and streamed; the file is closed on leaving."""
        try:
            import openpyxl
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise ConfigError("reading .xlsx needs openpyxl: pip install 'openpyxl>=3.1'",
                              pointer=self._source, code="config.extra_missing") from exc
        with open_input(self.path) as fh:
            try:
                workbook = openpyxl.load_workbook(fh, read_only=True, data_only=False)
            except Exception as exc:  # openpyxl raises zipfile, KeyError, InvalidFileException
                raise ReadError(f"not a readable .xlsx workbook ({type(exc).__name__})",
                                pointer=self._source, code="io.unreadable") from None
            try:
                if self.sheet is None:
                    yield workbook.worksheets[0]
                elif self.sheet not in workbook.sheetnames:
                    names = ", ".join(workbook.sheetnames)
                    raise BatchDataError(f"no sheet named {self.sheet!r} (sheets: {names})",
                                         pointer=self._source, code="batch.no_sheet")
                else:
                    yield workbook[self.sheet]
            finally:
                workbook.close()

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
        with self._sheet() as ws:
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
                errors.extend(e for e in formula_errors(number, values)
                              if e.column not in {x.column for x in errors})
                yield Row(number, values, tuple(errors))
