"""SQL versions of the wallet protocols' stores (:mod:`edc_issue.oid4vci.stores`,
:class:`edc_issue.oid4vci.exchanges.ExchangeStore`): offers, nonces and exchanges in the
service's database, so they survive a restart and every process sharing the database
sees the same ones.

Single use is enforced by the database, not by a lock of one process: each state change
is one ``UPDATE ... WHERE id = :id AND state IN (...)`` and succeeds only when it changed
a row; a nonce is spent by ``DELETE ... WHERE nonce = :n AND expires_at > :now``. Two
processes racing for one code, one credential or one nonce: one wins, the other is told
no. Times are stored as UNIX seconds (SQLite keeps no time zones).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from ..oid4vci.exchanges import Exchange
from ..oid4vci.stores import Offer

__all__ = ["SqlExchangeStore", "SqlNonceStore", "SqlOfferStore", "offers_table",
           "purge_expired"]

_meta = MetaData()

offers_table = Table(
    "oid4vci_offers", _meta,
    Column("id", String(64), primary_key=True),
    Column("tenant", String(64), nullable=False),
    Column("configuration_id", String(128), nullable=False),
    Column("credential", Text, nullable=False),
    Column("code_hash", String(64), nullable=False, unique=True),
    Column("expires_at", Float, nullable=False),
    Column("tx_code_hash", String(64), nullable=True),
    Column("tx_code", Text, nullable=True),
    Column("state", String(16), nullable=False),
    Column("failed_tx_codes", Integer, nullable=False, default=0),
    Column("token_hash", String(64), nullable=True, unique=True),
    Column("token_expires_at", Float, nullable=True),
    Column("issued_id", String(512), nullable=True),
    Column("extra", Text, nullable=False),
    Column("created_at", Float, nullable=False),
)

nonces_table = Table(
    "oid4vci_nonces", _meta,
    Column("nonce", String(128), primary_key=True),
    Column("tenant", String(64), nullable=False),
    Column("expires_at", Float, nullable=False),
)

exchanges_table = Table(
    "vcapi_exchanges", _meta,
    Column("id", String(64), primary_key=True),
    Column("tenant", String(64), nullable=False),
    Column("workflow_id", String(128), nullable=False),
    Column("challenge", String(128), nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("variables", Text, nullable=False),
    Column("delete_when_collected", Boolean, nullable=False),
    Column("state", String(16), nullable=False),
    Column("sequence", Integer, nullable=False, default=0),
    Column("holder", String(512), nullable=True),
)


def _ts(value: datetime) -> float:
    return value.timestamp()


def _dt(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, timezone.utc)


def _now() -> float:
    return datetime.now(timezone.utc).timestamp()


class SqlOfferStore:
    """An :class:`~edc_issue.oid4vci.OfferStore` in the service's database, for one tenant."""

    def __init__(self, engine: Engine, tenant: str) -> None:
        self.engine = engine
        self.tenant = tenant

    def add(self, offer: Offer) -> None:
        """Store a new offer.

        :raises ValueError: an offer with this id exists.
        """
        row = {
            "id": offer.id, "tenant": self.tenant, "configuration_id": offer.configuration_id,
            "credential": json.dumps(offer.credential, ensure_ascii=False),
            "code_hash": offer.code_hash, "expires_at": _ts(offer.expires_at),
            "tx_code_hash": offer.tx_code_hash,
            "tx_code": json.dumps(offer.tx_code) if offer.tx_code is not None else None,
            "state": offer.state, "failed_tx_codes": offer.failed_tx_codes,
            "token_hash": offer.token_hash,
            "token_expires_at": _ts(offer.token_expires_at) if offer.token_expires_at else None,
            "issued_id": offer.issued_id, "extra": json.dumps(offer.extra),
            "created_at": _now(),
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(offers_table).values(**row))
        except IntegrityError as exc:
            raise ValueError(f"offer {offer.id} exists") from exc

    @staticmethod
    def _offer(row: Any) -> Offer:
        return Offer(
            id=row.id, configuration_id=row.configuration_id,
            credential=json.loads(row.credential), code_hash=row.code_hash,
            expires_at=_dt(row.expires_at) or datetime.now(timezone.utc),
            tx_code_hash=row.tx_code_hash,
            tx_code=json.loads(row.tx_code) if row.tx_code else None, tenant=row.tenant,
            state=row.state, failed_tx_codes=row.failed_tx_codes, token_hash=row.token_hash,
            token_expires_at=_dt(row.token_expires_at), issued_id=row.issued_id,
            extra=json.loads(row.extra))

    def _one(self, *where: Any) -> Offer | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(offers_table).where(
                offers_table.c.tenant == self.tenant, *where)).first()
        return self._offer(row) if row is not None else None

    def get(self, offer_id: str) -> Offer | None:
        """Return the offer with this id, or None."""
        return self._one(offers_table.c.id == offer_id)

    def by_code(self, code_hash: str) -> Offer | None:
        """Return the offer of this pre-authorized code, or None."""
        return self._one(offers_table.c.code_hash == code_hash)

    def by_token(self, token_hash: str) -> Offer | None:
        """Return the offer of this access token, or None."""
        return self._one(offers_table.c.token_hash == token_hash)

    def _swap(self, offer_id: str, expected: tuple[str, ...], **changes: Any) -> bool:
        with self.engine.begin() as conn:
            done = conn.execute(update(offers_table).where(
                offers_table.c.tenant == self.tenant, offers_table.c.id == offer_id,
                offers_table.c.state.in_(expected)).values(**changes))
        return bool(done.rowcount == 1)

    def redeem(self, offer_id: str, token_hash: str, token_expires_at: datetime) -> bool:
        """``offered`` -> ``redeemed`` (once, whichever process asks)."""
        return self._swap(offer_id, ("offered",), state="redeemed", token_hash=token_hash,
                          token_expires_at=_ts(token_expires_at))

    def count_failed_tx_code(self, offer_id: str, limit: int) -> int:
        """Count a wrong transaction code; revoke the offer at *limit*."""
        table = offers_table
        with self.engine.begin() as conn:
            conn.execute(update(table).where(table.c.tenant == self.tenant,
                                             table.c.id == offer_id)
                         .values(failed_tx_codes=table.c.failed_tx_codes + 1))
            conn.execute(update(table).where(table.c.tenant == self.tenant,
                                             table.c.id == offer_id, table.c.state == "offered",
                                             table.c.failed_tx_codes >= limit)
                         .values(state="revoked"))
            count = conn.execute(select(table.c.failed_tx_codes).where(
                table.c.tenant == self.tenant, table.c.id == offer_id)).scalar()
        return int(count or 0)

    def mark_issued(self, offer_id: str, issued_id: str) -> bool:
        """``redeemed`` -> ``issued`` (once)."""
        return self._swap(offer_id, ("redeemed",), state="issued", issued_id=issued_id)

    def revoke(self, offer_id: str) -> bool:
        """Withdraw an offer not issued yet."""
        return self._swap(offer_id, ("offered", "redeemed"), state="revoked")


class SqlNonceStore:
    """A :class:`~edc_issue.oid4vci.NonceStore` in the database: a nonce is spent by
    deleting its row, so only one request anywhere can spend it."""

    def __init__(self, engine: Engine, tenant: str) -> None:
        self.engine = engine
        self.tenant = tenant

    def add(self, nonce: str, expires_at: datetime) -> None:
        """Remember a fresh nonce (expired ones are deleted by :func:`purge_expired`)."""
        with self.engine.begin() as conn:
            conn.execute(insert(nonces_table).values(nonce=nonce, tenant=self.tenant,
                                                     expires_at=_ts(expires_at)))

    def consume(self, nonce: str, now: datetime) -> bool:
        """Spend *nonce*: True once, while it has not expired."""
        with self.engine.begin() as conn:
            done = conn.execute(delete(nonces_table).where(
                nonces_table.c.nonce == nonce, nonces_table.c.tenant == self.tenant,
                nonces_table.c.expires_at > _ts(now)))
        return bool(done.rowcount == 1)


class SqlExchangeStore:
    """An :class:`~edc_issue.oid4vci.exchanges.ExchangeStore` in the database."""

    def __init__(self, engine: Engine, tenant: str) -> None:
        self.engine = engine
        self.tenant = tenant

    def add(self, exchange: Exchange) -> None:
        """Store a new exchange."""
        with self.engine.begin() as conn:
            conn.execute(insert(exchanges_table).values(
                id=exchange.id, tenant=self.tenant, workflow_id=exchange.workflow_id,
                challenge=exchange.challenge, expires_at=_ts(exchange.expires_at),
                variables=json.dumps(exchange.variables, ensure_ascii=False),
                delete_when_collected=exchange.delete_when_collected, state=exchange.state,
                sequence=exchange.sequence, holder=exchange.holder))

    def get(self, exchange_id: str) -> Exchange | None:
        """Return the exchange, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(select(exchanges_table).where(
                exchanges_table.c.tenant == self.tenant,
                exchanges_table.c.id == exchange_id)).first()
        if row is None:
            return None
        return Exchange(id=row.id, workflow_id=row.workflow_id, challenge=row.challenge,
                        expires_at=_dt(row.expires_at) or datetime.now(timezone.utc),
                        variables=json.loads(row.variables),
                        delete_when_collected=bool(row.delete_when_collected),
                        state=row.state, sequence=row.sequence, tenant=row.tenant,
                        holder=row.holder)

    def swap(self, exchange_id: str, expected: tuple[str, ...], **changes: Any) -> bool:
        """Change the exchange if its state is one of *expected* (one statement)."""
        values = dict(changes)
        if "variables" in values:
            values["variables"] = json.dumps(values["variables"], ensure_ascii=False)
        if "expires_at" in values:
            values["expires_at"] = _ts(values["expires_at"])
        with self.engine.begin() as conn:
            done = conn.execute(update(exchanges_table).where(
                exchanges_table.c.tenant == self.tenant, exchanges_table.c.id == exchange_id,
                exchanges_table.c.state.in_(expected)).values(**values))
        return bool(done.rowcount == 1)


def purge_expired(engine: Engine, now: datetime) -> dict[str, int]:
    """Delete what can no longer be used: offers whose code and token have both expired
    (with the credential each one held), nonces and exchanges past their expiry. Return
    how many rows of each went."""
    moment = _ts(now)
    with engine.begin() as conn:
        offers = conn.execute(delete(offers_table).where(
            offers_table.c.expires_at < moment,
            (offers_table.c.token_expires_at.is_(None))
            | (offers_table.c.token_expires_at < moment))).rowcount
        nonces = conn.execute(delete(nonces_table).where(
            nonces_table.c.expires_at < moment)).rowcount
        exchanges = conn.execute(delete(exchanges_table).where(
            exchanges_table.c.expires_at < moment)).rowcount
    return {"offers": int(offers or 0), "nonces": int(nonces or 0),
            "exchanges": int(exchanges or 0)}
