"""The Verifier object: settings held once, verify() as its shortcut, its format table, and
a verifier that reads its trust anchors, contexts and status lists once however many
documents it verifies.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

import edc_issue
from edc_issue import OfflineLoader, Verifier, generate_key, sign, verify
from edc_issue._verifier import FormatVerifier, edc_conformance
from edc_issue.baking import bake
from edc_issue.errors import InputError, KeyMaterialError
from edc_issue.results import Check, VerificationResult
from edc_issue.seal import eu_samples_test_anchors, verify_envelope
from edc_issue.status import MemoryStatusListStore, StatusList

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
UNSIGNED = json.loads((FIXTURES / "vc-di" / "eddsa" / "unsigned.json").read_text())
SEALED = FIXTURES / "edc-sealed" / "eu-elm-support" / "Sample-CertOfPart-signed.jsonld"
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
LIST_ID = "https://example.edu/status/4"


def _clock() -> datetime:
    return NOW


def _anchor_pem() -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM)
                    for c in eu_samples_test_anchors())


def _png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00\x00")) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def documents() -> dict[str, Any]:
    key = generate_key("ed25519")
    store = MemoryStatusListStore()
    status_list = StatusList.create(store, list_id=LIST_ID, issuer=key.controller, sign=key,
                                    clock=_clock)
    issuer = edc_issue.Issuer(key, issuer_from_key=True, clock=_clock)
    with_status = edc_issue.Issuer(key, issuer_from_key=True, clock=_clock,
                                   status_list=status_list).issue(UNSIGNED)
    signed = issuer.issue(UNSIGNED)
    assert isinstance(signed, dict)
    return {
        "data-integrity": signed,
        "with-status": with_status,
        "vc-jwt": edc_issue.Issuer(key, suite="vc-jwt", issuer_from_key=True).issue(UNSIGNED),
        "baked": bake(_png(), signed),
        "jades": json.loads(SEALED.read_text()),
        "list": store.load_credential(),
    }


def test_verify_is_a_verifier_built_with_the_same_settings(documents: dict[str, Any]) -> None:
    settings: dict[str, Any] = {"trust": [_anchor_pem()], "clock": _clock,
                                "status_lists": [documents["list"]],
                                "check_conformance": False}
    verifier = Verifier(**settings)
    for name, document in documents.items():
        if name == "list":
            continue
        once = verify(document, **settings)
        assert once.to_json() == verifier.verify(document).to_json(), name
        assert once.ok, (name, [c.to_json() for c in once.checks if not c.ok])


def test_the_verifier_holds_every_setting_verify_takes() -> None:
    import inspect

    verify_params = set(inspect.signature(verify).parameters) - {"document"}
    assert verify_params <= set(inspect.signature(Verifier).parameters)


def test_a_verifier_reads_trust_contexts_and_lists_once_for_1000_documents(
        documents: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    reads: Counter[str] = Counter()
    pem = _anchor_pem()
    real_pem_loader = x509.load_pem_x509_certificates

    def counting_pem_loader(data: bytes) -> list[x509.Certificate]:
        if data == pem:
            reads["trust"] += 1
        return real_pem_loader(data)

    monkeypatch.setattr(x509, "load_pem_x509_certificates", counting_pem_loader)
    real_get = OfflineLoader.get

    def counting_get(self: OfflineLoader, url: str) -> Any:
        reads[f"context {url}"] += 1
        return real_get(self, url)

    monkeypatch.setattr(OfflineLoader, "get", counting_get)
    from edc_issue.status import check as status_check

    real_index = status_check.StatusListSet.__init__

    def counting_index(self: Any, lists: Any = None) -> None:
        reads["status lists"] += 1
        real_index(self, lists)

    monkeypatch.setattr(status_check.StatusListSet, "__init__", counting_index)

    verifier = Verifier(trust=[pem], clock=_clock, status_lists=[documents["list"]],
                        loader=OfflineLoader(), check_conformance=False)
    kinds = ["data-integrity", "with-status", "vc-jwt", "baked", "jades"]
    for name in kinds:  # warm up: each kind of document once
        assert verifier.verify(documents[name]).ok, name
    after_one_each = Counter(reads)
    assert after_one_each["trust"] == 1 and after_one_each["status lists"] == 1
    assert any(k.startswith("context ") for k in after_one_each)
    # 1,000 documents: DI credentials (some with a status to check against the list),
    # VC-JWTs, baked badges and sealed EDCs; nothing is read again
    mix = ["data-integrity"] * 4 + ["with-status"] * 2 + ["vc-jwt"] * 3 + ["baked"]
    results = [verifier.verify(documents[mix[i % len(mix)]]) for i in range(990)]
    results += [verifier.verify(documents["jades"]) for _ in range(10)]
    assert len(results) == 1000 and all(r.ok for r in results)
    assert reads == after_one_each, reads - after_one_each


def test_trust_anchors_are_read_when_a_seal_needs_them() -> None:
    verifier = Verifier(trust=[b"not a certificate"])
    signed = sign(UNSIGNED, generate_key("ed25519"), issuer_from_key=True)
    assert verifier.verify(signed).ok  # no seal: the anchors are not needed
    with pytest.raises(KeyMaterialError) as info:
        verifier.verify(json.loads(SEALED.read_text()))
    assert info.value.code == "key.malformed"


def test_extra_formats_come_first_and_only_on_the_verifier_given_them() -> None:
    seen: list[Any] = []

    def verify_custom(document: Any, verifier: Verifier, now: datetime) -> VerificationResult:
        seen.append((document["envelope"], now))
        return VerificationResult(checks=[Check("CUSTOM", True, "checked")])

    custom = FormatVerifier("custom-envelope", lambda d: isinstance(d, dict)
                            and "envelope" in d, verify_custom)
    verifier = Verifier(formats=[custom], clock=_clock)
    assert verifier.formats[0] is custom
    result = verifier.verify({"envelope": "x"})
    assert result.ok and result.format == "custom-envelope" and seen == [("x", NOW)]
    assert Verifier().verify({"envelope": "x"}).format == "data-integrity"  # no global state


def test_bytes_of_json_or_a_jwt_are_read(documents: dict[str, Any]) -> None:
    verifier = Verifier(clock=_clock)
    assert verifier.verify(json.dumps(documents["data-integrity"]).encode()).ok
    assert verifier.verify(documents["vc-jwt"].encode()).ok
    with pytest.raises(InputError):
        verifier.verify(b"neither JSON nor a JWT")


def test_a_verifier_gives_the_seal_verifier_its_conformance_check() -> None:
    # the seal layer runs no SHACL itself: a Verifier with check_conformance passes
    # edc_conformance (built on edc_issue.validate), and FORMAT is still decided by it
    envelope = json.loads(SEALED.read_text())
    payload = json.loads(envelope["payload"])
    checked = Verifier().verify(envelope)
    shacl = [c.to_json() for c in checked.checks if c.check == "FORMAT.shacl"]
    assert shacl == [c.to_json() for c in edc_conformance(payload)] and shacl[0]["ok"]
    unchecked = Verifier(check_conformance=False).verify(envelope)
    assert not [c for c in unchecked.checks if c.check == "FORMAT.shacl"]
    assert "not checked" in next(c for c in unchecked.checks if c.check == "FORMAT").message
    direct = verify_envelope(envelope, conformance=edc_conformance)
    # the verifier adds the VC Data Model's checks (vcdm) after the seal's own
    assert [c.check for c in checked.checks][-1:] == ["vcdm"]
    assert [c.to_json() for c in direct.checks] == [
        c.to_json() for c in checked.checks if not c.check.startswith("vcdm")]
    broken = dict(payload, credentialSubject={"id": "urn:x"})
    [check] = edc_conformance(broken)
    assert not check.ok and check.code == "credential.not_conforming"
