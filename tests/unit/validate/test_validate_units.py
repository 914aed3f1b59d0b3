"""Unit tests of edc_issue.validate: detection, profiles, node paths, VC rules, reports."""

from __future__ import annotations

import base64
import json
import xml.etree.ElementTree as ET

import pytest

from edc_issue.errors import InputError, ReadError
from edc_issue.formats.detect import MAX_DEPTH, detect, json_depth
from edc_issue.results import Finding, ValidationReport
from edc_issue.validate import expand_inputs, validate
from edc_issue.validate.edc import select_profiles
from edc_issue.validate.nodemap import MARKER_PREFIX, annotate
from edc_issue.validate.profiles import Profile, edc_profiles_from_schema, parse_profile
from edc_issue.validate.reports import JsonRenderer, JunitRenderer, TextRenderer
from edc_issue.validate.vcdm import check_vcdm, parse_datetime

V2 = "https://www.w3.org/ns/credentials/v2"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def vc(**extra: object) -> dict:
    doc = {"@context": [V2], "type": ["VerifiableCredential"], "issuer": "did:example:1",
           "credentialSubject": {"id": "did:example:2"}}
    doc.update(extra)
    return doc


# -- detection ------------------------------------------------------------------------


def test_detect_containers() -> None:
    edc = {"type": ["VerifiableCredential", "EuropeanDigitalCredential"]}
    assert detect(edc).format == "edc"
    assert detect({"credential": edc}).format == "edc+upload"
    assert detect({"credential": edc}).credential["@context"][1].endswith("edc-ap")
    assert detect({"payload": json.dumps(edc), "signatures": []}).format == "edc+jades"
    ob = vc(type=["VerifiableCredential", "OpenBadgeCredential"])
    token = ".".join(base64.urlsafe_b64encode(json.dumps(p).encode()).decode().rstrip("=")
                     for p in ({"alg": "RS256"}, {**ob, "jti": "x", "iss": "y"})) + ".c2ln"
    found = detect(token)
    assert found.format == "ob3+vc-jwt" and "jti" not in found.credential
    assert detect({"hello": 1}).kind == "unknown"


def test_detect_bad_input() -> None:
    with pytest.raises(ReadError) as info:
        detect(b"")
    assert info.value.code == "io.not_json"
    with pytest.raises(ReadError):
        detect(b"\x80\x81garbage")
    with pytest.raises(ReadError):
        detect(b"[" * 10000 + b"]" * 10000)
    deep: dict = {}
    cur = deep
    for _ in range(MAX_DEPTH + 5):
        cur["a"] = {}
        cur = cur["a"]
    assert json_depth(deep) > MAX_DEPTH
    with pytest.raises(ReadError) as info:
        detect(deep)
    assert info.value.code == "io.too_deep"
    jades = detect({"payload": "not json", "signatures": []})
    assert jades.credential is None and jades.findings[0].code == "format.bad_payload"


def test_unknown_format_is_a_finding() -> None:
    report = validate({"name": "not a credential"})
    assert not report.ok and report.findings[0].code == "format.unknown"


# -- profiles -------------------------------------------------------------------------


def test_parse_profile() -> None:
    assert parse_profile("edc-accredited").shape_files() == [
        "EDC-generic-no-cv.ttl", "EDC-generic-full.ttl", "EDC-accredited.ttl"]
    assert parse_profile("edc-generic-full@3.1").elm_version == "3.1"
    assert parse_profile("http://data.europa.eu/snb/model/ap/edc-converted").name == \
        "edc-converted"
    assert parse_profile("ob-v3p0-achievementcredential").kind == "jsonschema"
    with pytest.raises(InputError) as info:
        parse_profile("edc-generc-full")
    assert info.value.code == "validate.unknown_profile"
    assert "edc-generic-full" in (info.value.hint or "")


def test_profiles_from_credential_schema() -> None:
    found, unknown = edc_profiles_from_schema([
        {"id": "http://data.europa.eu/snb/model/ap/edc-generic-full", "type": "ShaclValidator2017"},
        {"id": "http://data.europa.eu/snb/model/ap/edc-accredited", "type": "ShaclValidator2017"},
        {"id": "http://example.org/other", "type": "ShaclValidator2017"},
        {"id": "https://example.org/schema.json", "type": "JsonSchema"},
    ])
    assert [p.name for p in found] == ["edc-generic-full", "edc-accredited"]
    assert unknown == ["http://example.org/other"]
    chosen, findings = select_profiles({"credentialSchema": [
        {"id": "http://data.europa.eu/snb/model/ap/edc-generic-full", "type": "ShaclValidator2017"},
        {"id": "http://data.europa.eu/snb/model/ap/edc-accredited", "type": "ShaclValidator2017"},
    ]}, override=None)
    assert [p.name for p in chosen] == ["edc-accredited"]  # imports generic-full
    chosen, findings = select_profiles({}, override=None)
    assert chosen[0].name == "edc-generic-full" and findings[0].code == "validate.no_profile"
    override = Profile("edc-converted", "shacl", "3.2")
    assert select_profiles({}, override=override) == ([override], [])


# -- node paths -----------------------------------------------------------------------


def test_annotate_marks_typed_blank_nodes_only() -> None:
    doc = {"id": "urn:a", "type": "X", "items": [{"type": "Y", "label": {"en": "hi"}},
                                                 {"id": "_:b", "type": "Z"}, {"id": "_:b"}],
           "issuer": {"id": "urn:org", "type": "Org"}, "deep": {"x": {"id": "urn:org"}}}
    annotated, index = annotate(doc, prefix="credential")
    marker = annotated["items"][0]["id"]
    assert marker.startswith(MARKER_PREFIX)
    assert annotated["items"][0]["label"] == {"en": "hi"}  # a language map is left alone
    assert annotated["items"][1]["id"] == annotated["items"][2]["id"]  # one blank node
    assert index.path_of(marker) == "credential.items[0]"
    assert index.path_of("urn:org") == "credential.issuer"  # the shallowest occurrence
    assert index.root_key == "urn:a"
    assert "id" not in doc["items"][0]  # the input is not modified


# -- VC Data Model --------------------------------------------------------------------


def test_vcdm_rules() -> None:
    assert check_vcdm(vc()) == []
    codes = {f.code for f in check_vcdm({"@context": ["https://example.org/x", V2],
                                         "type": ["Foo"], "id": "no scheme",
                                         "credentialSubject": {}})}
    assert codes >= {"vcdm.base_context_not_first", "vcdm.missing_type", "vcdm.invalid_id",
                     "vcdm.empty_subject", "vcdm.missing_issuer"}
    order = check_vcdm(vc(validFrom="2024-01-02T00:00:00Z", validUntil="2024-01-01T00:00:00Z"))
    assert [f.code for f in order] == ["vcdm.dates_out_of_order"]
    assert [f.path for f in check_vcdm(vc(validFrom="yesterday"))] == ["validFrom"]
    assert check_vcdm(vc(issuer=None), as_issuer_input=True)[0].code == "vcdm.missing_issuer"
    assert check_vcdm({k: v for k, v in vc().items() if k != "issuer"}, as_issuer_input=True) == []
    assert parse_datetime("2023-02-26T01:02:58.447Z") is not None
    assert parse_datetime("2023-02-26") is None


# -- reports --------------------------------------------------------------------------


def sample_reports() -> list[ValidationReport]:
    bad = ValidationReport(findings=[
        Finding("issuer.eIDASIdentifier", 'issuer lacks "eIDASIdentifier" <&>', rule="sh:MinCount",
                code="shacl.min_count"),
        Finding("cnf", "undefined", severity="warning", rule="json-ld")], file="a.json",
        format="edc", profile="edc-generic-full@3.2")
    good = ValidationReport(file="b.json", format="ob3")
    return [bad, good]


def test_text_report_grouped_by_file() -> None:
    out = TextRenderer()
    text = "\n".join(out.add(r) for r in sample_reports()) + "\n" + out.finish()
    assert text.splitlines()[0].startswith("a.json: INVALID (edc, edc-generic-full@3.2)")
    assert "  error   issuer.eIDASIdentifier:" in text
    assert text.rstrip().endswith("2 file(s): 1 valid, 1 invalid; 1 error(s), 1 warning(s)")


def test_json_report_shape() -> None:
    out = JsonRenderer()
    text = out.start() + "".join("\n" + out.add(r) for r in sample_reports()) + "\n" + out.finish()
    data = json.loads(text)
    first = data["results"][0]
    assert set(first) >= {"file", "ok", "checks"} and first["ok"] is False
    assert set(first["checks"][0]) >= {"check", "ok", "message", "path"}
    assert data["results"][1]["ok"] is True


def test_junit_report() -> None:
    out = JunitRenderer()
    for r in sample_reports():
        out.add(r)
    root = ET.fromstring(out.finish())
    suite = root.find("testsuite")
    assert suite is not None and suite.get("tests") == "2" and suite.get("failures") == "1"
    cases = suite.findall("testcase")
    assert cases[0].find("failure") is not None and cases[1].find("failure") is None


def test_expand_inputs(tmp_path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ("sub/b.json", "a.json", "c.txt"):
        (tmp_path / name).write_text("{}")
    found = list(expand_inputs([str(tmp_path), str(tmp_path / "*.json"), str(tmp_path / "x*")]))
    paths = [p for p, problem in found if problem is None]
    assert paths == [str(tmp_path / "a.json"), str(tmp_path / "sub" / "b.json"),
                     str(tmp_path / "a.json")]
    assert found[-1][1] == "pattern matches no file"


def test_batch_file_names_are_the_batch_layer_ones(tmp_path) -> None:
    from edc_issue.batch import JOURNAL_NAME
    from edc_issue.batch.planner import DELIVERY_SUFFIX
    from edc_issue.batch.report import REPORT_CSV, REPORT_JSON
    from edc_issue.validate import (
        BATCH_DELIVERY_SUFFIX,
        BATCH_MARKERS,
        BATCH_REPORT,
        is_batch_file,
    )

    assert BATCH_REPORT == REPORT_JSON
    assert set(BATCH_MARKERS) == {REPORT_CSV, JOURNAL_NAME}
    assert BATCH_DELIVERY_SUFFIX == DELIVERY_SUFFIX
    (tmp_path / "report.json").write_text("{}")
    (tmp_path / "a.deliveryDetails.json").write_text("{}")
    assert not is_batch_file(tmp_path / "report.json")  # no batch beside it
    (tmp_path / REPORT_CSV).write_text("row\n")
    assert is_batch_file(tmp_path / "report.json")
    assert is_batch_file(tmp_path / "a.deliveryDetails.json")
    assert not is_batch_file(tmp_path / "a.json")
