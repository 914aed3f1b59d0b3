"""Planning a row, in the parent process: its id, its file names, its credential.

A row is recognised by its key (the key column, or all its values). The planner asks the
journal whether an earlier run issued it (then it is ``skipped``) or planned it and
stopped (then it is finished with the same id, files and status index), fills the
template, and picks file names that no other credential uses.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
import uuid
from dataclasses import dataclass

from .._types import Clock, JsonObject
from .journal import Journal
from .outputs import OutputStep, dump_json
from .report import RowResult
from .sinks import Sink
from .sources import Row, RowError
from .template import RenderContext, RowFailure, Template

__all__ = ["DELIVERY_SUFFIX", "Plan", "Planner", "row_key"]

#: The suffix of the file beside a credential that holds its ``deliveryDetails`` (EU upload).
DELIVERY_SUFFIX = ".deliveryDetails.json"

_RESERVED_STEMS = frozenset({"report"})
_UNSAFE_NAME = re.compile(r"[^\w.-]+")


def row_key(row: Row, key_column: str | None) -> bytes:
    """What recognises a row across runs: its key column's value, or else all its values."""
    digest = hashlib.blake2b(digest_size=16)
    if key_column:
        digest.update(b"k\x00" + str(row.values.get(key_column, "")).strip().encode("utf-8"))
    else:
        canonical = json.dumps(row.values, sort_keys=True, ensure_ascii=False, default=str,
                               separators=(",", ":"))
        digest.update(b"r\x00" + canonical.encode("utf-8"))
    return digest.digest()


@dataclass
class Plan:
    """A row ready to issue: its key, id, file names, credential and extra files."""

    row: Row
    key: bytes
    id: str
    stem: str
    files: tuple[str, ...]
    credential: JsonObject
    columns_by_path: dict[str, str]
    #: files written beside the credential as they are (``deliveryDetails``)
    extra: tuple[tuple[str, bytes], ...] = ()
    index: int | None = None
    reuse_index: bool = False


def _safe_stem(text: str) -> str:
    stem = _UNSAFE_NAME.sub("_", unicodedata.normalize("NFC", text)).strip("._-")[:120]
    if stem.lower() in _RESERVED_STEMS:
        stem = f"{stem}-credential"
    return stem


class Planner:
    """Plans rows against the journal and the sink (see the module's docstring)."""

    def __init__(self, template: Template, outputs: OutputStep, sink: Sink,
                 journal: Journal, name_column: str | None, clock: Clock) -> None:
        self.template = template
        self.sink = sink
        self.journal = journal
        self.name_column = name_column
        self.clock = clock
        self.delivery = template.has_delivery_details
        self.suffixes = tuple(outputs.suffixes) + ((DELIVERY_SUFFIX,) if self.delivery else ())
        self.issuer = outputs.issuer_id
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
            self.sink.exists(f"{stem}{suffix}") for suffix in self.suffixes)

    def plan(self, row: Row) -> Plan | RowResult:
        """Plan *row*, or return its result when there is nothing to issue."""
        if row.errors:
            return RowResult(row.number, "failed", errors=row.errors)
        key = row_key(row, self.template.key_column)
        first = self.journal.first_seen(key, row.number)
        if first is not None:
            what = (f"the same {self.template.key_column!r}" if self.template.key_column
                    else "the same values")
            return RowResult(row.number, "failed", errors=(RowError(
                row.number, self.template.key_column, f"duplicate: {what} as row {first}",
                "batch.duplicate_row"),))
        entry = self.journal.get(key)
        if entry is not None and (entry.state == "done" or all(
                self.sink.exists(f) for f in entry.files)):
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
        extra: tuple[tuple[str, bytes], ...] = ()
        if self.delivery:
            extra = ((f"{stem}{DELIVERY_SUFFIX}", dump_json(rendered.delivery_details)),)
        return Plan(row=row, key=key, id=credential_id, stem=stem, files=files,
                    credential=rendered.credential, columns_by_path=rendered.columns_by_path,
                    extra=extra, index=entry.index if entry is not None else None,
                    reuse_index=entry is not None and entry.index is not None)

    def done(self, plan: Plan) -> None:
        """The plan's files are written (or it failed): its stem is free to check again."""
        self.in_flight.discard(plan.stem)
