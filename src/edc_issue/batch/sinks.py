"""Where a batch's credential files go: a :class:`Sink`.

The runner writes each chunk's files through the sink (never the workers), then records
them as done in the journal. :class:`FolderSink` writes into a folder; a service can
write to a database or object storage by implementing the two methods.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
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

    Each file is written to a temporary name and renamed into place; the chunk's files are
    flushed to disk together (one ``fsync`` per file after all are written, then one for
    the folder), which costs far less than flushing each file before writing the next.
    """

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def __repr__(self) -> str:
        return f"FolderSink({str(self.folder)!r})"

    def exists(self, name: str) -> bool:
        """True if *name* exists in the folder."""
        return os.path.exists(os.path.join(self.folder, name))

    def write(self, files: Sequence[tuple[str, bytes]]) -> None:
        """Write *files* (temporary names, then one flush, then renames)."""
        if not files:
            return
        pending: list[tuple[int, str, str]] = []
        pid = os.getpid()
        try:
            try:
                for name, data in files:
                    final = os.path.join(self.folder, name)
                    temporary = os.path.join(self.folder, f".{name}.{pid}.tmp")
                    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                    pending.append((fd, temporary, final))
                    view = memoryview(data)
                    while view:
                        view = view[os.write(fd, view):]
                for fd, _, _ in pending:
                    os.fsync(fd)
            finally:
                for fd, _, _ in pending:
                    with contextlib.suppress(OSError):
                        os.close(fd)
            for _, temporary, final in pending:
                os.replace(temporary, final)
            _fsync_folder(self.folder)
        except OSError as exc:
            for _, temporary, _ in pending:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
            name = getattr(exc, "filename", None) or str(self.folder)
            raise IOFailure(f"cannot write: {exc.strerror or exc}", pointer=str(name)) from exc


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
