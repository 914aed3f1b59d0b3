"""Baked badges: an Open Badge credential embedded in a PNG or SVG image.

See: <https://www.imsglobal.org/spec/ob/v3p0/#baked-badge> (OB 3.0 §5.3)

- **PNG**: one ``iTXt`` chunk with the keyword ``openbadgecredential``, not
  compressed, placed before ``IEND``; its text is the credential's JSON or a
  compact JWS (VC-JWT).
- **SVG**: ``xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"`` on the
  ``<svg>`` tag and, directly after it, one ``<openbadges:credential>`` element
  holding the JSON in ``<![CDATA[...]]>`` or the JWS in a ``verify`` attribute.

Baking an image that already carries a credential replaces it. The text we
bake is the text we unbake, byte for byte (:func:`unbake_text`).

PNG chunks are handled with the standard library only (:mod:`.png`). SVG is parsed
with expat to find offsets, and edited as text, so the rest of the image is left
exactly as it was (:mod:`.svg`). Entity declarations are refused, external DTDs and
entities are never fetched, as defusedxml does.

Every error is a :class:`BakingError` (an :class:`~edc_issue.errors.InputError`)
with one of the codes ``bake.not_png``, ``bake.not_svg``, ``bake.unknown_format``,
``bake.corrupt_png``, ``bake.invalid_svg``, ``bake.unsafe_xml``,
``bake.unsupported_encoding``, ``bake.invalid_credential``, ``bake.no_credential``.
"""

from __future__ import annotations

import json
from typing import Any

from ...errors import BakingError
from ..envelopes import is_compact_jws
from ._common import (
    OB2_SVG_NAMESPACE,
    OB3_SVG_NAMESPACE,
    PNG_KEYWORD,
    PNG_SIGNATURE,
    SPEC_URL,
    ImageKind,
)

__all__ = [
    "OB2_SVG_NAMESPACE",
    "OB3_SVG_NAMESPACE",
    "PNG_KEYWORD",
    "PNG_SIGNATURE",
    "BakingError",
    "ImageKind",
    "bake",
    "detect_image_kind",
    "unbake",
    "unbake_text",
]

def detect_image_kind(image: bytes) -> ImageKind:
    """Return ``"png"`` or ``"svg"`` from the first bytes of *image*.

    :raises BakingError: ``bake.unknown_format`` if it is neither.
    """
    if image.startswith(PNG_SIGNATURE):
        return "png"
    head = image[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") and b"<svg" in image[:65536]:
        return "svg"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec = "utf-16-le" if head.startswith(b"\xff\xfe") else "utf-16-be"
        text = image[2:65538].decode(codec, errors="ignore").lstrip()
        if text.startswith("<") and "<svg" in text:
            return "svg"  # a UTF-16 SVG: the SVG reader explains why it is refused
    raise BakingError(
        "not a PNG or SVG image; only PNG and SVG badges can be baked",
        code="bake.unknown_format",
        spec=SPEC_URL,
    )


def bake(image: bytes, credential: dict[str, Any] | str, *, kind: ImageKind | None = None) -> bytes:
    """Return *image* with *credential* baked in (OB 3.0 §5.3).

    :param image: the bytes of a PNG or SVG image.
    :param credential: a credential as a JSON object (written as indented UTF-8 JSON),
        JSON text (written exactly as given), or a compact JWS (VC-JWT).
    :param kind: ``"png"`` or ``"svg"``; by default taken from the image's first bytes.
    :raises BakingError: the image is not a well-formed PNG/SVG, or the credential is
        neither a JSON object nor a compact JWS.
    """
    text, is_jwt = _credential_text(credential)
    kind = kind or detect_image_kind(image)
    if kind == "png":
        from .png import bake_png

        return bake_png(image, text)
    if kind == "svg":
        from .svg import bake_svg

        return bake_svg(image, text, is_jwt=is_jwt)
    raise BakingError(f'unknown image kind "{kind}"; expected "png" or "svg"',
                      code="bake.unknown_format")


def unbake_text(image: bytes, *, kind: ImageKind | None = None) -> str:
    """Return the credential text baked into *image*, exactly as it was baked.

    For an SVG with the JSON in ``<![CDATA[...]]>``, whitespace outside the CDATA
    section (indentation) is not part of the text.

    :raises BakingError: ``bake.no_credential`` if the image carries no OB 3.0
        credential, or a format code if the image is malformed.
    """
    kind = kind or detect_image_kind(image)
    if kind == "png":
        from .png import unbake_png

        return unbake_png(image)
    if kind == "svg":
        from .svg import unbake_svg

        return unbake_svg(image)
    raise BakingError(f'unknown image kind "{kind}"; expected "png" or "svg"',
                      code="bake.unknown_format")


def unbake(image: bytes, *, kind: ImageKind | None = None) -> dict[str, Any] | str:
    """Return the credential baked into *image*: a JSON object, or a compact JWS string.

    :raises BakingError: ``bake.no_credential`` if there is none,
        ``bake.invalid_credential`` if the baked text is neither a JSON object nor a
        compact JWS, or a format code if the image is malformed.
    """
    text = unbake_text(image, kind=kind)
    stripped = text.strip()
    if is_compact_jws(stripped):
        return stripped
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise BakingError(
            f"the baked text is neither JSON nor a compact JWS (starts {stripped[:40]!r})",
            code="bake.invalid_credential",
        ) from None
    if not isinstance(value, dict):
        raise BakingError(
            "the baked JSON is not an object; expected an OpenBadgeCredential",
            code="bake.invalid_credential",
        )
    return value


# --------------------------------------------------------------------------- credential


def _credential_text(credential: dict[str, Any] | str) -> tuple[str, bool]:
    """Return (text to bake, whether it is a JWS)."""
    if isinstance(credential, dict):
        try:
            return json.dumps(credential, indent=2, ensure_ascii=False), False
        except (TypeError, ValueError) as exc:
            raise BakingError(f"the credential cannot be written as JSON: {exc}",
                              code="bake.invalid_credential") from exc
    if not isinstance(credential, str):
        raise BakingError(
            f"expected a credential as a JSON object or a string, got {type(credential).__name__}",
            code="bake.invalid_credential",
        )
    stripped = credential.strip()
    if is_compact_jws(stripped):
        return stripped, True
    try:
        value = json.loads(credential)
    except (ValueError, RecursionError):
        raise BakingError(
            "the credential text is neither JSON nor a compact JWS (header.payload.signature)",
            code="bake.invalid_credential",
        ) from None
    if not isinstance(value, dict):
        raise BakingError("the credential JSON is not an object",
                          code="bake.invalid_credential")
    return credential, False
