"""The batch report: one line per input row of every run, in ``report.csv`` and ``report.json``.

Every row ends as ``issued`` (with its id and file), ``skipped`` (issued by an earlier
run: its id and file), or ``failed`` (the row number, the column and the reason). Each
line also says which run it belongs to (1 for the folder's first run) and which data
file the row came from, so a second run with another spreadsheet adds its rows to the
report and never replaces the first run's. Both files are written from the journal to
temporary files and renamed into place, so memory stays flat however many rows there
are, and a reader never sees half a report.

``report.json``::

    {"rows": [{"run": 1, "data": "learners.csv", "row": 2, "status": "issued",
               "id": "urn:uuid:...", "files": ["..."], "statusListIndex": 4711,
               "errors": [], "offer": null, "txCode": null}, ...],
     "runs": [{"run": 1, "started": "2025-06-30T10:00:00Z", "data": "learners.csv",
               "template": "badge.json", "summary": {...}}, ...],
     "summary": {"run": 1, "total": 1000, "issued": 997, "skipped": 0, "failed": 3, ...}}

``summary`` is the latest run's; ``runs`` holds each run's.

``offer`` and ``txCode`` (``offer`` and ``tx_code`` in ``report.csv``) are the OpenID4VCI
offer link and transaction code of a row issued with an offer (``OfferStep``).

Cells of ``report.csv`` that a spreadsheet would read as a formula are prefixed with
an apostrophe.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from ..errors import IOFailure
from .sources import RowError

__all__ = ["REPORT_CSV", "REPORT_JSON", "BatchReport", "ReportWriter", "RowResult", "RowStatus"]

REPORT_CSV = "report.csv"
REPORT_JSON = "report.json"
RowStatus = Literal["issued", "skipped", "failed"]
_CSV_FIELDS = ("run", "data", "row", "status", "id", "file", "status_index", "column", "reason",
               "code", "offer", "tx_code")


@dataclass(frozen=True)
class RowResult:
    """What happened to one input row."""

    row: int
    status: RowStatus
    id: str | None = None
    files: tuple[str, ...] = ()
    status_index: int | None = None
    errors: tuple[RowError, ...] = ()
    #: the run of the output folder this outcome belongs to (1, 2, ...)
    run: int | None = None
    #: the data file the row came from
    data: str | None = None
    #: the OpenID4VCI offer link made for the row (``OfferStep``)
    offer: str | None = None
    #: the offer's transaction code, for the learner by another channel than the link
    tx_code: str | None = None

    @property
    def reason(self) -> str:
        """The errors in one line (empty unless failed)."""
        if len(self.errors) == 1:
            return self.errors[0].reason
        return "; ".join(f"{e.column}: {e.reason}" if e.column else e.reason
                         for e in self.errors)

    def to_json(self) -> dict[str, Any]:
        """The row's entry in ``report.json``."""
        return {
            "run": self.run,
            "data": self.data,
            "row": self.row,
            "status": self.status,
            "id": self.id,
            "files": list(self.files),
            "statusListIndex": self.status_index,
            "errors": [{"column": e.column, "reason": e.reason, "code": e.code}
                       for e in self.errors],
            "offer": self.offer,
            "txCode": self.tx_code,
        }

    def to_csv(self) -> list[str]:
        """The row's line in ``report.csv``."""
        first = self.errors[0] if self.errors else None
        return ["" if self.run is None else str(self.run), self.data or "",
                str(self.row), self.status, self.id or "", self.files[0] if self.files else "",
                "" if self.status_index is None else str(self.status_index),
                (first.column or "") if first else "", self.reason,
                first.code if first else "", self.offer or "", self.tx_code or ""]


@dataclass
class BatchReport:
    """The outcome of a batch: counts, every failure, and where the report files are.

    ``ok`` is True when no row failed.
    """

    out_dir: Path
    #: this run's number in the output folder (1 for its first run)
    run: int | None = None
    total: int = 0
    issued: int = 0
    skipped: int = 0
    failed: int = 0
    failures: list[RowResult] = field(default_factory=list)
    elapsed: float = 0.0
    report_csv: Path | None = None
    report_json: Path | None = None

    @property
    def ok(self) -> bool:
        """True when every row was issued (now or by an earlier run)."""
        return self.failed == 0

    @property
    def rate(self) -> float:
        """Credentials issued per second in this run."""
        return self.issued / self.elapsed if self.elapsed > 0 else 0.0

    def summary(self) -> dict[str, Any]:
        """The ``summary`` object of ``report.json``."""
        return {
            "run": self.run,
            "ok": self.ok,
            "total": self.total,
            "issued": self.issued,
            "skipped": self.skipped,
            "failed": self.failed,
            "seconds": round(self.elapsed, 3),
            "perSecond": round(self.rate, 1),
            "outDir": str(self.out_dir),
        }

    def add(self, result: RowResult) -> None:
        """Count *result* (failures are kept)."""
        self.total += 1
        if result.status == "issued":
            self.issued += 1
        elif result.status == "skipped":
            self.skipped += 1
        else:
            self.failed += 1
            self.failures.append(result)


def _safe_cell(text: str) -> str:
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


class ReportWriter:
    """Streams row results to ``report.csv`` and ``report.json`` in *out_dir*.

    Use as a context manager; :meth:`close` renames the finished files into place.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self._csv_tmp: IO[str] | None = None
        self._json_tmp: IO[str] | None = None
        self._first = True
        self._paths: dict[str, str] = {}
        try:
            self._csv_tmp = self._temp(REPORT_CSV)
            self._json_tmp = self._temp(REPORT_JSON)
        except OSError as exc:
            self._discard()
            raise IOFailure(f"cannot write the report: {exc.strerror or exc}",
                            pointer=str(out_dir)) from exc
        self._csv = csv.writer(self._csv_tmp, lineterminator="\n")
        self._csv.writerow(_CSV_FIELDS)
        self._json_tmp.write('{"rows": [')

    def _temp(self, name: str) -> IO[str]:
        fd, path = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self.out_dir)
        self._paths[name] = path
        return open(fd, "w", encoding="utf-8", newline="")

    def write(self, result: RowResult) -> None:
        """Append one row's result."""
        assert self._csv_tmp is not None and self._json_tmp is not None
        try:
            self._csv.writerow([_safe_cell(c) for c in result.to_csv()])
            self._json_tmp.write(("\n  " if self._first else ",\n  ")
                                 + json.dumps(result.to_json(), ensure_ascii=False))
        except OSError as exc:
            raise IOFailure(f"cannot write the report: {exc.strerror or exc}",
                            pointer=str(self.out_dir)) from exc
        self._first = False

    def close(self, report: BatchReport, runs: list[dict[str, Any]] | None = None) -> None:
        """Finish both files (with *runs*, each run's summary) and move them into place."""
        assert self._csv_tmp is not None and self._json_tmp is not None
        try:
            self._json_tmp.write(
                "\n],\n\"runs\": " + json.dumps(runs or [], ensure_ascii=False)
                + ",\n\"summary\": " + json.dumps(report.summary(), ensure_ascii=False) + "}\n")
            for handle, name in ((self._csv_tmp, REPORT_CSV), (self._json_tmp, REPORT_JSON)):
                handle.flush()
                os.fsync(handle.fileno())
                handle.close()
                os.replace(self._paths[name], self.out_dir / name)
        except OSError as exc:
            self._discard()
            raise IOFailure(f"cannot write the report: {exc.strerror or exc}",
                            pointer=str(self.out_dir)) from exc
        report.report_csv = self.out_dir / REPORT_CSV
        report.report_json = self.out_dir / REPORT_JSON
        self._csv_tmp = self._json_tmp = None

    def _discard(self) -> None:
        for handle in (self._csv_tmp, self._json_tmp):
            if handle is not None:
                with contextlib.suppress(OSError):
                    handle.close()
        for path in self._paths.values():
            with contextlib.suppress(OSError):
                os.unlink(path)
        self._csv_tmp = self._json_tmp = None

    def __enter__(self) -> ReportWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._csv_tmp is not None:
            self._discard()
