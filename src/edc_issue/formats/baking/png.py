"""Baked PNG badges: one uncompressed ``iTXt`` chunk with the keyword
``openbadgecredential`` before ``IEND`` (OB 3.0 §5.3.1), read and written with the
standard library only (``struct``, ``zlib.crc32``), every CRC checked.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from ...errors import BakingError
from ._common import _MAX_TEXT, _OB2_PNG_KEYWORD, PNG_KEYWORD, PNG_SIGNATURE, SPEC_URL

__all__ = ["bake_png", "unbake_png"]



@dataclass(frozen=True)
class _Chunk:
    type: bytes
    data: bytes
    start: int  # offset of the length field
    end: int  # offset after the CRC


def _png_chunks(image: bytes) -> Iterator[_Chunk]:
    """Yield the chunks of a PNG up to and including IEND, checking lengths and CRCs."""
    if not image.startswith(PNG_SIGNATURE):
        raise BakingError("not a PNG image (bad signature)", code="bake.not_png")
    pos = len(PNG_SIGNATURE)
    first = True
    while True:
        if pos + 8 > len(image):
            raise BakingError(f"PNG is truncated at byte {pos}: no IEND chunk",
                              code="bake.corrupt_png")
        length, ctype = struct.unpack(">I4s", image[pos:pos + 8])
        if length > 0x7FFFFFFF or pos + 12 + length > len(image):
            raise BakingError(f"PNG chunk at byte {pos} runs past the end of the file",
                              code="bake.corrupt_png")
        if not re.fullmatch(rb"[A-Za-z]{4}", ctype):
            raise BakingError(f"PNG chunk at byte {pos} has an invalid type {ctype!r}",
                              code="bake.corrupt_png")
        data = image[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", image[pos + 8 + length:pos + 12 + length])
        if zlib.crc32(ctype + data) != crc:
            raise BakingError(
                f"PNG chunk {ctype.decode('ascii')} at byte {pos} has a wrong CRC",
                code="bake.corrupt_png",
            )
        if first and ctype != b"IHDR":
            raise BakingError("PNG does not start with an IHDR chunk", code="bake.corrupt_png")
        first = False
        chunk = _Chunk(ctype, data, pos, pos + 12 + length)
        yield chunk
        pos = chunk.end
        if ctype == b"IEND":
            return


def _chunk_bytes(ctype: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(ctype + data))


def _itxt_keyword(data: bytes) -> str | None:
    end = data.find(b"\x00", 0, 80)
    if end <= 0:
        return None
    return data[:end].decode("latin-1")


def _itxt_text(data: bytes) -> str:
    """Decode the text of an iTXt chunk (compressed text is accepted when reading)."""
    try:
        keyword_end = data.index(b"\x00")
        compressed, method = data[keyword_end + 1], data[keyword_end + 2]
        lang_end = data.index(b"\x00", keyword_end + 3)
        tkey_end = data.index(b"\x00", lang_end + 1)
    except (ValueError, IndexError):
        raise BakingError("the openbadgecredential iTXt chunk is malformed",
                          code="bake.corrupt_png") from None
    raw = data[tkey_end + 1:]
    if compressed:
        if method != 0:
            raise BakingError(f"the iTXt chunk uses unknown compression method {method}",
                              code="bake.corrupt_png")
        try:
            inflater = zlib.decompressobj()
            raw = inflater.decompress(raw, _MAX_TEXT + 1)
        except zlib.error as exc:
            raise BakingError(f"the compressed iTXt text is corrupt: {exc}",
                              code="bake.corrupt_png") from None
        if len(raw) > _MAX_TEXT:
            raise BakingError("the compressed iTXt text is too large", code="bake.corrupt_png")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BakingError("the iTXt text is not UTF-8", code="bake.corrupt_png") from None


def bake_png(image: bytes, text: str) -> bytes:
    if not image.startswith(PNG_SIGNATURE):
        raise BakingError("not a PNG image (bad signature)", code="bake.not_png")
    kept: list[bytes] = [PNG_SIGNATURE]
    end = 0
    for chunk in _png_chunks(image):
        end = chunk.end
        if chunk.type == b"iTXt" and _itxt_keyword(chunk.data) == PNG_KEYWORD:
            continue  # replaced below
        if chunk.type == b"IEND":
            # keyword, NUL, compression flag 0, method 0, empty language tag and
            # translated keyword (each NUL-terminated), then the UTF-8 text
            payload = PNG_KEYWORD.encode("latin-1") + b"\x00\x00\x00\x00\x00" + text.encode()
            kept.append(_chunk_bytes(b"iTXt", payload))
        kept.append(image[chunk.start:chunk.end])
    kept.append(image[end:])  # anything after IEND is left alone
    return b"".join(kept)


def unbake_png(image: bytes) -> str:
    saw_ob2 = False
    for chunk in _png_chunks(image):
        if chunk.type != b"iTXt":
            if chunk.type == b"tEXt" and _itxt_keyword(chunk.data) == _OB2_PNG_KEYWORD:
                saw_ob2 = True
            continue
        keyword = _itxt_keyword(chunk.data)
        if keyword == PNG_KEYWORD:
            return _itxt_text(chunk.data)
        if keyword == _OB2_PNG_KEYWORD:
            saw_ob2 = True
    raise BakingError(
        "the PNG has no iTXt chunk with the keyword openbadgecredential",
        code="bake.no_credential",
        hint="it holds an Open Badges 2.0 'openbadges' chunk instead" if saw_ob2 else None,
        spec=SPEC_URL,
    )
