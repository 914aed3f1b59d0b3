"""Cells to JSON values: the typed filters of template placeholders.

A cell comes from a CSV (text), an XLSX workbook (numbers, dates, booleans) or a JSONL
line (any JSON value). :func:`convert` applies a placeholder's filters (``date``,
``datetime``, ``number``, ``integer``, ``langmap``, ``optional``); a cell that does not
fit raises :class:`CellError` with the code the row's report line carries
(``batch.bad_date``, ``batch.bad_number``, ``batch.bad_value``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import date, datetime, timezone
from typing import Any

from .sources import Cell

__all__ = [
    "CellError",
    "convert",
    "format_datetime",
    "is_empty",
    "langmap",
    "parse_date",
    "parse_datetime",
    "parse_number",
    "to_text",
]

_DOTTED_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})\Z")
_MAX_TEXT = 100_000


class CellError(Exception):
    """A cell that does not fit its placeholder: the reason and the code to report."""

    def __init__(self, reason: str, code: str = "batch.bad_value") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


def is_empty(value: Cell) -> bool:
    """True for a missing cell or one holding only white space."""
    return value is None or (isinstance(value, str) and not value.strip())


def to_text(value: Cell) -> str:
    """The cell as text, as a spreadsheet shows it (``12.0`` is ``12``, dates in ISO 8601)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        raise CellError("expected text, found a JSON object or array")
    return str(value)


def format_datetime(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` (UTC when naive), or ISO 8601 with the moment's offset."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.replace(microsecond=0)
    if moment.utcoffset() == timezone.utc.utcoffset(None):
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.isoformat()


def parse_date(value: Cell, fmt: str | None) -> date:
    """Read a date: ISO, ``DD.MM.YYYY``, a spreadsheet date, or *fmt* (``strptime``)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = to_text(value).strip()
    try:
        if fmt:
            return datetime.strptime(text, fmt).date()
        dotted = _DOTTED_DATE.match(text)
        if dotted:
            day, month, year = (int(g) for g in dotted.groups())
            return date(year, month, day)
        if "T" in text or " " in text.strip():
            return parse_datetime(text, None).date()
        return date.fromisoformat(text)
    except (ValueError, CellError):
        expected = f"a date like {fmt!r}" if fmt else "a date like 2024-06-30 (or 30.06.2024)"
        raise CellError(f"{text!r} is not {expected}", "batch.bad_date") from None


def parse_datetime(value: Cell, fmt: str | None) -> datetime:
    """Read a date-time (ISO 8601, UTC when no offset) or a date (midnight UTC)."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    text = to_text(value).strip()
    try:
        if fmt:
            return datetime.strptime(text, fmt)
        if len(text) <= 10 or _DOTTED_DATE.match(text):
            day = parse_date(text, None)  # its own message: "... is not a date like ..."
            return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
        return datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise CellError(f"{text!r} is not a date-time like 2024-06-30T14:00:00Z",
                         "batch.bad_date") from None


def parse_number(value: Cell, integer: bool) -> int | float:
    """Read a JSON number (a decimal comma is accepted); *integer* refuses fractions."""
    if isinstance(value, bool):
        raise CellError("expected a number, found true/false", "batch.bad_number")
    if isinstance(value, (int, float)):
        number: int | float = value
    else:
        text = to_text(value).strip().replace("\u00a0", "").replace(" ", "")
        if "," in text and "." not in text and text.count(",") == 1:
            text = text.replace(",", ".")
        try:
            number = int(text) if re.fullmatch(r"[+-]?\d+", text) else float(text)
        except ValueError:
            raise CellError(f"{text!r} is not a number", "batch.bad_number") from None
    if isinstance(number, float):
        if not math.isfinite(number):
            raise CellError("expected a finite number", "batch.bad_number")
        if integer or number.is_integer():
            if integer and not number.is_integer():
                raise CellError(f"{number} is not a whole number", "batch.bad_number")
            return int(number)
    return number


def langmap(value: Cell, lang: str) -> dict[str, str]:
    """A language map ``{lang: text}`` (a JSON object cell must already be one)."""
    if isinstance(value, dict):
        if all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            return dict(value)
        raise CellError("a language map must map language codes to text")
    return {lang: to_text(value)}


def convert(filters: Iterable[tuple[str, str | None]], value: Cell,
            default_language: str) -> Any:
    """Apply a placeholder's *filters* to a cell; without a typing filter the cell is text.

    :raises CellError: the value does not fit a filter (with the code to report).
    """
    result: Any = value
    typed = False
    for fname, arg in filters:
        if fname == "optional":
            continue
        typed = True
        if fname == "date":
            result = parse_date(result, arg).isoformat()
        elif fname == "datetime":
            result = format_datetime(parse_datetime(result, arg))
        elif fname == "number":
            result = parse_number(result, integer=False)
        elif fname == "integer":
            result = parse_number(result, integer=True)
        elif fname == "langmap":
            result = langmap(result, arg or default_language)
    if not typed:
        result = to_text(result)
    if isinstance(result, str) and len(result) > _MAX_TEXT:
        raise CellError(f"the value is longer than {_MAX_TEXT:,} characters")
    return result
