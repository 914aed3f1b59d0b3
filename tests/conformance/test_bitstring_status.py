"""Bitstring Status List v1.0 spec examples and the 1EdTech validator's status fixtures.

Each case id is the spec example or fixture it comes from (tests/fixtures/status,
PROVENANCE.json records where each file was copied from).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from edc_issue.status import (
    MIN_BITSTRING_LENGTH,
    Bitstring,
    check_status,
    parse_status_list_credential,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "status"
SPEC = "https://www.w3.org/TR/vc-bitstring-status-list/"
ONEEDTECH_LIST_URL = (
    "https://raw.githubusercontent.com/1EdTech/digital-credentials-public-validator/refs/heads/"
    "main/inspector-vc/src/test/resources/ob30/bit-string-list/testlist")


def _load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["02-example-bitstringstatuslistcredential.json",
                                  "04-a-status-list-verifiable-credential.json"],
                         ids=[f"{SPEC}#example-example-bitstringstatuslistcredential",
                              f"{SPEC}#example-a-status-list-verifiable-credential"])
def test_spec_status_list_credentials_decode_to_an_empty_16kib_list(name: str) -> None:
    parsed = parse_status_list_credential(_load(name))
    assert parsed.id == "https://example.com/credentials/status/3"
    assert parsed.purposes == ("revocation",)
    assert parsed.bits.length == MIN_BITSTRING_LENGTH
    assert parsed.bits.set_indexes() == []


def test_our_encoding_of_the_empty_list_decodes_like_the_spec_example() -> None:
    spec = parse_status_list_credential(_load("02-example-bitstringstatuslistcredential.json"))
    ours = Bitstring.decode(Bitstring(MIN_BITSTRING_LENGTH).encode())
    assert ours == spec.bits


@pytest.mark.parametrize("name", [
    "01-example-statuslistcredential-using-simple-entries.json",
    "03-a-revocable-verifiable-credential.json",
    "05-associating-multiple-status-lists-with-a-single-verifiable-credential.json",
    "06-associating-multiple-status-entries-in-a-single-status-list.json",
], ids=lambda n: f"{SPEC}#{n.split('-', 1)[1].removesuffix('.json')}")
def test_spec_credentials_are_checked_against_the_spec_list(name: str) -> None:
    credential = _load(name)
    status_list = _load("02-example-bitstringstatuslistcredential.json")
    checks = check_status(credential, lists=[status_list])
    entries = credential["credentialStatus"]
    entries = entries if isinstance(entries, list) else [entries]
    assert len(checks) == len(entries)
    ours = any(e["statusListCredential"] == status_list["id"] for e in entries)
    for entry, check in zip(entries, checks, strict=True):
        if not ours:  # none of its lists was given: the one given is another list
            assert check.code == "status.list_mismatch" and check.severity == "error"
        elif entry["statusListCredential"] != status_list["id"]:
            assert check.code == "status.list_not_given" and check.severity == "warning"
        elif entry["statusPurpose"] != "revocation":
            assert check.code == "status.purpose_mismatch"
        else:
            assert check.ok, check.message  # the spec list is all zeros


def test_spec_credential_is_revoked_once_its_bit_is_set() -> None:
    status_list = _load("02-example-bitstringstatuslistcredential.json")
    bits = parse_status_list_credential(status_list).bits
    bits[94567] = 1
    status_list["credentialSubject"]["encodedList"] = bits.encode()
    [check] = check_status(_load("03-a-revocable-verifiable-credential.json"),
                           lists=[status_list])
    assert check.code == "status.revoked"


def test_1edtech_testlist_has_bit_23_set() -> None:
    parsed = parse_status_list_credential(_load("testlist"))
    assert parsed.bits.length == MIN_BITSTRING_LENGTH
    assert parsed.bits.set_indexes() == [23]
    assert parsed.bits[23] == 1 and parsed.bits[22] == 0 and parsed.bits[24] == 0
    assert parsed.issuer == "https://1edtech.edu/issuers/565049"


@pytest.mark.parametrize("name", ["credential-status-revoked.json",
                                  "credential-status-revoked-blank-nodes.json"])
def test_1edtech_revoked_credentials_are_revoked(name: str) -> None:
    credential = _load(name)
    assert credential["credentialStatus"]["statusListCredential"] == ONEEDTECH_LIST_URL
    assert credential["credentialStatus"]["statusListIndex"] == 23  # a number, not a string
    # the list's own id differs from the URL it is published at: give it by URL
    [check] = check_status(credential, lists={ONEEDTECH_LIST_URL: _load("testlist")})
    assert not check.ok and check.code == "status.revoked"
    # given without its URL, it cannot be matched: it is not the credential's list, a failure
    [check] = check_status(credential, lists=[_load("testlist")])
    assert check.code == "status.list_mismatch" and check.severity == "error"
