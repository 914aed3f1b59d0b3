"""Batch jobs over HTTP (``POST /instance/{tenant}/batches``, the EU issuer's
``seal_batch``): what the issue asks the service to show.

- In-process (SQLite): a template and a CSV in, 202 and ``Location``; the job runs to
  ``done``; its report has every row; its zip holds credentials that verify, signed by the
  tenant's key. Bad uploads are 4xx problems naming the part, before any job exists.
- ``seal_batch`` (HTTP Basic, as the EU issuer takes it): every EDC sealed, the seals verify
  with the TEST CA.
- Real servers: a restart in the middle of a job (the server killed): the job finishes and
  no row is issued twice; two servers sharing one PostgreSQL: a job submitted to one is run
  by exactly one process, once.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import signal
import time
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from svc_helpers import LOCAL, ROOT, App, eu_upload

from edc_issue import verify

TEMPLATES = ROOT / "src" / "edc_issue" / "templates"
COLUMNS = ["student_id", "given_name", "family_name", "email", "date_of_birth",
           "completion_date", "grade"]


def learners(count: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for i in range(count):
        writer.writerow([f"UT-{i:06d}", f"Learner{i}", "Hoxha", f"l{i}@example.org",
                         "1988-03-14", "2025-06-27", "9/10"])
    return out.getvalue().encode("utf-8")


def badge_template() -> bytes:
    return (TEMPLATES / "ob3-badge.json").read_bytes()


def files(count: int, **fields: str) -> dict[str, Any]:
    return {"files": {"template": ("badge.json", badge_template(), "application/json"),
                      "data": ("learners.csv", learners(count), "text/csv")},
            "data": {"keyColumn": "student_id", **fields}}


def wait_done(get: Any, location: str, headers: dict[str, str], timeout: float = 120
              ) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = get(location, headers=headers).json()
        if state["state"] in ("done", "failed"):
            return dict(state)
        time.sleep(0.2)
    raise AssertionError(f"the job did not finish: {state}")


def _credentials(zipped: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_batch_job_in_process(app: App) -> None:
    response = app.client.post("/instance/default/batches", headers=app.auth(), **files(5))
    assert response.status_code == 202, response.text
    location = response.headers["Location"]
    assert location == f"/instance/default/batches/{response.json()['id']}"
    assert response.json()["state"] in ("queued", "running", "done")
    state = wait_done(app.client.get, location, app.auth())
    assert state["state"] == "done", state
    assert (state["total"], state["issued"], state["failed"]) == (5, 5, 0)
    report = app.client.get(f"{location}/report", headers=app.auth()).json()
    assert [r["status"] for r in report["rows"]] == ["issued"] * 5
    outputs = app.client.get(f"{location}/outputs", headers=app.auth())
    assert outputs.headers["content-type"] == "application/zip"
    found = _credentials(outputs.content)
    assert {"report.csv", "report.json"} <= set(found)
    credentials = [json.loads(data) for name, data in found.items()
                   if name.endswith(".json") and not name.startswith("report")]
    assert len(credentials) == 5
    for credential in credentials:
        assert credential["issuer"]["id"] == app.issuer
        listed = _list_credential(app, credential["credentialStatus"])
        result = verify(credential, status_lists=[listed])
        assert result.ok and not result.warnings, result.warnings
    # the default tenant's route is the same job
    assert app.client.get(location.removeprefix("/instance/default"),
                          headers=app.auth()).json()["state"] == "done"


@pytest.mark.parametrize(("change", "status", "pointer"), [
    ({"data": ("learners.txt", b"a,b\n1,2\n", "text/plain")}, 400, "/data"),
    ({"data": ("learners.csv", b"student_id,given_name\nUT-1,Ana\n", "text/csv")}, 400,
     "/data"),
    ({"template": ("badge.json", b"[1, 2]", "application/json")}, 400, "/template"),
    ({"template": ("badge.json", b"{not json", "application/json")}, 400, None),
])
def test_bad_uploads_are_problems_naming_the_part(app: App, change: dict[str, Any],
                                                  status: int, pointer: str | None) -> None:
    body = files(2)
    body["files"].update(change)
    response = app.client.post("/instance/default/batches", headers=app.auth(), **body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    if pointer:
        assert response.json()["pointer"] == pointer


def test_batches_need_a_token_and_report_waits_for_the_end(app: App) -> None:
    assert app.client.post("/instance/default/batches", **files(1)).status_code == 401
    assert app.client.get("/instance/default/batches/nope",
                          headers=app.auth()).status_code == 404
    from edc_issue.service import _jobs

    job = _jobs.new_job(app.service.engine, tenant="other", kind="batch", template="{}",
                        data_name="x.csv", data=b"", options={}, actor=None)
    # another tenant's job is not found under this one
    assert app.client.get(f"/instance/default/batches/{job}",
                          headers=app.auth()).status_code == 404


def test_report_of_a_queued_job_is_409(app: App) -> None:
    from edc_issue.service import _jobs

    app.client.app.state.batch_runner.stop()  # type: ignore[attr-defined]
    job = _jobs.new_job(app.service.engine, tenant="default", kind="batch", template="{}",
                        data_name="x.csv", data=b"", options={}, actor=None)
    response = app.client.get(f"/instance/default/batches/{job}/outputs", headers=app.auth())
    assert response.status_code == 409
    assert response.json()["code"] == "service.batch_not_finished"


def test_eu_seal_batch(app: App) -> None:
    ca = (app.data / "dev-pki" / "test-ca.pem").read_bytes()
    basic = "Basic " + base64.b64encode(f"dev:{app.token}".encode()).decode()
    uploads = [eu_upload() for _ in range(3)]
    response = app.client.post(
        "/api/v1/public/credentials/seal_batch", headers={"Authorization": basic},
        files={"_file": ("batch.json", json.dumps(uploads).encode(), "application/json")})
    assert response.status_code == 202, response.text
    location = response.headers["Location"]
    state = wait_done(app.client.get, location, {"Authorization": basic})
    assert state["state"] == "done" and state["issued"] == 3, state
    found = _credentials(app.client.get(f"{location}/outputs",
                                        headers={"Authorization": basic}).content)
    envelopes = [json.loads(d) for n, d in found.items() if not n.startswith("report")
                 and n.endswith(".json")]
    assert len(envelopes) == 3
    for envelope in envelopes:
        result = verify(envelope, trust=[ca])
        assert result.ok, [c for c in result.checks if not c.ok]
    assert app.client.post("/api/v1/public/credentials/seal_batch",
                           json=uploads).status_code == 401


# ---- real servers ------------------------------------------------------------------------


def _submit(url: str, token: str, rows: int) -> str:
    body = files(rows)
    response = httpx.post(f"{url}/instance/default/batches", timeout=60,
                          headers={"Authorization": f"Bearer {token}"}, **body)
    assert response.status_code == 202, response.text
    return f"{url}{response.headers['Location']}"


def _check_each_row_issued_once(url: str, location: str, token: str, rows: int) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    report = httpx.get(f"{location}/report", headers=headers, timeout=60).json()
    issued: dict[int, int] = {}
    covered: set[int] = set()
    for entry in report["rows"]:
        if entry["status"] == "issued":
            issued[entry["row"]] = issued.get(entry["row"], 0) + 1
        assert entry["status"] != "failed", entry
        covered.add(entry["row"])
    # a row whose files were written just before the kill is "skipped" by the resumed run
    # (issued by the first, which was killed before recording it); none is issued twice
    assert sorted(covered) == list(range(2, rows + 2))
    assert set(issued.values()) == {1}, "a row was issued twice"
    found = _credentials(httpx.get(f"{location}/outputs", headers=headers, timeout=60).content)
    credentials = [json.loads(d) for n, d in found.items()
                   if n.endswith(".json") and not n.startswith("report")]
    assert len(credentials) == rows
    assert len({c["id"] for c in credentials}) == rows
    named = {f for entry in report["rows"] for f in entry["files"]}
    assert named == {n for n in found if not n.startswith("report")}
    # each row's status index is its own, and the one the journal gave it (the report's)
    indexes = {c["id"]: int(c["credentialStatus"]["statusListIndex"]) for c in credentials}
    assert len(set(indexes.values())) == rows
    for entry in report["rows"]:
        assert entry["statusListIndex"] == indexes[entry["id"]], entry
    [list_url] = {c["credentialStatus"]["statusListCredential"] for c in credentials}
    # the list as the running server publishes it (its URL names the first server's port)
    published = httpx.get(url + urlsplit(list_url).path, timeout=60).json()
    for credential in credentials[:: max(1, rows // 5)]:
        assert verify(credential, status_lists=[published]).ok


@pytest.mark.allow_hosts(LOCAL)
@pytest.mark.slow
def test_a_restart_in_the_middle_of_a_job(tmp_path: Path, start_server: Any) -> None:
    rows = 4000
    env = {"EDC_ISSUE_BATCH_LEASE": "3", "EDC_ISSUE_BATCH_POLL": "0.2"}
    data = tmp_path / "data"
    first = start_server("--workers", "1", data=data, env=env)
    token = str(first.token)
    location = _submit(first.url, token, rows)
    headers = {"Authorization": f"Bearer {token}"}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        state = httpx.get(location, headers=headers, timeout=30).json()
        if state["processed"] > 0:
            break
        time.sleep(0.05)
    assert state["state"] == "running" and 0 < state["processed"] < rows, state
    os.killpg(first.proc.pid, signal.SIGKILL)  # no clean stop: the claim just lapses
    first.proc.wait(timeout=30)
    second = start_server("--workers", "1", data=data, env=env)
    location = location.replace(first.url, second.url)
    state = wait_done(httpx.get, location, headers, timeout=300)
    assert state["state"] == "done", state
    assert state["attempts"] == 2
    _check_each_row_issued_once(second.url, location, token, rows)
    # a credential of the resumed job is revoked by its id
    found = _credentials(httpx.get(f"{location}/outputs", headers=headers, timeout=60).content)
    last = json.loads(found[sorted(n for n in found if not n.startswith("report"))[-1]])
    answer = httpx.post(f"{second.url}/credentials/status", headers=headers, timeout=60, json={
        "credentialId": last["id"],
        "credentialStatus": [{"type": "BitstringStatusListCredential", "status": "revoked"}]})
    assert answer.status_code == 200, answer.text
    published = httpx.get(second.url + urlsplit(
        last["credentialStatus"]["statusListCredential"]).path, timeout=60).json()
    assert not verify(last, status_lists=[published]).ok


@pytest.mark.allow_hosts(LOCAL)
@pytest.mark.slow
def test_a_job_on_two_servers_sharing_postgres_runs_once(tmp_path: Path, pg_url: str,
                                                        start_server: Any) -> None:
    data = tmp_path / "shared-data"
    env = {"EDC_ISSUE_BATCH_POLL": "0.1"}
    first = start_server("--database", pg_url, "--workers", "1", data=data, env=env)
    second = start_server("--database", pg_url, "--workers", "1", data=data, env=env)
    token = str(first.token)
    rows = 300
    locations = [_submit(first.url, token, rows) for _ in range(3)]
    headers = {"Authorization": f"Bearer {token}"}
    for location in locations:
        state = wait_done(httpx.get, location, headers, timeout=300)
        assert state["state"] == "done" and state["attempts"] == 1, state
        _check_each_row_issued_once(first.url, location, token, rows)
    claims = [line for server in (first, second) for line in server.logs().splitlines()
              if '"batch_job_claimed"' in line]
    assert len(claims) == 3, claims  # each job claimed once, by one of the two processes


# ---- status entries of batch credentials ---------------------------------------------------


def _list_credential(app: App, entry: dict[str, Any]) -> Any:
    response = app.client.get(entry["statusListCredential"].removeprefix("http://testserver"))
    assert response.status_code == 200, response.text
    return response.json()


def test_a_batch_job_allocates_status_from_the_database(app: App) -> None:
    """Each row's entry comes from the tenant's list in the database, distinct from the
    entries /credentials/issue hands out meanwhile; one batch credential revoked through
    POST /credentials/status fails verification against the list the service publishes,
    and only that one."""
    from svc_helpers import issue_body

    rows = 40
    response = app.client.post("/instance/default/batches", headers=app.auth(), **files(rows))
    assert response.status_code == 202, response.text
    location = response.headers["Location"]
    singles: list[dict[str, Any]] = []
    during: list[str] = []
    for i in range(8):  # while the job runs, in the runner's thread
        body = issue_body(app)
        body["credential"]["id"] = f"urn:uuid:00000000-0000-4000-8000-{i:012d}"
        issued = app.client.post("/credentials/issue", json=body, headers=app.auth())
        assert issued.status_code == 201, issued.text
        singles.append(issued.json()["verifiableCredential"])
        during.append(app.client.get(location, headers=app.auth()).json()["state"])
    assert "running" in during or "queued" in during, during
    state = wait_done(app.client.get, location, app.auth())
    assert (state["state"], state["issued"]) == ("done", rows), state
    found = _credentials(app.client.get(f"{location}/outputs", headers=app.auth()).content)
    batch = [json.loads(d) for n, d in found.items()
             if n.endswith(".json") and not n.startswith("report")]
    assert len(batch) == rows
    entries = [c["credentialStatus"] for c in batch]
    assert {e["statusPurpose"] for e in entries} == {"revocation"}
    urls = {e["statusListCredential"] for e in entries + [s["credentialStatus"]
                                                          for s in singles]}
    assert len(urls) == 1  # the tenant's one list, whichever route issued
    indexes = [int(e["statusListIndex"]) for e in entries]
    single_indexes = {int(s["credentialStatus"]["statusListIndex"]) for s in singles}
    assert len(set(indexes)) == rows and len(single_indexes) == len(singles)
    assert not set(indexes) & single_indexes
    # the report's index is the credential's
    report = app.client.get(f"{location}/report", headers=app.auth()).json()
    by_id = {r["id"]: r["statusListIndex"] for r in report["rows"]}
    assert all(by_id[c["id"]] == int(c["credentialStatus"]["statusListIndex"]) for c in batch)
    before = _list_credential(app, entries[0])
    assert all(verify(c, status_lists=[before]).ok for c in batch)
    revoked = batch[7]
    answer = app.client.post("/instance/default/credentials/status", headers=app.auth(), json={
        "credentialId": revoked["id"],
        "credentialStatus": [{"type": "BitstringStatusListCredential", "status": "revoked"}]})
    assert answer.status_code == 200, answer.text
    after = _list_credential(app, entries[0])
    results = {c["id"]: verify(c, status_lists=[after]) for c in batch + singles}
    assert [i for i, r in results.items() if not r.ok] == [revoked["id"]]
    assert "status.revoked" in [c.code for c in results[revoked["id"]].checks]


def test_a_tenant_without_status_purposes_issues_batches_without_entries(
        tmp_path: Path) -> None:
    from svc_helpers import make_app

    for app in make_app(tmp_path / "data"):
        tenant = app.service.tenants["default"]
        object.__setattr__(tenant.config, "status_purposes", ())
        response = app.client.post("/instance/default/batches", headers=app.auth(), **files(2))
        state = wait_done(app.client.get, response.headers["Location"], app.auth())
        assert state["state"] == "done", state
        found = _credentials(app.client.get(f"{response.headers['Location']}/outputs",
                                            headers=app.auth()).content)
        batch = [json.loads(d) for n, d in found.items()
                 if n.endswith(".json") and not n.startswith("report")]
        assert len(batch) == 2 and not any("credentialStatus" in c for c in batch)


def test_jobs_run_their_rows_in_a_worker_process(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # with a process pool, a job's rows (signing, SHACL, sealing) run in a process of
    # their own: a large batch does not hold the interpreter that answers requests
    from svc_helpers import make_app

    from edc_issue.batch import ProcessExecutor
    from edc_issue.service import _jobs

    started: list[int] = []

    class Counting(ProcessExecutor):
        def start(self, work: Any) -> None:
            started.append(self.jobs)
            super().start(work)

    monkeypatch.setattr("edc_issue.batch.ProcessExecutor", Counting)
    for app in make_app(tmp_path / "data", limits={"pool_workers": 1}):
        runner = app.client.app.state.batch_runner  # type: ignore[attr-defined]
        assert isinstance(runner, _jobs.JobRunner) and runner.processes == 1
        response = app.client.post("/instance/default/batches", headers=app.auth(),
                                   **files(3))
        assert response.status_code == 202, response.text
        state = wait_done(app.client.get, response.headers["Location"], app.auth())
        assert (state["state"], state["issued"]) == ("done", 3), state
        # the seal_batch job's worker process did not start with the service's tenants
        ca = (app.data / "dev-pki" / "test-ca.pem").read_bytes()
        basic = "Basic " + base64.b64encode(f"dev:{app.token}".encode()).decode()
        response = app.client.post(
            "/api/v1/public/credentials/seal_batch", headers={"Authorization": basic},
            files={"_file": ("batch.json", json.dumps([eu_upload()]).encode(),
                             "application/json")})
        assert response.status_code == 202, response.text
        location = response.headers["Location"]
        state = wait_done(app.client.get, location, {"Authorization": basic})
        assert (state["state"], state["issued"]) == ("done", 1), state
        found = _credentials(app.client.get(f"{location}/outputs",
                                            headers={"Authorization": basic}).content)
        [envelope] = [json.loads(d) for n, d in found.items()
                      if n.endswith(".json") and not n.startswith("report")]
        assert verify(envelope, trust=[ca]).ok
    assert started == [1, 1]
