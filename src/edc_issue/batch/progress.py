"""Progress of a batch: a tqdm bar on a terminal, plain log lines otherwise (CI, files).

The runner calls a :class:`Progress` after every row; the library itself prints
nothing unless the caller passes one. :func:`auto_progress` picks the right kind.
"""

from __future__ import annotations

import sys
import time
from typing import IO, Any, Protocol

__all__ = ["LineProgress", "Progress", "TqdmProgress", "auto_progress"]


class Progress(Protocol):
    """Told about each row as it finishes."""

    def start(self, total: int | None) -> None:
        """The batch begins; *total* is the number of rows, if known."""
        ...

    def update(self, status: str) -> None:
        """One row finished as ``issued``, ``skipped`` or ``failed``."""
        ...

    def close(self) -> None:
        """The batch ended."""
        ...


class _Counts:
    def __init__(self) -> None:
        self.done = 0
        self.counts = {"issued": 0, "skipped": 0, "failed": 0}

    def count(self, status: str) -> None:
        self.done += 1
        self.counts[status] = self.counts.get(status, 0) + 1

    def text(self) -> str:
        c = self.counts
        return f"{c['issued']} issued, {c['skipped']} skipped, {c['failed']} failed"


class LineProgress(_Counts):
    """Writes a line like ``issued 500/1000 rows: 497 issued, 0 skipped, 3 failed (120/s)``.

    :param every: seconds between lines (the last line is always written).
    """

    def __init__(self, stream: IO[str] | None = None, *, every: float = 5.0) -> None:
        super().__init__()
        self.stream = stream if stream is not None else sys.stderr
        self.every = every
        self.total: int | None = None
        self._started = self._last = 0.0

    def start(self, total: int | None) -> None:
        """Remember the total and the start time."""
        self.total = total
        self._started = self._last = time.monotonic()

    def _line(self) -> None:
        elapsed = max(time.monotonic() - self._started, 1e-9)
        of = f"/{self.total}" if self.total is not None else ""
        self.stream.write(f"batch: {self.done}{of} rows: {self.text()} "
                          f"({self.done / elapsed:.0f} rows/s)\n")
        self.stream.flush()

    def update(self, status: str) -> None:
        """Count the row; write a line if *every* seconds have passed."""
        self.count(status)
        now = time.monotonic()
        if now - self._last >= self.every:
            self._last = now
            self._line()

    def close(self) -> None:
        """Write the final line."""
        self._line()


class TqdmProgress(_Counts):
    """A tqdm progress bar (on stderr)."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        super().__init__()
        self.stream = stream if stream is not None else sys.stderr
        self._bar: Any = None

    def start(self, total: int | None) -> None:
        """Open the bar."""
        from tqdm import tqdm

        self._bar = tqdm(total=total, unit="row", file=self.stream, dynamic_ncols=True,
                         desc="issuing")

    def update(self, status: str) -> None:
        """Advance the bar."""
        self.count(status)
        if self._bar is not None:
            self._bar.update(1)
            if self.done % 25 == 0 or status == "failed":
                self._bar.set_postfix_str(self.text(), refresh=False)

    def close(self) -> None:
        """Close the bar."""
        if self._bar is not None:
            self._bar.set_postfix_str(self.text(), refresh=False)
            self._bar.close()


def auto_progress(stream: IO[str] | None = None) -> Progress:
    """Return a tqdm bar when *stream* (default stderr) is a terminal, else log lines."""
    target = stream if stream is not None else sys.stderr
    isatty = getattr(target, "isatty", None)
    if callable(isatty) and isatty():
        try:
            import tqdm  # noqa: F401
        except ImportError:  # pragma: no cover - tqdm is optional
            return LineProgress(target)
        return TqdmProgress(target)
    return LineProgress(target)
