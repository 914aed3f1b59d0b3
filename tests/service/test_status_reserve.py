"""Status indexes reserved per process: never given twice, recorded after signing.

Each process reserves ``StatusService.reserve_size`` indexes in one transaction and hands
them out from memory; the issuance (its row, its ``status_entries``, its audit line) is
recorded in one transaction once the credential is signed.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from sqlalchemy import func, select
from svc_helpers import App, issue_body

from edc_issue.service._db import audit_log, issuances, status_entries, status_lists
from edc_issue.service._store import SqlStatusListStore, StatusService


def _issue(app: App, credential_id: str) -> dict[str, Any]:
    body = issue_body(app)
    body["credential"]["id"] = credential_id
    response = app.client.post("/credentials/issue", json=body, headers=app.auth())
    assert response.status_code == 201, response.text
    return dict(response.json()["verifiableCredential"])


def _count(app: App, table: Any) -> int:
    with app.service.status.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _twin(service: StatusService) -> StatusService:
    """Another process's status service on the same database (its own reservations)."""
    return StatusService(service.engine, service.sign, service.list_url, service.issuer_of,
                         service.size_of, read_engine=service.read_engine)


def test_each_issuance_is_recorded_once_with_its_entry(app: App) -> None:
    issued = [_issue(app, f"urn:uuid:reserve-{i}") for i in range(40)]
    indexes = [int(vc["credentialStatus"]["statusListIndex"]) for vc in issued]
    assert len(set(indexes)) == 40
    # one issuance row, one entry row and one audit line per credential
    assert _count(app, issuances) == 40
    assert _count(app, status_entries) == 40
    with app.service.status.engine.connect() as conn:
        rows = conn.execute(select(issuances.c.credential_id, issuances.c.digest,
                                   status_entries.c.status_index)
                            .join(status_entries,
                                  status_entries.c.issuance_pk == issuances.c.pk)).all()
        audits = conn.execute(select(audit_log.c.subject)
                              .where(audit_log.c.action == "issue")).scalars().all()
        allocated = conn.execute(select(status_lists.c.allocated_count)).scalar_one()
    assert {r.credential_id: r.status_index for r in rows} == {
        vc["id"]: i for vc, i in zip(issued, indexes, strict=True)}
    assert all(r.digest.startswith("sha256:") for r in rows)
    assert sorted(audits) == sorted(vc["id"] for vc in issued)
    # 40 handed out from two reservations: the record holds both blocks
    size = StatusService.reserve_size
    assert allocated == -(-40 // size) * size


def test_the_entries_revoke_as_before(app: App) -> None:
    vc = _issue(app, "urn:uuid:reserve-revoke")
    response = app.client.post("/credentials/status", headers=app.auth(), json={
        "credentialId": vc["id"], "credentialStatus": [
            {"type": "BitstringStatusListCredential", "status": "revoked"}]})
    assert response.status_code == 200, response.text


def test_two_processes_never_share_an_index(app: App) -> None:
    first = app.service.status
    second = _twin(first)
    taken: list[int] = []
    lock = threading.Lock()

    def take(service: StatusService, n: int) -> None:
        for _ in range(n):
            [reserved] = service.reserve("default", ("revocation",))
            with lock:
                taken.append(reserved.index)

    threads = [threading.Thread(target=take, args=(s, 150)) for s in (first, second) * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(taken) == 600 and len(set(taken)) == 600
    # a process that stops loses the rest of its reservation; a new one never gets it
    left = list(first._reserved[("default", "revocation")].indexes)
    third = _twin(first)
    fresh = [third.reserve("default", ("revocation",))[0].index for _ in range(100)]
    assert not set(fresh) & set(taken) and not set(fresh) & set(left)
    with first.engine.connect() as conn:
        record = json.loads(conn.execute(select(status_lists.c.record)).scalar_one())
    assert record["allocatedCount"] >= 700


def test_a_full_list_rolls_over_to_a_new_one(app: App) -> None:
    service = app.service.status
    [first] = service.reserve("default", ("revocation",))
    # another process took all but five of the list's other indexes
    store = SqlStatusListStore(service.engine, first.list_pk)
    with store.lock():
        record = store.load_record()
        assert record is not None
        free = [i for i in range(record.size) if not record.allocated[i]]
        for index in free[5:]:
            record.allocated[index] = 1
        record.count = record.size - 5
        store.save_record(record)
    pending = list(service._reserved[("default", "revocation")].indexes)
    rest = [service.reserve("default", ("revocation",))[0] for _ in range(len(pending) + 5)]
    assert {r.list_pk for r in rest} == {first.list_pk}
    indexes = [r.index for r in rest]
    assert indexes[:len(pending)] == pending  # the reservation first, then the last five
    assert sorted(indexes[len(pending):]) == sorted(free[:5])
    [after] = service.reserve("default", ("revocation",))
    assert after.list_pk != first.list_pk
    with service.engine.connect() as conn:
        full = conn.execute(select(status_lists.c.full)
                            .where(status_lists.c.pk == first.list_pk)).scalar_one()
    assert full
