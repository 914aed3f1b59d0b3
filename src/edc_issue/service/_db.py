"""The database: tables (SQLAlchemy Core), engines for SQLite and PostgreSQL, migrations.

What is stored (the Alembic migrations in ``migrations/versions`` create it):

- ``service_meta``: settings every process must share (the HMAC key of access tokens);
- ``status_lists``: each tenant's status lists, their signed credential and the
  allocation record (the bitstring of every index ever handed out);
- ``issuances`` and ``status_entries``: one row per issued credential (id, digest, time,
  client; the credential itself only where the tenant opts in) and one per allocated
  index; ``UNIQUE (list_pk, status_index)`` makes a second use of an index impossible;
- ``challenges``: one-time challenges with their expiry;
- ``audit_log``: who issued, sealed or changed a status, what and when (no bodies).

Migrations run at start under a lock (``pg_advisory_lock`` on PostgreSQL; SQLite's own
write lock), so several processes starting together migrate once.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

try:
    import fcntl as _fcntl
except ImportError:  # Windows: the processes' writers meet at SQLite's lock
    _fcntl = None  # type: ignore[assignment]

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    text,
)

__all__ = [
    "audit_log",
    "challenges",
    "issuances",
    "make_engine",
    "metadata",
    "migrate",
    "service_meta",
    "status_entries",
    "status_lists",
]

metadata = MetaData()

service_meta = Table(
    "service_meta", metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

status_lists = Table(
    "status_lists", metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("tenant", String(64), nullable=False),
    Column("local_id", String(64), nullable=False),
    Column("url", String(512), nullable=False, unique=True),
    Column("purpose", String(32), nullable=False),
    Column("size", Integer, nullable=False),
    # the lists issuance draws from have a sequence number; lists made through
    # POST /status-lists have none
    Column("seq", Integer, nullable=True),
    Column("full", Boolean, nullable=False, default=False),
    Column("allocated_count", Integer, nullable=False, default=0),
    Column("record", Text, nullable=False),
    Column("credential", Text, nullable=False),
    Column("etag", String(80), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("tenant", "local_id", name="uq_status_lists_tenant_local"),
    UniqueConstraint("tenant", "purpose", "seq", name="uq_status_lists_tenant_seq"),
)

issuances = Table(
    "issuances", metadata,
    Column("pk", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
           autoincrement=True),
    Column("tenant", String(64), nullable=False),
    Column("credential_id", String(512), nullable=True),
    Column("digest", String(80), nullable=True),
    Column("format", String(32), nullable=False),
    Column("client", String(200), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("credential", Text, nullable=True),
    Index("ix_issuances_tenant_credential", "tenant", "credential_id"),
)

status_entries = Table(
    "status_entries", metadata,
    Column("list_pk", Integer, ForeignKey("status_lists.pk"), primary_key=True),
    Column("status_index", Integer, primary_key=True),
    Column("issuance_pk", BigInteger().with_variant(Integer, "sqlite"),
           ForeignKey("issuances.pk"), nullable=True),
    Index("ix_status_entries_issuance", "issuance_pk"),
)

challenges = Table(
    "challenges", metadata,
    Column("challenge", String(128), primary_key=True),
    Column("tenant", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=True),
)

audit_log = Table(
    "audit_log", metadata,
    Column("pk", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
           autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("tenant", String(64), nullable=False),
    Column("actor", String(200), nullable=True),
    Column("action", String(64), nullable=False),
    Column("subject", String(512), nullable=True),
    Column("detail", JSON, nullable=True),
    Index("ix_audit_log_tenant_at", "tenant", "at"),
)

_MIGRATIONS = Path(__file__).parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # autocommit at the driver level: SQLAlchemy's "begin" event emits BEGIN IMMEDIATE,
    # so a transaction takes SQLite's write lock up front (no upgrade deadlocks)
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class _WriterTurn:
    """One SQLite writer at a time on this host, waiting in line on locks, not polling.

    SQLite has a single write lock per database file. Writers that all ``BEGIN
    IMMEDIATE`` at once wait in SQLite's busy handler, which polls with sleeps growing to
    100 ms: under load most of a request's time went there (and p99 latencies of seconds).
    Here a writer first takes this process's lock (threads queue on it and the next one
    starts as soon as it is released), then, with *lock_path*, an exclusive ``flock`` on
    that file, which the writers of the other processes on this host (``--workers``) take
    too: they wait for it in steps of at most 2 ms instead of SQLite's 100. The turn is
    given back once the transaction has committed or rolled back; the kernel releases a
    dead process's ``flock``. A writer that does not take turns (another program) still
    meets the others at SQLite's own lock.
    """

    def __init__(self, timeout: float, lock_path: str | None = None) -> None:
        self._lock = threading.Lock()
        self.timeout = timeout
        self.lock_path = lock_path
        self._fd: int | None = None
        #: the DBAPI connection whose transaction holds the turn
        self.holder: Any = None

    def take(self, dbapi_connection: Any) -> None:
        deadline = time.monotonic() + self.timeout
        if not self._lock.acquire(timeout=self.timeout):
            raise sqlite3.OperationalError("database is locked (no write turn within "
                                           f"{self.timeout:g} s)")
        try:
            self._take_file(deadline)
        except BaseException:
            self._lock.release()
            raise
        self.holder = dbapi_connection

    def _take_file(self, deadline: float) -> None:
        if self.lock_path is None or _fcntl is None:
            return
        if self._fd is None:
            self._fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        pause = 0.0001
        while True:
            try:
                _fcntl.flock(self._fd, _fcntl.LOCK_EX | _fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise sqlite3.OperationalError(
                        "database is locked (another process kept the write turn for "
                        f"{self.timeout:g} s)") from None
                time.sleep(pause)
                pause = min(pause * 2, 0.002)

    def give_back(self, dbapi_connection: Any) -> None:
        if self.holder is dbapi_connection:
            self.holder = None
            if self._fd is not None and _fcntl is not None:
                _fcntl.flock(self._fd, _fcntl.LOCK_UN)
            self._lock.release()


def _sqlite_connection_class(turn: _WriterTurn) -> type[sqlite3.Connection]:
    class TurnConnection(sqlite3.Connection):
        """Gives the process's write turn back after the transaction ends (whichever way:
        commit, rollback, the pool's reset, close)."""

        def commit(self) -> None:
            try:
                super().commit()
            finally:
                turn.give_back(self)

        def rollback(self) -> None:
            try:
                super().rollback()
            finally:
                turn.give_back(self)

        def close(self) -> None:
            try:
                super().close()
            finally:
                turn.give_back(self)

    return TurnConnection


def make_engine(url: str, *, pool_size: int = 20, readonly: bool = False) -> Engine:
    """An engine for *url*: SQLite (WAL, immediate transactions) or PostgreSQL (psycopg 3).

    A SQLite file's folder is created if missing. With *readonly* (SQLite), transactions
    begin deferred: readers never take the write lock, and WAL lets them read while a
    writer writes. Without it, the threads of this process take turns to write
    (:class:`_WriterTurn`) instead of polling SQLite's lock.
    """
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        on_disk = bool(path) and path != ":memory:"
        turn = _WriterTurn(timeout=30, lock_path=f"{path}.writer-lock" if on_disk else None)
        connect_args: dict[str, Any] = {"timeout": 30, "check_same_thread": False}
        if not readonly:
            connect_args["factory"] = _sqlite_connection_class(turn)
        pooling: dict[str, Any] = {}
        if path and path != ":memory:":
            # as many kept connections as threads that use them at once: an overflow
            # connection is opened (with its PRAGMAs) and closed again per request
            pooling = {"pool_size": pool_size, "max_overflow": pool_size}
        engine = create_engine(url, connect_args=connect_args, **pooling)
        event.listen(engine, "connect", _sqlite_pragmas)

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            if readonly:
                conn.exec_driver_sql("BEGIN")
                return
            dbapi_connection = conn.connection.dbapi_connection
            turn.take(dbapi_connection)
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                turn.give_back(dbapi_connection)
                raise

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size * 2,
                         pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (safe to call from many processes at once)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(7215151)"))
            connection.commit()
        try:
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")  # branches (one per feature) each to their head
            connection.commit()
        finally:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_unlock(7215151)"))
                connection.commit()
