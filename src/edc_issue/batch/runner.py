"""Batch issuance: a template and rows in, one signed or sealed credential per row out.

::

    from edc_issue.batch import SignStep, issue_batch, load_template, open_rows
    report = issue_batch(load_template("badge.json"), open_rows("learners.csv"),
                         SignStep("issuer-key.json"), "out/", jobs=2)
    report.ok, report.issued, report.failed, report.report_csv

How a run goes:

1. The template's columns are checked against the data's header: a placeholder
   naming a missing column stops the run before any row is issued.
2. The output folder is locked: a second run into it at the same time is refused.
3. Rows are read one at a time (never all in memory) and handled in chunks. Each row is
   planned in this process (:mod:`~edc_issue.batch.planner`): filled into the template;
   a row with a problem (a bad date, an empty required value, a formula, a wrong column
   count) becomes a ``failed`` report line naming its row number, column and reason, and
   the other rows go on.
4. With a status list, each chunk's indexes are allocated (and the allocation record
   saved) before any credential carries them.
5. Each chunk's plans are committed to the journal (``.edc-issue-journal.sqlite`` in the
   output folder) *before* they are signed. Then the executor runs the pure row function
   (:func:`~edc_issue.batch.issue_row`: validate through the data model, sign or seal)
   on the chunk, in worker processes with ``jobs > 1``, while this process plans the
   next chunk and writes the previous one's files through the sink.
6. ``report.csv`` and ``report.json`` list every row of every run of the folder; they are
   written at the end, and also when a run is stopped (Ctrl-C, SIGTERM, an error).

**Resuming.** A row is recognised by its key column (if one is given) or else by its
values. Running the same command again skips the rows already issued (``skipped`` in
the report) and issues only the others; a row that was being issued when a run
stopped is finished with the same id and status index it was given, so nothing is
issued twice and no status index is used twice.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import time
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .._types import Clock, JsonObject
from ..errors import BatchError, BatchInputError, IOFailure
from ..status.lists import StatusList, attach_status
from .cells import format_datetime
from .executors import Executor, InlineExecutor, ProcessExecutor
from .journal import JOURNAL_NAME, Journal
from .lock import FolderLock
from .outputs import OutputStep
from .planner import Plan, Planner
from .progress import Progress
from .report import REPORT_CSV, BatchReport, ReportWriter, RowResult
from .rows import RowOutcome, RowTask, RowWork
from .sinks import FolderSink, Sink
from .sources import Cell, Row, RowSource, iter_rows
from .template import Template, TemplateError, load_template

__all__ = ["JOURNAL_NAME", "issue_batch"]


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


def _row_of(item: Plan | RowResult) -> int:
    return item.row if isinstance(item, RowResult) else item.row.number


@dataclass
class _Chunk:
    """A planned chunk in flight: results for rows that need nothing, futures for the rest,
    then the outcomes and the write of the files."""

    items: list[Plan | RowResult]
    futures: list[tuple[list[Plan], Future[list[RowOutcome]]]] = field(default_factory=list)
    outcomes: dict[int, RowOutcome] | None = None
    written: Future[None] | None = None


class _Run:
    """One run into an output folder: the journal, the planner, the executor, the report."""

    def __init__(self, *, template: Template, outputs: OutputStep, out: Path, sink: Sink,
                 executor: Executor, status_list: StatusList | None, name_column: str | None,
                 clock: Clock, data_name: str, validate: bool, progress: Progress | None,
                 workers: int) -> None:
        self.out = out
        self.sink = sink
        self.executor = executor
        self.status_list = status_list
        self.progress = progress
        self.workers = workers
        self.journal = Journal(out / JOURNAL_NAME)
        if self.journal.legacy and (out / REPORT_CSV).is_file():
            self.journal.import_report_csv(out / REPORT_CSV)  # keep an older run's report
        started = clock()
        self.run = self.journal.start_run(started=format_datetime(started), data=data_name,
                                          template=template.source)
        self.journal.sync()
        self.data_name = data_name
        self.report = BatchReport(out_dir=out, run=self.run)
        self.planner = Planner(template, outputs, sink, self.journal, name_column, clock)
        self.work = RowWork(outputs, validate)
        #: chunks handed to the executor and not yet recorded, oldest first
        self.in_flight: list[_Chunk] = []
        #: writes the files in the background while this thread plans the next chunks
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="edc-issue-sink")
        self.writing: _Chunk | None = None

    def prepare(self, chunk: list[Row]) -> _Chunk:
        """Plan a chunk, journal it, and hand its rows to the executor."""
        items: list[Plan | RowResult] = [self.planner.plan(row) for row in chunk]
        plans = [p for p in items if isinstance(p, Plan)]
        if self.status_list is not None and plans:
            fresh = [p for p in plans if not p.reuse_index]
            indexes = self.status_list.allocate(len(fresh))
            for plan, index in zip(fresh, indexes, strict=True):
                plan.index = index
            for plan in plans:
                assert plan.index is not None
                plan.credential = attach_status(plan.credential,
                                                self.status_list.entry(plan.index))
        for plan in plans:
            self.journal.write(plan.key, "pending", row=plan.row.number, id=plan.id,
                               files=plan.files, index=plan.index)
        self.journal.sync()
        pending = _Chunk(items)
        self.in_flight.append(pending)
        if plans:
            # enough pieces that every worker has work, few enough to keep the overhead low;
            # in one process, one piece (a grouped step then signs the chunk in one call)
            size = (len(plans) if self.workers == 1
                    else max(1, math.ceil(len(plans) / (2 * self.workers))))
            for start in range(0, len(plans), size):
                group = plans[start:start + size]
                tasks = [RowTask(p.row.number, p.credential, p.columns_by_path) for p in group]
                pending.futures.append((group, self.executor.submit(tasks)))
        return pending

    def collect(self, chunk: _Chunk) -> None:
        """Wait for a chunk's outcomes and start writing its files (in the background)."""
        outcomes: dict[int, RowOutcome] = {}
        for group, future in chunk.futures:
            for plan, outcome in zip(group, future.result(), strict=True):
                outcomes[id(plan)] = outcome
        chunk.outcomes = outcomes
        self.flush()  # the chunk before is written: record it
        chunk.written = self.writer.submit(self.sink.write, _files(chunk.items, outcomes))
        self.writing = chunk

    def flush(self) -> None:
        """Wait until the chunk being written is durable, then journal and report it."""
        chunk, self.writing = self.writing, None
        if chunk is not None:
            assert chunk.written is not None and chunk.outcomes is not None
            chunk.written.result()  # durable before any of its rows is journaled as done
            self._record(chunk.items, chunk.outcomes)
            self.in_flight.remove(chunk)

    def salvage(self) -> None:
        """After a stop: record what the stopped chunks finished; the rest stays pending.

        A row whose work was done gets its files and its report line, even when the stop
        came in the middle of writing or recording its chunk; a row still waiting is left
        to a re-run (its id and status index are kept for it).
        """
        for chunk in list(self.in_flight):
            written = False
            if chunk.written is not None:
                with contextlib.suppress(BaseException):  # the write's own failure, kept
                    chunk.written.result()
                    written = True
            outcomes = chunk.outcomes
            if outcomes is None:
                outcomes = {}
                for group, future in chunk.futures:
                    if future.done() and not future.cancelled() and future.exception() is None:
                        for plan, outcome in zip(group, future.result(), strict=True):
                            outcomes[id(plan)] = outcome
            reported = self.journal.reported_rows(self.run)
            items = [item for item in chunk.items if _row_of(item) not in reported
                     and (isinstance(item, RowResult) or id(item) in outcomes)]
            if not written:
                self.sink.write(_files(items, outcomes))
            self._record(items, outcomes, salvage=True)
            self.in_flight.remove(chunk)
        self.writing = None

    def _record(self, items: list[Plan | RowResult], outcomes: Mapping[int, RowOutcome], *,
                salvage: bool = False) -> None:
        results: list[RowResult] = []
        for item in items:
            if isinstance(item, RowResult):
                result = item
            else:
                outcome = outcomes[id(item)]
                self.planner.done(item)
                number = item.row.number
                if outcome.errors:
                    self.journal.write(item.key, "failed", row=number, id=item.id)
                    result = RowResult(number, "failed", id=item.id, status_index=item.index,
                                       errors=outcome.errors)
                else:
                    self.journal.write(item.key, "done", row=number, id=item.id,
                                       files=item.files, index=item.index)
                    carried = dict(pair for made in outcome.files for pair in made.report)
                    result = RowResult(number, "issued", id=item.id, files=item.files,
                                       status_index=item.index, offer=carried.get("offer"),
                                       tx_code=carried.get("tx_code"))
            results.append(RowResult(result.row, result.status, id=result.id,
                                     files=result.files, status_index=result.status_index,
                                     errors=result.errors, run=self.run, data=self.data_name,
                                     offer=result.offer, tx_code=result.tx_code))
        self.journal.add_results(self.run, results)
        for result in results:
            self.report.add(result)
        if self.progress is not None and not salvage:
            for result in results:
                self.progress.update(result.status)

    def write_report(self, elapsed: float, *, stopped: bool = False) -> None:
        """Record the run's summary and write both report files from the journal."""
        self.report.elapsed = elapsed
        summary = self.report.summary()
        if stopped:
            summary["stopped"] = True
        self.journal.finish_run(self.run, summary)
        self.journal.sync()
        with ReportWriter(self.out) as writer:
            for result in self.journal.results():
                writer.write(result)
            writer.close(self.report, self.journal.runs())

    def close(self) -> None:
        """Stop the writer and close the journal."""
        self.writer.shutdown(wait=True)
        close_sink = getattr(self.sink, "close", None)
        if callable(close_sink):
            close_sink()
        self.journal.close()


def _files(items: list[Plan | RowResult],
           outcomes: Mapping[int, RowOutcome]) -> list[tuple[str, bytes]]:
    """The files to write for the rows of *items* that were issued."""
    files: list[tuple[str, bytes]] = []
    for item in items:
        if isinstance(item, Plan) and outcomes[id(item)].ok:
            made = outcomes[id(item)].files
            names = item.files[:len(made)]  # then the extra files' names
            files.extend(zip(names, (f.data for f in made), strict=True))
            files.extend(item.extra)
    return files


def issue_batch(
    template: Template | JsonObject | str | os.PathLike[str],
    rows: RowSource | Iterable[Mapping[str, Cell] | Row] | str | os.PathLike[str],
    outputs: OutputStep,
    out_dir: str | os.PathLike[str],
    *,
    jobs: int = 1,
    executor: Executor | None = None,
    sink: Sink | None = None,
    status_list: StatusList | None = None,
    key_column: str | None = None,
    name_column: str | None = None,
    validate: bool = True,
    progress: Progress | None = None,
    clock: Clock | None = None,
    chunk_size: int | None = None,
) -> BatchReport:
    """Issue one credential per row; return the report (also written to *out_dir*).

    :param template: a :class:`Template`, a template dict, or a template file (also in the
        EU issuer's upload format).
    :param rows: a :class:`RowSource` (see :func:`open_rows`), a data file path, or any
        iterable of mappings (streamed: it is read one chunk at a time).
    :param outputs: makes each credential's files (:class:`SignStep`, :class:`SealStep`,
        :class:`BakeStep`, or your own :class:`OutputStep`); picklable for ``jobs > 1``.
    :param out_dir: the folder for the journal, the lock, ``report.csv`` and ``report.json``,
        and (unless *sink* is given) the credentials.
    :param jobs: worker processes for validating and signing (1: in this process).
    :param executor: run the rows' work there instead (it overrides *jobs*).
    :param sink: write the credentials' files there (default: a :class:`FolderSink` of
        *out_dir*).
    :param status_list: give each credential a ``BitstringStatusListEntry`` in this list.
    :param key_column: the column identifying a learner: ids derive from it, and a
        re-run recognises rows by it (default: by all their values).
    :param name_column: name output files from this column (default: from the id).
    :param validate: read each credential through its data model before signing.
    :param progress: told about each row (see :func:`~edc_issue.batch.progress.auto_progress`).
    :param clock: the time for ``{{$now}}`` (default: the system clock).
    :returns: this run's counts and failures; ``report.ok`` is False if any row failed.
    :raises TemplateError: a placeholder or ``key_column``/``name_column`` names a column
        the data does not have (before anything is issued).
    :raises ReadError: the data file cannot be read.
    :raises BatchInputError: ``batch.output_locked``: another run is writing to *out_dir*;
        ``batch.bad_jobs``: *jobs* is less than 1.
    :raises BatchError: ``batch.worker_died``: a worker process died (run again to resume).
    :raises StatusError: the status list is full or has no allocation record.
    :raises IOFailure: the output folder cannot be written (the run stops; run it again
        to resume).
    """
    if jobs < 1:
        raise BatchInputError(f"jobs must be at least 1, found {jobs}", code="batch.bad_jobs")
    compiled = _as_template(template, key_column)
    source = iter_rows(rows)
    columns = source.columns
    path = getattr(source, "path", None)
    data_name = str(path) if path is not None else ""  # the report's data column
    compiled.check_columns(columns, data_source=data_name or "the data")
    if name_column and name_column not in columns:
        raise TemplateError(f"name_column {name_column!r} is not a column of "
                            f"{data_name or 'the data'}", code="batch.missing_column",
                            pointer=data_name or None)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IOFailure(f"cannot create the output folder: {exc.strerror or exc}",
                        pointer=str(out)) from exc
    with FolderLock(out):
        started = time.monotonic()
        chosen = executor or (ProcessExecutor(jobs) if jobs > 1 else InlineExecutor())
        workers = int(getattr(chosen, "jobs", 1))
        run = _Run(template=compiled, outputs=outputs, out=out, sink=sink or FolderSink(out),
                   executor=chosen, status_list=status_list, name_column=name_column,
                   clock=clock or _default_clock, data_name=data_name, validate=validate,
                   progress=progress, workers=workers)
        size = chunk_size or max(128, 64 * workers)
        if progress is not None:
            progress.start(source.count())
        try:
            chosen.start(run.work)
            previous: _Chunk | None = None
            for chunk in _chunks(iter(source), size):
                current = run.prepare(chunk)
                if previous is not None:
                    run.collect(previous)
                previous = current
            if previous is not None:
                run.collect(previous)
            run.flush()
            chosen.close()
            run.write_report(time.monotonic() - started)
        except BaseException as exc:
            chosen.close(cancel=True)  # what runs is finished, what waits is dropped
            # the rows finished so far stay in the report; the others resume on a re-run
            with contextlib.suppress(Exception):
                run.salvage()
            with contextlib.suppress(Exception):
                run.write_report(time.monotonic() - started, stopped=True)
            if isinstance(exc, BrokenProcessPool):
                raise BatchError("a worker process died; run again to resume",
                                 code="batch.worker_died") from exc
            raise
        finally:
            run.close()
            if progress is not None:
                progress.close()
    return run.report
