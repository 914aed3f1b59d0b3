"""Baked SVG badges: ``xmlns:openbadges`` on the ``<svg>`` tag and, directly after it, one
``<openbadges:credential>`` element (OB 3.0 §5.3.2). The SVG is parsed with expat only to
find offsets and edited as text, so the rest of the image stays exactly as it was; entity
declarations are refused and external DTDs and entities are never fetched (as defusedxml
does).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.parsers import expat

from ...errors import BakingError
from ._common import (
    _SVG_PREFIX,
    _XML_FORBIDDEN,
    OB2_SVG_NAMESPACE,
    OB3_SVG_NAMESPACE,
    SPEC_URL,
    SVG_NAMESPACE,
)

__all__ = ["bake_svg", "unbake_svg"]



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


def bake_svg(image: bytes, text: str, *, is_jwt: bool) -> bytes:
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


def unbake_svg(image: bytes) -> str:
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
