"""Status lists in the database: a SQL :class:`~edc_issue.status.StatusListStore` and the
service's status operations (allocate on issue, revoke, suspend, create, publish).

Allocation is transactional: :meth:`SqlStatusListStore.lock` holds the list's row
(``SELECT ... FOR UPDATE`` on PostgreSQL, SQLite's write lock) while the library's
:class:`~edc_issue.status.StatusList` reads the allocation record, picks free indexes
and writes the record back, and every index handed out gets a ``status_entries`` row
whose primary key ``(list_pk, status_index)`` refuses any index given twice. Processes
on several hosts sharing one PostgreSQL therefore never hand out the same index. A batch
job's indexes (:class:`BatchStatusList`) get their rows in the allocation's transaction.

Issuance over HTTP does not take the list's lock per credential: each process reserves
indexes :attr:`StatusService.reserve_size` at a time (one transaction marks them allocated
in the record) and hands them out from memory, and each issuance is then recorded in one
transaction after it is signed (its issuance row, its ``status_entries`` rows, its audit
line). An index is still never given twice; a process that stops leaves the rest of its
reservation unused (allocated, never handed out: at most ``reserve_size`` per list).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from .._types import JsonObject
from ..errors import StatusError
from ..status import (
    AllocationRecord,
    StatusList,
    create_status_list_credential,
    parse_status_list_credential,
    status_entry,
)
from ._db import audit_log, issuances, status_entries, status_lists
from ._errors import ServiceError

__all__ = ["BatchStatusList", "Reserved", "SqlStatusListStore", "StatusService"]

#: Signs a status list credential for a tenant: ``sign(tenant, credential) -> signed``.
TenantListSigner = Callable[[str, JsonObject], JsonObject]


def _now() -> datetime:
    return datetime.now(timezone.utc)


def digest_of(signed: Any) -> str:
    """The sha256 of the issued credential (its canonical JSON text, or the JWT)."""
    text = signed if isinstance(signed, str) else json.dumps(
        signed, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _etag(text: str) -> str:
    return '"' + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32] + '"'


class SqlStatusListStore:
    """A :class:`~edc_issue.status.StatusListStore` over one row of ``status_lists``.

    Not shared between threads: make one per operation. :meth:`lock` is re-entrant and
    every load and save inside it runs in its one transaction.
    """

    def __init__(self, engine: Engine, list_pk: int) -> None:
        self.engine = engine
        self.list_pk = list_pk
        self._conn: Connection | None = None

    def __repr__(self) -> str:
        return f"SqlStatusListStore(list {self.list_pk})"

    @property
    def connection(self) -> Connection | None:
        """The connection of the transaction :meth:`lock` holds, if any."""
        return self._conn

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the list's row until the block ends, then commit (roll back on error)."""
        if self._conn is not None:
            yield
            return
        with self.engine.begin() as conn:
            self._conn = conn
            try:
                row = conn.execute(select(status_lists.c.pk)
                                   .where(status_lists.c.pk == self.list_pk)
                                   .with_for_update()).first()
                if row is None:
                    raise StatusError("the status list does not exist", code="status.no_list")
                yield
            finally:
                self._conn = None

    def _run(self, fn: Callable[[Connection], Any]) -> Any:
        if self._conn is not None:
            return fn(self._conn)
        with self.engine.begin() as conn:
            return fn(conn)

    def _column(self, name: str) -> Any:
        def read(conn: Connection) -> Any:
            return conn.execute(select(status_lists.c[name])
                                .where(status_lists.c.pk == self.list_pk)).scalar_one_or_none()
        return self._run(read)

    def load_credential(self) -> JsonObject:
        """Return the stored list credential.

        :raises StatusError: ``status.no_list``.
        """
        text = self._column("credential")
        if text is None:
            raise StatusError("the status list does not exist", code="status.no_list")
        value = json.loads(text)
        assert isinstance(value, dict)
        return value

    def save_credential(self, credential: JsonObject) -> None:
        """Replace the list credential (and its ETag)."""
        text = json.dumps(credential, ensure_ascii=False, separators=(",", ":"))
        self._run(lambda conn: conn.execute(
            update(status_lists).where(status_lists.c.pk == self.list_pk)
            .values(credential=text, etag=_etag(text), updated_at=_now())))

    def load_record(self) -> AllocationRecord | None:
        """Return the allocation record."""
        text = self._column("record")
        return None if text is None else AllocationRecord.from_json(json.loads(text))

    def save_record(self, record: AllocationRecord) -> None:
        """Store the allocation record (with the count, and whether the list is full)."""
        text = json.dumps(record.to_json())
        self._run(lambda conn: conn.execute(
            update(status_lists).where(status_lists.c.pk == self.list_pk)
            .values(record=text, allocated_count=record.count,
                    full=record.count >= record.size, updated_at=_now())))


class BatchStatusList(StatusList):
    """The status list of a batch job: one list of the tenant's in the database, each
    index handed out with an issuance row and its ``status_entries`` row in the same
    transaction as the allocation record (so never given twice, whichever process or
    route allocates). The rows' credential ids are filled in when the job ends
    (:meth:`link`): the batch journal, not this object, knows which row has which index.

    :param store: the list's store (the job keeps the list's primary key in its options,
        so a resumed job allocates from the same list and its journal's indexes stay right).
    """

    def __init__(self, store: SqlStatusListStore, *, tenant: str, client: str | None,
                 fmt: str) -> None:
        super().__init__(store)
        self.sql = store
        self.tenant = tenant
        self.client = client
        self.fmt = fmt

    def allocate(self, count: int = 1) -> list[int]:
        """*count* never-used indexes, each recorded as an issuance of the tenant's."""
        with self.sql.lock():
            indexes = super().allocate(count)
            conn = self.sql.connection
            assert conn is not None
            now = _now()
            for index in indexes:
                issuance_pk = int(conn.execute(insert(issuances).values(
                    tenant=self.tenant, credential_id=None, format=self.fmt,
                    client=self.client, created_at=now).returning(issuances.c.pk)).scalar_one())
                conn.execute(insert(status_entries).values(
                    list_pk=self.sql.list_pk, status_index=index, issuance_pk=issuance_pk))
        return indexes

    def link(self, issued: list[tuple[str, int, str | None]], *, actor: str | None) -> int:
        """Name the credential of each ``(credential id, index, digest)`` in the issuance
        its index was allocated with (once: a row already named is left); return how many
        were named."""
        named = 0
        with self.sql.engine.begin() as conn:
            for credential_id, index, digest in issued:
                issuance = (select(status_entries.c.issuance_pk)
                            .where(status_entries.c.list_pk == self.sql.list_pk,
                                   status_entries.c.status_index == index)
                            .scalar_subquery())
                done = conn.execute(update(issuances).where(
                    issuances.c.pk == issuance, issuances.c.tenant == self.tenant,
                    issuances.c.credential_id.is_(None))
                    .values(credential_id=credential_id, digest=digest))
                if done.rowcount:
                    named += 1
                    StatusService._audit(conn, self.tenant, actor, "issue", credential_id,
                                         {"digest": digest, "batch": True})
        return named


@dataclass(frozen=True)
class Reserved:
    """One index handed out from a process's reservation: its list, the index, the entry
    the credential carries."""

    list_pk: int
    index: int
    entry: JsonObject


@dataclass
class _Reservation:
    """Indexes of one list that this process reserved (allocated in the record) and has
    not handed out yet."""

    list_pk: int
    list_id: str
    purpose: str
    indexes: deque[int] = field(default_factory=deque)


#: Prebuilt statements of the issuance path (compiled once by SQLAlchemy's cache).
_INSERT_ISSUANCE = insert(issuances).returning(issuances.c.pk)
_INSERT_ENTRY = insert(status_entries)
_INSERT_AUDIT = insert(audit_log)
_SELECT_LIST_BY_URL = select(status_lists.c.credential).where(
    status_lists.c.url == bindparam("url"))


class StatusService:
    """The service's status operations for every tenant.

    :param engine: the database.
    :param sign: signs a list credential with a tenant's key (runs in the work pool).
    :param list_url: the public URL of a tenant's list: ``list_url(tenant, local_id)``.
    :param issuer_of: a tenant's issuer id (its DID).
    """

    #: indexes reserved per list by one transaction (:meth:`reserve`)
    reserve_size = 32

    def __init__(self, engine: Engine, sign: TenantListSigner,
                 list_url: Callable[[str, str], str], issuer_of: Callable[[str], str],
                 size_of: Callable[[str], int], read_engine: Engine | None = None) -> None:
        self.engine = engine
        self.read_engine = read_engine or engine
        #: the list issuance draws from, per (tenant, purpose); re-read when it is full
        self._current_pk: dict[tuple[str, str], int] = {}
        #: indexes reserved and not yet handed out, per (tenant, purpose)
        self._reserved: dict[tuple[str, str], _Reservation] = {}
        self._reserve_locks: dict[tuple[str, str], threading.Lock] = {}
        self._locks_lock = threading.Lock()
        self.sign = sign
        self.list_url = list_url
        self.issuer_of = issuer_of
        self.size_of = size_of

    # ---- lists -----------------------------------------------------------------------

    def create_list(self, tenant: str, purpose: str, *, local_id: str | None = None,
                    size: int | None = None, seq: int | None = None) -> tuple[str, JsonObject]:
        """Create, sign and store a new list; return its URL and credential.

        :raises StatusError: ``status.list_exists`` if *local_id* is taken.
        """
        local_id = local_id or secrets.token_urlsafe(12)
        url = self.list_url(tenant, local_id)
        size = size or self.size_of(tenant)
        unsigned = create_status_list_credential(list_id=url, issuer=self.issuer_of(tenant),
                                                 purpose=purpose, size=size)
        signed = self.sign(tenant, unsigned)
        text = json.dumps(signed, ensure_ascii=False, separators=(",", ":"))
        record = json.dumps(AllocationRecord.new(url, purpose, size).to_json())
        now = _now()
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(status_lists).values(
                    tenant=tenant, local_id=local_id, url=url, purpose=purpose, size=size,
                    seq=seq, full=False, allocated_count=0, record=record, credential=text,
                    etag=_etag(text), created_at=now, updated_at=now))
                self._audit(conn, tenant, None, "status_list.create", url, {"purpose": purpose})
        except IntegrityError:
            raise StatusError(f"a status list {local_id!r} already exists",
                              code="status.list_exists") from None
        return url, signed

    def current_list(self, tenant: str, purpose: str) -> int:
        """The primary key of the list issuance draws from now (made if there is none)."""
        return self._current(tenant, purpose)

    def _current(self, tenant: str, purpose: str) -> int:
        """The list issuance draws from now: the newest one that is not full."""
        cached = self._current_pk.get((tenant, purpose))
        if cached is not None:
            return cached
        for _attempt in range(5):
            with self.read_engine.connect() as conn:
                row = conn.execute(
                    select(status_lists.c.pk, status_lists.c.seq)
                    .where(status_lists.c.tenant == tenant, status_lists.c.purpose == purpose,
                           status_lists.c.seq.is_not(None))
                    .order_by(status_lists.c.seq.desc()).limit(1)).first()
                full = row is not None and conn.execute(
                    select(status_lists.c.full).where(status_lists.c.pk == row.pk)).scalar()
            if row is not None and not full:
                self._current_pk[(tenant, purpose)] = int(row.pk)
                return int(row.pk)
            next_seq = 1 if row is None else int(row.seq) + 1
            try:
                self.create_list(tenant, purpose, seq=next_seq)
            except StatusError:
                pass  # another process made it: read it again
        raise StatusError("no status list could be opened", code="status.no_list")

    def get_list(self, tenant: str, local_id: str) -> tuple[str, str] | None:
        """The stored list credential (as JSON text) and its ETag, or None."""
        with self.read_engine.connect() as conn:
            row = conn.execute(select(status_lists.c.credential, status_lists.c.etag)
                               .where(status_lists.c.tenant == tenant,
                                      status_lists.c.local_id == local_id)).first()
        return None if row is None else (str(row.credential), str(row.etag))

    def lists_by_url(self, urls: list[str]) -> dict[str, JsonObject]:
        """The stored list credentials published at *urls* (the ones this service has)."""
        if not urls:
            return {}
        found: dict[str, JsonObject] = {}
        with self.read_engine.connect() as conn:
            # one prebuilt statement per URL (a credential names one or two lists): an IN
            # list is compiled again for every request
            for url in dict.fromkeys(urls):
                text = conn.execute(_SELECT_LIST_BY_URL, {"url": url}).scalar_one_or_none()
                if text is not None:
                    found[url] = json.loads(text)
        return found

    # ---- issuance ----------------------------------------------------------------------

    def reserve(self, tenant: str, purposes: tuple[str, ...]) -> list[Reserved]:
        """One never-used index per purpose, from this process's reservation (refilled,
        :attr:`reserve_size` indexes in one transaction, when it runs out).

        Record the credential signed with them with :meth:`record_issued`.

        :raises StatusError: ``status.list_full`` when no list can be opened.
        """
        out: list[Reserved] = []
        for purpose in purposes:
            key = (tenant, purpose)
            with self._locks_lock:
                lock = self._reserve_locks.setdefault(key, threading.Lock())
            with lock:
                reservation = self._reserved.get(key)
                if reservation is None or not reservation.indexes:
                    reservation = self._refill(tenant, purpose)
                    self._reserved[key] = reservation
                index = reservation.indexes.popleft()
            out.append(Reserved(reservation.list_pk, index,
                                status_entry(reservation.list_id, index, purpose)))
        return out

    def _refill(self, tenant: str, purpose: str) -> _Reservation:
        """Reserve up to :attr:`reserve_size` indexes of the tenant's current list (fewer
        when that is all it has left; the next list when it has none)."""
        for _attempt in range(5):
            list_pk = self._current(tenant, purpose)
            store = SqlStatusListStore(self.engine, list_pk)
            with store.lock():
                status_list = StatusList(store)
                free = status_list.size - status_list.allocated_count()
                if free > 0:
                    indexes = status_list.allocate(min(self.reserve_size, free))
                    return _Reservation(list_pk, status_list.list_id, status_list.purpose,
                                        deque(indexes))
            self._current_pk.pop((tenant, purpose), None)
            with self.engine.begin() as conn:
                conn.execute(update(status_lists).where(status_lists.c.pk == list_pk)
                             .values(full=True))
        raise StatusError("every status list is full", code="status.list_full")

    def record_issued(self, tenant: str, entries: list[Reserved], *, credential_id: str | None,
                      client: str | None, fmt: str, digest: str, credential: str | None,
                      actor: str | None) -> int:
        """Record a signed credential in one transaction: its issuance row (with its
        digest, and the credential if the tenant keeps them), a ``status_entries`` row per
        reserved index, and the audit line. Return the issuance's primary key."""
        now = _now()
        with self.engine.begin() as conn:
            pk = int(conn.execute(_INSERT_ISSUANCE, {
                "tenant": tenant, "credential_id": credential_id, "format": fmt,
                "client": client, "created_at": now, "digest": digest,
                "credential": credential}).scalar_one())
            if entries:
                conn.execute(_INSERT_ENTRY, [{"list_pk": e.list_pk, "status_index": e.index,
                                              "issuance_pk": pk} for e in entries])
            conn.execute(_INSERT_AUDIT, {"at": now, "tenant": tenant, "actor": actor,
                                         "action": "issue", "subject": credential_id,
                                         "detail": {"digest": digest}})
        return pk

    # ---- status changes ------------------------------------------------------------------

    def entries_of(self, tenant: str, credential_id: str) -> list[tuple[int, int, str, str]]:
        """(list pk, index, purpose, list URL) of every entry of a credential."""
        with self.read_engine.connect() as conn:
            rows = conn.execute(
                select(status_entries.c.list_pk, status_entries.c.status_index,
                       status_lists.c.purpose, status_lists.c.url)
                .join(issuances, issuances.c.pk == status_entries.c.issuance_pk)
                .join(status_lists, status_lists.c.pk == status_entries.c.list_pk)
                .where(issuances.c.tenant == tenant, issuances.c.credential_id == credential_id)
            ).all()
        return [(int(r[0]), int(r[1]), str(r[2]), str(r[3])) for r in rows]

    def entry_at(self, tenant: str, list_url: str, index: int) -> tuple[int, int, str, str] | None:
        """The entry at *index* of the tenant's list published at *list_url*, if allocated."""
        with self.read_engine.connect() as conn:
            row = conn.execute(
                select(status_entries.c.list_pk, status_entries.c.status_index,
                       status_lists.c.purpose, status_lists.c.url)
                .join(status_lists, status_lists.c.pk == status_entries.c.list_pk)
                .where(status_lists.c.tenant == tenant, status_lists.c.url == list_url,
                       status_entries.c.status_index == index)).first()
        return None if row is None else (int(row[0]), int(row[1]), str(row[2]), str(row[3]))

    def set_status(self, tenant: str, list_pk: int, index: int, value: int, *,
                   actor: str | None, credential_id: str | None) -> JsonObject:
        """Set one status bit, re-sign the list and store it, all under the list's lock."""
        store = SqlStatusListStore(self.engine, list_pk)
        with store.lock():
            status_list = StatusList(store)
            current = status_list.status(index)
            if current == value:
                return store.load_credential()
            signed = status_list.set_status([index], value,
                                            sign=lambda vc: self.sign(tenant, vc))
            assert store.connection is not None
            self._audit(store.connection, tenant, actor,
                        f"status.{status_list.purpose}.{'set' if value else 'clear'}",
                        credential_id, {"list": status_list.list_id, "index": index})
        return signed

    def status_value(self, list_pk: int, index: int) -> int:
        """The current status bit at *index* of a list."""
        store = SqlStatusListStore(self.engine, list_pk)
        return parse_status_list_credential(store.load_credential()).bits[index]

    # ---- audit and counts ---------------------------------------------------------------

    def audit(self, tenant: str, actor: str | None, action: str, subject: str | None,
              detail: dict[str, Any] | None = None) -> None:
        """Append one line to the audit log."""
        with self.engine.begin() as conn:
            self._audit(conn, tenant, actor, action, subject, detail)

    @staticmethod
    def _audit(conn: Connection, tenant: str, actor: str | None, action: str,
               subject: str | None, detail: dict[str, Any] | None) -> None:
        conn.execute(insert(audit_log).values(at=_now(), tenant=tenant, actor=actor,
                                              action=action, subject=subject, detail=detail))

    def counts(self) -> dict[str, dict[str, int]]:
        """Issued credentials per tenant and set status bits per tenant (for /metrics)."""
        with self.read_engine.connect() as conn:
            issued = {str(t): int(n) for t, n in conn.execute(
                select(issuances.c.tenant, func.count()).group_by(issuances.c.tenant))}
            changed = {str(t): int(n) for t, n in conn.execute(
                select(audit_log.c.tenant, func.count())
                .where(audit_log.c.action.like("status.%.set")).group_by(audit_log.c.tenant))}
            sealed = {str(t): int(n) for t, n in conn.execute(
                select(audit_log.c.tenant, func.count())
                .where(audit_log.c.action == "seal").group_by(audit_log.c.tenant))}
        return {"issued": issued, "revoked": changed, "sealed": sealed}


def not_found(what: str) -> ServiceError:
    """A 404 problem for an unknown credential or list."""
    return ServiceError(what, code="service.not_found", status=404)
