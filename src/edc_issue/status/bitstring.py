"""The status bitstring of W3C Bitstring Status List v1.0: encode, decode, read and set bits.

See: <https://www.w3.org/TR/vc-bitstring-status-list/#bitstring-encoding>

- The bitstring is at least 131,072 entries (16 KiB) so that one credential hides
  among many (herd privacy).
- ``encodedList`` is the GZIP-compressed bitstring, base64url-encoded without
  padding, with the multibase prefix ``u``.
- Bit order: index 0 is the left-most (most significant) bit of the first byte.
- An entry is ``statusSize`` bits wide (1 by default); entry *i* starts at bit
  ``i * statusSize``.

Decoding refuses compressed data that would expand past :data:`MAX_DECODED_BYTES`
(a "zip bomb" in a status list fetched from elsewhere).
"""

from __future__ import annotations

import base64
import binascii
import gzip
import io
import zlib

from ..errors import StatusError

__all__ = [
    "MAX_DECODED_BYTES",
    "MIN_BITSTRING_LENGTH",
    "Bitstring",
    "decode_bitstring",
    "encode_bitstring",
]

#: The smallest bitstring the specification allows, in bits (16 KiB).
MIN_BITSTRING_LENGTH = 131_072

#: The largest decompressed bitstring we accept when decoding (16 MiB, 134 million entries).
MAX_DECODED_BYTES = 16 * 1024 * 1024

_SPEC = "https://www.w3.org/TR/vc-bitstring-status-list/#bitstring-encoding"


def encode_bitstring(data: bytes, *, compresslevel: int = 9) -> str:
    """Return the ``encodedList`` form of raw bitstring bytes: ``u`` + base64url(GZIP(data)).

    The GZIP header carries no timestamp, so equal bitstrings encode to equal text.
    *compresslevel* 9 (the default) makes the smallest text, for lists that are published;
    on a sparse random bitstring it costs ~5 ms against ~0.05 ms at 1, which is what
    records rewritten on every allocation use (:class:`~edc_issue.status.AllocationRecord`).
    Any level decodes the same way.
    """
    compressed = gzip.compress(bytes(data), compresslevel=compresslevel, mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")


def decode_bitstring(encoded: str, *, max_bytes: int = MAX_DECODED_BYTES) -> bytes:
    """Return the raw bitstring bytes of an ``encodedList`` value.

    The multibase prefix ``u`` is expected; a value without it (StatusList2021's
    plain base64url) is accepted too. Padding is optional.

    :raises StatusError: ``status.malformed_list`` if the value is not base64url
        GZIP data, or ``status.list_too_large`` if it expands past *max_bytes*.
    """
    if not isinstance(encoded, str) or not encoded:
        raise StatusError("encodedList must be a non-empty string", code="status.malformed_list",
                          pointer="credentialSubject.encodedList", spec=_SPEC)
    # Base64 of a GZIP header begins "H4sI", so a leading "u" is always the multibase prefix.
    text = (encoded[1:] if encoded.startswith("u") else encoded).strip()
    try:
        compressed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise StatusError("encodedList is not base64url text", code="status.malformed_list",
                          pointer="credentialSubject.encodedList", spec=_SPEC) from None
    return _gunzip(compressed, max_bytes=max_bytes)


def _gunzip(compressed: bytes, *, max_bytes: int) -> bytes:
    # wbits=31: a GZIP container. Decompress in bounded steps so a bomb is stopped early.
    decompressor = zlib.decompressobj(wbits=31)
    out = io.BytesIO()
    data = compressed
    try:
        while data:
            chunk = decompressor.decompress(data, max_bytes + 1 - out.tell())
            out.write(chunk)
            if out.tell() > max_bytes:
                raise StatusError(
                    f"encodedList expands to more than {max_bytes:,} bytes",
                    code="status.list_too_large",
                    pointer="credentialSubject.encodedList",
                )
            data = decompressor.unconsumed_tail
            if decompressor.eof:
                break
        if not decompressor.eof:
            raise StatusError("encodedList is truncated GZIP data", code="status.malformed_list",
                              pointer="credentialSubject.encodedList", spec=_SPEC)
    except zlib.error as exc:
        raise StatusError(f"encodedList is not GZIP data ({exc})", code="status.malformed_list",
                          pointer="credentialSubject.encodedList", spec=_SPEC) from None
    return out.getvalue()


class Bitstring:
    """A status bitstring: ``length`` entries of ``status_size`` bits each.

    ::

        bits = Bitstring(131_072)
        bits[23] = 1
        encoded = bits.encode()                 # "uH4sI..."
        assert Bitstring.decode(encoded)[23] == 1

    :param length: number of entries (not bits).
    :param status_size: bits per entry (1 to 8).
    :param data: the raw bytes to start from (their length must fit *length*).
    """

    __slots__ = ("_data", "length", "status_size")

    def __init__(self, length: int = MIN_BITSTRING_LENGTH, *, status_size: int = 1,
                 data: bytes | bytearray | None = None) -> None:
        if not 1 <= status_size <= 8:
            raise StatusError(f"statusSize must be between 1 and 8, found {status_size}",
                              code="status.malformed_list", pointer="statusSize")
        if length < 1:
            raise StatusError(f"a status list needs at least one entry, found {length}",
                              code="status.malformed_list")
        nbytes = (length * status_size + 7) // 8
        if data is None:
            self._data = bytearray(nbytes)
        else:
            if len(data) < nbytes:
                raise StatusError(
                    f"bitstring holds {len(data) * 8} bits, fewer than {length} entries "
                    f"of {status_size} bit(s)",
                    code="status.malformed_list",
                )
            self._data = bytearray(data)
        self.length = length
        self.status_size = status_size

    @classmethod
    def decode(cls, encoded: str, *, status_size: int = 1,
               max_bytes: int = MAX_DECODED_BYTES) -> Bitstring:
        """Read an ``encodedList`` value; the length is all the entries the bytes hold.

        :raises StatusError: see :func:`decode_bitstring`.
        """
        data = decode_bitstring(encoded, max_bytes=max_bytes)
        if not data:
            raise StatusError("encodedList holds an empty bitstring",
                              code="status.malformed_list",
                              pointer="credentialSubject.encodedList", spec=_SPEC)
        return cls(len(data) * 8 // status_size, status_size=status_size, data=data)

    def encode(self, *, compresslevel: int = 9) -> str:
        """Return the ``encodedList`` text of this bitstring (see :func:`encode_bitstring`
        for *compresslevel*)."""
        return encode_bitstring(bytes(self._data), compresslevel=compresslevel)

    def to_bytes(self) -> bytes:
        """Return the raw (uncompressed) bytes."""
        return bytes(self._data)

    @property
    def bit_length(self) -> int:
        """The number of bits held (a multiple of 8)."""
        return len(self._data) * 8

    def __len__(self) -> int:
        return self.length

    def _check(self, index: int) -> None:
        if isinstance(index, bool) or not isinstance(index, int):
            raise StatusError(f"a status index must be an integer, found {index!r}",
                              code="status.bad_index")
        if not 0 <= index < self.length:
            raise StatusError(
                f"index {index} is outside the list (0 to {self.length - 1})",
                code="status.index_out_of_range",
                spec="https://www.w3.org/TR/vc-bitstring-status-list/#validate-algorithm",
            )

    def __getitem__(self, index: int) -> int:
        self._check(index)
        value = 0
        start = index * self.status_size
        for bit in range(start, start + self.status_size):
            value = (value << 1) | ((self._data[bit >> 3] >> (7 - (bit & 7))) & 1)
        return value

    def __setitem__(self, index: int, value: int) -> None:
        self._check(index)
        if not 0 <= value < (1 << self.status_size):
            raise StatusError(
                f"status value {value} does not fit in {self.status_size} bit(s)",
                code="status.bad_value",
            )
        start = index * self.status_size
        for offset in range(self.status_size):
            bit = start + offset
            mask = 1 << (7 - (bit & 7))
            if (value >> (self.status_size - 1 - offset)) & 1:
                self._data[bit >> 3] |= mask
            else:
                self._data[bit >> 3] &= ~mask & 0xFF

    def set_indexes(self) -> list[int]:
        """Return every index whose status is not zero, in increasing order."""
        found: list[int] = []
        if self.status_size == 1:
            for byte_index, byte in enumerate(self._data):
                if byte:
                    for bit in range(8):
                        if byte >> (7 - bit) & 1:
                            index = byte_index * 8 + bit
                            if index < self.length:
                                found.append(index)
            return found
        return [i for i in range(self.length) if self[i]]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Bitstring):
            return NotImplemented
        return (self.length, self.status_size, self._data) == (
            other.length, other.status_size, other._data)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (f"Bitstring(length={self.length}, status_size={self.status_size}, "
                f"set={len(self.set_indexes())})")
