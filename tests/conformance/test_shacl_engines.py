"""The SHACL fast path (rudof, via pyrudof) agrees with pySHACL, the reference.

``validate`` skips pySHACL only when rudof finds no result at all, so what must hold is
that rudof finds none exactly when pySHACL finds none. This checks more: on every EDC
fixture of the project, under every EDC profile (ELM 3.2 and 3.1), the two engines find
the same number of results; and on generated variants of the conforming samples (one
property removed, or one value replaced), they agree on "no result".
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from edc_issue.errors import ContextError, EdcIssueError, JsonLdError
from edc_issue.formats.envelopes import unwrap_credential
from edc_issue.jsonld import default_loader
from edc_issue.jsonld.nquads import RawQuad
from edc_issue.jsonld.rdf import raw_quads
from edc_issue.validate import shacl, validate
from edc_issue.validate.edc import elm31_loader
from edc_issue.validate.nodemap import annotate
from edc_issue.validate.profiles import EDC_PROFILES, Profile

pytest.importorskip("pyrudof", reason="the SHACL fast path needs pyrudof "
                    "(pip install 'edc-issue[fast]'; the test extras include it)")

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PROFILES = [Profile(name, "shacl", version) for name in EDC_PROFILES for version in ("3.2", "3.1")]


def _credentials() -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    seen: set[str] = set()
    for folder in ("validate/edc", "edc-samples", "edc-sealed"):
        for path in sorted((FIXTURES / folder).rglob("*.json*")):
            if path.name == "PROVENANCE.json":
                continue
            try:
                credential, _ = unwrap_credential(json.loads(path.read_text(encoding="utf-8")))
            except (ValueError, EdcIssueError):
                continue
            text = json.dumps(credential, sort_keys=True)
            if text not in seen:
                seen.add(text)
                out.append((f"{folder}/{path.relative_to(FIXTURES / folder)}", credential))
    return out


CREDENTIALS = _credentials()


def _graph(credential: dict[str, Any], profile: Profile) -> list[RawQuad] | None:
    loader = elm31_loader() if profile.elm_version == "3.1" else default_loader()
    annotated, _ = annotate(credential)
    try:
        return raw_quads(annotated, strict=True, loader=loader)
    except JsonLdError as exc:
        if not exc.problems:
            return None
        return raw_quads(annotated, strict=False, loader=loader)
    except ContextError:
        return None


def _counts(quads: list[RawQuad], profile: Profile) -> tuple[int, int]:
    """(pySHACL's number of results, rudof's)."""
    data, _markers = shacl._build(quads)
    _conforms, report = shacl._run(data, shacl.load_shapes(profile))
    reference = len(list(report.objects(None, shacl.SH.result)))
    engine = shacl.FastEngine()
    fast = engine._session(profile).results(shacl._ntriples(quads, ()))
    return reference, fast


def test_the_fixtures_are_there() -> None:
    assert len(CREDENTIALS) >= 20


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.label)
@pytest.mark.parametrize(("name", "credential"), CREDENTIALS, ids=[n for n, _ in CREDENTIALS])
def test_same_number_of_results(name: str, credential: dict[str, Any], profile: Profile) -> None:
    quads = _graph(credential, profile)
    if quads is None:
        pytest.skip("not RDF (an unknown context or invalid JSON-LD): SHACL does not run")
    reference, fast = _counts(quads, profile)
    assert fast == reference


@cache
def _conforming() -> list[dict[str, Any]]:
    out = []
    for _name, credential in CREDENTIALS:
        quads = _graph(credential, PROFILES[2])  # edc-generic-full@3.2
        if quads is not None and _counts(quads, PROFILES[2]) == (0, 0):
            out.append(credential)
    assert out, "some EU samples conform to edc-generic-full"
    return out


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key != "@context":
                out.append((*path, key))
                out.extend(_paths(value, (*path, key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.append((*path, i))
            out.extend(_paths(value, (*path, i)))
    return out


@st.composite
def _variants(draw: Any) -> dict[str, Any]:
    credential = copy.deepcopy(draw(st.sampled_from(_conforming())))
    path = draw(st.sampled_from(_paths(credential)))
    parent = credential
    for step in path[:-1]:
        parent = parent[step]
    change = draw(st.sampled_from(["remove", "string", "number", "iri", "duplicate"]))
    if change == "remove":
        del parent[path[-1]]
    elif change == "string":
        parent[path[-1]] = "x"
    elif change == "number":
        parent[path[-1]] = 7
    elif change == "iri":
        parent[path[-1]] = {"id": "http://data.europa.eu/snb/not-a-concept"}
    else:
        value = parent[path[-1]]
        parent[path[-1]] = [value, copy.deepcopy(value)] if not isinstance(value, list) else (
            value + value)
    return credential


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(_variants())
def test_generated_variants_agree_on_no_result(credential: dict[str, Any]) -> None:
    quads = _graph(credential, PROFILES[2])
    if quads is None:
        return
    data, _markers = shacl._build(quads)
    _conforms, report = shacl._run(data, shacl.load_shapes(PROFILES[2]))
    reference = len(list(report.objects(None, shacl.SH.result)))
    event("conforms" if reference == 0 else "does not conform")
    # the fast path may only ever say "no result" where pySHACL finds none (it may ask
    # pySHACL more often than needed: that costs time, never a wrong verdict)
    if shacl.FastEngine().conforms(PROFILES[2], quads):
        assert reference == 0


def test_a_literal_where_a_node_is_expected_is_left_to_pyshacl() -> None:
    """rudof finds nothing wrong with ``"hasClaim": 7`` (a literal as the value node of the
    Claim shape's sh:or); pySHACL reports it. The fast path must not say "conforms"."""
    credential = copy.deepcopy(_conforming()[0])
    credential["credentialSubject"]["hasClaim"] = 7
    quads = _graph(credential, PROFILES[2])
    assert quads is not None
    reference, _rudof = _counts(quads, PROFILES[2])
    assert reference > 0
    assert not shacl.FastEngine().conforms(PROFILES[2], quads)
    assert not validate(credential).ok


def test_validate_gives_the_same_report_with_either_engine(monkeypatch: Any) -> None:
    for _name, credential in CREDENTIALS[:8]:
        fast = validate(credential)
        monkeypatch.setenv("EDC_ISSUE_SHACL_ENGINE", "pyshacl")
        monkeypatch.setattr(shacl, "_FAST", None)
        reference = validate(credential)
        monkeypatch.delenv("EDC_ISSUE_SHACL_ENGINE")
        monkeypatch.setattr(shacl, "_FAST", None)
        assert fast.to_json() == reference.to_json()
