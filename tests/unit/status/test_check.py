"""check_status(): BitstringStatusListEntry, StatusList2021Entry and 1EdTechRevocationList."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone
from typing import Any

import pytest

from edc_issue.results import Check, VerificationResult
from edc_issue.status import (
    Bitstring,
    check_status,
    create_status_list_credential,
    status_entry,
)

LIST_ID = "https://example.edu/status/1"


def _list(purpose: str = "revocation", revoked: tuple[int, ...] = ()) -> dict[str, Any]:
    vc = create_status_list_credential(list_id=LIST_ID, issuer="did:example:1", purpose=purpose,
                                       valid_from="2026-01-01T00:00:00Z")
    bits = Bitstring()
    for i in revoked:
        bits[i] = 1
    vc["credentialSubject"]["encodedList"] = bits.encode()
    return vc


def _credential(*entries: dict[str, Any]) -> dict[str, Any]:
    status: Any = entries[0] if len(entries) == 1 else list(entries)
    return {"id": "urn:uuid:1", "type": ["VerifiableCredential"], "credentialStatus": status}


def test_no_status_no_checks() -> None:
    assert check_status({"id": "x"}, lists=[_list()]) == []


def test_not_revoked_and_revoked() -> None:
    lists = [_list(revoked=(5,))]
    [ok] = check_status(_credential(status_entry(LIST_ID, 4)), lists=lists)
    assert ok.ok and ok.check == "status"
    [bad] = check_status(_credential(status_entry(LIST_ID, 5)), lists=lists)
    assert not bad.ok and bad.code == "status.revoked" and bad.severity == "error"
    assert "index 5" in bad.message


def test_suspended() -> None:
    [bad] = check_status(_credential(status_entry(LIST_ID, 9, "suspension")),
                         lists=[_list("suspension", (9,))])
    assert bad.code == "status.suspended"


def test_a_list_not_given_is_a_warning_not_a_verdict() -> None:
    [check] = check_status(_credential(status_entry("https://other.example/list", 1)))
    assert not check.ok and check.severity == "warning"
    assert check.code == "status.list_not_given"
    assert VerificationResult(checks=[Check("proof", True, "ok"), check]).ok


def test_lists_given_that_are_not_the_credential_s_fail_the_check() -> None:
    [check] = check_status(_credential(status_entry("https://other.example/list", 1)),
                           lists=[_list()])
    assert not check.ok and check.severity == "error"
    assert check.code == "status.list_mismatch"
    assert "https://other.example/list" in check.message and LIST_ID in check.message


def test_nothing_is_fetched_without_opt_in() -> None:
    def fetch(url: str) -> Any:
        raise AssertionError("no fetching without allow_network")

    [check] = check_status(_credential(status_entry(LIST_ID, 1)), fetch=fetch)
    assert check.code == "status.list_not_given"


def test_fetching_with_opt_in() -> None:
    fetched: list[str] = []

    def fetch(url: str) -> Any:
        fetched.append(url)
        return _list(revoked=(1,))

    [check] = check_status(_credential(status_entry(LIST_ID, 1)), allow_network=True,
                           fetch=fetch)
    assert fetched == [LIST_ID] and check.code == "status.revoked"


def test_purpose_must_match() -> None:
    [check] = check_status(_credential(status_entry(LIST_ID, 1, "suspension")), lists=[_list()])
    assert check.code == "status.purpose_mismatch"


def test_index_outside_the_list() -> None:
    [check] = check_status(_credential(status_entry(LIST_ID, 10**7)), lists=[_list()])
    assert check.code == "status.index_out_of_range"


@pytest.mark.parametrize("index", ["-1", "1.5", "x", None, True])
def test_malformed_index(index: Any) -> None:
    entry = dict(status_entry(LIST_ID, 1), statusListIndex=index)
    [check] = check_status(_credential(entry), lists=[_list()])
    assert check.code == "status.malformed_entry" and not check.ok


def test_a_short_list_fails() -> None:
    short = _list()
    short["credentialSubject"]["encodedList"] = Bitstring(1024).encode()
    [check] = check_status(_credential(status_entry(LIST_ID, 1)), lists=[short])
    assert check.code == "status.list_too_short"


def test_an_expired_list_fails() -> None:
    expired = dict(_list(), validUntil="2020-01-01T00:00:00Z")
    [check] = check_status(_credential(status_entry(LIST_ID, 1)), lists=[expired],
                           clock=lambda: datetime(2026, 1, 1, tzinfo=timezone.utc))
    assert check.code == "status.list_expired"


def test_several_entries_each_checked() -> None:
    suspension = dict(_list("suspension", (2,)), id="https://example.edu/status/2")
    suspension["credentialSubject"] = dict(suspension["credentialSubject"],
                                           id="https://example.edu/status/2#list")
    checks = check_status(
        _credential(status_entry(LIST_ID, 2),
                    status_entry("https://example.edu/status/2", 2, "suspension")),
        lists=[_list(), suspension])
    assert [c.ok for c in checks] == [True, False]
    assert [c.path for c in checks] == ["credentialStatus[0]", "credentialStatus[1]"]


def test_a_list_given_by_url_mapping() -> None:
    other = dict(_list(revoked=(3,)), id="https://example.com/credentials/status/3")
    [check] = check_status(_credential(status_entry(LIST_ID, 3)), lists={LIST_ID: other})
    assert check.code == "status.revoked"


def test_the_list_proof_is_checked_when_asked() -> None:
    def verify_list(document: Any) -> VerificationResult:
        return VerificationResult(checks=[Check("proof", False, "bad signature")])

    [check] = check_status(_credential(status_entry(LIST_ID, 1)), lists=[_list()],
                           verify_list=verify_list)
    assert check.code == "status.list_unverified" and "bad signature" in check.message


def test_a_list_given_as_a_vc_jwt() -> None:
    payload = base64.urlsafe_b64encode(json.dumps(_list(revoked=(8,))).encode()).decode()
    token = f"eyJhbGciOiJFZERTQSJ9.{payload.rstrip('=')}.c2ln"
    [check] = check_status(_credential(status_entry(LIST_ID, 8)), lists=[token])
    assert check.code == "status.revoked"


def test_status_list_2021_entries() -> None:
    entry = dict(status_entry(LIST_ID, 6), type="StatusList2021Entry")
    legacy = _list(revoked=(6,))
    legacy["credentialSubject"]["type"] = "StatusList2021"
    [check] = check_status(_credential(entry), lists=[legacy])
    assert check.code == "status.revoked"


def test_1edtech_revocation_list() -> None:
    entry = {"id": "https://example.edu/revocations", "type": "1EdTechRevocationList"}
    revocations = {"id": "https://example.edu/revocations", "issuer": "did:example:1",
                   "revokedCredentials": [{"id": "urn:uuid:1", "revocationReason": "mistake"}]}
    [check] = check_status(_credential(entry), lists=[revocations])
    assert check.code == "status.revoked" and "mistake" in check.message
    revocations["revokedCredentials"] = [{"id": "urn:uuid:2"}]
    [check] = check_status(_credential(entry), lists=[revocations])
    assert check.ok


def test_unknown_status_types_are_warnings() -> None:
    [check] = check_status(_credential({"id": "x", "type": "CredentialStatusList2017"}),
                           lists=[])
    assert check.severity == "warning" and check.code == "status.unsupported_type"


def test_a_sealed_envelope_is_unwrapped() -> None:
    credential = _credential(status_entry(LIST_ID, 5))
    envelope = {"payload": json.dumps(credential), "signatures": [{"protected": "e30",
                                                                   "signature": "x"}]}
    [check] = check_status(envelope, lists=[_list(revoked=(5,))])
    assert check.code == "status.revoked"


def test_a_credential_given_as_a_vc_jwt() -> None:
    claims = _credential(status_entry(LIST_ID, 4))
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    [check] = check_status(f"eyJhbGciOiJFZERTQSJ9.{payload}.c2ln", lists=[_list(revoked=(4,))])
    assert check.code == "status.revoked"
    assert check_status("not a jwt", lists=[]) == []
