"""The one format detector: every reader of documents gets the same answer from it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from edc_issue import generate_key, sign, verify
from edc_issue.baking import bake
from edc_issue.errors import ReadError
from edc_issue.formats import detect as fd
from edc_issue.formats.envelopes import unwrap_credential
from edc_issue.seal import is_jades_envelope as seal_is_jades_envelope
from edc_issue.status import check_status

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SEALED = FIXTURES / "edc-sealed" / "velocert" / "edc-coa-signed.jsonld"
V2 = "https://www.w3.org/ns/credentials/v2"


def _png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00\x00")) + chunk(b"IEND", b""))


PNG = _png()


def _credential(**extra: object) -> dict:
    doc = {"@context": [V2], "type": ["VerifiableCredential"], "issuer": "did:example:1",
           "credentialSubject": {"id": "did:example:2"}}
    doc.update(extra)
    return doc


def test_sniff_names_the_outermost_container() -> None:
    envelope = json.loads(SEALED.read_text())
    assert fd.sniff(envelope) == "jades"
    assert fd.sniff({"credential": _credential()}) == "upload"
    assert fd.sniff(_credential()) == "json"
    assert fd.sniff({"type": "VerifiablePresentation"}) == "json"
    assert fd.sniff("a.b.c") == fd.sniff(" .. ") == "vc-jwt"
    assert fd.sniff("not a token") is None
    assert fd.sniff(PNG) == "png"
    assert fd.sniff(b"<svg xmlns='http://www.w3.org/2000/svg'/>") == "svg"
    assert fd.sniff(b"{}") is None and fd.sniff(42) is None and fd.sniff([]) is None


def test_one_jades_recogniser() -> None:
    # the seal package's name is the formats one (they used to disagree)
    assert seal_is_jades_envelope is fd.is_jades_envelope
    flattened_unsigned = {"payload": "{}", "protected": "e30"}
    assert fd.is_jades_envelope(flattened_unsigned)  # a broken seal, not a credential
    assert not fd.is_jades_envelope({"@context": [V2], "payload": "x", "signature": "y"})


def test_presentations_are_their_own_kind() -> None:
    vp = {"@context": [V2], "type": ["VerifiablePresentation"]}
    assert fd.is_presentation(vp) and fd.detect(vp).kind == "presentation"
    assert not fd.is_presentation(_credential())


def test_a_jwt_carries_its_credential_in_vc_or_as_its_payload() -> None:
    assert fd.jwt_credential({"vc": {"id": "x"}, "iss": "y"}) == {"id": "x"}
    assert fd.jwt_credential({"id": "x", "iss": "y", "jti": "x"}) == {"id": "x"}
    with pytest.raises(ReadError):
        fd.decode_jwt("a.b.c")


def test_base64url_payloads_unwrap_the_same_everywhere() -> None:
    # a b64:true envelope: the detector (validate), unwrap_credential (CLI, EDC loading)
    # and the status check all find the same credential in it
    credential = _credential(id="urn:uuid:1")
    from edc_issue._b64 import b64url_encode

    envelope = {"payload": b64url_encode(json.dumps(credential).encode()), "signatures": []}
    assert fd.detect(envelope).credential == credential
    assert unwrap_credential(envelope)[0] == credential
    assert fd.credential_of(envelope) == credential


def test_baked_badges_are_found_by_every_reader() -> None:
    key = generate_key("ed25519")
    signed = sign(_credential(), key, issuer_from_key=True)
    assert isinstance(signed, dict)
    image = bake(PNG, signed)
    found = fd.detect(image)
    assert found.container == "png" and found.credential == signed
    assert fd.credential_of(image) == signed
    assert verify(image).format == "baked-png+data-integrity"
    assert check_status(image) == []  # no credentialStatus: nothing to check


def test_load_document_gives_verify_what_it_takes(tmp_path: Path) -> None:
    assert fd.load_document(PNG) == PNG
    assert fd.load_document(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}
    assert fd.load_document(b"  a.b.c\n") == "a.b.c"
    with pytest.raises(ReadError) as info:
        fd.load_document(b"hello", source="x.txt")
    assert info.value.code == "io.not_json" and info.value.pointer == "x.txt"
