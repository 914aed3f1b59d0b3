"""Reading input files safely and writing output atomically."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any, BinaryIO, Literal, TextIO, overload

from .errors import IOFailure, ReadError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "MAX_JSON_DEPTH",
    "atomic_write",
    "check_depth",
    "copy_json",
    "json_depth",
    "open_input",
    "parse_json_text",
    "read_json_object",
]

#: Largest input file read by default (credentials are kilobytes; a batch row far less).
DEFAULT_MAX_BYTES = 16 * 1024 * 1024

#: Deepest JSON nesting accepted anywhere (real credentials stay below 30 levels). The one
#: limit: the reader enforces it for files, and every API entry for the dicts it is given,
#: so nothing deeper reaches ``copy.deepcopy``, pyld or pySHACL (which recurse).
MAX_JSON_DEPTH = 256


_CONTAINERS = (dict, list, tuple)


def json_depth(value: Any) -> int:
    """Return the nesting depth of a parsed JSON value, iteratively (no recursion).

    Level by level, keeping only the containers of each: a sealed EDC's document (100 kB)
    is walked in 0.15 ms instead of 0.3 (a page of it is checked several times).
    """
    depth = 0
    level = [value] if isinstance(value, _CONTAINERS) else []
    while level:
        depth += 1
        inner: list[Any] = []
        for item in level:
            children = item.values() if isinstance(item, dict) else item
            inner += [child for child in children if isinstance(child, _CONTAINERS)]
        level = inner
    return depth


def copy_json(value: Any) -> Any:
    """A deep copy of a parsed JSON value: new dicts, lists and tuples, the same
    (immutable) strings, numbers, booleans and None; any other object is shared, not
    copied. Several times faster than ``copy.deepcopy``, which keeps a memo for shared and
    cyclic objects that JSON cannot have. Call it on values whose depth is checked
    (:func:`check_depth`): it recurses.
    """
    if isinstance(value, dict):
        return {k: copy_json(v) if isinstance(v, _CONTAINERS) else v
                for k, v in value.items()}
    if isinstance(value, list):
        return [copy_json(v) if isinstance(v, _CONTAINERS) else v for v in value]
    if isinstance(value, tuple):
        return tuple(copy_json(v) if isinstance(v, _CONTAINERS) else v for v in value)
    return value


def _too_deep(source: str, depth: int | None = None) -> ReadError:
    found = f"JSON nested {depth} levels deep" if depth else "JSON nested too deeply"
    return ReadError(f"{found}; at most {MAX_JSON_DEPTH} levels are accepted",
                     pointer=source, code="io.too_deep")


def check_depth(value: Any, *, source: str | None = None) -> None:
    """Refuse *value* when it nests deeper than :data:`MAX_JSON_DEPTH`.

    :raises ReadError: ``io.too_deep``, naming *source* (a file or a parameter).
    """
    depth = json_depth(value)
    if depth > MAX_JSON_DEPTH:
        raise _too_deep(source or "<input>", depth)


def _read_error(exc: OSError, path: str) -> ReadError:
    """The one message for a file that cannot be opened or read."""
    if isinstance(exc, FileNotFoundError):
        return ReadError("no such file", pointer=path, code="io.unreadable")
    if isinstance(exc, PermissionError):
        return ReadError("permission denied", pointer=path, code="io.unreadable")
    if isinstance(exc, IsADirectoryError):
        return ReadError("is a folder, not a file", pointer=path, code="io.unreadable")
    return ReadError(f"cannot read: {exc.strerror or exc}", pointer=path, code="io.unreadable")


@overload
def open_input(path: str | os.PathLike[str], *, text: Literal[False] = ...) -> BinaryIO: ...


@overload
def open_input(
    path: str | os.PathLike[str], *, text: Literal[True], encoding: str = ...,
    newline: str | None = ...,
) -> TextIO: ...


def open_input(
    path: str | os.PathLike[str], *, text: bool = False, encoding: str = "utf-8",
    newline: str | None = None,
) -> BinaryIO | TextIO:
    """Open an input file for reading (binary, or text with *encoding* and *newline*).

    :raises ReadError: ``io.unreadable``: missing, a folder, no permission, or any other
        reason the system gives.
    """
    p = os.fspath(path)
    try:
        if os.path.isdir(p):
            raise IsADirectoryError(21, "Is a directory", p)
        if text:
            return open(p, encoding=encoding, newline=newline)
        return open(p, "rb")
    except OSError as exc:
        raise _read_error(exc, p) from None


def read_bytes(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Read *path*, refusing files larger than *max_bytes*.

    :raises ReadError: ``io.unreadable`` (missing, a folder, no permission) or
        ``io.too_large``.
    """
    p = Path(path)
    with open_input(p) as fh:
        try:
            size = os.fstat(fh.fileno()).st_size
            if size > max_bytes:
                raise ReadError(
                    f"file is {size:,} bytes, larger than the limit of {max_bytes:,}",
                    pointer=str(p),
                    code="io.too_large",
                )
            return fh.read(max_bytes + 1)
        except OSError as exc:
            raise _read_error(exc, str(p)) from exc


def parse_json_text(data: bytes | str, *, source: str = "<input>") -> Any:
    """Parse JSON text, turning every failure into one clear :class:`ReadError`.

    A UTF-8 byte-order mark is accepted. Binary garbage and empty input are
    ``io.not_json``; nesting deeper than :data:`MAX_JSON_DEPTH` is ``io.too_deep``;
    never a traceback.
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
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReadError(
            f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
            pointer=source,
            code="io.not_json",
        ) from None
    except RecursionError:
        raise _too_deep(source) from None
    check_depth(value, source=source)
    return value


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


def atomic_write(path: str | os.PathLike[str], data: bytes | str, *,
                 mode: int | None = None) -> None:
    """Write *data* to *path* atomically: a reader sees the old file or the new, never half.

    The data goes to a temporary file in the same folder, is flushed to disk and
    then renamed over *path*.

    :param mode: the new file's permissions (default: the temporary file's, 0600, right
        for keys); a file meant to be published passes ``0o644``.

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
                if mode is not None:
                    os.fchmod(fh.fileno(), mode)
                os.fsync(fh.fileno())
            os.replace(tmp, p)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as exc:
        raise IOFailure(f"cannot write: {exc.strerror or exc}", pointer=str(p)) from exc

