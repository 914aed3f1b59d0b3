"""On a real PostgreSQL (started by the tests from the machine's server binaries):

- the in-process service issues, revokes and publishes as on SQLite;
- two ``edc-issue serve`` processes sharing one database take 2 x 1,000 concurrent
  issuances with status: 2,000 distinct indexes, no error (the allocation is
  transactional: ``SELECT ... FOR UPDATE`` on the list, a primary key on every index).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select
from svc_helpers import LOCAL, badge_02, issue_body, make_app

from edc_issue import verify
from edc_issue.service._db import status_entries

# the PostgreSQL server and the service processes listen on 127.0.0.1
pytestmark = pytest.mark.allow_hosts(LOCAL)


def test_issue_and_revoke_on_postgres(tmp_path: Path, pg_url: str) -> None:
    for app in make_app(tmp_path / "d", database=pg_url):
        body = issue_body(app)
        body["credential"]["id"] = "urn:uuid:0b0c0d0e-0000-0000-0000-000000000001"
        response = app.client.post("/credentials/issue", json=body, headers=app.auth())
        assert response.status_code == 201, response.text
        vc = response.json()["verifiableCredential"]
        revoke = app.client.post("/credentials/status", json={
            "credentialId": body["credential"]["id"],
            "credentialStatus": [{"type": "BitstringStatusListCredential",
                                  "status": "revoked"}]}, headers=app.auth())
        assert revoke.status_code == 200, revoke.text
        path = vc["credentialStatus"]["statusListCredential"][len("http://testserver"):]
        listed = app.client.get(path).json()
        assert not verify(vc, status_lists=[listed]).ok
        assert app.client.get("/readyz").status_code == 200


async def _issue_many(url: str, token: str, issuer: str, count: int, tag: str
                      ) -> list[tuple[int, Any]]:
    import httpx

    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=url, timeout=300, limits=limits) as client:
        template = badge_02()
        template["issuer"] = dict(template["issuer"], id=issuer)

        async def one(i: int) -> tuple[int, Any]:
            credential = dict(template, id=f"urn:uuid:{tag}-{i:06d}")
            response = await client.post("/credentials/issue", json={"credential": credential},
                                         headers={"Authorization": f"Bearer {token}"})
            return response.status_code, response.json()

        return list(await asyncio.gather(*(one(i) for i in range(count))))


@pytest.mark.slow
def test_two_servers_share_one_postgres(tmp_path: Path, pg_url: str, start_server: Any) -> None:
    data = tmp_path / "shared-data"  # the same key and token for both processes
    first = start_server("--database", pg_url, data=data)
    second = start_server("--database", pg_url, data=data)
    assert first.token == second.token and first.token
    issuer = json.loads((data / "keys" / "default.json").read_text())["controller"]

    async def both() -> list[tuple[int, Any]]:
        a, b = await asyncio.gather(
            _issue_many(first.url, str(first.token), issuer, 1000, "a"),
            _issue_many(second.url, str(second.token), issuer, 1000, "b"))
        return a + b

    results = asyncio.run(both())
    errors = [(code, body) for code, body in results if code != 201]
    assert not errors, errors[:3]
    entries = [(r["verifiableCredential"]["credentialStatus"]["statusListCredential"],
                int(r["verifiableCredential"]["credentialStatus"]["statusListIndex"]))
               for _, r in results]
    assert len(entries) == 2000
    assert len(set(entries)) == 2000, "an index was handed out twice"
    engine = create_engine(pg_url.replace("postgresql+psycopg://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(status_entries)).scalar() == 2000
    engine.dispose()
    # both processes publish the same list
    import httpx

    url = entries[0][0].replace(first.url, second.url)
    assert httpx.get(url, timeout=30).status_code == 200
    for server in (first, second):
        server.stop()
        assert '"status": 500' not in server.logs()
