"""The status bitstring: bit order, GZIP + multibase encoding, limits."""

from __future__ import annotations

import base64
import gzip

import pytest

from edc_issue.errors import StatusError
from edc_issue.status import (
    MIN_BITSTRING_LENGTH,
    Bitstring,
    decode_bitstring,
    encode_bitstring,
)


def test_index_zero_is_the_leftmost_bit_of_the_first_byte() -> None:
    bits = Bitstring(MIN_BITSTRING_LENGTH)
    bits[0] = 1
    assert bits.to_bytes()[0] == 0b1000_0000
    bits[7] = 1
    assert bits.to_bytes()[0] == 0b1000_0001
    bits[8] = 1
    assert bits.to_bytes()[1] == 0b1000_0000
    assert bits.set_indexes() == [0, 7, 8]


def test_encoding_is_gzip_base64url_with_the_multibase_u_prefix() -> None:
    bits = Bitstring()
    bits[23] = 1
    encoded = bits.encode()
    assert encoded.startswith("uH4sI") and "=" not in encoded and "+" not in encoded
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(raw) == MIN_BITSTRING_LENGTH // 8
    assert raw[2] == 0b0000_0001  # bit 23 is the last bit of byte 2
    assert Bitstring.decode(encoded) == bits


def test_encoding_is_deterministic() -> None:
    assert Bitstring().encode() == Bitstring().encode()


def test_round_trip_of_many_bits() -> None:
    bits = Bitstring(200_000)
    wanted = [0, 1, 99, 131_071, 131_072, 199_999]
    for i in wanted:
        bits[i] = 1
    decoded = Bitstring.decode(bits.encode())
    assert decoded.set_indexes() == wanted
    bits[99] = 0
    assert Bitstring.decode(bits.encode())[99] == 0


def test_multi_bit_statuses() -> None:
    bits = Bitstring(16, status_size=2)
    bits[0] = 0b10
    bits[1] = 0b01
    assert bits.to_bytes()[0] == 0b1001_0000
    assert bits[0] == 2 and bits[1] == 1
    with pytest.raises(StatusError) as info:
        bits[2] = 4
    assert info.value.code == "status.bad_value"


def test_plain_base64url_without_prefix_is_read() -> None:
    raw = bytes(16384)
    plain = base64.urlsafe_b64encode(gzip.compress(raw)).decode().rstrip("=")
    assert decode_bitstring(plain) == raw


@pytest.mark.parametrize("bad", ["", "u!!!!", "uAAAA", "u" + base64.urlsafe_b64encode(
    gzip.compress(bytes(100))[:-8]).decode()])
def test_malformed_lists_are_errors(bad: str) -> None:
    with pytest.raises(StatusError) as info:
        decode_bitstring(bad)
    assert info.value.code == "status.malformed_list"


def test_a_zip_bomb_is_refused() -> None:
    bomb = encode_bitstring(bytes(64 * 1024 * 1024))
    with pytest.raises(StatusError) as info:
        decode_bitstring(bomb)
    assert info.value.code == "status.list_too_large"


def test_indexes_outside_the_list_are_errors() -> None:
    bits = Bitstring(MIN_BITSTRING_LENGTH)
    for index in (-1, MIN_BITSTRING_LENGTH):
        with pytest.raises(StatusError) as info:
            bits[index]
        assert info.value.code == "status.index_out_of_range"
    with pytest.raises(StatusError):
        bits[True] = 1  # type: ignore[index]
