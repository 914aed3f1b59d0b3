"""Validity dates: one rule for credentials, VC-JWT claims and sealed EDCs.

A credential is not valid before its start (``validFrom``, VC 2.0; ``issuanceDate``,
VC 1.1; ``nbf``, RFC 7519 §4.1.5) and has expired at its end (``validUntil``, VC 2.0;
``expirationDate``, VC 1.1; ``exp``, RFC 7519 §4.1.4: "on or after which the JWT MUST
NOT be accepted"). The three readers differ only in how they name their checks:
``validity`` for Data Integrity credentials, ``jwt.nbf`` / ``jwt.exp`` for VC-JWT claims,
``EXPIRY`` for a sealed EDC (the EDC verification vocabulary).

See: <https://www.w3.org/TR/vc-data-model-2.0/#validity-period>
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ._dates import parse_datetime
from .results import Check

__all__ = ["END_FIELDS", "START_FIELDS", "expiry_check", "jwt_time_checks", "state",
           "validity_checks"]

#: The fields that start a credential's validity, VC 2.0 first.
START_FIELDS = ("validFrom", "issuanceDate")
#: The fields that end it, VC 2.0 first.
END_FIELDS = ("validUntil", "expirationDate")

State = Literal["valid", "expired", "not_yet_valid"]


def state(moment: float, now: float, *, end: bool) -> State:
    """The one rule, on POSIX timestamps: expired at (not after) an end; not yet valid
    before a start."""
    if end:
        return "expired" if now >= moment else "valid"
    return "not_yet_valid" if now < moment else "valid"


def validity_checks(document: Any, now: datetime) -> list[Check]:
    """Check a credential's validity period; the checks are named ``validity``.

    One failed check per date that is malformed (``credential.bad_date``), in the future
    (``credential.not_yet_valid``) or past (``credential.expired``); one passed check when
    the document has dates and all hold; nothing when it has none.
    """
    if not isinstance(document, dict):
        return []
    checks: list[Check] = []
    stamp = now.timestamp()
    for field_name in ("validFrom", "issuanceDate", "validUntil", "expirationDate"):
        if field_name not in document:
            continue
        value = document[field_name]
        when = parse_datetime(value)
        if when is None:
            checks.append(Check("validity", False, f"{field_name} is not a dateTime: {value!r}",
                                path=field_name, code="credential.bad_date"))
            continue
        judged = state(when.timestamp(), stamp, end=field_name in END_FIELDS)
        if judged == "expired":
            checks.append(Check("validity", False, f"expired: {field_name} is {value}",
                                path=field_name, code="credential.expired"))
        elif judged == "not_yet_valid":
            checks.append(Check("validity", False, f"not valid yet: {field_name} is {value}",
                                path=field_name, code="credential.not_yet_valid"))
    if not checks and any(f in document for f in START_FIELDS + END_FIELDS):
        checks.append(Check("validity", True, "the credential is within its validity period"))
    return checks


def jwt_time_checks(payload: Any, now: datetime) -> list[Check]:
    """Check a JWT's ``nbf`` and ``exp`` claims (NumericDate); non-numbers are ignored."""
    if not isinstance(payload, dict):
        return []
    checks: list[Check] = []
    stamp = now.timestamp()
    # a boolean is an int to Python, and was always judged as one (exp: true is 1970)
    nbf, exp = payload.get("nbf"), payload.get("exp")
    if isinstance(nbf, (int, float)) and state(nbf, stamp, end=False) == "not_yet_valid":
        checks.append(Check("jwt.nbf", False, "the JWT is not valid yet (nbf)", path="nbf",
                            code="credential.not_yet_valid"))
    if isinstance(exp, (int, float)) and state(exp, stamp, end=True) == "expired":
        checks.append(Check("jwt.exp", False, "the JWT has expired (exp)", path="exp",
                            code="credential.expired"))
    return checks


def expiry_check(document: Any, now: datetime) -> Check:
    """The ``EXPIRY`` check of a sealed EDC: its ``expirationDate`` (or ``validUntil``)."""
    if not isinstance(document, dict):
        return Check("EXPIRY", False, "not checked: the payload is not a JSON object",
                     severity="warning")
    for key in ("expirationDate", "validUntil"):
        value = document.get(key)
        if value is None:
            continue
        when = parse_datetime(value)
        if when is None:
            return Check("EXPIRY", False, f"{key} is not a date-time: {value!r}", path=key,
                         code="credential.bad_date")
        if state(when.timestamp(), now.timestamp(), end=True) == "expired":
            return Check("EXPIRY", False, f"the credential expired on {value}", path=key,
                         code="credential.expired")
        return Check("EXPIRY", True, f"valid until {value}", path=key)
    return Check("EXPIRY", True, "the credential has no expiration date")

