"""Single use across processes: two real ``edc-issue serve`` processes sharing one database
(SQLite in one data folder, and PostgreSQL) take a burst of token requests for one
pre-authorized code, split between them: exactly one succeeds. A nonce handed out by one
process and spent on the other cannot be spent again on either; an offer made on one is
redeemed on the other. Both have one public base URL, as behind a load balancer."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from svc_helpers import LOCAL, badge_02

from edc_issue.keys import Key, generate_key
from edc_issue.oid4vci.metadata import PRE_AUTHORIZED_GRANT
from edc_issue.proofs.sd_jwt import sign_jws

pytestmark = [pytest.mark.allow_hosts(LOCAL), pytest.mark.slow]

PUBLIC = "https://issuer.example.edu"


def _proof(issuer: str, nonce: str, holder: Key) -> str:
    jwk = holder.public_only().to_jwk()
    jwk.pop("kid", None)
    return sign_jws({"typ": "openid4vci-proof+jwt", "jwk": jwk},
                    {"aud": issuer, "nonce": nonce, "iat": int(time.time())}, holder)


async def _race(urls: list[str], code: str, count: int) -> list[tuple[int, Any]]:
    import httpx

    form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code}
    async with httpx.AsyncClient(timeout=60) as client:
        async def one(i: int) -> tuple[int, Any]:
            response = await client.post(f"{urls[i % len(urls)]}/instance/default/token",
                                         data=form)
            return response.status_code, response.json()

        return list(await asyncio.gather(*(one(i) for i in range(count))))


def _run(first: Any, second: Any) -> None:
    import httpx

    auth = {"Authorization": f"Bearer {first.token}"}
    made = httpx.post(f"{first.url}/instance/default/offers", headers=auth, timeout=60,
                      json={"credential": badge_02(), "configuration": "open-badge"})
    assert made.status_code == 201, made.text
    offer_uri = unquote(made.json()["link"].split("credential_offer_uri=", 1)[1])
    assert offer_uri.startswith(PUBLIC + "/instance/default/credential-offer/")
    # made on the first server, served by the second
    document = httpx.get(offer_uri.replace(PUBLIC, second.url), timeout=30).json()
    code = document["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"]
    results = asyncio.run(_race([first.url, second.url], code, 24))
    won = [body for status, body in results if status == 200]
    lost = [body for status, body in results if status != 200]
    assert len(won) == 1, results
    assert all(body["error"] == "invalid_grant" for body in lost), lost[:3]
    access = won[0]["access_token"]
    # a nonce from the second server, spent on the first
    holder = generate_key("p256")
    issuer = f"{PUBLIC}/instance/default"
    nonce = httpx.post(f"{second.url}/instance/default/nonce", timeout=30).json()["c_nonce"]
    jwt = _proof(issuer, nonce, holder)
    body = {"credential_configuration_id": "open-badge", "proofs": {"jwt": [jwt]}}
    issued = httpx.post(f"{first.url}/instance/default/credential", json=body, timeout=120,
                        headers={"Authorization": f"Bearer {access}"})
    assert issued.status_code == 200, issued.text
    # the same token on the second server: the credential was issued already
    again = httpx.post(f"{second.url}/instance/default/credential", json=body, timeout=60,
                       headers={"Authorization": f"Bearer {access}"})
    assert again.status_code == 401 and again.json()["error"] == "invalid_token"
    # the spent nonce on another offer, on the second server: refused
    other = httpx.post(f"{second.url}/instance/default/offers", headers=auth, timeout=60,
                       json={"credential": badge_02(), "configuration": "open-badge"}).json()
    uri = unquote(other["link"].split("credential_offer_uri=", 1)[1])
    grants = httpx.get(uri.replace(PUBLIC, first.url), timeout=30).json()["grants"]
    code2 = grants[PRE_AUTHORIZED_GRANT]["pre-authorized_code"]
    access2 = httpx.post(f"{second.url}/instance/default/token", timeout=30, data={
        "grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code2}).json()["access_token"]
    replay = httpx.post(f"{second.url}/instance/default/credential", json=body, timeout=60,
                        headers={"Authorization": f"Bearer {access2}"})
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_nonce"
    state = httpx.get(f"{second.url}/instance/default/offers/{made.json()['id']}",
                      headers=auth, timeout=30).json()
    assert state["state"] == "issued"


def _config(tmp_path: Path) -> str:
    """One signing worker per server; the same public URL for both."""
    path = tmp_path / "edc-issue.toml"
    path.write_text("[limits]\npool_workers = 1\n")
    return str(path)


def test_two_processes_on_one_sqlite_database(tmp_path: Path, start_server: Any) -> None:
    data = tmp_path / "shared"
    first = start_server("--config", _config(tmp_path), "--base-url", PUBLIC, data=data)
    second = start_server("--config", _config(tmp_path), "--base-url", PUBLIC, data=data)
    assert first.token == second.token
    _run(first, second)


def test_two_processes_on_one_postgres(tmp_path: Path, pg_url: str,
                                       start_server: Any) -> None:
    data = tmp_path / "shared"
    args = ("--config", _config(tmp_path), "--base-url", PUBLIC, "--database", pg_url)
    first = start_server(*args, data=data)
    second = start_server(*args, data=data)
    _run(first, second)
