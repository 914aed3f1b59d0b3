"""XML Schema lexical types of the models: ``xsd:dateTime``, ``xsd:date``, ``xsd:duration``
and numbers, each read into a Python value that remembers (and writes back) the lexical
form it was read from.

See: <https://www.w3.org/TR/xmlschema11-2/#dateTime>
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator
from pydantic_core import PydanticCustomError

__all__ = ["Number", "XsdDate", "XsdDateTime", "XsdDuration"]


_DATETIME_RE = re.compile(
    r"^(?P<y>-?\d{4,})-(?P<mo>\d{2})-(?P<d>\d{2})T(?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})"
    r"(?P<f>\.\d+)?(?P<tz>Z|[+-]\d{2}:\d{2})?$"
)
_DATE_RE = re.compile(r"^(?P<y>-?\d{4,})-(?P<mo>\d{2})-(?P<d>\d{2})(?P<tz>Z|[+-]\d{2}:\d{2})?$")
_DURATION_RE = re.compile(
    r"^-?P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$"
)


class _LexicalDateTime(datetime):
    """A :class:`datetime` that remembers the xsd:dateTime lexical form it was read from."""

    lexical: str


class _LexicalDate(date):
    """A :class:`date` that remembers the xsd:date lexical form it was read from."""

    lexical: str


def _tz(text: str | None) -> timezone | None:
    if text is None:
        return None
    if text == "Z":
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    hours, minutes = int(text[1:3]), int(text[4:6])
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _parse_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError(
            "xsd_datetime",
            "expected an xsd:dateTime string such as 2024-05-21T12:00:00Z, found {found}",
            {"found": type(value).__name__},
        )
    match = _DATETIME_RE.match(value)
    if match is None:
        raise PydanticCustomError(
            "xsd_datetime",
            "expected an xsd:dateTime such as 2024-05-21T12:00:00Z, found '{found}'",
            {"found": value[:40]},
        )
    fraction = match["f"] or ""
    micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
    try:
        parsed = _LexicalDateTime(
            int(match["y"]), int(match["mo"]), int(match["d"]),
            int(match["h"]), int(match["mi"]), int(match["s"]), micro,
            tzinfo=_tz(match["tz"]),
        )
    except ValueError as exc:
        raise PydanticCustomError(
            "xsd_datetime", "not a valid xsd:dateTime '{found}': {reason}",
            {"found": value[:40], "reason": str(exc)},
        ) from exc
    parsed.lexical = value
    return parsed


def _format_datetime(value: datetime) -> str:
    lexical = getattr(value, "lexical", None)
    if isinstance(lexical, str):
        return lexical
    text = value.isoformat(timespec="microseconds" if value.microsecond else "seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _parse_date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError(
            "xsd_date", "expected an xsd:date string such as 1999-10-02, found {found}",
            {"found": type(value).__name__},
        )
    match = _DATE_RE.match(value)
    if match is None:
        raise PydanticCustomError(
            "xsd_date", "expected an xsd:date such as 1999-10-02, found '{found}'",
            {"found": value[:40]},
        )
    try:
        parsed = _LexicalDate(int(match["y"]), int(match["mo"]), int(match["d"]))
    except ValueError as exc:
        raise PydanticCustomError(
            "xsd_date", "not a valid xsd:date '{found}': {reason}",
            {"found": value[:40], "reason": str(exc)},
        ) from exc
    parsed.lexical = value
    return parsed


def _format_date(value: date) -> str:
    lexical = getattr(value, "lexical", None)
    return lexical if isinstance(lexical, str) else value.isoformat()


def _parse_duration(value: Any) -> str:
    if not isinstance(value, str) or _DURATION_RE.match(value) is None:
        raise PydanticCustomError(
            "xsd_duration", "expected an xsd:duration such as PT90H, found '{found}'",
            {"found": value if isinstance(value, str) else type(value).__name__},
        )
    return value


def _parse_number(value: Any) -> int | float | str:
    if isinstance(value, bool):
        raise PydanticCustomError("number", "expected a number, found a boolean", {})
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, str):
        try:
            Decimal(value)
        except InvalidOperation:
            pass
        else:
            return value
    raise PydanticCustomError("number", "expected a number, found '{found}'", {"found": value})


#: An xsd:dateTime: a :class:`datetime` (naive when the lexical form has no zone) that is
#: written back exactly as it was read; a datetime built in Python is written ISO 8601
#: with ``Z`` for UTC.
XsdDateTime = Annotated[
    datetime, PlainValidator(_parse_datetime), PlainSerializer(_format_datetime, return_type=str)
]

#: An xsd:date: a :class:`date` written back exactly as it was read.
XsdDate = Annotated[
    date, PlainValidator(_parse_date), PlainSerializer(_format_date, return_type=str)
]

#: An xsd:duration (``PT90H``, ``P1Y6M``), kept as its lexical form.
XsdDuration = Annotated[str, PlainValidator(_parse_duration)]

#: A number (xsd:decimal, xsd:integer ...) kept in the JSON form it was read in
#: (``6``, ``6.0`` or ``"6"``): the RDF literal depends on that form.
Number = Annotated[int | float | str, PlainValidator(_parse_number)]
