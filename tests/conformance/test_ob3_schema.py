"""Open Badges 3.0: every spec example passes; every form-related ``simple-err-*`` fixture fails.

Spec examples: 1EdTech/openbadges-specification, rendered unsigned, signed
(eddsa-rdfc-2022) and as VC-JWT. Fixtures: the 1EdTech public validator's
``inspector-vc`` test resources (see PROVENANCE.json).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from edc_issue.validate import validate_file

OB3 = Path(__file__).parent.parent / "fixtures" / "validate" / "ob3"
SPEC = sorted((OB3 / "spec").iterdir())
FIXTURES = OB3 / "validator-fixtures"

#: simple-err-* fixture → (the code we expect, the path it names). Each is about form.
FORM_ERRORS = {
    "simple-err-context.json": ("vcdm.base_context_not_first", "@context"),
    "simple-err-type.json": ("jsonld.undefined_type", "type[1]"),
    "simple-err-issuer.json": ("vcdm.missing_issuer", "issuer"),
    "simple-err-issuer-type.json": ("ob3.issuer_not_profile", "issuer.type"),
    "simple-err-issuer-parentorg-type.json": ("jsonschema.contains", "issuer.parentOrg.type"),
    "simple-err-issuer-otheridentifier-type.json": ("jsonschema.enum",
                                                    "issuer.otherIdentifier[1].type"),
    "simple-err-credential-subject-type.json": ("jsonschema.contains", "credentialSubject.type"),
    "simple-err-credential-subject-identifier-type.json": (
        "jsonschema.enum", "credentialSubject.identifier[0].type"),
    "simple-err-credential-subject-profile-type.json": (
        "jsonld.undefined_type", "credentialSubject.source.type"),
    "simple-err-credential-subject-result-type.json": (
        "jsonschema.contains", "credentialSubject.result[1].type"),
    "simple-err-credential-subject-achievement-result-description-type.json": (
        "jsonld.undefined_type", "credentialSubject.achievement.resultDescription[2].type"),
    "simple-err-evidence-type.json": ("jsonld.undefined_type", "evidence[1].type"),
    "simple-err-proof-method-no-scheme.json": ("jsonld.relative_iri",
                                               "proof[0].verificationMethod"),
}
#: simple-err-* fixtures about signatures, keys or time, not form: validate does not judge them.
NOT_FORM = {"simple-err-expired.json", "simple-err-issued.json", "simple-err-proof-method.json",
            "simple-err-proof-method-unknown-did-method.json",
            "simple-err-proof-method-unknown-scheme.json", "simple-err-proof-value.json"}


@pytest.mark.parametrize("path", SPEC, ids=lambda p: p.name)
def test_spec_examples_pass(path: Path) -> None:
    report = validate_file(path)
    assert report.format in ("ob3", "ob3+vc-jwt")
    assert report.profile and "schema" in report.profile
    assert report.ok, [(f.path, f.message) for f in report.findings if f.severity == "error"]


def test_every_simple_err_fixture_is_classified() -> None:
    names = {p.name for p in FIXTURES.glob("simple-err-*.json")}
    assert names == set(FORM_ERRORS) | NOT_FORM


@pytest.mark.parametrize("name", sorted(FORM_ERRORS))
def test_form_errors_fail_with_their_reason(name: str) -> None:
    code, path = FORM_ERRORS[name]
    report = validate_file(FIXTURES / name)
    assert not report.ok
    assert any(f.code == code and f.path == path for f in report.findings), [
        (f.code, f.path, f.message) for f in report.findings]


@pytest.mark.parametrize("name", ["simple-json.png", "simple-json.svg", "simple-jwt.png",
                                  "simple-jwt.svg"])
def test_baked_badges(name: str) -> None:
    report = validate_file(FIXTURES / name)
    assert report.format.startswith("ob3+")
    assert report.ok, [(f.path, f.message) for f in report.findings]
