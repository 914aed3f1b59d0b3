"""Where a status list and its allocation record are kept: the :class:`StatusListStore`
protocol (the seam a service implements with its database), and a store in memory and
one on disk.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol, runtime_checkable

from .._io import atomic_write, read_json_object
from .._types import JsonObject
from ..errors import StatusError
from .allocation import AllocationRecord

__all__ = ["FileStatusListStore", "MemoryStatusListStore", "StatusListStore", "source_of"]


@runtime_checkable
class StatusListStore(Protocol):
    """Where one status list and its allocation record are kept (a file, a database, memory).

    Implement this to keep lists in a database or object store; :class:`StatusList`
    only calls these members. ``lock()`` must exclude other writers of the same list
    (other processes too) while it is held.
    """

    def load_credential(self) -> JsonObject:
        """Return the stored status list credential.

        :raises StatusError: ``status.no_list`` if there is none.
        """
        ...

    def save_credential(self, credential: JsonObject) -> None:
        """Store the (signed) status list credential, replacing the old one atomically."""
        ...

    def load_record(self) -> AllocationRecord | None:
        """Return the allocation record, or None if there is none."""
        ...

    def save_record(self, record: AllocationRecord) -> None:
        """Store the allocation record durably (before any credential uses its indexes)."""
        ...

    def lock(self) -> contextlib.AbstractContextManager[None]:
        """Hold exclusive access to the list and its record."""
        ...


class MemoryStatusListStore:
    """A :class:`StatusListStore` in memory, for tests and short-lived programs."""

    def __init__(self, credential: JsonObject | None = None,
                 record: AllocationRecord | None = None) -> None:
        self.credential = credential
        self.record = record
        self._lock = threading.RLock()

    def load_credential(self) -> JsonObject:
        """Return a copy of the stored credential."""
        if self.credential is None:
            raise StatusError("no status list has been created in this store",
                              code="status.no_list")
        return json.loads(json.dumps(self.credential))  # type: ignore[no-any-return]

    def save_credential(self, credential: JsonObject) -> None:
        """Keep a copy of *credential*."""
        self.credential = json.loads(json.dumps(credential))

    def load_record(self) -> AllocationRecord | None:
        """Return a copy of the allocation record."""
        if self.record is None:
            return None
        return AllocationRecord.from_json(self.record.to_json())

    def save_record(self, record: AllocationRecord) -> None:
        """Keep a copy of *record*."""
        self.record = AllocationRecord.from_json(record.to_json())

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold a thread lock."""
        with self._lock:
            yield


class FileStatusListStore:
    """A :class:`StatusListStore` on disk: ``LIST.json`` and ``LIST.allocations.json`` beside it.

    Both files are written atomically; the list is readable by all (0644), as it is
    published. :meth:`lock` takes an advisory lock on ``LIST.json.lock`` (``fcntl.flock``;
    released by the system if the process dies), and removes that file when it is done.

    :param path: the status list credential file.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.record_path = self.path.with_name(f"{self.path.stem}.allocations.json")
        self.lock_path = self.path.with_name(f"{self.path.name}.lock")

    def __repr__(self) -> str:
        return f"FileStatusListStore({str(self.path)!r})"

    def load_credential(self) -> JsonObject:
        """Read the list file.

        :raises ReadError: it is missing or not a JSON object.
        """
        return read_json_object(self.path)

    def save_credential(self, credential: JsonObject) -> None:
        """Write the list file atomically, readable by all (0644: it is published)."""
        atomic_write(self.path, json.dumps(credential, indent=2, ensure_ascii=False) + "\n",
                     mode=0o644)

    def load_record(self) -> AllocationRecord | None:
        """Read the allocation record, or return None if the file does not exist."""
        if not self.record_path.exists():
            return None
        return AllocationRecord.from_json(read_json_object(self.record_path),
                                          source=str(self.record_path))

    def save_record(self, record: AllocationRecord) -> None:
        """Write the allocation record atomically (flushed to disk before returning)."""
        atomic_write(self.record_path, json.dumps(record.to_json(), indent=2) + "\n")

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold an exclusive advisory lock on the list (a no-op where fcntl is missing)."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            yield
            return
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fh = open(self.lock_path, "a")
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            # the holder before us removes the file before it unlocks: if ours is no longer
            # the file at lock_path, another process may already hold that one; try again
            try:
                current = os.stat(self.lock_path)
            except FileNotFoundError:
                current = None
            mine = os.fstat(fh.fileno())
            if current is not None and (current.st_ino, current.st_dev) == (mine.st_ino,
                                                                            mine.st_dev):
                break
            fh.close()
        try:
            yield
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.lock_path)
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
            fh.close()


def source_of(store: StatusListStore) -> str:
    """How to name *store* in messages: its file, or "status list"."""
    path = getattr(store, "path", None)
    return str(path) if path is not None else "status list"
