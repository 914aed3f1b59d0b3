"""``xsd:dateTime`` values as timezone-aware datetimes, the same on every Python >= 3.10.

Python 3.10's ``datetime.fromisoformat`` rejects ``Z`` and fractions of other than 3 or 6
digits, both common in credentials; this parser accepts every ``xsd:dateTime`` form.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

__all__ = ["parse_datetime"]

_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))?$"
)


def parse_datetime(value: Any) -> datetime | None:
    """Return *value* (an ``xsd:dateTime`` string) as an aware datetime in UTC.

    A value without a time zone is read as UTC; fractions beyond microseconds are
    truncated; ``24:00:00`` and years past 9999 are not supported. Anything that is not
    such a string gives ``None``.
    """
    if not isinstance(value, str):
        return None
    match = _DATETIME.match(value.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, _zulu, sign, tz_h, tz_m = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second),
                          micro, tzinfo=timezone.utc)
    except ValueError:
        return None
    if sign:
        offset = timedelta(hours=int(tz_h), minutes=int(tz_m))
        if offset >= timedelta(hours=24):
            return None
        try:
            moment = moment - offset if sign == "+" else moment + offset
        except OverflowError:
            return None
    return moment
