"""Batch issuance: a template and rows in, one signed or sealed credential per row out.

::

    from edc_issue.batch import KeySigner, issue_batch, load_template, open_rows
    report = issue_batch(load_template("badge.json"), open_rows("learners.csv"),
                         KeySigner("issuer-key.json"), "out/", jobs=2)
    report.ok, report.issued, report.failed, report.report_csv

How a run goes:

1. The template's columns are checked against the data's header: a placeholder
   naming a missing column stops the run before any row is issued.
2. Rows are read one at a time (never all in memory) and handled in small chunks.
   Each row is filled into the template; a row with a problem (a bad date, an empty
   required value, a formula, a wrong column count) becomes a ``failed`` report line
   naming its row number, column and reason, and the other rows go on.
3. With a status list, each chunk's indexes are allocated (and the allocation record
   saved) before any credential carries them.
4. Each planned row is written to the journal (``.edc-issue-journal.sqlite`` in the
   output folder, committed to disk) *before* it is signed; then it is validated through
   the data models, signed or sealed, and its files written atomically. With
   ``jobs > 1`` this happens in worker processes.
5. ``report.csv`` and ``report.json`` list every row.

**Resuming.** A row is recognised by its key column (if one is given) or else by its
values. Running the same command again skips the rows already issued (``skipped`` in
the report) and issues only the others; a row that was being issued when a run
stopped is finished with the same id and status index it was given, so nothing is
issued twice and no status index is used twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import multiprocessing
import os
import re
import signal
import sqlite3
import time
import unicodedata
import uuid
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .._io import atomic_write
from .._types import Clock, JsonObject
from ..errors import EdcIssueError, InputError, IOFailure, SignerError
from ..status.lists import (
    BITSTRING_STATUS_LIST_ENTRY,
    CREDENTIALS_V2,
    STATUS_V1,
    StatusList,
)
from .progress import Progress
from .report import BatchReport, ReportWriter, RowResult
from .signers import BatchSigner, validate_with_models
from .sources import Cell, Row, RowError, RowSource, iter_rows
from .template import RenderContext, RowFailure, Template, TemplateError, load_template

__all__ = ["JOURNAL_NAME", "issue_batch"]

#: The journal file in the output folder that makes re-runs resume.
JOURNAL_NAME = ".edc-issue-journal.sqlite"

_EDC_CONTEXT = "http://data.europa.eu/snb/model/context/edc-ap"
_RESERVED_STEMS = frozenset({"report"})
_UNSAFE_NAME = re.compile(r"[^\w.-]+")


# --------------------------------------------------------------------------- journal


def _row_key(row: Row, key_column: str | None) -> bytes:
    digest = hashlib.blake2b(digest_size=16)
    if key_column:
        digest.update(b"k\x00" + str(row.values.get(key_column, "")).strip().encode("utf-8"))
    else:
        canonical = json.dumps(row.values, sort_keys=True, ensure_ascii=False, default=str,
                               separators=(",", ":"))
        digest.update(b"r\x00" + canonical.encode("utf-8"))
    return digest.digest()


@dataclass
class _Entry:
    id: str
    files: tuple[str, ...]
    index: int | None
    state: str


class _Journal:
    """The record of planned and finished rows, on disk (SQLite, from the stdlib).

    Both the record and the per-run set of rows seen (for duplicates) live in the
    database, not in memory, so a run's memory stays flat however many rows it has.
    Each chunk's plans are committed before its rows are signed.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._db = sqlite3.connect(path, isolation_level="DEFERRED")
            self._db.executescript(
                "PRAGMA temp_store = FILE;"
                "CREATE TABLE IF NOT EXISTS rows (key BLOB PRIMARY KEY, state TEXT NOT NULL,"
                " row INTEGER, id TEXT NOT NULL, files TEXT NOT NULL, idx INTEGER);"
                "CREATE TEMP TABLE seen (key BLOB PRIMARY KEY, row INTEGER NOT NULL);"
            )
        except sqlite3.Error as exc:
            raise IOFailure(f"cannot open the batch journal: {exc}", pointer=str(path)) from exc

    def get(self, key: bytes) -> _Entry | None:
        """The journaled state of the row with *key*, if any."""
        try:
            found = self._db.execute(
                "SELECT id, files, idx, state FROM rows WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as exc:
            raise IOFailure(f"cannot read the batch journal: {exc}",
                            pointer=str(self.path)) from exc
        if found is None:
            return None
        return _Entry(str(found[0]), tuple(json.loads(found[1])), found[2], str(found[3]))

    def first_seen(self, key: bytes, row: int) -> int | None:
        """Record that this run met *key* at *row*; return the earlier row if it met it before."""
        try:
            cursor = self._db.execute("INSERT OR IGNORE INTO temp.seen VALUES (?, ?)", (key, row))
            if cursor.rowcount:
                return None
            earlier = self._db.execute("SELECT row FROM temp.seen WHERE key = ?",
                                       (key,)).fetchone()
        except sqlite3.Error as exc:
            raise IOFailure(f"cannot write the batch journal: {exc}",
                            pointer=str(self.path)) from exc
        return int(earlier[0])

    def write(self, key: bytes, state: str, *, row: int, id: str = "",
              files: Iterable[str] = (), index: int | None = None) -> None:
        """Record *state* (pending, done) for a row; a failed row is forgotten (retried)."""
        try:
            if state == "failed":
                self._db.execute("DELETE FROM rows WHERE key = ?", (key,))
            else:
                self._db.execute(
                    "INSERT OR REPLACE INTO rows VALUES (?, ?, ?, ?, ?, ?)",
                    (key, state, row, id, json.dumps(list(files)), index))
        except sqlite3.Error as exc:
            raise IOFailure(f"cannot write the batch journal: {exc}",
                            pointer=str(self.path)) from exc

    def sync(self) -> None:
        """Commit the journal to disk (before the planned rows are signed)."""
        try:
            self._db.commit()
        except sqlite3.Error as exc:
            raise IOFailure(f"cannot write the batch journal: {exc}",
                            pointer=str(self.path)) from exc

    def close(self) -> None:
        """Commit and close."""
        with contextlib.suppress(sqlite3.Error):
            self._db.commit()
            self._db.close()


# --------------------------------------------------------------------------- workers


@dataclass
class _Task:
    row: int
    credential: JsonObject
    paths: tuple[str, ...]
    columns_by_path: dict[str, str]


@dataclass
class _Outcome:
    row: int
    errors: list[RowError] = field(default_factory=list)


def _column_for(path: str, columns_by_path: Mapping[str, str]) -> str | None:
    probe = path
    while probe:
        if probe in columns_by_path:
            return columns_by_path[probe]
        cut = max(probe.rfind("."), probe.rfind("["))
        probe = probe[:cut] if cut > 0 else ""
    return None


def _errors_from(exc: EdcIssueError, task: _Task) -> list[RowError]:
    problems = exc.problems or ([(exc.pointer, exc.message)] if exc.pointer else [])
    if not problems:
        return [RowError(task.row, None, str(exc), exc.code)]
    errors = []
    for path, message in problems:
        column = _column_for(path, task.columns_by_path) if path else None
        reason = message if column else (f"{path}: {message}" if path else message)
        errors.append(RowError(task.row, column, reason, exc.code))
    return errors


def _issue_one(signer: BatchSigner, validate: bool, task: _Task) -> _Outcome:
    try:
        if validate:
            validate_with_models(task.credential)
        files = signer(task.credential)
        if len(files) != len(task.paths):
            raise SignerError(f"the signer returned {len(files)} files, expected "
                              f"{len(task.paths)}", code="batch.signer_output")
        for output, path in zip(files, task.paths, strict=True):
            atomic_write(path, output.data)
        return _Outcome(task.row)
    except EdcIssueError as exc:
        return _Outcome(task.row, _errors_from(exc, task))
    except Exception as exc:  # one bad row must never stop the batch
        return _Outcome(task.row, [RowError(task.row, None,
                                            f"internal error: {type(exc).__name__}: {exc}",
                                            "batch.internal")])


_WORKER: tuple[BatchSigner, bool] | None = None


def _init_worker(signer: BatchSigner, validate: bool) -> None:
    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    _WORKER = (signer, validate)


def _worker_issue(task: _Task) -> _Outcome:
    assert _WORKER is not None
    return _issue_one(_WORKER[0], _WORKER[1], task)


def _mp_context() -> Any:
    # "spawn" everywhere: no fork of a process that may hold threads or locks, the same
    # behaviour on Linux, macOS and Windows, and workers are this process's children.
    return multiprocessing.get_context("spawn")


class _Executor:
    """Runs tasks inline (``jobs == 1``) or in a process pool; results come back in order."""

    def __init__(self, signer: BatchSigner, validate: bool, jobs: int) -> None:
        self.signer = signer
        self.validate = validate
        self.pool: ProcessPoolExecutor | None = None
        if jobs > 1:
            self.pool = ProcessPoolExecutor(max_workers=jobs, mp_context=_mp_context(),
                                            initializer=_init_worker,
                                            initargs=(signer, validate))

    def submit(self, task: _Task) -> Future[_Outcome] | _Outcome:
        if self.pool is None:
            return _issue_one(self.signer, self.validate, task)
        return self.pool.submit(_worker_issue, task)

    def close(self, *, cancel: bool = False) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=cancel)


# --------------------------------------------------------------------------- planning


@dataclass
class _Plan:
    row: Row
    key: bytes
    id: str
    stem: str
    files: tuple[str, ...]
    credential: JsonObject
    columns_by_path: dict[str, str]
    index: int | None = None
    reuse_index: bool = False


def _attach_status(credential: JsonObject, entry: JsonObject) -> None:
    context = credential.get("@context")
    contexts = context if isinstance(context, list) else [context] if context else []
    if CREDENTIALS_V2 not in contexts and STATUS_V1 not in contexts:
        credential["@context"] = [*contexts, STATUS_V1]
    if _EDC_CONTEXT in contexts:
        # the EDC shapes want one credentialStatus of class elm:CredentialStatus
        entry = dict(entry, type=["CredentialStatus", BITSTRING_STATUS_LIST_ENTRY])
    existing = credential.get("credentialStatus")
    if existing is None:
        credential["credentialStatus"] = entry
    elif isinstance(existing, list):
        credential["credentialStatus"] = [*existing, entry]
    else:
        credential["credentialStatus"] = [existing, entry]


def _safe_stem(text: str) -> str:
    stem = _UNSAFE_NAME.sub("_", unicodedata.normalize("NFC", text)).strip("._-")[:120]
    if stem.lower() in _RESERVED_STEMS:
        stem = f"{stem}-credential"
    return stem


class _Planner:
    def __init__(self, template: Template, signer: BatchSigner, out_dir: Path,
                 journal: _Journal, name_column: str | None, clock: Clock) -> None:
        self.template = template
        self.signer = signer
        self.out_dir = out_dir
        self.journal = journal
        self.name_column = name_column
        self.clock = clock
        self.suffixes = tuple(signer.suffixes)
        self.issuer = signer.issuer_id
        self.in_flight: set[str] = set()

    def _stem(self, row: Row, credential_id: str) -> str:
        base = ""
        if self.name_column:
            value = row.values.get(self.name_column)
            base = _safe_stem(str(value)) if value not in (None, "") else ""
        if not base:
            base = _safe_stem(credential_id.removeprefix("urn:uuid:")) or f"row-{row.number}"
        stem = base
        if self._taken(stem):
            stem = f"{base}-{row.number}"
            n = 2
            while self._taken(stem):
                stem = f"{base}-{row.number}-{n}"
                n += 1
        return stem

    def _taken(self, stem: str) -> bool:
        return stem in self.in_flight or any(
            (self.out_dir / f"{stem}{suffix}").exists() for suffix in self.suffixes)

    def plan(self, row: Row) -> _Plan | RowResult:
        if row.errors:
            return RowResult(row.number, "failed", errors=row.errors)
        key = _row_key(row, self.template.key_column)
        first = self.journal.first_seen(key, row.number)
        if first is not None:
            what = (f"the same {self.template.key_column!r}" if self.template.key_column
                    else "the same values")
            return RowResult(row.number, "failed", errors=(RowError(
                row.number, self.template.key_column, f"duplicate: {what} as row {first}",
                "batch.duplicate_row"),))
        entry = self.journal.get(key)
        if entry is not None and (entry.state == "done" or all(
                (self.out_dir / f).exists() for f in entry.files)):
            if entry.state != "done":
                self.journal.write(key, "done", row=row.number, id=entry.id, files=entry.files,
                                   index=entry.index)
            return RowResult(row.number, "skipped", id=entry.id, files=entry.files,
                             status_index=entry.index)
        if entry is not None:  # planned by a run that stopped: same id, same index
            credential_id = entry.id
            stem = os.path.splitext(entry.files[0])[0] if entry.files else ""
            files = tuple(f"{stem}{suffix}" for suffix in self.suffixes) if stem else ()
        else:
            credential_id = (self.template.row_id(row.values)
                             or f"urn:uuid:{uuid.uuid4()}")
            stem = ""
            files = ()
        context = RenderContext(id=credential_id, row=row.number, now=self.clock(),
                                issuer=self.issuer)
        try:
            rendered = self.template.render(row.number, row.values, context)
        except RowFailure as failure:
            return RowResult(row.number, "failed", id=None, errors=tuple(failure.errors))
        if not files:
            stem = self._stem(row, credential_id)
            files = tuple(f"{stem}{suffix}" for suffix in self.suffixes)
        self.in_flight.add(stem)
        return _Plan(row=row, key=key, id=credential_id, stem=stem, files=files,
                     credential=rendered.credential, columns_by_path=rendered.columns_by_path,
                     index=entry.index if entry is not None else None,
                     reuse_index=entry is not None and entry.index is not None)


# --------------------------------------------------------------------------- the run


def _as_template(template: Template | JsonObject | str | os.PathLike[str],
                 key_column: str | None) -> Template:
    if isinstance(template, Template):
        if key_column and key_column != template.key_column:
            return Template(template.document, key_column=key_column,
                            id_namespace=template.id_namespace,
                            default_language=template.default_language,
                            source=template.source)
        return template
    if isinstance(template, dict):
        return Template(template, key_column=key_column)
    return load_template(template, key_column=key_column)


def _chunks(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    while True:
        chunk = list(itertools.islice(rows, size))
        if not chunk:
            return
        yield chunk


def _default_clock() -> datetime:
    return datetime.now(timezone.utc)


def issue_batch(
    template: Template | JsonObject | str | os.PathLike[str],
    rows: RowSource | Iterable[Mapping[str, Cell] | Row] | str | os.PathLike[str],
    signer: BatchSigner,
    out_dir: str | os.PathLike[str],
    *,
    jobs: int = 1,
    status_list: StatusList | None = None,
    key_column: str | None = None,
    name_column: str | None = None,
    validate: bool = True,
    progress: Progress | None = None,
    clock: Clock | None = None,
    chunk_size: int | None = None,
) -> BatchReport:
    """Issue one credential per row; return the report (also written to *out_dir*).

    :param template: a :class:`Template`, a template dict, or a template file.
    :param rows: a :class:`RowSource` (see :func:`open_rows`), a data file path, or any
        iterable of mappings (streamed: it is read one chunk at a time).
    :param signer: makes each credential's files (:class:`KeySigner`, :class:`SealSigner`,
        :class:`BakingSigner`, or your own :class:`BatchSigner`); picklable for ``jobs > 1``.
    :param out_dir: where the credentials, ``report.csv`` and ``report.json`` go.
    :param jobs: worker processes for validating and signing (1: in this process).
    :param status_list: give each credential a ``BitstringStatusListEntry`` in this list.
    :param key_column: the column identifying a learner: ids derive from it, and a
        re-run recognises rows by it (default: by all their values).
    :param name_column: name output files from this column (default: from the id).
    :param validate: read each credential through its data model before signing.
    :param progress: told about each row (see :func:`~edc_issue.batch.progress.auto_progress`).
    :param clock: the time for ``{{$now}}`` (default: the system clock).
    :returns: the counts and failures; ``report.ok`` is False if any row failed.
    :raises TemplateError: a placeholder or ``key_column``/``name_column`` names a column
        the data does not have (before anything is issued).
    :raises ReadError: the data file cannot be read.
    :raises StatusError: the status list is full or has no allocation record.
    :raises IOFailure: the output folder cannot be written.
    """
    if jobs < 1:
        raise InputError(f"jobs must be at least 1, found {jobs}", code="batch.bad_jobs")
    compiled = _as_template(template, key_column)
    source = iter_rows(rows)
    columns = source.columns
    data_name = str(getattr(source, "path", "the data"))
    compiled.check_columns(columns, data_source=data_name)
    if name_column and name_column not in columns:
        raise TemplateError(f"--name-from {name_column!r} is not a column of {data_name}",
                            code="batch.missing_column", pointer=data_name)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IOFailure(f"cannot create the output folder: {exc.strerror or exc}",
                        pointer=str(out)) from exc
    started = time.monotonic()
    report = BatchReport(out_dir=out)
    journal = _Journal(out / JOURNAL_NAME)
    planner = _Planner(compiled, signer, out, journal, name_column, clock or _default_clock)
    size = chunk_size or max(32, 16 * jobs)
    executor: _Executor | None = None
    writer = ReportWriter(out)
    if progress is not None:
        progress.start(source.count())
    try:
        executor = _Executor(signer, validate, jobs)
        previous: list[Any] | None = None
        for chunk in _chunks(iter(source), size):
            current = _prepare(chunk, planner, journal, status_list, executor, out)
            if previous is not None:
                _collect(previous, planner, journal, writer, report, progress)
            previous = current
        if previous is not None:
            _collect(previous, planner, journal, writer, report, progress)
        report.elapsed = time.monotonic() - started
        writer.close(report)
    except BrokenProcessPool as exc:
        raise SignerError("a worker process died; run again to resume",
                          code="batch.worker_died") from exc
    except BaseException:
        if executor is not None:
            executor.close(cancel=True)
            executor = None
        raise
    finally:
        if executor is not None:
            executor.close()
        writer.__exit__(None, None, None)
        journal.close()
        if progress is not None:
            progress.close()
    return report


def _prepare(chunk: list[Row], planner: _Planner, journal: _Journal,
             status_list: StatusList | None, executor: _Executor, out: Path) -> list[Any]:
    """Plan a chunk: results for rows that need nothing, futures for the rest."""
    items: list[Any] = [planner.plan(row) for row in chunk]
    plans = [p for p in items if isinstance(p, _Plan)]
    if status_list is not None and plans:
        fresh = [p for p in plans if not p.reuse_index]
        indexes = status_list.allocate(len(fresh))
        for plan, index in zip(fresh, indexes, strict=True):
            plan.index = index
        for plan in plans:
            assert plan.index is not None
            _attach_status(plan.credential, status_list.entry(plan.index))
    for plan in plans:
        journal.write(plan.key, "pending", row=plan.row.number, id=plan.id, files=plan.files,
                      index=plan.index)
    if plans:
        journal.sync()
    out_items: list[Any] = []
    for item in items:
        if isinstance(item, _Plan):
            task = _Task(item.row.number, item.credential,
                         tuple(str(out / f) for f in item.files), item.columns_by_path)
            out_items.append((item, executor.submit(task)))
        else:
            out_items.append(item)
    return out_items


def _collect(items: list[Any], planner: _Planner, journal: _Journal, writer: ReportWriter,
             report: BatchReport, progress: Progress | None) -> None:
    for item in items:
        if isinstance(item, RowResult):
            result = item
        else:
            plan, pending = item
            outcome: _Outcome = pending if isinstance(pending, _Outcome) else pending.result()
            planner.in_flight.discard(plan.stem)
            if outcome.errors:
                journal.write(plan.key, "failed", row=plan.row.number, id=plan.id)
                result = RowResult(plan.row.number, "failed", id=plan.id,
                                   status_index=plan.index, errors=tuple(outcome.errors))
            else:
                journal.write(plan.key, "done", row=plan.row.number, id=plan.id,
                              files=plan.files, index=plan.index)
                result = RowResult(plan.row.number, "issued", id=plan.id, files=plan.files,
                                   status_index=plan.index)
        writer.write(result)
        report.add(result)
        if progress is not None:
            progress.update(result.status)
