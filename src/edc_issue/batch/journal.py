"""The batch journal: what every run of an output folder planned, issued and reported.

One SQLite database (from the stdlib) in the output folder, ``.edc-issue-journal.sqlite``:

- ``rows``: each learner's row, by its key (the key column, or all its values): its
  credential id, files, status index and state (``pending`` before it is signed,
  ``done`` once its files are durable). This is what makes a re-run skip what was
  issued and finish what was interrupted with the same id and index.
- ``runs`` and ``results``: every run (when, which data file, its summary) and every
  row's outcome in it. ``report.csv`` and ``report.json`` are written from these, so the
  report keeps every row of every run, even of a run that was stopped.
- a per-run table of the keys seen (16 bytes a row, in SQLite's compact memory store), to
  find duplicate rows.

Writes are committed once per chunk (:meth:`Journal.sync`), before the chunk's rows are
signed; the database is in WAL mode, so each commit is one flush.
"""

from __future__ import annotations

import contextlib
import csv
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from ..errors import IOFailure
from .report import RowResult, RowStatus
from .sources import RowError

__all__ = ["JOURNAL_NAME", "Entry", "Journal"]

#: The journal file in the output folder that makes re-runs resume.
JOURNAL_NAME = ".edc-issue-journal.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rows (key BLOB PRIMARY KEY, state TEXT NOT NULL, row INTEGER,
    id TEXT NOT NULL, files TEXT NOT NULL, idx INTEGER);
CREATE TABLE IF NOT EXISTS runs (run INTEGER PRIMARY KEY, started TEXT NOT NULL,
    data TEXT NOT NULL, template TEXT NOT NULL, summary TEXT);
CREATE TABLE IF NOT EXISTS results (seq INTEGER PRIMARY KEY, run INTEGER NOT NULL,
    row INTEGER NOT NULL, status TEXT NOT NULL, id TEXT, files TEXT NOT NULL, idx INTEGER,
    errors TEXT NOT NULL, offer TEXT, tx_code TEXT);
CREATE TEMP TABLE seen (key BLOB PRIMARY KEY, row INTEGER NOT NULL);
"""


@dataclass
class Entry:
    """A row's journaled state."""

    id: str
    files: tuple[str, ...]
    index: int | None
    state: str


class Journal:
    """The journal of one output folder (see the module's docstring).

    :raises IOFailure: the database cannot be opened.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._db = sqlite3.connect(path, isolation_level="DEFERRED")
            with contextlib.suppress(sqlite3.Error):  # WAL where the filesystem allows it
                self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = FULL")
            self._db.execute("PRAGMA temp_store = MEMORY")  # the keys seen: 16 bytes a row
            had_history = self._db.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'results'").fetchone() is not None
            self._db.executescript(_SCHEMA)
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(results)")}
            for column in ("offer", "tx_code"):  # a journal written before offers
                if column not in columns:
                    self._db.execute(f"ALTER TABLE results ADD COLUMN {column} TEXT")
        except sqlite3.Error as exc:
            raise IOFailure(f"cannot open the batch journal: {exc}", pointer=str(path)) from exc
        #: True when the folder was last written by a version without the run history
        self.legacy = not had_history and self._scalar("SELECT count(*) FROM rows") > 0

    def _fail(self, exc: sqlite3.Error, what: str = "write") -> IOFailure:
        return IOFailure(f"cannot {what} the batch journal: {exc}", pointer=str(self.path))

    def _scalar(self, sql: str, args: Sequence[Any] = ()) -> int:
        try:
            found = self._db.execute(sql, args).fetchone()
        except sqlite3.Error as exc:
            raise self._fail(exc, "read") from exc
        return int(found[0]) if found and found[0] is not None else 0

    # -- rows ------------------------------------------------------------------------

    def get(self, key: bytes) -> Entry | None:
        """The journaled state of the row with *key*, if any."""
        try:
            found = self._db.execute(
                "SELECT id, files, idx, state FROM rows WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as exc:
            raise self._fail(exc, "read") from exc
        if found is None:
            return None
        return Entry(str(found[0]), tuple(json.loads(found[1])), found[2], str(found[3]))

    def first_seen(self, key: bytes, row: int) -> int | None:
        """Record that this run met *key* at *row*; return the earlier row if it met it before."""
        try:
            cursor = self._db.execute("INSERT OR IGNORE INTO temp.seen VALUES (?, ?)", (key, row))
            if cursor.rowcount:
                return None
            earlier = self._db.execute("SELECT row FROM temp.seen WHERE key = ?",
                                       (key,)).fetchone()
        except sqlite3.Error as exc:
            raise self._fail(exc) from exc
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
            raise self._fail(exc) from exc

    # -- runs and results --------------------------------------------------------------

    def start_run(self, *, started: str, data: str, template: str) -> int:
        """Record a new run; return its number (1 for a folder's first run)."""
        try:
            cursor = self._db.execute(
                "INSERT INTO runs (started, data, template) VALUES (?, ?, ?)",
                (started, data, template))
        except sqlite3.Error as exc:
            raise self._fail(exc) from exc
        assert cursor.lastrowid is not None
        return int(cursor.lastrowid)

    def finish_run(self, run: int, summary: dict[str, Any]) -> None:
        """Record the run's summary."""
        try:
            self._db.execute("UPDATE runs SET summary = ? WHERE run = ?",
                             (json.dumps(summary, ensure_ascii=False), run))
        except sqlite3.Error as exc:
            raise self._fail(exc) from exc

    def add_results(self, run: int, results: Iterable[RowResult]) -> None:
        """Record row outcomes of *run*, in order."""
        try:
            self._db.executemany(
                "INSERT INTO results (run, row, status, id, files, idx, errors, offer, tx_code)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(run, r.row, r.status, r.id, json.dumps(list(r.files), ensure_ascii=False),
                  r.status_index, json.dumps([[e.column, e.reason, e.code] for e in r.errors],
                                             ensure_ascii=False), r.offer, r.tx_code)
                 for r in results])
        except sqlite3.Error as exc:
            raise self._fail(exc) from exc

    def reported_rows(self, run: int) -> set[int]:
        """The rows *run* has recorded an outcome for."""
        try:
            found = self._db.execute("SELECT row FROM results WHERE run = ?", (run,))
            return {int(row) for (row,) in found}
        except sqlite3.Error as exc:
            raise self._fail(exc, "read") from exc

    def results(self) -> Iterator[RowResult]:
        """Every recorded row outcome of every run, in order (streamed)."""
        try:
            cursor = self._db.execute(
                "SELECT results.run, runs.data, row, status, id, files, idx, errors, offer,"
                " tx_code FROM results JOIN runs USING (run) ORDER BY seq")
            for run, data, row, status, id_, files, index, errors, offer, tx_code in cursor:
                yield RowResult(
                    row, cast(RowStatus, status), id=id_, files=tuple(json.loads(files)),
                    status_index=index,
                    errors=tuple(RowError(row, column, reason, code)
                                 for column, reason, code in json.loads(errors)),
                    run=run, data=data, offer=offer, tx_code=tx_code)
        except sqlite3.Error as exc:
            raise self._fail(exc, "read") from exc

    def runs(self) -> list[dict[str, Any]]:
        """Every run: ``{"run", "started", "data", "template", "summary"}``."""
        try:
            found = self._db.execute(
                "SELECT run, started, data, template, summary FROM runs ORDER BY run").fetchall()
        except sqlite3.Error as exc:
            raise self._fail(exc, "read") from exc
        return [{"run": run, "started": started, "data": data, "template": template,
                 "summary": json.loads(summary) if summary else None}
                for run, started, data, template, summary in found]

    def import_report_csv(self, path: Path) -> int:
        """Keep the rows of a ``report.csv`` written before runs were recorded (as run 0).

        :returns: the number of rows taken.
        """
        try:
            with path.open(encoding="utf-8", newline="") as fh:
                records = list(csv.DictReader(fh))
        except (OSError, UnicodeDecodeError, csv.Error):
            return 0
        results = []
        for record in records:
            try:
                row = int(record.get("row") or 0)
                index = record.get("status_index") or ""
                status = record.get("status") or "failed"
                reason = (record.get("reason") or "").removeprefix("'")
                errors = (RowError(row, record.get("column") or None, reason,
                                   record.get("code") or "batch.invalid_row"),) \
                    if status == "failed" else ()
                file = record.get("file") or ""
                results.append(RowResult(
                    row, cast(RowStatus, status if status in ("issued", "skipped") else "failed"),
                    id=record.get("id") or None, files=(file,) if file else (),
                    status_index=int(index) if index.isdigit() else None, errors=errors))
            except (TypeError, ValueError):
                continue
        try:
            self._db.execute("INSERT INTO runs (run, started, data, template) "
                             "VALUES (0, '', '', '')")
        except sqlite3.Error as exc:
            raise self._fail(exc) from exc
        self.add_results(0, results)
        return len(results)

    # -- commits -----------------------------------------------------------------------

    def sync(self) -> None:
        """Commit the journal to disk (before the planned rows are signed)."""
        try:
            self._db.commit()
        except sqlite3.Error as exc:
            raise self._fail(exc) from exc

    def close(self) -> None:
        """Commit and close."""
        with contextlib.suppress(sqlite3.Error):
            self._db.commit()
            self._db.close()
