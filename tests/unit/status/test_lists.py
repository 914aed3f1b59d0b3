"""Status list credentials: create, allocate (never twice), revoke, suspend, re-sign."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from edc_issue.errors import StatusError
from edc_issue.status import (
    MIN_BITSTRING_LENGTH,
    AllocationRecord,
    FileStatusListStore,
    MemoryStatusListStore,
    StatusList,
    StatusListStore,
    create_status_list_credential,
    parse_status_list_credential,
)

LIST_ID = "https://example.edu/status/1"
ISSUER = "did:example:issuer"


def fake_sign(credential: dict[str, Any]) -> dict[str, Any]:
    """A stand-in signer: marks the credential as signed (the real one is tested in CLI tests)."""
    assert "proof" not in credential
    return dict(credential, proof={"type": "TestProof", "signed": credential["validFrom"],
                                   "verificationMethod": f"{ISSUER}#key-1"})


def _new(store: StatusListStore, purpose: str = "revocation", size: int = MIN_BITSTRING_LENGTH,
         seed: int = 1) -> StatusList:
    return StatusList.create(store, list_id=LIST_ID, issuer=ISSUER, sign=fake_sign,
                             purpose=purpose, size=size, rng=random.Random(seed))


def test_the_credential_has_the_spec_shape() -> None:
    vc = create_status_list_credential(list_id=LIST_ID, issuer=ISSUER, purpose="suspension",
                                       valid_from="2026-01-01T00:00:00Z")
    assert vc["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert vc["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    subject = vc["credentialSubject"]
    assert subject["type"] == "BitstringStatusList"
    assert subject["statusPurpose"] == "suspension"
    assert subject["id"] == f"{LIST_ID}#list"
    parsed = parse_status_list_credential(vc)
    assert parsed.bits.length == MIN_BITSTRING_LENGTH and not parsed.bits.set_indexes()


def test_lists_smaller_than_the_minimum_are_refused() -> None:
    with pytest.raises(StatusError) as info:
        create_status_list_credential(list_id=LIST_ID, issuer=ISSUER, size=1000)
    assert info.value.code == "status.too_small"


def test_unknown_purpose_is_refused() -> None:
    with pytest.raises(StatusError) as info:
        create_status_list_credential(list_id=LIST_ID, issuer=ISSUER, purpose="refreshing")
    assert info.value.code == "status.bad_purpose"


def test_allocation_never_repeats_and_is_random() -> None:
    status_list = _new(MemoryStatusListStore())
    first = status_list.allocate(500)
    second = status_list.allocate(500)
    assert len(set(first + second)) == 1000
    assert first != sorted(first)  # random order, not 0, 1, 2...
    assert all(0 <= i < MIN_BITSTRING_LENGTH for i in first + second)
    assert status_list.allocated_count() == 1000
    assert status_list.is_allocated(first[0])


def test_allocation_survives_a_new_process(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    first = _new(FileStatusListStore(path), seed=7).allocate(100)
    # same seed again: the random choices repeat, the record prevents reuse
    again = StatusList(FileStatusListStore(path), rng=random.Random(7)).allocate(100)
    assert not set(first) & set(again)
    record = json.loads((tmp_path / "list.allocations.json").read_text())
    assert record["allocatedCount"] == 200
    assert record["statusListCredential"] == LIST_ID


def test_a_full_list_says_so() -> None:
    store = MemoryStatusListStore()
    status_list = _new(store)
    record = store.load_record()
    assert record is not None
    record.count = record.size - 3
    store.save_record(record)
    assert len(status_list.allocate(3)) == 3
    with pytest.raises(StatusError) as info:
        status_list.allocate(1)
    assert info.value.code == "status.list_full"


def test_filling_the_last_free_indexes_scans() -> None:
    record = AllocationRecord.new(LIST_ID, "revocation", 64)
    got = record.allocate(64, random.Random(3))
    assert sorted(got) == list(range(64))


def test_create_refuses_to_replace_an_allocation_record(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    _new(FileStatusListStore(path))
    with pytest.raises(StatusError) as info:
        _new(FileStatusListStore(path))
    assert info.value.code == "status.list_exists"


def test_a_list_without_record_cannot_allocate(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    _new(FileStatusListStore(path))
    (tmp_path / "list.allocations.json").unlink()
    with pytest.raises(StatusError) as info:
        StatusList(FileStatusListStore(path)).allocate(1)
    assert info.value.code == "status.no_allocation_record"


def test_a_damaged_record_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    _new(FileStatusListStore(path))
    (tmp_path / "list.allocations.json").write_text('{"version": 1}')
    with pytest.raises(StatusError) as info:
        StatusList(FileStatusListStore(path)).allocate(1)
    assert info.value.code == "status.malformed_record"


def test_revoke_sets_bits_and_re_signs(fixed_clock: Any) -> None:
    store = MemoryStatusListStore()
    status_list = _new(store)
    a, b, c = status_list.allocate(3)
    signed = status_list.revoke([a, c], sign=fake_sign, clock=fixed_clock)
    assert signed["proof"]["type"] == "TestProof"
    assert signed["validFrom"] == "2026-01-01T00:00:00Z"
    parsed = parse_status_list_credential(store.load_credential())
    assert parsed.bits[a] == 1 and parsed.bits[b] == 0 and parsed.bits[c] == 1
    assert status_list.status(a) == 1


def test_revocation_cannot_be_undone() -> None:
    status_list = _new(MemoryStatusListStore())
    [index] = status_list.allocate(1)
    status_list.revoke([index], sign=fake_sign)
    with pytest.raises(StatusError) as info:
        status_list.set_status([index], 0, sign=fake_sign)
    assert info.value.code == "status.irreversible"
    with pytest.raises(StatusError) as info:
        status_list.reinstate([index], sign=fake_sign)
    assert info.value.code == "status.bad_purpose"


def test_suspend_and_reinstate() -> None:
    status_list = _new(MemoryStatusListStore(), purpose="suspension")
    [index] = status_list.allocate(1)
    status_list.suspend([index], sign=fake_sign)
    assert status_list.status(index) == 1
    status_list.reinstate([index], sign=fake_sign)
    assert status_list.status(index) == 0


def test_entry_shape() -> None:
    status_list = _new(MemoryStatusListStore())
    assert status_list.entry(94567) == {
        "id": f"{LIST_ID}#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": LIST_ID,
    }


def test_revoking_outside_the_list_is_an_error() -> None:
    status_list = _new(MemoryStatusListStore())
    with pytest.raises(StatusError) as info:
        status_list.revoke([MIN_BITSTRING_LENGTH], sign=fake_sign)
    assert info.value.code == "status.index_out_of_range"


def test_parse_rejects_lists_that_are_not_lists() -> None:
    with pytest.raises(StatusError) as info:
        parse_status_list_credential({"credentialSubject": {"type": "Person"}})
    assert info.value.code == "status.malformed_list"
    with pytest.raises(StatusError):
        parse_status_list_credential({"credentialSubject": {"type": "BitstringStatusList",
                                                            "statusPurpose": "revocation"}})


def test_stores_satisfy_the_protocol(tmp_path: Path) -> None:
    assert isinstance(MemoryStatusListStore(), StatusListStore)
    assert isinstance(FileStatusListStore(tmp_path / "x.json"), StatusListStore)


# ---- a list changes only with its own key ------------------------------------------------


def _signed_list(store: StatusListStore) -> tuple[StatusList, Any]:
    from edc_issue.keys import generate_key

    key = generate_key("ed25519")
    status_list = StatusList.create(store, list_id=LIST_ID, issuer=key.controller, sign=key)
    return status_list, key


@pytest.mark.parametrize("action", ["revoke", "set_status"])
def test_another_key_is_refused_and_the_list_is_unchanged(tmp_path: Path, action: str) -> None:
    from edc_issue.keys import generate_key

    store = FileStatusListStore(tmp_path / "list.json")
    status_list, key = _signed_list(store)
    before = (tmp_path / "list.json").read_bytes()
    others = [
        generate_key("ed25519"),                                       # another issuer
        generate_key("ed25519", id=f"{key.controller}#other", controller=key.controller),
        generate_key("ed25519", id=key.id, controller="did:example:someone-else"),
    ]
    for other in others:
        with pytest.raises(StatusError) as info:
            if action == "revoke":
                status_list.revoke([3], sign=other)
            else:
                status_list.set_status([3], 1, sign=other)
        assert info.value.code == "status.wrong_key", other
        assert str(tmp_path / "list.json") in str(info.value)
    assert (tmp_path / "list.json").read_bytes() == before
    status_list.revoke([3], sign=key)
    assert status_list.status(3) == 1


def test_a_signing_function_with_another_key_is_refused() -> None:
    from edc_issue import sign
    from edc_issue.keys import generate_key

    store = MemoryStatusListStore()
    status_list, key = _signed_list(store)
    before = store.load_credential()
    other = generate_key("ed25519")
    with pytest.raises(StatusError) as info:
        status_list.revoke([3], sign=lambda vc: sign(vc, other))
    assert info.value.code == "status.wrong_key"
    assert store.load_credential() == before
    status_list.revoke([3], sign=lambda vc: sign(vc, key))
    assert status_list.status(3) == 1


def test_a_list_whose_proof_names_no_key_cannot_be_changed() -> None:
    from edc_issue.keys import generate_key

    store = MemoryStatusListStore()
    status_list = _new(store)
    credential = store.load_credential()
    del credential["proof"]
    store.save_credential(credential)
    with pytest.raises(StatusError) as info:
        status_list.revoke([1], sign=generate_key("ed25519"))
    assert info.value.code == "status.wrong_key"


def test_setting_an_index_already_set_does_not_re_sign(fixed_clock: Any) -> None:
    store = MemoryStatusListStore()
    status_list = _new(store)
    [index] = status_list.allocate(1)
    first = status_list.revoke([index], sign=fake_sign)
    assert first["validFrom"] != "2026-01-01T00:00:00Z"
    assert status_list.revoke([index], sign=fake_sign, clock=fixed_clock) == first
    assert store.load_credential() == first


def _revoke_each(path: str, key_json: dict[str, Any], indexes: list[int]) -> None:
    from edc_issue.keys import load_key

    key = load_key(key_json)
    for index in indexes:
        StatusList(FileStatusListStore(path)).revoke([index], sign=key)


@pytest.mark.slow
def test_the_file_lock_excludes_other_processes_and_leaves_no_file(tmp_path: Path) -> None:
    """Two processes revoking at once lose no change, though the lock file is removed
    after every change (a waiter on a removed file locks again)."""
    import multiprocessing

    store = FileStatusListStore(tmp_path / "list.json")
    _list, key = _signed_list(store)
    key_json = key.to_multikey(include_secret=True)
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_revoke_each,
                               args=(str(store.path), key_json, list(range(n, 40, 2))))
               for n in (0, 1)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    bits = parse_status_list_credential(store.load_credential()).bits
    assert bits.set_indexes() == list(range(40))
    assert not store.lock_path.exists()
