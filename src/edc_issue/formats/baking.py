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

PNG chunks are handled with the standard library only (``struct``,
``zlib.crc32``). SVG is parsed with expat to find offsets, and edited as text,
so the rest of the image is left exactly as it was. Entity declarations are
refused, external DTDs and entities are never fetched, as defusedxml does.

Every error is a :class:`BakingError` (an :class:`~edc_issue.errors.InputError`)
with one of the codes ``bake.not_png``, ``bake.not_svg``, ``bake.unknown_format``,
``bake.corrupt_png``, ``bake.invalid_svg``, ``bake.unsafe_xml``,
``bake.unsupported_encoding``, ``bake.invalid_credential``, ``bake.no_credential``.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal
from xml.parsers import expat

from ..errors import BakingError
from .envelopes import is_compact_jws

__all__ = [
    "OB2_SVG_NAMESPACE",
    "OB3_SVG_NAMESPACE",
    "PNG_KEYWORD",
    "BakingError",
    "ImageKind",
    "bake",
    "detect_image_kind",
    "unbake",
    "unbake_text",
]

#: The iTXt keyword of an OB 3.0 baked PNG (OB 3.0 §5.3.1).
PNG_KEYWORD = "openbadgecredential"
#: The namespace of the ``<openbadges:credential>`` element (OB 3.0 §5.3.2).
OB3_SVG_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
#: The OB 2.0 namespace (``<openbadges:assertion>``), recognised only to explain what was found.
OB2_SVG_NAMESPACE = "http://openbadges.org"

SPEC_URL = "https://www.imsglobal.org/spec/ob/v3p0/#baked-badge"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_OB2_PNG_KEYWORD = "openbadges"
_SVG_PREFIX = "openbadges"
_MAX_TEXT = 16 * 1024 * 1024  # largest credential text read from a (compressed) chunk
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

#: The image formats that can carry a baked credential.
ImageKind = Literal["png", "svg"]


# --------------------------------------------------------------------------- public API


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
        return "svg"  # a UTF-16 document: the SVG reader explains why it is refused
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
        return _bake_png(image, text)
    if kind == "svg":
        return _bake_svg(image, text, is_jwt=is_jwt)
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
        return _unbake_png(image)
    if kind == "svg":
        return _unbake_svg(image)
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


# --------------------------------------------------------------------------- PNG


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


def _bake_png(image: bytes, text: str) -> bytes:
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


def _unbake_png(image: bytes) -> str:
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


# --------------------------------------------------------------------------- SVG


@dataclass
class _SvgScan:
    """Byte offsets found by one safe expat pass over an SVG document."""

    root_start: int = -1
    root_tag_end: int = -1  # offset after the root start tag's ">"
    root_self_closing: bool = False
    root_qname: bytes = b""
    root_is_svg: bool = False
    prefix_uri: str | None = None  # what the root binds the "openbadges" prefix to
    #: (start, end) of every OB 3.0 credential element (inner ones first when nested)
    credentials: list[tuple[int, int]] = field(default_factory=list)
    first_text: str | None = None
    saw_ob2: bool = False


def _tag_end(data: bytes, start: int) -> tuple[int, bool]:
    """Return (offset after the ">" of the tag starting at *start*, whether it ends "/>")."""
    quote = 0
    i = start
    n = len(data)
    while i < n:
        c = data[i]
        if quote:
            if c == quote:
                quote = 0
        elif c in (0x22, 0x27):  # " '
            quote = c
        elif c == 0x3E:  # >
            return i + 1, data[i - 1] == 0x2F  # /
        i += 1
    raise BakingError("the SVG ends inside a tag", code="bake.invalid_svg")


def _check_svg_bytes(image: bytes) -> None:
    if image.startswith((b"\xff\xfe", b"\xfe\xff")) or image[:2] in (b"<\x00", b"\x00<"):
        raise BakingError("the SVG is UTF-16; only UTF-8 SVG images are supported",
                          code="bake.unsupported_encoding")


def _scan_svg(image: bytes, *, want_text: bool) -> _SvgScan:
    _check_svg_bytes(image)
    scan = _SvgScan()
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    depth = 0
    ns_decls: dict[str, str] = {}
    open_credential: list[tuple[int, int]] = []  # (start, end or -1) of open elements
    credentials: list[tuple[int, int]] = []
    segments: list[tuple[str, bool]] = []  # (text, inside CDATA) of the first credential
    in_cdata = False
    collecting = False
    credential_depth = 0

    def refuse(what: str) -> None:
        raise BakingError(f"the SVG declares {what}; entity declarations are refused for safety",
                          code="bake.unsafe_xml")

    def xml_decl(version: str | None, encoding: str | None, standalone: int) -> None:
        if encoding and encoding.lower().replace("_", "-") not in ("utf-8", "utf8", "us-ascii",
                                                                   "ascii"):
            raise BakingError(f'the SVG is encoded as "{encoding}"; only UTF-8 is supported',
                              code="bake.unsupported_encoding")

    def entity_decl(name: str, *_args: object) -> None:
        refuse(f'the entity "{name}"')

    def external_ref(*_args: object) -> int:
        refuse("an external entity")
        return 0

    def ns_start(prefix: str | None, uri: str) -> None:
        if depth == 0:
            ns_decls[prefix or ""] = uri

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth, collecting, credential_depth
        offset = parser.CurrentByteIndex
        tag_end, self_closing = _tag_end(image, offset)
        if depth == 0:
            scan.root_start = offset
            scan.root_tag_end = tag_end
            scan.root_self_closing = self_closing
            scan.root_is_svg = name == f"{SVG_NAMESPACE} svg"
            scan.root_qname = re.match(rb"<\s*([^\s/>]+)", image[offset:tag_end]).group(1)  # type: ignore[union-attr]
            scan.prefix_uri = ns_decls.get(_SVG_PREFIX)
        depth += 1
        if name == f"{OB3_SVG_NAMESPACE} credential":
            open_credential.append((offset, tag_end if self_closing else -1))
            if scan.first_text is None and not collecting and want_text:
                if "verify" in attrs:
                    scan.first_text = attrs["verify"]
                elif self_closing:
                    scan.first_text = ""
                else:
                    collecting = True
                    credential_depth = depth
        elif name.startswith(f"{OB2_SVG_NAMESPACE} "):
            scan.saw_ob2 = True

    def end(name: str) -> None:
        nonlocal depth, collecting
        if name == f"{OB3_SVG_NAMESPACE} credential" and open_credential:
            start_offset, end_offset = open_credential.pop()
            if end_offset < 0:  # "</openbadges:credential>" starts here
                end_offset, _ = _tag_end(image, parser.CurrentByteIndex)
            credentials.append((start_offset, end_offset))
            if collecting and depth == credential_depth:
                collecting = False
                scan.first_text = _join_segments(segments)
        depth -= 1

    def chars(text: str) -> None:
        if collecting:
            segments.append((text, in_cdata))

    def cdata_start() -> None:
        nonlocal in_cdata
        in_cdata = True

    def cdata_end() -> None:
        nonlocal in_cdata
        in_cdata = False

    parser.XmlDeclHandler = xml_decl
    parser.EntityDeclHandler = entity_decl
    parser.UnparsedEntityDeclHandler = entity_decl
    parser.ExternalEntityRefHandler = external_ref
    parser.StartNamespaceDeclHandler = ns_start
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.StartCdataSectionHandler = cdata_start
    parser.EndCdataSectionHandler = cdata_end
    parser.buffer_text = False
    try:
        parser.Parse(image, True)
    except expat.ExpatError as exc:
        raise BakingError(
            f"the SVG is not well-formed XML: {expat.ErrorString(exc.code)} "
            f"at line {exc.lineno} column {exc.offset}",
            code="bake.invalid_svg",
        ) from None
    except RecursionError:
        raise BakingError("the SVG is nested too deeply", code="bake.invalid_svg") from None
    scan.credentials = sorted(credentials)
    if scan.root_start < 0 or not scan.root_is_svg:
        raise BakingError("not an SVG image: the root element is not <svg> in the SVG namespace",
                          code="bake.not_svg")
    return scan


def _join_segments(segments: list[tuple[str, bool]]) -> str:
    """Join character data, dropping indentation outside CDATA at both ends.

    A literal carriage return never survives XML parsing (it becomes a line feed),
    so a ``\\r`` here came from ``&#13;`` and belongs to the text.
    """
    start, stop = 0, len(segments)
    while start < stop and not segments[start][1] and not segments[start][0].strip(" \t\n"):
        start += 1
    while stop > start and not segments[stop - 1][1] and not segments[stop - 1][0].strip(" \t\n"):
        stop -= 1
    return "".join(text for text, _ in segments[start:stop])


def _cdata(text: str) -> str:
    """Wrap *text* in CDATA so that an XML parser gives back exactly *text*.

    ``]]>`` is split across two sections and carriage returns are written as
    ``&#13;`` (a literal one would be read as a line feed).
    """
    out: list[str] = []
    for i, piece in enumerate(text.split("\r")):
        if i:
            out.append("&#13;")
        if piece:
            out.append("<![CDATA[" + piece.replace("]]>", "]]]]><![CDATA[>") + "]]>")
    return "".join(out)


def _bake_svg(image: bytes, text: str, *, is_jwt: bool) -> bytes:
    if _XML_FORBIDDEN.search(text):
        raise BakingError("the credential holds characters XML cannot carry (control characters)",
                          code="bake.invalid_credential")
    scan = _scan_svg(image, want_text=False)
    if scan.prefix_uri is None:
        qname, local_decl = f"{_SVG_PREFIX}:credential", ""
        root_decl = f' xmlns:{_SVG_PREFIX}="{OB3_SVG_NAMESPACE}"'.encode()
    elif scan.prefix_uri == OB3_SVG_NAMESPACE:
        qname, local_decl, root_decl = f"{_SVG_PREFIX}:credential", "", b""
    else:  # the prefix is taken (an OB 2.0 badge): declare ours on the element itself
        qname = f"{_SVG_PREFIX}:credential"
        local_decl = f' xmlns:{_SVG_PREFIX}="{OB3_SVG_NAMESPACE}"'
        root_decl = b""
    if is_jwt:
        element = f'<{qname}{local_decl} verify="{text}"></{qname}>'
    else:
        element = f"<{qname}{local_decl}>{_cdata(text)}</{qname}>"
    new = element.encode("utf-8")

    out = bytearray()
    pos = 0
    # the root start tag, with our namespace declaration added
    tag_close = scan.root_tag_end - (2 if scan.root_self_closing else 1)
    out += image[:tag_close] + root_decl
    if scan.root_self_closing:
        out += b">\n" + new + b"\n</" + scan.root_qname + b">"
        out += image[scan.root_tag_end:]
        return bytes(out)
    out += b">\n" + new
    pos = scan.root_tag_end
    for start, end in scan.credentials:  # drop every existing credential element
        if start < pos:
            continue  # nested inside one already dropped
        out += image[pos:start]
        pos = end
    out += image[pos:]
    return bytes(out)


def _unbake_svg(image: bytes) -> str:
    scan = _scan_svg(image, want_text=True)
    if scan.first_text is None:
        raise BakingError(
            "the SVG has no <openbadges:credential> element in the namespace "
            f'"{OB3_SVG_NAMESPACE}"',
            code="bake.no_credential",
            hint="it holds an Open Badges 2.0 <openbadges:assertion> instead"
            if scan.saw_ob2 else None,
            spec=SPEC_URL,
        )
    if not scan.first_text.strip():
        raise BakingError("the <openbadges:credential> element is empty",
                          code="bake.no_credential", spec=SPEC_URL)
    return scan.first_text
