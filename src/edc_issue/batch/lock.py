"""One batch at a time per output folder: an exclusive lock on ``.edc-issue.lock``.

Two runs into the same folder would plan the same learners against the same journal and
both issue them. The runner takes this lock before it reads the journal and holds it to
the end; a second run is refused at once (``batch.output_locked``, naming the folder and
the process that holds it). The operating system releases the lock when the process
ends, however it ends (SIGKILL, a crash), so a stale lock never blocks a later run.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from types import TracebackType

from ..errors import BatchInputError, IOFailure

__all__ = ["LOCK_NAME", "FolderLock"]

#: The lock file in the output folder.
LOCK_NAME = ".edc-issue.lock"


class FolderLock:
    """An exclusive, non-blocking lock on *folder* (a context manager).

    :raises BatchInputError: ``batch.output_locked`` when another run holds it.
    :raises IOFailure: the lock file cannot be created.
    """

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self.path = self.folder / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise at once if another run holds it."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise IOFailure(f"cannot create the lock file: {exc.strerror or exc}",
                            pointer=str(self.path)) from exc
        try:
            _lock(fd)
        except OSError:
            holder = _read_holder(fd)
            os.close(fd)
            who = f" (process {holder})" if holder else ""
            raise BatchInputError(
                f"another edc-issue run{who} is writing to this folder; wait for it to end, "
                "or give another output folder", code="batch.output_locked",
                pointer=str(self.folder)) from None
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        """Let the lock go (the file stays: removing it would race with a new run)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            with contextlib.suppress(OSError):
                _unlock(self._fd)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> FolderLock:
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()


def _read_holder(fd: int) -> str:
    with contextlib.suppress(OSError, UnicodeDecodeError):
        text = os.pread(fd, 32, 0).decode("ascii").strip() if hasattr(os, "pread") else ""
        if text.isdigit():
            return text
    return ""


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
