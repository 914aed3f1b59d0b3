"""The allocation record of a status list: which indexes were ever handed out (a second
bitstring, never cleared), so that no index is given to two credentials.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from .._types import JsonObject
from ..errors import StatusError
from .bitstring import Bitstring

__all__ = ["AllocationRecord"]

_RECORD_VERSION = 1


@dataclass
class AllocationRecord:
    """Which indexes of one status list were ever handed out (a bitstring, never cleared).

    :param list_id: the list's ``id`` (``statusListCredential`` of its entries).
    :param size: how many entries the list has; indexes are below it.
    :param allocated: bit *i* is 1 once index *i* has been given to a credential.
    :param count: how many indexes were handed out.
    """

    list_id: str
    purpose: str
    size: int
    allocated: Bitstring
    count: int = 0

    @classmethod
    def new(cls, list_id: str, purpose: str, size: int) -> AllocationRecord:
        """Return a record in which nothing is allocated."""
        return cls(list_id=list_id, purpose=purpose, size=size, allocated=Bitstring(size))

    def to_json(self) -> JsonObject:
        """Return the record's JSON form (the file beside the list)."""
        return {
            "version": _RECORD_VERSION,
            "statusListCredential": self.list_id,
            "statusPurpose": self.purpose,
            "size": self.size,
            "allocatedCount": self.count,
            # rewritten on every allocation, never published: the fast level (~100x
            # faster than 9 on a sparse random bitstring, a little larger)
            "allocated": self.allocated.encode(compresslevel=1),
        }

    @classmethod
    def from_json(cls, value: Any, *, source: str = "allocation record") -> AllocationRecord:
        """Read the JSON form written by :meth:`to_json`.

        :raises StatusError: ``status.malformed_record``.
        """
        try:
            if not isinstance(value, dict) or value.get("version") != _RECORD_VERSION:
                raise ValueError("unknown version")
            size = int(value["size"])
            bits = Bitstring.decode(str(value["allocated"]))
            if bits.length < size:
                raise ValueError("bitstring shorter than size")
            bits = Bitstring(size, data=bits.to_bytes())
            return cls(list_id=str(value["statusListCredential"]),
                       purpose=str(value["statusPurpose"]), size=size, allocated=bits,
                       count=int(value["allocatedCount"]))
        except (KeyError, TypeError, ValueError, StatusError) as exc:
            raise StatusError(f"the allocation record is damaged ({exc})",
                              code="status.malformed_record", pointer=source,
                              hint="restore it from a backup; never recreate it by hand") from None

    def allocate(self, count: int, rng: random.Random) -> list[int]:
        """Mark *count* free indexes as allocated, picked at random, and return them.

        :raises StatusError: ``status.list_full`` if fewer than *count* are free.
        """
        free = self.size - self.count
        if count > free:
            raise StatusError(
                f"the status list {self.list_id} has {free:,} free entries, {count:,} needed",
                code="status.list_full", hint="create another list (StatusList.create)")
        chosen: list[int] = []
        for _ in range(count):
            index = -1
            for _attempt in range(32):
                candidate = rng.randrange(self.size)
                if not self.allocated[candidate]:
                    index = candidate
                    break
            if index < 0:  # nearly full: scan from a random start
                start = rng.randrange(self.size)
                for offset in range(self.size):
                    candidate = (start + offset) % self.size
                    if not self.allocated[candidate]:
                        index = candidate
                        break
            self.allocated[index] = 1
            self.count += 1
            chosen.append(index)
        return chosen
