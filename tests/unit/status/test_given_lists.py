"""Status lists given by the caller: read from paths, dicts or JWTs; a list that cannot be
read is an input error naming it; a list that is not the credential's is a failed check;
``require_status=True`` fails a status that could not be checked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from edc_issue import Verifier, generate_key, sign, verify
from edc_issue.errors import InputError
from edc_issue.status import MemoryStatusListStore, StatusList

LIST_ID = "https://example.edu/status/7"


@pytest.fixture(scope="module")
def issued() -> dict[str, Any]:
    key = generate_key("ed25519")
    store = MemoryStatusListStore()
    status_list = StatusList.create(store, list_id=LIST_ID, issuer=key.controller, sign=key)
    good, bad = status_list.allocate(2)

    def credential(index: int) -> dict[str, Any]:
        return sign({"@context": ["https://www.w3.org/ns/credentials/v2"],
                     "type": ["VerifiableCredential"], "issuer": key.controller,
                     "credentialSubject": {"id": "did:example:learner"},
                     "credentialStatus": status_list.entry(index)}, key)

    unrevoked, revoked = credential(good), credential(bad)
    status_list.revoke([bad], sign=key)
    other_key = generate_key("ed25519")
    other = StatusList.create(MemoryStatusListStore(), list_id="https://other.example/s/1",
                              issuer=other_key.controller, sign=other_key)
    return {"ok": unrevoked, "revoked": revoked, "list": store.load_credential(),
            "other": other.store.load_credential(), "key": key}


def _codes(result: Any) -> list[str | None]:
    return [c.code for c in result.checks if c.check == "status"]


@pytest.mark.parametrize("form", ["str", "path", "dict", "mapping-of-path"])
def test_lists_are_taken_as_paths_dicts_or_mappings(issued: dict[str, Any], tmp_path: Path,
                                                   form: str) -> None:
    path = tmp_path / "list.json"
    path.write_text(json.dumps(issued["list"]))
    given: Any = {"str": [str(path)], "path": [path], "dict": [issued["list"]],
                  "mapping-of-path": {LIST_ID: path}}[form]
    assert verify(issued["ok"], status_lists=given).ok
    result = verify(issued["revoked"], status_lists=given)
    assert not result.ok and _codes(result) == ["status.revoked"]


@pytest.mark.parametrize("content", [b"", b'{"@context": ["https://www.w3.org/ns/cre',
                                     b"[1, 2, 3]", "key", b"\x00\x01binary"])
def test_a_list_file_that_cannot_be_read_names_the_file(issued: dict[str, Any], tmp_path: Path,
                                                        content: bytes | str) -> None:
    path = tmp_path / "given.json"
    if content == "key":
        content = json.dumps(issued["key"].to_multikey()).encode()
    assert isinstance(content, bytes)
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        verify(issued["ok"], status_lists=[path])
    assert str(path) in str(info.value)
    with pytest.raises(InputError):
        Verifier(status_lists=[str(path)]).verify(issued["ok"])


def test_a_missing_list_file_names_the_file(issued: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        verify(issued["ok"], status_lists=[tmp_path / "nope.json"])
    assert "nope.json" in str(info.value)


def test_a_dict_that_is_no_status_list_is_an_input_error(issued: dict[str, Any]) -> None:
    with pytest.raises(InputError) as info:
        verify(issued["ok"], status_lists=[{"id": "x", "type": ["VerifiableCredential"]}])
    assert info.value.code == "status.unreadable_list"


def test_another_issuer_s_list_is_a_failed_check(issued: dict[str, Any]) -> None:
    result = verify(issued["revoked"], status_lists=[issued["other"]])
    assert not result.ok
    assert _codes(result) == ["status.list_mismatch"]
    [check] = [c for c in result.checks if c.check == "status"]
    assert check.severity == "error" and LIST_ID in check.message


def test_no_list_given_is_a_warning_unless_status_is_required(issued: dict[str, Any]) -> None:
    relaxed = verify(issued["revoked"])
    assert relaxed.ok and _codes(relaxed) == ["status.list_not_given"]
    strict = verify(issued["revoked"], require_status=True)
    assert not strict.ok and _codes(strict) == ["status.list_not_given"]
    assert not Verifier(require_status=True).verify(issued["ok"]).ok
    assert Verifier(require_status=True, status_lists=[issued["list"]]).verify(issued["ok"]).ok


def test_an_unsupported_status_type_fails_when_status_is_required(
        issued: dict[str, Any]) -> None:
    key = issued["key"]
    credential = sign({"@context": ["https://www.w3.org/ns/credentials/v2",
                                    {"SomeOtherStatus": "https://example.org/SomeOtherStatus"}],
                       "type": ["VerifiableCredential"], "issuer": key.controller,
                       "credentialSubject": {"id": "did:example:learner"},
                       "credentialStatus": {"id": "https://example.edu/s#1",
                                            "type": "SomeOtherStatus"}}, key)
    assert verify(credential).ok
    result = verify(credential, require_status=True)
    assert not result.ok and _codes(result) == ["status.unsupported_type"]


def test_a_credential_without_status_passes_when_status_is_required(
        issued: dict[str, Any]) -> None:
    key = issued["key"]
    plain = sign({"@context": ["https://www.w3.org/ns/credentials/v2"],
                  "type": ["VerifiableCredential"], "issuer": key.controller,
                  "credentialSubject": {"id": "did:example:learner"}}, key)
    assert verify(plain, require_status=True).ok


def test_require_status_cannot_be_combined_with_not_checking_it() -> None:
    with pytest.raises(InputError):
        Verifier(require_status=True, check_status=False)


def test_a_presentation_s_credentials_are_held_to_require_status(issued: dict[str, Any]
                                                                 ) -> None:
    from edc_issue import build_presentation, sign_presentation

    key = issued["key"]
    vp = sign_presentation(build_presentation([issued["ok"]], holder=key.controller), key,
                           challenge="c-1")
    assert verify(vp, challenge="c-1").ok
    assert not verify(vp, challenge="c-1", require_status=True).ok
    assert verify(vp, challenge="c-1", require_status=True, status_lists=[issued["list"]]).ok
    revoked = sign_presentation(build_presentation([issued["revoked"]], holder=key.controller),
                                key, challenge="c-2")
    assert not verify(revoked, challenge="c-2", status_lists=[issued["list"]]).ok
