"""Base58btc, the Bitcoin alphabet (draft-msporny-base58), and multibase ``z`` strings.

See: <https://datatracker.ietf.org/doc/html/draft-msporny-base58-03>
"""

from __future__ import annotations

from ..errors import KeyMaterialError

__all__ = ["ALPHABET", "b58decode", "b58encode", "multibase_decode", "multibase_encode"]

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(ALPHABET)}


def b58encode(data: bytes) -> str:
    """Encode *data* in base58btc (leading zero bytes become ``1``)."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    out: list[str] = []
    while number:
        number, rem = divmod(number, 58)
        out.append(ALPHABET[rem])
    return "1" * zeros + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    """Decode base58btc *text*.

    :raises KeyMaterialError: ``key.malformed`` on a character outside the alphabet.
    """
    number = 0
    for position, char in enumerate(text):
        value = _INDEX.get(char)
        if value is None:
            raise KeyMaterialError(
                f"invalid base58btc character {char!r} at position {position}",
                code="key.malformed",
            )
        number = number * 58 + value
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def multibase_encode(data: bytes) -> str:
    """Return the multibase base58btc form of *data* (``z`` + base58btc)."""
    return "z" + b58encode(data)


def multibase_decode(text: str) -> bytes:
    """Decode a multibase base58btc string (it must start with ``z``).

    :raises KeyMaterialError: ``key.malformed`` if *text* is not a string, is
        empty, uses another multibase prefix, or is not base58btc.
    """
    if not isinstance(text, str) or len(text) < 2:
        raise KeyMaterialError(
            "expected a multibase base58btc string starting with 'z'", code="key.malformed"
        )
    if text[0] != "z":
        raise KeyMaterialError(
            f"multibase prefix {text[0]!r} is not supported; expected 'z' (base58btc)",
            code="key.malformed",
        )
    return b58decode(text[1:])
