"""Rows of a CSV file: any delimiter (``,`` ``;`` tab ``|``, found with
:class:`csv.Sniffer` and the header), UTF-8 with or without a byte-order mark.

The first record is the header. A record with more or fewer values than the header is
an error for that row.
"""

from __future__ import annotations

import codecs
import csv
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from ..._io import open_input
from ...errors import BatchDataError, ReadError
from ._rows import Row, RowError, check_header, formula_errors

__all__ = ["CsvSource"]

_SNIFF_BYTES = 64 * 1024
_CHUNK = 1024 * 1024
_DELIMITERS = ",;\t|"


def _detect_delimiter(sample: str, suffix: str) -> str:
    """The sniffer's choice when the header agrees, else the header's most frequent candidate.

    :class:`csv.Sniffer` looks at whole records, where a value such as ``=cmd|' /C x'!A0``
    can mislead it; the header line rarely holds a delimiter inside a name.
    """
    header = next((line for line in sample.splitlines() if line.strip()), "")
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    try:
        sniffed: str | None = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    if sniffed is not None and counts.get(sniffed, 0) == counts[best] and counts[best] > 0:
        return sniffed
    if counts[best] > 0:
        return best
    return "\t" if suffix == ".tsv" else ","


class CsvSource:
    """Rows of a CSV file (any delimiter; UTF-8, with or without a byte-order mark).

    :param delimiter: force a delimiter instead of detecting it.
    :raises ReadError: the file is unreadable, not UTF-8, or its header is unusable.
    """

    def __init__(self, path: str | os.PathLike[str], *, delimiter: str | None = None) -> None:
        self.path = Path(path)
        self._source = str(self.path)
        sample = self._sample()
        self.delimiter = delimiter or _detect_delimiter(sample, self.path.suffix.lower())
        self._columns: list[str] | None = None
        self._count: int | None = None
        with self._open() as fh:
            reader = csv.reader(fh, delimiter=self.delimiter)
            header = next((r for r in reader if any(c.strip() for c in r)), None)
        if header is None:
            raise BatchDataError("the file has no header row (it is empty)", pointer=self._source,
                                 code="batch.no_header")
        self._columns = check_header(header, self._source)

    def _open(self) -> TextIO:
        return open_input(self.path, text=True, encoding="utf-8-sig", newline="")

    def _sample(self) -> str:
        """Read the start of the file, checking that the whole file is UTF-8 on the way."""
        decoder = codecs.getincrementaldecoder("utf-8-sig")()
        sample = ""
        offset = 0
        with open_input(self.path) as fh:
            while chunk := fh.read(_CHUNK):
                try:
                    text = decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    raise ReadError(
                        f"not UTF-8 text (byte {offset + exc.start}); save the spreadsheet "
                        "as 'CSV UTF-8'", pointer=self._source, code="io.not_utf8") from None
                if len(sample) < _SNIFF_BYTES:
                    sample += text[: _SNIFF_BYTES - len(sample)]
                offset += len(chunk)
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                raise ReadError("not UTF-8 text (the file ends inside a character)",
                                pointer=self._source, code="io.not_utf8") from None
        # cut the sample at the last complete line so the sniffer sees whole records
        if len(sample) >= _SNIFF_BYTES and "\n" in sample:
            sample = sample[: sample.rindex("\n") + 1]
        return sample

    @property
    def columns(self) -> list[str]:
        """The header's column names."""
        assert self._columns is not None
        return list(self._columns)

    def count(self) -> int | None:
        """Return the number of data rows (one streaming pass over the file)."""
        if self._count is None:
            total = 0
            with self._open() as fh:
                reader = csv.reader(fh, delimiter=self.delimiter)
                header_seen = False
                for record in reader:
                    if not any(c.strip() for c in record):
                        continue
                    if not header_seen:
                        header_seen = True
                        continue
                    total += 1
            self._count = total
        return self._count

    def __iter__(self) -> Iterator[Row]:
        columns = self.columns
        width = len(columns)
        with self._open() as fh:
            reader = csv.reader(fh, delimiter=self.delimiter)
            header_seen = False
            while True:
                start = reader.line_num + 1
                try:
                    record = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    yield Row(start, {}, (RowError(start, None, f"not valid CSV: {exc}",
                                                   "batch.bad_csv"),))
                    continue
                if not any(c.strip() for c in record):
                    continue  # blank line
                if not header_seen:
                    header_seen = True
                    continue
                values = [c.strip() for c in record]
                if len(values) > width and not any(values[width:]):
                    values = values[:width]  # trailing delimiters
                if len(values) != width:
                    yield Row(start, dict(zip(columns, values, strict=False)), (RowError(
                        start, None,
                        f"the row has {len(values)} values but the header has {width} columns "
                        "(check for an unquoted delimiter in a value)", "batch.column_count"),))
                    continue
                row_values = dict(zip(columns, values, strict=False))
                yield Row(start, row_values, tuple(formula_errors(start, row_values)))
