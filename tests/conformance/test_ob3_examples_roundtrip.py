"""Every Open Badges 3.0 and CLR 2.0 example reads into the models and writes back losslessly.

Lossless means the same JSON (key order, one-value-versus-list forms, lexical dates),
hence the same canonical RDF; the RDF is compared too, with the bundled contexts.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from edc_issue.errors import ContextError, JsonLdError, ModelError
from edc_issue.jsonld import canonicalize_nquads, to_nquads
from edc_issue.models._base import JsonLdModel
from edc_issue.models.clr import ClrCredential
from edc_issue.models.ob3 import AchievementCredential, EndorsementCredential, Profile

OB = Path(__file__).resolve().parents[1] / "fixtures" / "openbadges"

#: Deliberately broken validator fixtures that the model itself rejects, with the path
#: of the first problem. The others (expired, bad proofs, future validFrom) are
#: structurally sound: verify() reports them.
BROKEN = {
    "simple-err-context.json": "@context",
    "simple-err-credential-subject-achievement-result-description-type.json":
        "credentialSubject.achievement.resultDescription[2].type",
    "simple-err-credential-subject-identifier-type.json": "credentialSubject.identifier[0].type",
    "simple-err-credential-subject-profile-type.json": "credentialSubject.source.type",
    "simple-err-credential-subject-result-type.json": "credentialSubject.result[1].type",
    "simple-err-credential-subject-type.json": "credentialSubject.type",
    "simple-err-evidence-type.json": "evidence[1].type",
    "simple-err-issuer-otheridentifier-type.json": "issuer.otherIdentifier[1].type",
    "simple-err-issuer-parentorg-type.json": "issuer.parentOrg.type",
    "simple-err-issuer-type.json": "issuer.type",
    "simple-err-issuer.json": "issuer",
    "simple-err-type.json": "type",
}


def _model_for(document: dict[str, Any]) -> type[JsonLdModel] | None:
    types = document.get("type")
    types = [types] if isinstance(types, str) else (types or [])
    if "ClrCredential" in types:
        return ClrCredential
    if "EndorsementCredential" in types:
        return EndorsementCredential
    if "VerifiableCredential" in types:
        return AchievementCredential
    if "Profile" in types and "@context" in document:
        return Profile
    return None


def _cases() -> list[Any]:
    cases = []
    for folder in ("spec-signed", "spec-source", "ob30", "clr20"):
        for path in sorted((OB / folder).glob("*.json")):
            if path.name == "PROVENANCE.json" or path.name in BROKEN:
                continue
            document = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(document, dict) and _model_for(document) is not None:
                cases.append(pytest.param(path, id=f"{folder}/{path.name}"))
    return cases


def _jwt_payloads() -> list[Any]:
    cases = []
    for path in sorted(OB.glob("*/*.jwt")) + sorted(OB.glob("spec-signed/*.vc-jwt.txt")):
        cases.append(pytest.param(path, id=f"{path.parent.name}/{path.name}"))
    return cases


CASES = _cases()


def _canonical(document: dict[str, Any]) -> str | None:
    try:
        nquads = to_nquads(document)
    except JsonLdError:
        nquads = to_nquads(document, strict=False)  # undefined terms: drop as jsonld.js does
    except ContextError:
        return None  # a draft context we do not bundle (JSON equality still checked)
    return canonicalize_nquads(nquads)


def test_there_are_enough_examples() -> None:
    assert len(CASES) >= 50


@pytest.mark.parametrize("path", CASES)
def test_read_and_write_back_the_same_json(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    document = json.loads(text)
    model = _model_for(document)
    assert model is not None
    written = model.model_validate(document).to_jsonld()
    assert written == document
    assert json.dumps(written) == json.dumps(document)  # key order too


@pytest.mark.parametrize("path", CASES)
def test_read_and_write_back_the_same_rdf(path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    model = _model_for(document)
    assert model is not None
    before = _canonical(document)
    if before is None:
        pytest.skip("uses a context that is not bundled (draft CLR / VC examples context)")
    assert _canonical(model.model_validate(document).to_jsonld()) == before


def _payload(token: str) -> dict[str, Any]:
    part = token.strip().split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    assert isinstance(claims, dict)
    return claims.get("vc", claims) if "vc" in claims else claims


@pytest.mark.parametrize("path", _jwt_payloads())
def test_vc_jwt_payloads_round_trip(path: Path) -> None:
    payload = _payload(path.read_text(encoding="utf-8"))
    credential = {k: v for k, v in payload.items() if k not in {"iss", "sub", "jti", "nbf", "exp",
                                                                 "iat", "aud"}}
    model = _model_for(credential)
    assert model is not None
    assert model.model_validate(credential).to_jsonld() == credential


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_fixtures_give_a_model_error_with_a_path(name: str) -> None:
    document = json.loads((OB / "ob30" / name).read_text(encoding="utf-8"))
    with pytest.raises(ModelError) as info:
        AchievementCredential.model_validate(document)
    error = info.value
    assert error.code == "model.invalid"
    paths = [path for path, _ in error.problems]
    assert BROKEN[name] in paths
    message = dict(error.problems)[BROKEN[name]]
    assert message  # a reason, e.g. "type must include 'Profile', found ['InvalidProfile']"
    assert BROKEN[name] in str(error) or error.pointer == paths[0]


def test_every_broken_fixture_is_classified() -> None:
    names = {p.name for p in (OB / "ob30").glob("simple-err-*.json")}
    readable = names - set(BROKEN)
    # what the model accepts is for verify(): dates and proofs
    assert readable == {
        "simple-err-expired.json",
        "simple-err-issued.json",
        "simple-err-proof-method-no-scheme.json",
        "simple-err-proof-method-unknown-did-method.json",
        "simple-err-proof-method-unknown-scheme.json",
        "simple-err-proof-method.json",
        "simple-err-proof-value.json",
    }
