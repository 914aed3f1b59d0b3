"""What every row source shares: :class:`Row`, :class:`RowError`, :class:`RowSource`, and
the checks of formulas and headers.

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

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from ..._io import MAX_JSON_DEPTH, json_depth
from ...errors import BatchDataError

__all__ = ["Cell", "Row", "RowError", "RowSource", "check_header", "formula_errors",
           "looks_like_formula"]

#: A cell value: text from CSV; numbers, dates and booleans from XLSX or JSONL too.
Cell = Any

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


def formula_errors(number: int, values: Mapping[str, Cell]) -> list[RowError]:
    """A ``batch.formula`` error for each cell of the row that starts like a formula, and
    an ``io.too_deep`` error for each cell nested deeper than the reader's one limit."""
    errors: list[RowError] = []
    for column, value in values.items():
        if isinstance(value, (dict, list)) and json_depth(value) > MAX_JSON_DEPTH:
            errors.append(RowError(number, column,
                                   f"JSON nested deeper than {MAX_JSON_DEPTH} levels",
                                   "io.too_deep"))
        elif _has_formula(value):
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


def check_header(names: list[str], source: str) -> list[str]:
    """Return the header's column names, stripped (trailing empty cells dropped).

    :raises BatchDataError: ``batch.no_header`` (empty), ``batch.bad_header`` (a column
        without a name, or named twice), ``batch.formula``.
    """
    columns = [n.strip() for n in names]
    while columns and columns[-1] == "":
        columns.pop()  # trailing empty header cells (a trailing delimiter)
    if not columns:
        raise BatchDataError("the header row is empty; the first row must name the columns",
                             pointer=source, code="batch.no_header")
    seen: set[str] = set()
    for position, name in enumerate(columns, start=1):
        if not name:
            raise BatchDataError(f"column {position} of the header has no name", pointer=source,
                                 code="batch.bad_header")
        if name in seen:
            raise BatchDataError(f"column {name!r} appears twice in the header", pointer=source,
                                 code="batch.bad_header")
        if looks_like_formula(name):
            raise BatchDataError(f"header cell {name!r} starts like a spreadsheet formula",
                                 pointer=source, code="batch.formula")
        seen.add(name)
    return columns
