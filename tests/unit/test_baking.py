"""Baked badges (OB 3.0 §5.3): PNG iTXt ``openbadgecredential``, SVG ``<openbadges:credential>``."""

from __future__ import annotations

import io
import json
import struct
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import png
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from edc_issue.baking import (
    OB3_SVG_NAMESPACE,
    PNG_KEYWORD,
    BakingError,
    bake,
    detect_image_kind,
    unbake,
    unbake_text,
)
from edc_issue.errors import InputError

OB30 = Path(__file__).resolve().parents[1] / "fixtures" / "openbadges" / "ob30"
SIMPLE = json.loads((OB30 / "simple.json").read_text())
JWT = (OB30 / "simple.jwt").read_text().strip()
SVG_NS = "http://www.w3.org/2000/svg"
CREDENTIAL_TAG = f"{{{OB3_SVG_NAMESPACE}}}credential"


def _png(size: tuple[int, int] = (4, 3)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGBA", size, (200, 30, 30, 255)).save(buf, format="PNG")
    return buf.getvalue()


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    out = []
    for ctype, body in png.Reader(bytes=data).chunks():  # pypng checks every CRC
        out.append((ctype, body))
    return out


def _badge_chunks(data: bytes) -> list[bytes]:
    return [body for ctype, body in _chunks(data)
            if ctype == b"iTXt" and body.startswith(PNG_KEYWORD.encode() + b"\x00")]


PLAIN_SVG = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
             b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
             b'<circle cx="5" cy="5" r="4"/></svg>\n')


# --------------------------------------------------------------------------- fixtures


@pytest.mark.parametrize("name", ["simple-json.png", "simple-json.svg"])
def test_json_fixtures_unbake_to_the_simple_credential(name: str) -> None:
    credential = unbake((OB30 / name).read_bytes())
    assert isinstance(credential, dict)
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"] == SIMPLE["id"]
    assert credential["credentialSubject"] == SIMPLE["credentialSubject"]
    assert isinstance(credential["proof"], list)


@pytest.mark.parametrize(
    "name", ["simple-jwt.png", "simple-jwt.svg", "simple-jwt_v1.png", "simple-jwt_v1.svg"]
)
def test_jwt_fixtures_unbake_to_a_compact_jws(name: str) -> None:
    token = unbake((OB30 / name).read_bytes())
    assert isinstance(token, str)
    header, payload, signature = token.split(".")
    assert json.loads(_b64(header))["alg"] == "RS256"
    claims = json.loads(_b64(payload))
    assert "OpenBadgeCredential" in claims.get("type", claims.get("vc", {}).get("type", []))
    assert signature


def _b64(part: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_png_and_svg_fixtures_carry_the_same_token() -> None:
    for stem in ("simple-jwt", "simple-jwt_v1"):
        png_token = unbake((OB30 / f"{stem}.png").read_bytes())
        svg_token = unbake((OB30 / f"{stem}.svg").read_bytes())
        assert isinstance(png_token, str) and isinstance(svg_token, str)
        assert png_token.count(".") == svg_token.count(".") == 2


def test_detect_image_kind() -> None:
    assert detect_image_kind(_png()) == "png"
    assert detect_image_kind(PLAIN_SVG) == "svg"
    assert detect_image_kind((OB30 / "simple-json.svg").read_bytes()) == "svg"
    with pytest.raises(BakingError) as info:
        detect_image_kind(b'{"not": "an image"}')
    assert info.value.code == "bake.unknown_format"
    assert isinstance(info.value, InputError)


# --------------------------------------------------------------------------- PNG


def test_png_bake_then_unbake_gives_back_the_same_bytes() -> None:
    text = (OB30 / "simple.json").read_text(encoding="utf-8")
    baked = bake(_png(), text)
    assert unbake_text(baked) == text
    assert unbake(baked) == SIMPLE
    token_baked = bake(_png(), JWT)
    assert unbake_text(token_baked) == JWT
    assert unbake(token_baked) == JWT


def test_png_chunk_is_uncompressed_itxt_before_iend_with_right_crcs() -> None:
    baked = bake(_png(), SIMPLE)
    chunks = _chunks(baked)  # pypng raises on a wrong CRC
    types = [c for c, _ in chunks]
    assert types[-1] == b"IEND"
    assert types[-2] == b"iTXt"
    body = chunks[-2][1]
    keyword, rest = body.split(b"\x00", 1)
    assert keyword == b"openbadgecredential"
    assert rest[0] == 0 and rest[1] == 0  # compression flag, method
    assert rest[2:4] == b"\x00\x00"  # empty language tag and translated keyword
    assert json.loads(rest[4:].decode("utf-8")) == SIMPLE


def test_baked_png_still_opens_as_an_image_in_pillow() -> None:
    original = _png((7, 5))
    baked = bake(original, SIMPLE)
    with Image.open(io.BytesIO(baked)) as im:
        im.load()
        assert im.size == (7, 5)
        assert json.loads(im.text[PNG_KEYWORD]) == SIMPLE  # type: ignore[attr-defined]
        pixels = im.tobytes()
    with Image.open(io.BytesIO(original)) as im:
        assert im.tobytes() == pixels


def test_baked_fixture_png_decodes_fully_in_pypng() -> None:
    baked = bake((OB30 / "simple-jwt.png").read_bytes(), SIMPLE)
    width, height, rows, _info = png.Reader(bytes=baked).read()
    assert (width, height) == (981, 941)
    assert sum(1 for _ in rows) == height


def test_rebaking_a_png_replaces_the_credential() -> None:
    once = bake((OB30 / "simple-json.png").read_bytes(), JWT)
    twice = bake(once, SIMPLE)
    assert len(_badge_chunks(once)) == 1
    assert len(_badge_chunks(twice)) == 1
    assert unbake(twice) == SIMPLE


def test_png_other_chunks_are_kept_in_order() -> None:
    source = (OB30 / "simple-json.png").read_bytes()
    mark = b"openbadgecredential\x00"
    before = [c for c in _chunks(source) if not c[1].startswith(mark)]
    after = [c for c in _chunks(bake(source, JWT)) if not c[1].startswith(mark)]
    assert before == after


def test_unbake_reads_the_first_of_several_chunks() -> None:
    baked = bake(_png(), JWT)
    iend = baked.rindex(b"IEND") - 4
    extra = _itxt(b'{"second": true}')
    doubled = baked[:iend] + extra + baked[iend:]
    assert unbake(doubled) == JWT
    assert len(_badge_chunks(bake(doubled, SIMPLE))) == 1


def _itxt(text: bytes, *, compressed: bool = False) -> bytes:
    body = b"openbadgecredential\x00" + (b"\x01\x00" if compressed else b"\x00\x00") + b"\x00\x00"
    body += zlib.compress(text) if compressed else text
    return _chunk(b"iTXt", body)


def _chunk(ctype: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", zlib.crc32(ctype + body))


def test_a_compressed_chunk_from_elsewhere_is_still_read() -> None:
    plain = _png()
    iend = plain.rindex(b"IEND") - 4
    data = plain[:iend] + _itxt(json.dumps(SIMPLE).encode(), compressed=True) + plain[iend:]
    assert unbake(data) == SIMPLE


def test_png_without_a_credential() -> None:
    with pytest.raises(BakingError) as info:
        unbake(_png())
    assert info.value.code == "bake.no_credential"
    assert "openbadgecredential" in str(info.value)


def test_an_ob2_png_is_explained() -> None:
    plain = _png()
    iend = plain.rindex(b"IEND") - 4
    body = b"openbadges\x00\x00\x00\x00\x00https://example.org/assertion"
    chunk = _chunk(b"iTXt", body)
    with pytest.raises(BakingError) as info:
        unbake(plain[:iend] + chunk + plain[iend:])
    assert info.value.code == "bake.no_credential"
    assert info.value.hint and "2.0" in info.value.hint


@pytest.mark.parametrize(
    ("mangle", "code"),
    [
        (lambda d: d[:30] + bytes([d[30] ^ 0xFF]) + d[31:], "bake.corrupt_png"),  # IHDR CRC
        (lambda d: d[:12] + b"XXXX" + d[16:], "bake.corrupt_png"),  # first chunk not IHDR
        (lambda d: b"\x89PNX" + d[4:], "bake.not_png"),
    ],
    ids=["bad-crc", "no-ihdr", "bad-signature"],
)
def test_malformed_pngs_are_refused_with_a_code(mangle, code: str) -> None:  # type: ignore[no-untyped-def]
    data = mangle(bake(_png(), JWT))
    with pytest.raises(BakingError) as info:
        unbake(data, kind="png")
    assert info.value.code == code
    with pytest.raises(BakingError) as info:
        bake(data, JWT, kind="png")
    assert info.value.code == code


def test_truncated_png() -> None:
    data = bake(_png(), JWT)[:-5]
    # extraction stops at the first credential chunk (the rest "can be safely discarded")
    assert unbake(data) == JWT
    with pytest.raises(BakingError) as info:
        bake(data, SIMPLE)
    assert info.value.code == "bake.corrupt_png"
    with pytest.raises(BakingError) as info:
        unbake(_png()[:-20])
    assert info.value.code == "bake.corrupt_png"


def test_baking_a_non_png_as_png() -> None:
    with pytest.raises(BakingError) as info:
        bake(PLAIN_SVG, JWT, kind="png")
    assert info.value.code == "bake.not_png"


# --------------------------------------------------------------------------- SVG


def _credential_elements(svg: bytes) -> list[ET.Element]:
    root = ET.fromstring(svg)
    return root.findall(CREDENTIAL_TAG)


def test_svg_bake_json_in_cdata_directly_after_the_svg_tag() -> None:
    text = (OB30 / "simple.json").read_text(encoding="utf-8")
    baked = bake(PLAIN_SVG, text)
    assert b'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in baked
    assert b"<openbadges:credential><![CDATA[" in baked
    root = ET.fromstring(baked)
    assert root[0].tag == CREDENTIAL_TAG
    assert "verify" not in root[0].attrib
    assert root[1].tag == f"{{{SVG_NS}}}circle"
    assert json.loads(root[0].text or "") == SIMPLE
    assert unbake_text(baked) == text


def test_svg_bake_jwt_in_the_verify_attribute() -> None:
    baked = bake(PLAIN_SVG, JWT + "\n")
    elements = _credential_elements(baked)
    assert len(elements) == 1
    assert elements[0].attrib["verify"] == JWT
    assert unbake(baked) == JWT


def test_rebaking_an_svg_replaces_the_credential() -> None:
    source = (OB30 / "simple-json.svg").read_bytes()
    once = bake(source, JWT)
    twice = bake(once, SIMPLE)
    assert len(_credential_elements(once)) == 1
    assert len(_credential_elements(twice)) == 1
    assert unbake(twice) == SIMPLE
    assert twice.count(b"xmlns:openbadges=") == 1
    # the drawing itself is untouched
    assert source[source.index(b"<g>"):] == twice[twice.index(b"<g>"):]


def test_svg_text_that_cdata_cannot_hold_round_trips() -> None:
    tricky = json.dumps({"a": "x]]>y", "b": "<&>"}) + "\r\n\t ]]>"  # not JSON at the end
    text = '{"a": "x]]>y", "b": "<&>", "c": "]]]]>"}\r\n'
    assert unbake_text(bake(PLAIN_SVG, text)) == text
    assert json.loads(tricky.split("\r")[0])  # sanity: the JSON part parses
    with pytest.raises(BakingError) as info:
        bake(PLAIN_SVG, tricky)
    assert info.value.code == "bake.invalid_credential"


def test_svg_whose_openbadges_prefix_is_taken_by_ob2() -> None:
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
           b'<openbadges:assertion verify="https://example.org/a"/></svg>')
    with pytest.raises(BakingError) as info:
        unbake(svg)
    assert info.value.code == "bake.no_credential"
    assert info.value.hint and "2.0" in info.value.hint
    baked = bake(svg, JWT)
    assert unbake(baked) == JWT
    assert len(_credential_elements(baked)) == 1


def test_self_closing_svg_root() -> None:
    svg = b'<svg:svg xmlns:svg="http://www.w3.org/2000/svg" width="1" height="1"/>'
    baked = bake(svg, SIMPLE)
    assert baked.endswith(b"</svg:svg>")
    assert unbake(baked) == SIMPLE


def test_existing_credential_anywhere_is_replaced() -> None:
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="https://purl.imsglobal.org/ob/v3p0">'
           b'<g><ob:credential verify="a.b.c"/></g><ob:credential>'
           b"<![CDATA[{}]]></ob:credential></svg>")
    assert unbake(svg) == "a.b.c"
    baked = bake(svg, SIMPLE)
    root = ET.fromstring(baked)
    assert len(root.findall(f".//{CREDENTIAL_TAG}")) == 1
    assert unbake(baked) == SIMPLE


@pytest.mark.parametrize(
    ("svg", "code"),
    [
        (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
         b'<svg xmlns="http://www.w3.org/2000/svg">&b;</svg>', "bake.unsafe_xml"),
        (b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
         b'<svg xmlns="http://www.w3.org/2000/svg">&x;</svg>', "bake.unsafe_xml"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><g></svg>', "bake.invalid_svg"),
        (b'<html xmlns="http://www.w3.org/1999/xhtml"><svg/></html>', "bake.not_svg"),
        (b'<svg><circle/></svg>', "bake.not_svg"),  # not in the SVG namespace
        (b'<?xml version="1.0" encoding="ISO-8859-1"?><svg xmlns="http://www.w3.org/2000/svg"/>',
         "bake.unsupported_encoding"),
        ('<svg xmlns="http://www.w3.org/2000/svg"/>'.encode("utf-16"), "bake.unsupported_encoding"),
    ],
    ids=["billion-laughs", "external-entity", "not-well-formed", "html-root", "no-namespace",
         "latin-1", "utf-16"],
)
def test_unsafe_or_malformed_svgs_are_refused(svg: bytes, code: str) -> None:
    for call in (lambda: unbake(svg, kind="svg"), lambda: bake(svg, JWT, kind="svg")):
        with pytest.raises(BakingError) as info:
            call()
        assert info.value.code == code


def test_a_public_doctype_without_entities_is_accepted() -> None:
    # the 1EdTech fixtures carry the SVG 1.1 DOCTYPE; it is never fetched
    assert b"<!DOCTYPE svg PUBLIC" in (OB30 / "simple-json.svg").read_bytes()
    assert isinstance(unbake((OB30 / "simple-json.svg").read_bytes()), dict)


def test_empty_svg_credential_element() -> None:
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="'
           + OB3_SVG_NAMESPACE.encode()
           + b'"><openbadges:credential>  </openbadges:credential></svg>')
    with pytest.raises(BakingError) as info:
        unbake(svg)
    assert info.value.code == "bake.no_credential"


def test_svg_without_a_credential() -> None:
    with pytest.raises(BakingError) as info:
        unbake(PLAIN_SVG)
    assert info.value.code == "bake.no_credential"


# --------------------------------------------------------------------------- credentials


@pytest.mark.parametrize(
    "credential",
    ["not json, not a jwt", "[1, 2]", "a.b", "", 42],
    ids=["prose", "array", "two-parts", "empty", "number"],
)
def test_what_is_not_a_credential_is_refused(credential: object) -> None:
    with pytest.raises(BakingError) as info:
        bake(_png(), credential)  # type: ignore[arg-type]
    assert info.value.code == "bake.invalid_credential"


def test_unbaked_text_that_is_not_a_credential() -> None:
    plain = _png()
    iend = plain.rindex(b"IEND") - 4
    data = plain[:iend] + _itxt(b"https://example.org/hosted-assertion") + plain[iend:]
    assert unbake_text(data) == "https://example.org/hosted-assertion"
    with pytest.raises(BakingError) as info:
        unbake(data)
    assert info.value.code == "bake.invalid_credential"


XML_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters="".join(chr(c) for c in range(32) if c not in (9, 10, 13))
        + "\ufffe\uffff",
    ),
    max_size=200,
)


@settings(max_examples=60, deadline=None)
@given(value=XML_TEXT, pad=st.sampled_from(["", "\n", "\r\n", "  \n", "\n\n  "]))
def test_any_json_text_round_trips_exactly(value: str, pad: str) -> None:
    text = pad + json.dumps({"name": value}, ensure_ascii=False) + pad
    for image in (_png(), PLAIN_SVG):
        baked = bake(image, text)
        assert unbake_text(baked) == text
        assert unbake(baked) == {"name": value}


@settings(max_examples=30, deadline=None)
@given(value=XML_TEXT)
def test_any_dict_round_trips(value: str) -> None:
    credential = {"id": "urn:uuid:1", "name": value, "list": [value, {"k": value}]}
    for image in (_png(), PLAIN_SVG):
        assert unbake(bake(image, credential)) == credential
