"""Reading input files safely and writing output atomically."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from .errors import IOFailure, ReadError

__all__ = ["DEFAULT_MAX_BYTES", "atomic_write", "parse_json_text", "read_json_object"]

#: Largest input file read by default (credentials are kilobytes; a batch row far less).
DEFAULT_MAX_BYTES = 16 * 1024 * 1024


def read_bytes(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Read *path*, refusing files larger than *max_bytes*.

    :raises ReadError: ``io.unreadable`` (missing, a folder, no permission) or
        ``io.too_large``.
    """
    p = Path(path)
    try:
        size = p.stat().st_size
        if p.is_dir():
            raise ReadError("is a folder, not a file", pointer=str(p), code="io.unreadable")
        if size > max_bytes:
            raise ReadError(
                f"file is {size:,} bytes, larger than the limit of {max_bytes:,}",
                pointer=str(p),
                code="io.too_large",
            )
        with p.open("rb") as fh:
            return fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise ReadError("no such file", pointer=str(p), code="io.unreadable") from None
    except PermissionError:
        raise ReadError("permission denied", pointer=str(p), code="io.unreadable") from None
    except IsADirectoryError:
        raise ReadError("is a folder, not a file", pointer=str(p), code="io.unreadable") from None
    except OSError as exc:
        raise ReadError(
            f"cannot read: {exc.strerror}", pointer=str(p), code="io.unreadable"
        ) from exc


def parse_json_text(data: bytes | str, *, source: str = "<input>") -> Any:
    """Parse JSON text, turning every failure into one clear :class:`ReadError`.

    A UTF-8 byte-order mark is accepted. Binary garbage, empty input and nesting
    too deep for the parser are reported, never raised as a traceback.
    """
    if isinstance(data, bytes):
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ReadError(
                f"not UTF-8 text (byte {exc.start}); expected a JSON document",
                pointer=source,
                code="io.not_json",
            ) from None
    else:
        text = data
    if not text.strip():
        raise ReadError("empty file; expected a JSON document", pointer=source, code="io.not_json")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReadError(
            f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
            pointer=source,
            code="io.not_json",
        ) from None
    except RecursionError:
        raise ReadError(
            "JSON nested too deeply to process", pointer=source, code="io.not_json"
        ) from None


def read_json_object(
    path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES
) -> dict[str, Any]:
    """Read a file that must hold one JSON object.

    :raises ReadError: the file is missing, too large, not JSON or not an object.
    """
    value = parse_json_text(read_bytes(path, max_bytes=max_bytes), source=str(path))
    if not isinstance(value, dict):
        raise ReadError(
            f"expected a JSON object, found a JSON {_json_kind(value)}",
            pointer=str(path),
            code="io.not_object",
        )
    return value


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


def atomic_write(path: str | os.PathLike[str], data: bytes | str) -> None:
    """Write *data* to *path* atomically: a reader sees the old file or the new, never half.

    The data goes to a temporary file in the same folder, is flushed to disk and
    then renamed over *path*.

    :raises IOFailure: ``io.write_failed``.
    """
    import tempfile  # loaded when something is written, not at start-up

    p = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(raw)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, p)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as exc:
        raise IOFailure(f"cannot write: {exc.strerror or exc}", pointer=str(p)) from exc

