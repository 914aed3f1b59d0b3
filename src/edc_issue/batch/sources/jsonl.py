"""Rows of a JSON Lines file: one JSON object per line; its keys are the columns."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from ..._io import MAX_JSON_DEPTH, check_depth, open_input
from ...errors import BatchDataError, ReadError
from ._rows import Row, RowError, formula_errors

__all__ = ["JsonlSource"]

class JsonlSource:
    """Rows of a JSON Lines file: one JSON object per line; its keys are the columns.

    The columns are the keys of the first object.

    :raises ReadError: the file is unreadable or holds no object.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._source = str(self.path)
        self._columns: list[str] | None = None
        for row in self._rows():
            if not row.errors:
                self._columns = list(row.values)
                break
        if self._columns is None:
            raise BatchDataError("no JSON object found; expected one object per line",
                                 pointer=self._source, code="batch.no_header")
        self._count: int | None = None

    def _open(self) -> TextIO:
        return open_input(self.path, text=True, encoding="utf-8-sig")

    @property
    def columns(self) -> list[str]:
        """The keys of the first object."""
        assert self._columns is not None
        return list(self._columns)

    def count(self) -> int | None:
        """Return the number of non-blank lines."""
        if self._count is None:
            with self._open() as fh:
                self._count = sum(1 for line in fh if line.strip())
        return self._count

    def _rows(self) -> Iterator[Row]:
        with self._open() as fh:
            try:
                for number, line in enumerate(fh, start=1):
                    if not line.strip():
                        continue
                    try:
                        value = json.loads(line)
                        check_depth(value)
                    except ValueError as exc:
                        msg = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
                        yield Row(number, {}, (RowError(number, None,
                                                        f"not valid JSON: {msg}",
                                                        "batch.bad_json"),))
                        continue
                    except (RecursionError, ReadError):
                        yield Row(number, {}, (RowError(
                            number, None, f"JSON nested deeper than {MAX_JSON_DEPTH} levels",
                            "io.too_deep"),))
                        continue
                    if not isinstance(value, dict):
                        yield Row(number, {}, (RowError(number, None,
                                                        "expected a JSON object on the line",
                                                        "batch.bad_json"),))
                        continue
                    yield Row(number, value, tuple(formula_errors(number, value)))
            except UnicodeDecodeError:
                raise ReadError("not UTF-8 text", pointer=self._source,
                                code="io.not_utf8") from None

    def __iter__(self) -> Iterator[Row]:
        return self._rows()
