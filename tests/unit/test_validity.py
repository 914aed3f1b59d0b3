"""One validity rule for credentials, VC-JWT claims and sealed EDCs (``_validity``)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from edc_issue._validity import expiry_check, jwt_time_checks, state, validity_checks

NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
AT = "2026-01-01T12:00:00Z"


def test_an_end_is_exclusive_and_a_start_inclusive() -> None:
    t = NOW.timestamp()
    assert state(t, t, end=True) == "expired"      # "on or after which ... MUST NOT"
    assert state(t + 1, t, end=True) == "valid"
    assert state(t, t, end=False) == "valid"
    assert state(t + 1, t, end=False) == "not_yet_valid"


@pytest.mark.parametrize("field,code", [("validUntil", "credential.expired"),
                                        ("expirationDate", "credential.expired"),
                                        ("validFrom", None), ("issuanceDate", None)])
def test_the_three_readers_agree_at_the_same_instant(field: str, code: str | None) -> None:
    checks = validity_checks({field: AT}, NOW)
    assert [c.code for c in checks if not c.ok] == ([code] if code else [])
    stamp = int(NOW.timestamp())
    claim = "exp" if field in ("validUntil", "expirationDate") else "nbf"
    assert [c.code for c in jwt_time_checks({claim: stamp}, NOW)] == ([code] if code else [])
    if code:
        assert expiry_check({field: AT}, NOW).code == code


def test_credential_dates() -> None:
    later = (NOW + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    [check] = validity_checks({"validFrom": later}, NOW)
    assert check.code == "credential.not_yet_valid" and check.path == "validFrom"
    [check] = validity_checks({"validUntil": "soon"}, NOW)
    assert check.code == "credential.bad_date"
    [check] = validity_checks({"validFrom": "2020-01-01T00:00:00Z"}, NOW)
    assert check.ok and check.check == "validity"
    assert validity_checks({"name": "no dates"}, NOW) == []


def test_the_seal_expiry_check() -> None:
    assert expiry_check({}, NOW).ok
    assert expiry_check("not an object", NOW).severity == "warning"
    assert expiry_check({"expirationDate": 5}, NOW).code == "credential.bad_date"
    assert expiry_check({"expirationDate": "2030-01-01T00:00:00Z"}, NOW).ok
