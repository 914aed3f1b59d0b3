"""Expired one-time rows are deleted: challenges, wallet offers (with the credential each
held), nonces and exchanges; what can still be used stays."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from svc_helpers import App, make_app

from edc_issue.service._db import challenges
from edc_issue.service._wallet_store import exchanges_table, nonces_table, offers_table

_NOW = datetime.now(timezone.utc)
_PAST = (_NOW - timedelta(hours=1)).timestamp()
_FUTURE = (_NOW + timedelta(hours=1)).timestamp()


def _offer(offer_id: str, expires: float, token_expires: float | None) -> dict[str, Any]:
    return {"id": offer_id, "tenant": "default", "configuration_id": "badge",
            "credential": '{"credentialSubject": {"name": "Ana"}}',
            "code_hash": f"code-{offer_id}", "expires_at": expires, "tx_code_hash": None,
            "tx_code": None, "state": "offered", "failed_tx_codes": 0,
            "token_hash": None, "token_expires_at": token_expires, "issued_id": None,
            "extra": "{}", "created_at": _PAST}


def _exchange(exchange_id: str, expires: float) -> dict[str, Any]:
    return {"id": exchange_id, "tenant": "default", "workflow_id": "w", "challenge": "c",
            "expires_at": expires, "variables": "{}", "delete_when_collected": True,
            "state": "pending", "sequence": 0, "holder": None}


def _ids(app: App, column: Any) -> set[str]:
    with app.service.engine.connect() as conn:
        return {str(v) for v in conn.execute(select(column)).scalars()}


def test_expired_rows_go_and_live_ones_stay(app: App) -> None:
    # a challenge from the route (valid), and one that expired
    response = app.client.post("/challenges")
    assert response.status_code == 200, response.text
    live_challenge = response.json()["challenge"]
    engine = app.service.engine
    with engine.begin() as conn:
        conn.execute(insert(challenges).values(
            challenge="old", tenant="default", created_at=_NOW - timedelta(hours=2),
            expires_at=_NOW - timedelta(hours=1)))
        conn.execute(insert(offers_table), [
            _offer("expired", _PAST, None),
            _offer("expired-token", _PAST, _PAST - 10),
            _offer("code-valid", _FUTURE, None),
            _offer("token-valid", _PAST, _FUTURE),  # redeemed: its token still works
        ])
        conn.execute(insert(nonces_table), [
            {"nonce": "n-old", "tenant": "default", "expires_at": _PAST},
            {"nonce": "n-live", "tenant": "default", "expires_at": _FUTURE}])
        conn.execute(insert(exchanges_table), [_exchange("x-old", _PAST),
                                               _exchange("x-live", _FUTURE)])
    counts = app.service.purge_expired()
    assert counts == {"challenges": 1, "offers": 2, "nonces": 1, "exchanges": 1}
    assert _ids(app, challenges.c.challenge) == {live_challenge}
    assert _ids(app, offers_table.c.id) == {"code-valid", "token-valid"}
    assert _ids(app, nonces_table.c.nonce) == {"n-live"}
    assert _ids(app, exchanges_table.c.id) == {"x-live"}
    # again: nothing left to delete
    assert not any(app.service.purge_expired().values())


def test_the_service_purges_at_start(tmp_path: Path) -> None:
    data = tmp_path / "data"
    for app in make_app(data):  # a first run leaves an expired challenge behind
        with app.service.engine.begin() as conn:
            conn.execute(insert(challenges).values(
                challenge="left", tenant="default", created_at=_NOW - timedelta(hours=2),
                expires_at=_NOW - timedelta(hours=1)))
    for app in make_app(data):  # the next start's housekeeping deletes it
        thread = app.service._housekeeping
        assert thread is not None
        deadline = time.monotonic() + 10
        while _ids(app, challenges.c.challenge) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _ids(app, challenges.c.challenge) == set()
        assert thread.is_alive()  # and goes on, every HOUSEKEEPING_SECONDS
