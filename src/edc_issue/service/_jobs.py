"""Batch jobs: persisted in the database, claimed by exactly one process, resumed after a
restart with no row issued twice.

- ``POST /instance/{tenant}/batches`` and the EU issuer's ``seal_batch`` store a job
  (``batch_jobs``: the template, the data file, the options) as ``queued``.
- Every server process runs a :class:`JobRunner` thread. It claims the oldest queued job,
  or a ``running`` one whose claim has not been renewed for :data:`LEASE_SECONDS` (its
  process died), in one transaction: ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL,
  so two processes never claim the same job; SQLite's write lock (``BEGIN IMMEDIATE``)
  does the same for the processes of one host. While it runs the job it renews the claim
  (the heartbeat) and writes the progress.
- A job runs :func:`edc_issue.batch.issue_batch` into its own folder
  (``<data>/batches/<job id>/out``). The batch journal there is what makes a resumed job
  skip the rows already issued and finish the interrupted ones with the same ids and file
  names, so no row is issued twice; the folder's lock keeps a second process on the host
  out of it. Several hosts running jobs share the data folder (``data_dir`` on shared
  storage), or the job resumes where its folder is.
- A ``sign`` job of a tenant with ``status_purposes`` gives each row a status entry of the
  tenant's list in the database (:class:`~._store.BatchStatusList`: allocated in the
  list's transaction, with an issuance row, as ``POST /credentials/issue`` does, so the
  two never hand out one index twice). The job keeps the list it draws from in its options
  and the journal keeps each row's index, so a resumed job finishes a row with the index
  it was given. When the job ends, each issued row's credential id is written into its
  issuance, so ``POST /credentials/status`` revokes it by id. A batch credential carries
  one entry, of the tenant's first purpose (``revocation`` by default).
- When it finishes, the report (``report.json``) and a zip of the outputs are stored in
  the job's row, so any process can answer for them.

A seal password given with a request is never stored: a ``seal_batch`` job seals with
the tenant's own (``seal.password_env``) or an unencrypted key.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import socket
import threading
import time
import uuid
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    insert,
    or_,
    select,
    update,
)

from .._types import JsonObject
from ..errors import EdcIssueError
from . import _core
from ._db import metadata
from ._store import BatchStatusList, SqlStatusListStore, StatusService, digest_of

__all__ = ["LEASE_SECONDS", "JobRunner", "batch_jobs", "job_json", "new_job"]

_log = logging.getLogger("edc_issue.service")

#: A claim not renewed for this long is taken over (its process died). The runner renews
#: it every third of that. ``EDC_ISSUE_BATCH_LEASE`` sets it (seconds).
LEASE_SECONDS = float(os.environ.get("EDC_ISSUE_BATCH_LEASE", "30"))
#: How often an idle runner looks for a job.
POLL_SECONDS = float(os.environ.get("EDC_ISSUE_BATCH_POLL", "1"))

batch_jobs = Table(
    "batch_jobs", metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("actor", String(200), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=True),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("heartbeat_at", DateTime(timezone=True), nullable=True),
    Column("claimed_by", String(200), nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("template", Text, nullable=False),
    Column("data_name", String(200), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("options", JSON, nullable=False),
    Column("total", Integer, nullable=True),
    Column("processed", Integer, nullable=False, default=0),
    Column("issued", Integer, nullable=False, default=0),
    Column("skipped", Integer, nullable=False, default=0),
    Column("failed", Integer, nullable=False, default=0),
    Column("summary", JSON, nullable=True),
    Column("report", Text, nullable=True),
    Column("outputs", LargeBinary, nullable=True),
    Column("error", Text, nullable=True),
    Index("ix_batch_jobs_state_created", "state", "created_at"),
    Index("ix_batch_jobs_tenant", "tenant", "created_at"),
)

_STATE_COLUMNS = (batch_jobs.c.id, batch_jobs.c.tenant, batch_jobs.c.kind,
                  batch_jobs.c.state, batch_jobs.c.created_at, batch_jobs.c.started_at,
                  batch_jobs.c.finished_at, batch_jobs.c.attempts, batch_jobs.c.data_name,
                  batch_jobs.c.total, batch_jobs.c.processed, batch_jobs.c.issued,
                  batch_jobs.c.skipped, batch_jobs.c.failed, batch_jobs.c.summary,
                  batch_jobs.c.error)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite gives naive datetimes back
        value = value.replace(tzinfo=timezone.utc)
    return value.isoformat().replace("+00:00", "Z")


def new_job(engine: Engine, *, tenant: str, kind: str, template: str, data_name: str,
            data: bytes, options: JsonObject, actor: str | None) -> str:
    """Store a queued job; return its id."""
    job_id = str(uuid.uuid4())
    with engine.begin() as conn:
        conn.execute(insert(batch_jobs).values(
            id=job_id, tenant=tenant, kind=kind, state="queued", actor=actor,
            created_at=_now(), attempts=0, template=template, data_name=data_name[:200],
            data=data, options=options, processed=0, issued=0, skipped=0, failed=0))
    return job_id


def job_state(engine: Engine, tenant: str, job_id: str) -> dict[str, Any] | None:
    """The job's row without its blobs, or None."""
    with engine.connect() as conn:
        found = conn.execute(select(*_STATE_COLUMNS).where(
            batch_jobs.c.id == job_id, batch_jobs.c.tenant == tenant)).mappings().first()
    return dict(found) if found is not None else None


def job_json(row: dict[str, Any], base: str) -> JsonObject:
    """What ``GET .../batches/{id}`` answers: the state, the counts, the links."""
    link = f"{base}/batches/{row['id']}"
    out: JsonObject = {
        "id": row["id"], "kind": row["kind"], "state": row["state"],
        "created": _iso(row["created_at"]), "started": _iso(row["started_at"]),
        "finished": _iso(row["finished_at"]), "attempts": row["attempts"],
        "data": row["data_name"], "total": row["total"], "processed": row["processed"],
        "issued": row["issued"], "skipped": row["skipped"], "failed": row["failed"],
        "links": {"self": link, "report": f"{link}/report", "outputs": f"{link}/outputs"},
    }
    if row.get("summary") is not None:
        out["summary"] = row["summary"]
    if row.get("error"):
        out["error"] = json.loads(row["error"])
    return out


def job_blob(engine: Engine, tenant: str, job_id: str, column: str) -> tuple[str, Any] | None:
    """``(state, report or outputs)`` of a job, or None when there is no such job."""
    with engine.connect() as conn:
        found = conn.execute(select(batch_jobs.c.state, batch_jobs.c[column]).where(
            batch_jobs.c.id == job_id, batch_jobs.c.tenant == tenant)).first()
    return (str(found[0]), found[1]) if found is not None else None


class _LostClaim(Exception):
    """Another process took the job over (this one's claim lapsed): stop, leave it to it."""


@dataclass
class _Claimed:
    id: str
    tenant: str
    kind: str
    template: str
    data_name: str
    data: bytes
    options: dict[str, Any]
    actor: str | None = None


class _Progress:
    """Counts the rows as they finish and writes them (and the heartbeat) every half second."""

    def __init__(self, runner: JobRunner, job_id: str) -> None:
        self.runner = runner
        self.job_id = job_id
        self.counts = {"issued": 0, "skipped": 0, "failed": 0}
        self.total: int | None = None
        self._written = 0.0

    def start(self, total: int | None) -> None:
        self.total = total
        self.flush(force=True)

    def update(self, status: str) -> None:
        self.counts[status] = self.counts.get(status, 0) + 1
        self.flush()

    def close(self) -> None:
        self.flush(force=True)

    def flush(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._written < 0.5:
            return
        self._written = now
        counts = self.counts
        if not self.runner.renew(self.job_id, total=self.total,
                                 processed=sum(counts.values()), **counts):
            raise _LostClaim(self.job_id)


class _ItemSeal:
    """The output step of a ``seal_batch`` job: row *i* seals the job's *i*-th upload.

    It carries the tenant's keys, so that a batch worker process (which did not start
    with the service's tenants) can seal too.
    """

    def __init__(self, items: Sequence[Any], tenant: str, validate: bool,
                 keys: _core.TenantKeys | None = None) -> None:
        self.items = list(items)
        self.tenant = tenant
        self.validate = validate
        self.keys = keys

    @property
    def issuer_id(self) -> str | None:
        return None

    @property
    def suffixes(self) -> tuple[str, ...]:
        return (".json",)

    def __call__(self, credential: JsonObject) -> list[Any]:
        from ..batch.outputs import OutputFile, dump_json
        from ..errors import ValidationError

        item = self.items[int(credential["item"])]
        if self.tenant not in _core._TENANTS and self.keys is not None:
            _core.init_worker({self.tenant: self.keys})  # a batch worker process
        outcome = _core.seal_upload(self.tenant, item, password=None, validate=self.validate)
        if outcome["envelope"] is None:
            error = ValidationError("the credential does not conform to the EDC shapes",
                                    code="validation.failed")
            error.problems = [(str(f.get("path") or ""), str(f["message"]))
                              for f in outcome["findings"]]
            raise error
        return [OutputFile(".json", dump_json(outcome["envelope"]))]


def _zip_outputs(folder: Path) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                archive.write(path, path.name)
    return out.getvalue()


class JobRunner:
    """The thread of a server process that claims and runs batch jobs.

    :param engine: the service's database.
    :param data_dir: where each job's folder is (``batches/<id>``).
    :param keys: the tenants' keys and seals (what the work pool's workers get).
    :param status: the service's status lists (None: batch credentials carry no status).
    :param purposes: a tenant's ``status_purposes``.
    :param processes: run a job's rows (validating, signing, sealing) in a worker process
        of its own (1), so that a large batch does not hold this process's interpreter
        while it answers requests; 0: in the runner's thread.
    """

    def __init__(self, engine: Engine, data_dir: Path, keys: dict[str, _core.TenantKeys],
                 *, lease: float | None = None, poll: float | None = None,
                 status: StatusService | None = None,
                 purposes: Callable[[str], Sequence[str]] | None = None,
                 processes: int = 0) -> None:
        self.engine = engine
        self.processes = processes
        self.status = status
        self.purposes = purposes
        self.folder = data_dir / "batches"
        self.keys = keys
        self.lease = LEASE_SECONDS if lease is None else lease
        self.poll = POLL_SECONDS if poll is None else poll
        self.me = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._heart: threading.Thread | None = None
        self._current: str | None = None
        self._lost = False

    # ---- the thread ------------------------------------------------------------------

    def start(self) -> None:
        """Start the runner (and its heartbeat) in background threads."""
        self._thread = threading.Thread(target=self._loop, name="edc-issue-batches",
                                        daemon=True)
        self._heart = threading.Thread(target=self._beat, name="edc-issue-batch-heartbeat",
                                       daemon=True)
        self._thread.start()
        self._heart.start()

    def wake(self) -> None:
        """A job was submitted: look now rather than at the next poll."""
        self._wake.set()

    def stop(self) -> None:
        """Stop after the running job's current chunk (it resumes in the next process)."""
        self._stop.set()
        self._wake.set()
        for thread in (self._thread, self._heart):
            if thread is not None:
                thread.join(timeout=60)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                job = self.claim()
            except Exception:  # the database is away: try again later
                _log.warning("batch claim failed", exc_info=True,
                             extra={"event": "batch_job_claim_failed"})
                job = None
            if job is None:
                self._wake.wait(self.poll)
                self._wake.clear()
                continue
            self.run(job)

    def _beat(self) -> None:
        while not self._stop.wait(self.lease / 3):
            job = self._current
            if job is not None:
                with contextlib.suppress(Exception):
                    if not self.renew(job):
                        self._lost = True

    # ---- the database ------------------------------------------------------------------

    def claim(self) -> _Claimed | None:
        """Claim the oldest job that is queued or whose claim lapsed (one transaction)."""
        stale = _now() - timedelta(seconds=self.lease)
        with self.engine.begin() as conn:
            query = (select(batch_jobs.c.id).where(or_(
                batch_jobs.c.state == "queued",
                (batch_jobs.c.state == "running") & (batch_jobs.c.heartbeat_at < stale)))
                .order_by(batch_jobs.c.created_at).limit(1)
                .with_for_update(skip_locked=True))
            job_id = conn.execute(query).scalar()
            if job_id is None:
                return None
            now = _now()
            conn.execute(update(batch_jobs).where(batch_jobs.c.id == job_id).values(
                state="running", claimed_by=self.me, heartbeat_at=now,
                attempts=batch_jobs.c.attempts + 1))
            conn.execute(update(batch_jobs).where(batch_jobs.c.id == job_id,
                                                  batch_jobs.c.started_at.is_(None))
                         .values(started_at=now))
            row = conn.execute(select(
                batch_jobs.c.id, batch_jobs.c.tenant, batch_jobs.c.kind, batch_jobs.c.template,
                batch_jobs.c.data_name, batch_jobs.c.data, batch_jobs.c.options,
                batch_jobs.c.actor).where(batch_jobs.c.id == job_id)).one()
        _log.info("batch claimed", extra={"event": "batch_job_claimed", "job": job_id})
        return _Claimed(row.id, row.tenant, row.kind, row.template, row.data_name,
                        bytes(row.data), dict(row.options), row.actor)

    def renew(self, job_id: str, **progress: Any) -> bool:
        """Renew this process's claim (and write *progress*); False if it was taken over."""
        values: dict[str, Any] = {"heartbeat_at": _now()}
        values.update({k: v for k, v in progress.items() if v is not None})
        with self.engine.begin() as conn:
            done = conn.execute(update(batch_jobs).where(
                batch_jobs.c.id == job_id, batch_jobs.c.claimed_by == self.me,
                batch_jobs.c.state == "running").values(**values))
        return bool(done.rowcount)

    def _finish(self, job_id: str, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(batch_jobs).where(
                batch_jobs.c.id == job_id, batch_jobs.c.claimed_by == self.me)
                .values(finished_at=_now(), **values))

    # ---- running a job -----------------------------------------------------------------

    def run(self, job: _Claimed) -> None:
        """Run *job* to its end (or until this process stops or loses the claim)."""
        from ..batch import issue_batch
        from ..errors import BatchInputError

        self._current, self._lost = job.id, False
        folder = self.folder / job.id
        progress = _Progress(self, job.id)
        try:
            template, rows, step, settings = self._prepare(job, folder)
            if self.processes > 0:
                from ..batch import ProcessExecutor

                settings["executor"] = ProcessExecutor(self.processes)
            report = issue_batch(template, rows, step, folder / "out", progress=progress,
                                 **settings)
            if self._stop.is_set() and report.total < (progress.total or 0):
                return  # stopped: the next process resumes it
            outputs = _zip_outputs(folder / "out")
            report_text = (folder / "out" / "report.json").read_text(encoding="utf-8")
            if isinstance(settings.get("status_list"), BatchStatusList):
                _link(settings["status_list"], folder / "out", report_text, job.actor)
            counts = progress.counts
            self._finish(job.id, state="done", summary=report.summary(), report=report_text,
                         outputs=outputs, processed=sum(counts.values()), **counts)
            _log.info("batch done", extra={"event": "batch_job_done", "job": job.id})
        except _LostClaim:
            _log.warning("batch taken over", extra={"event": "batch_job_lost", "job": job.id})
        except BatchInputError as exc:
            if exc.code == "batch.output_locked":  # another process here runs it: leave it
                _log.warning("batch locked", extra={"event": "batch_job_locked", "job": job.id})
                time.sleep(self.poll)
                return
            self._fail(job.id, exc)
        except EdcIssueError as exc:
            self._fail(job.id, exc)
        except KeyboardInterrupt:
            raise
        except Exception as exc:  # a bug: the job fails with the type, never a traceback
            _log.exception("batch failed", extra={"event": "batch_job_bug", "job": job.id})
            self._finish(job.id, state="failed", error=json.dumps(
                {"code": "service.internal_error",
                 "detail": f"internal error ({type(exc).__name__})"}))
        finally:
            self._current = None

    def _fail(self, job_id: str, exc: EdcIssueError) -> None:
        self._finish(job_id, state="failed", error=json.dumps(
            {"code": exc.code, "detail": exc.message, "pointer": exc.pointer},
            ensure_ascii=False))

    def _prepare(self, job: _Claimed, folder: Path) -> tuple[Any, Any, Any, dict[str, Any]]:
        from ..batch import SealStep, SignStep

        options = job.options
        inputs = folder / "input"
        inputs.mkdir(parents=True, exist_ok=True)
        keys = self.keys[job.tenant]
        settings: dict[str, Any] = {"validate": bool(options.get("validate", True))}
        if job.kind == "seal_batch":
            items = json.loads(job.data)
            step: Any = _ItemSeal(items, job.tenant, keys.validate_before_seal, keys)
            rows = [{"item": str(i)} for i in range(len(items))]
            settings["validate"] = False  # seal_edc checks the shapes
            return {"item": "{{item}}"}, rows, step, settings
        data_path = inputs / _safe_name(job.data_name)
        if not data_path.exists():
            data_path.write_bytes(job.data)
        from ..batch import Template, open_rows

        template = Template(json.loads(job.template), key_column=options.get("keyColumn"))
        rows_source = open_rows(data_path, sheet=options.get("sheet"),
                                delimiter=options.get("delimiter"))
        if options.get("mode") == "seal":
            if keys.seal_p12 is None:
                from ..errors import ConfigError

                raise ConfigError(f"the tenant {job.tenant!r} has no PKCS#12 e-seal for "
                                  "batch sealing", code="config.invalid")
            step = SealStep(keys.seal_p12, keys.seal_password)
        else:
            if keys.key is None:
                from ..errors import ConfigError

                raise ConfigError(f"the tenant {job.tenant!r} has no signing key",
                                  code="config.invalid")
            suite = options.get("suite") or keys.suite
            step = SignStep(keys.key, suite=suite, issuer_from_key=True)
            purposes = list(self.purposes(job.tenant)) if self.purposes is not None else []
            if self.status is not None and purposes:
                settings["status_list"] = BatchStatusList(
                    SqlStatusListStore(self.engine, self._job_list(job, purposes[0])),
                    tenant=job.tenant, client=job.actor, fmt=suite or "data-integrity")
        if options.get("nameFrom"):
            settings["name_column"] = options["nameFrom"]
        return template, rows_source, step, settings


    def _job_list(self, job: _Claimed, purpose: str) -> int:
        """The status list the job draws from: kept in its options from its first run."""
        kept = job.options.get("statusListPk")
        if isinstance(kept, int):
            return kept
        assert self.status is not None
        list_pk = self.status.current_list(job.tenant, purpose)
        options = {**job.options, "statusListPk": list_pk}
        with self.engine.begin() as conn:
            done = conn.execute(update(batch_jobs).where(
                batch_jobs.c.id == job.id, batch_jobs.c.claimed_by == self.me)
                .values(options=options))
        if not done.rowcount:
            raise _LostClaim(job.id)
        job.options = options
        return list_pk


def _link(status_list: BatchStatusList, out: Path, report_text: str,
          actor: str | None) -> None:
    """Write each issued row's credential id (and digest) into the issuance of its index."""
    issued: list[tuple[str, int, str | None]] = []
    for row in json.loads(report_text)["rows"]:
        index, credential_id = row.get("statusListIndex"), row.get("id")
        if row.get("status") not in ("issued", "skipped") or not isinstance(index, int) \
                or not isinstance(credential_id, str):
            continue
        digest = None
        files = row.get("files") or []
        if files and (out / files[0]).is_file():
            text = (out / files[0]).read_text(encoding="utf-8")
            with contextlib.suppress(ValueError):
                digest = digest_of(json.loads(text) if files[0].endswith(".json")
                                   else text.strip())
        issued.append((credential_id, index, digest))
    status_list.link(issued, actor=actor)


def _safe_name(name: str) -> str:
    base = Path(name).name or "data"
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in base)[:120]
