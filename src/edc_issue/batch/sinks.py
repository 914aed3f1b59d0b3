"""Where a batch's credential files go: a :class:`Sink`.

The runner writes each chunk's files through the sink (never the workers), then records
them as done in the journal. It calls :meth:`Sink.write` from one background thread, one
call at a time, while it goes on planning (and calling :meth:`Sink.exists`) in its own.
:class:`FolderSink` writes into a folder; a service can write to a database or object
storage by implementing the two methods.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol, runtime_checkable

from ..errors import IOFailure

__all__ = ["FolderSink", "Sink"]


@runtime_checkable
class Sink(Protocol):
    """Stores output files by name (``UT-0001.json``, ``UT-0001.png``)."""

    def exists(self, name: str) -> bool:
        """True if a file called *name* is already stored."""
        ...

    def write(self, files: Sequence[tuple[str, bytes]]) -> None:
        """Store every ``(name, data)``; when this returns, they are all durable.

        Each file appears whole or not at all (a reader never sees half a file).

        :raises IOFailure: ``io.write_failed``.
        """
        ...


class FolderSink:
    """Writes files into *folder*, atomically, and durably by the chunk.

    Each file is written to a temporary name, flushed to disk and renamed into place,
    then the folder itself is flushed. The files of one :meth:`write` are written by a few
    threads at once: the filesystem then flushes them in one go (a group commit), which
    costs a fraction of flushing them one after the other.

    :param threads: how many files are written at once.
    """

    def __init__(self, folder: str | os.PathLike[str], *, threads: int = 8) -> None:
        self.folder = Path(folder)
        self.threads = threads
        self._pool: ThreadPoolExecutor | None = None
        self._names: set[str] | None = None

    def __repr__(self) -> str:
        return f"FolderSink({str(self.folder)!r})"

    def __getstate__(self) -> dict[str, object]:
        return {"folder": self.folder, "threads": self.threads, "_pool": None, "_names": None}

    def exists(self, name: str) -> bool:
        """True if *name* exists in the folder.

        The folder is listed once, then kept up to date by :meth:`write`: a ``stat`` per
        name would wait behind the writes' own metadata updates. (The run holds the
        folder's lock, so no other batch adds files meanwhile.)
        """
        if self._names is None:
            try:
                with os.scandir(self.folder) as entries:
                    self._names = {entry.name for entry in entries}
            except FileNotFoundError:
                self._names = set()
            except OSError as exc:
                raise IOFailure(f"cannot list the output folder: {exc.strerror or exc}",
                                pointer=str(self.folder)) from exc
        return name in self._names

    def write(self, files: Sequence[tuple[str, bytes]]) -> None:
        """Write *files* (each to a temporary name, flushed), rename them, flush the folder."""
        if not files:
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.threads,
                                            thread_name_prefix="edc-issue-write")
        pid = os.getpid()
        jobs = [(os.path.join(self.folder, f".{name}.{pid}.tmp"),
                 os.path.join(self.folder, name), data) for name, data in files]
        try:
            failures = [outcome for outcome in self._pool.map(_write_one, jobs)
                        if outcome is not None]
            if failures:
                raise failures[0]
            for temporary, final, _ in jobs:
                os.replace(temporary, final)
            if self._names is not None:
                self._names.update(name for name, _ in files)
            _fsync_folder(self.folder)
        except OSError as exc:
            for temporary, _, _ in jobs:  # those not renamed yet
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
            name = getattr(exc, "filename", None) or str(self.folder)
            raise IOFailure(f"cannot write: {exc.strerror or exc}", pointer=str(name)) from exc

    def close(self) -> None:
        """Stop the writing threads (a later :meth:`write` starts them again)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None


def _write_one(job: tuple[str, str, bytes]) -> OSError | None:
    temporary, _, data = job
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    except OSError as exc:
        return exc
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except OSError as exc:
        return exc
    finally:
        os.close(fd)
    return None


def _fsync_folder(folder: Path) -> None:
    """Make the renames durable (POSIX); a no-op where folders cannot be opened (Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some filesystems refuse fsync on a folder
        pass
    finally:
        os.close(fd)
