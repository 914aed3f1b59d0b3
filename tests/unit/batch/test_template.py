"""Templates: placeholders, typed conversions, ids, and errors before anything is issued."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from typing import Any

import pytest

from edc_issue.batch import RenderContext, RowFailure, Template, TemplateError

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)


def _ctx(id: str = "urn:uuid:00000000-0000-4000-8000-000000000001") -> RenderContext:
    return RenderContext(id=id, row=2, now=NOW, issuer="did:example:issuer")


def _render(template: dict[str, Any], values: dict[str, Any], **options: Any) -> dict[str, Any]:
    return Template(template, **options).render(2, values, _ctx()).credential


def test_text_and_typed_placeholders() -> None:
    out = _render({
        "name": "{{given}} {{family}}",
        "born": "{{born|date}}",
        "at": "{{done|datetime}}",
        "score": "{{score|number}}",
        "credits": "{{credits|integer}}",
        "title": "{{course|langmap:fr}}",
        "plain": "{{course|langmap}}",
        "nested": [{"x": "{{given}}"}],
        "constant": 3,
    }, {"given": "Arta", "family": "Hoxha", "born": "14.03.1988", "done": "2025-06-27T10:00:00",
        "score": "9,5", "credits": "3", "course": "MOOCs"})
    assert out == {
        "name": "Arta Hoxha", "born": "1988-03-14", "at": "2025-06-27T10:00:00Z", "score": 9.5,
        "credits": 3, "title": {"fr": "MOOCs"}, "plain": {"en": "MOOCs"},
        "nested": [{"x": "Arta"}], "constant": 3,
    }


def test_typed_values_from_spreadsheets() -> None:
    out = _render({"d": "{{d|date}}", "t": "{{t|datetime}}", "n": "{{n}}"},
                  {"d": date(2024, 6, 30), "t": datetime(2024, 6, 30, 8, 0), "n": 3.0})
    assert out == {"d": "2024-06-30", "t": "2024-06-30T08:00:00Z", "n": "3"}


def test_explicit_date_formats_and_offsets() -> None:
    out = _render({"d": "{{d|date:%d/%m/%Y}}", "t": "{{t|datetime}}"},
                  {"d": "30/06/2024", "t": "2024-06-30T08:00:00+02:00"})
    assert out == {"d": "2024-06-30", "t": "2024-06-30T08:00:00+02:00"}


def test_optional_values_drop_their_key() -> None:
    out = _render({"email": "mailto:{{email|optional}}", "born": "{{born|date|optional}}",
                   "list": ["{{a|optional}}", "b"]}, {"email": "", "born": " ", "a": ""})
    assert out == {"email": "mailto:", "list": ["b"]}


def test_builtins() -> None:
    out = _render({"id": "{{$id}}", "a": "{{$uuid}}", "b": "{{$uuid}}", "row": "{{$row}}",
                   "now": "{{$now}}", "today": "{{$today}}", "issuer": "{{$issuer}}"}, {})
    assert out["id"] == "urn:uuid:00000000-0000-4000-8000-000000000001"
    assert out["a"] != out["b"] and out["a"].startswith("urn:uuid:")
    assert out["row"] == 2 and out["now"] == "2026-01-01T12:00:00Z"
    assert out["today"] == "2026-01-01" and out["issuer"] == "did:example:issuer"
    again = _render({"a": "{{$uuid}}"}, {})
    assert again["a"] == out["a"]  # derived from the credential id: stable on re-issue


def test_deterministic_ids_from_a_key_column() -> None:
    template = Template({"id": "{{$id}}"}, key_column="student", id_namespace="https://x.test/")
    one = template.row_id({"student": "S1"})
    assert one == template.row_id({"student": " S1 "})
    assert one != template.row_id({"student": "S2"})
    assert one == f"urn:uuid:{uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL, 'https://x.test/'), 'S1')}"
    assert Template({"id": "{{$id}}"}).row_id({"student": "S1"}) is None


@pytest.mark.parametrize(("values", "column", "code"), [
    ({"born": "31/02/2020", "name": "A"}, "born", "batch.bad_date"),
    ({"born": "2020-02-31", "name": "A"}, "born", "batch.bad_date"),
    ({"born": "2020-01-01", "name": ""}, "name", "batch.empty_value"),
    ({"born": "2020-01-01", "name": "A", "score": "ten"}, "score", "batch.bad_number"),
    ({"born": "2020-01-01"}, "name", "batch.missing_column"),
])
def test_row_errors_name_the_column(values: dict[str, Any], column: str, code: str) -> None:
    values = {"score": "1", **values}
    template = Template({"n": "{{name}}", "b": "{{born|date}}", "s": "{{score|number}}"})
    with pytest.raises(RowFailure) as info:
        template.render(7, values, _ctx())
    [error] = info.value.errors
    assert (error.row, error.column, error.code) == (7, column, code)


def test_all_problems_of_a_row_are_reported() -> None:
    template = Template({"n": "{{name}}", "b": "{{born|date}}"})
    with pytest.raises(RowFailure) as info:
        template.render(3, {"name": "", "born": "never"}, _ctx())
    assert [e.column for e in info.value.errors] == ["name", "born"]


def test_missing_columns_are_found_before_issuing() -> None:
    template = Template({"a": "{{given_name}} {{family}}", "b": "{{$id}}"}, source="t.json")
    template.check_columns(["given_name", "family"])
    with pytest.raises(TemplateError) as info:
        template.check_columns(["given name", "family"])
    assert info.value.code == "batch.missing_column"
    assert "given_name" in info.value.message and "did you mean 'given name'" in info.value.message


@pytest.mark.parametrize(("text", "fragment"), [
    ("{{name|upper}}", "unknown filter 'upper'"),
    ("{{name|dat}}", "did you mean 'date'"),
    ("{{$nwo}}", "did you mean '$now'"),
    ("{{}}", "no column name"),
    ("{{name", "not closed"),
])
def test_template_syntax_errors(text: str, fragment: str) -> None:
    with pytest.raises(TemplateError) as info:
        Template({"x": {"y": text}}, source="t.json")
    assert fragment in str(info.value)
    assert "t.json: x.y" in str(info.value)


def test_no_code_runs_from_templates_or_cells() -> None:
    out = _render({"a": "{{name}}", "b": "{{ name.__class__ }}", "c": "{% for x in y %}"},
                  {"name": "{{7*7}} {{ __import__('os') }}", "name.__class__": "kept as text"})
    assert out == {"a": "{{7*7}} {{ __import__('os') }}", "b": "kept as text",
                   "c": "{% for x in y %}"}


def test_placeholders_in_keys_are_refused() -> None:
    with pytest.raises(TemplateError):
        Template({"{{key}}": "value"})


def test_issuer_needed_but_missing() -> None:
    template = Template({"issuer": "{{$issuer}}"})
    with pytest.raises(RowFailure) as info:
        template.render(2, {}, RenderContext(id="urn:uuid:1", row=2, now=NOW))
    assert info.value.errors[0].code == "batch.no_issuer"


def test_the_eu_upload_format_keeps_delivery_details_apart() -> None:
    upload = {
        "credential": {"id": "{{$id}}", "type": ["VerifiableCredential",
                                                   "EuropeanDigitalCredential"],
                       "credentialSubject": {"givenName": {"en": "{{given}}"}}},
        "deliveryDetails": {"deliveryAddress": ["{{email}}"], "note": "{{note|optional}}"},
    }
    template = Template(upload)
    assert template.has_delivery_details
    assert template.columns == ["given", "email", "note"]
    rendered = template.render(2, {"given": "Arta", "email": "arta@example.org", "note": ""},
                               _ctx())
    assert rendered.credential["@context"] == ["https://www.w3.org/2018/credentials/v1",
                                               "http://data.europa.eu/snb/model/context/edc-ap"]
    assert "deliveryDetails" not in rendered.credential
    assert rendered.credential["credentialSubject"] == {"givenName": {"en": "Arta"}}
    assert rendered.delivery_details == {"deliveryAddress": ["arta@example.org"]}
    assert rendered.columns_by_path == {"credentialSubject.givenName.en": "given"}
    with pytest.raises(RowFailure) as info:
        template.render(2, {"given": "Arta", "email": "", "note": ""}, _ctx())
    assert [(e.column, e.code) for e in info.value.errors] == [("email", "batch.empty_value")]
    with pytest.raises(TemplateError) as missing:
        template.check_columns(["given", "note"])
    assert "{{email}}" in missing.value.message
    # a credential that has its own @context keeps it
    upload["credential"]["@context"] = ["https://www.w3.org/ns/credentials/v2"]
    own = Template(upload).render(2, {"given": "A", "email": "a@b.c", "note": ""}, _ctx())
    assert own.credential["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert not Template({"id": "{{$id}}"}).has_delivery_details
