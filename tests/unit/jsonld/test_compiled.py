"""The compiled JSON-LD path gives the same quads as pyld, or declines.

For every JSON-LD document among the project's fixtures and examples, and for documents
generated from the bundled contexts' own terms:

- when the compiled path answers, pyld's strict expansion accepts the document too, and
  the two datasets are equal: the same RDFC-1.0 canonical form (a canonical labelling,
  so equal forms mean isomorphic datasets) and the same number of distinct quads;
- when it declines, the public functions take pyld's path (strict-mode errors, with
  their codes, paths and messages, come from there alone).

The fixture sweep also pins that the compiled path handles every fixture that strict
mode accepts, so the fast path is the one taken.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from edc_issue import canonicalize_nquads, to_nquads
from edc_issue.errors import EdcIssueError
from edc_issue.formats.envelopes import unwrap_credential
from edc_issue.jsonld import (
    OfflineLoader,
    bundled_contexts,
    canonical_nquads,
    compiled,
    default_loader,
    to_dataset,
    to_quads,
)
from edc_issue.jsonld.nquads import Quad, from_pyld_dataset
from edc_issue.jsonld.rdfc10 import canonicalize
from edc_issue.validate.edc import elm31_loader

ROOT = Path(__file__).resolve().parents[3]


def _documents() -> list[tuple[str, dict[str, Any]]]:
    out = []
    seen: set[str] = set()
    for path in sorted([*ROOT.joinpath("tests", "fixtures").rglob("*.json*"),
                        *ROOT.joinpath("examples").rglob("*.json*")]):
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            document, _ = unwrap_credential(raw) if isinstance(raw, dict) else (raw, None)
        except (ValueError, EdcIssueError):
            continue
        if isinstance(document, dict) and "@context" in document:
            text = json.dumps(document, sort_keys=True)
            if text not in seen:  # the EU samples are in three folders
                seen.add(text)
                out.append((str(path.relative_to(ROOT)), document))
    return out


DOCUMENTS = _documents()


def _pyld(document: dict[str, Any], strict: bool, loader: OfflineLoader) -> list[Quad] | str:
    """pyld's quads, or the error code it raises."""
    try:
        return from_pyld_dataset(to_dataset(document, strict=strict, loader=loader))
    except EdcIssueError as exc:
        return exc.code


def check(document: dict[str, Any], loader: OfflineLoader | None = None, *,
          lenient: bool = True) -> bool:
    """Assert the compiled path agrees with pyld on *document*; True if it answered."""
    ldr = loader if loader is not None else default_loader()
    fast = compiled.to_quads(document, ldr, ldr.contexts)
    if fast is None:
        return False
    strict = _pyld(document, True, ldr)
    assert not isinstance(strict, str), f"compiled accepted what strict mode refuses: {strict}"
    assert len(set(fast)) == len(strict)
    expected = canonicalize(strict)
    assert canonicalize(fast) == expected
    if lenient:
        dropped = _pyld(document, False, ldr)
        assert not isinstance(dropped, str)
        assert canonicalize(dropped) == expected
    return True


def test_the_sweep_has_documents() -> None:
    assert len(DOCUMENTS) > 200


#: Documents strict mode accepts that the compiled path declines (pyld then answers), each
#: with the construct: rare enough that the compiled path leaves it to pyld.
DECLINED = {
    "presentation-vc-as-string-fail.json": "a string (a JWT, read as a relative IRI) in a "
    "@graph container: a node reference where a graph is expected",
}


@pytest.mark.parametrize(("name", "document"), DOCUMENTS, ids=[n for n, _ in DOCUMENTS])
def test_fixture(name: str, document: dict[str, Any]) -> None:
    answered = check(document, lenient=False)
    if not answered and Path(name).name in DECLINED:
        return
    if not answered:
        # declined: only documents that strict mode refuses (each is pyld's to explain)
        assert isinstance(_pyld(document, True, default_loader()), str), name
    assert Path(name).name not in DECLINED, f"{name} is answered now: take it off DECLINED"


@pytest.mark.parametrize(("name", "document"),
                         [(n, d) for n, d in DOCUMENTS if "edc" in n.lower()][:12])
def test_fixture_with_the_elm31_context(name: str, document: dict[str, Any]) -> None:
    check(document, elm31_loader(), lenient=False)


def test_public_functions_take_the_compiled_path_and_agree() -> None:
    document = dict(DOCUMENTS[0][1])
    for _name, document in DOCUMENTS:
        if compiled.to_quads(document, default_loader(), default_loader().contexts) is None:
            continue
        reference = canonicalize_nquads(to_nquads(document))
        assert canonical_nquads(document) == reference
        assert canonicalize(to_quads(document)) == reference
        assert canonical_nquads(document, hash_algorithm="sha384") == canonicalize_nquads(
            to_nquads(document), "sha384")
        break


def test_a_loader_that_changes_its_documents_is_not_served_stale_tables() -> None:
    url = "https://example.org/ctx.jsonld"
    loader = OfflineLoader({url: {"@context": {"name": "https://example.org/a#name"}}})
    doc = {"@context": url, "@id": "urn:x", "name": "n"}
    assert "example.org/a#name" in to_nquads(doc, loader=loader)
    loader.add(url, {"@context": {"name": "https://example.org/b#name"}})
    assert "example.org/b#name" in to_nquads(doc, loader=loader)
    assert check(doc, loader)


def test_strict_errors_are_pyld_s() -> None:
    doc = {"@context": ["https://www.w3.org/2018/credentials/v1"], "id": "urn:x",
           "type": "VerifiableCredential", "nmae": "typo"}
    loader = default_loader()
    assert compiled.to_quads(doc, loader, loader.contexts) is None
    with pytest.raises(EdcIssueError) as info:
        to_nquads(doc)
    assert info.value.code == "jsonld.undefined_term"
    assert info.value.pointer == "nmae"


# --- generated documents ------------------------------------------------------------

V2 = "https://www.w3.org/ns/credentials/v2"
V1 = "https://www.w3.org/2018/credentials/v1"
OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
EXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
CLR = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
EDC = "http://data.europa.eu/snb/model/context/edc-ap"
DI = "https://w3id.org/security/data-integrity/v2"
EX2 = "https://www.w3.org/ns/credentials/examples/v2"
XSD = "http://www.w3.org/2001/XMLSchema#"
#: An inline context with one term of each kind the compiled path handles.
KINDS: dict[str, Any] = {
    "ex": "https://example.org/ns#", "Thing": "ex:Thing",
    "label": {"@id": "ex:label", "@container": "@language"},
    "labels": {"@id": "ex:labels", "@container": ["@language", "@set"]},
    "items": {"@id": "ex:items", "@container": "@list"},
    "ref": {"@id": "ex:ref", "@type": "@id"}, "kind": {"@id": "ex:kind", "@type": "@vocab"},
    "when": {"@id": "ex:when", "@type": XSD + "dateTime"},
    "score": {"@id": "ex:score", "@type": XSD + "double"},
    "count": {"@id": "ex:count", "@type": XSD + "integer"},
    "g": {"@id": "ex:g", "@container": "@graph"},
    "fr": {"@id": "ex:fr", "@language": "fr"}, "plain": {"@id": "ex:plain", "@language": None},
    "Scoped": {"@id": "ex:Scoped", "@context": {"inner": "ex:inner", "label": "ex:other"}},
    "prop": {"@id": "ex:prop", "@context": {"deep": {"@id": "ex:deep", "@type": "@id"}}},
    "none": {"@id": "ex:none", "@type": "@none"},
}
CONTEXT_SETS: list[Any] = [[V2], [V2, OB3], [V2, OB3, EXT], [V2, OB3, CLR], [V1], [V1, DI],
                           [EDC], V2, [V2, EX2], [V2, KINDS], [KINDS],
                           [{**KINDS, "@language": "EN-gb", "@vocab": "https://example.org/v#"}],
                           [{**KINDS, "@vocab": "https://example.org/v#"}, V2]]


@cache
def _defined(index: int) -> tuple[list[str], list[str]]:
    """Properties and types the top level of context set *index* defines."""
    from edc_issue.jsonld._pyld import Engine

    loader = default_loader()
    engine = Engine(loader, loader.contexts)
    ctx = engine.process(engine.initial, CONTEXT_SETS[index])
    terms = sorted(k for k, v in ctx["mappings"].items() if v and not k.startswith("@"))
    return ([k for k in terms if not k[:1].isupper()] or ["name"],
            [k for k in terms if k[:1].isupper()] or ["Thing"])


@cache
def _terms() -> tuple[list[str], list[str]]:
    """Keys and type names defined anywhere in the bundled contexts (scoped ones too)."""
    keys: set[str] = set()
    loader = default_loader()

    def walk(ctx: Any) -> None:
        if isinstance(ctx, list):
            for item in ctx:
                walk(item)
        elif isinstance(ctx, dict):
            for key, value in ctx.items():
                if not key.startswith("@"):
                    keys.add(key)
                if isinstance(value, dict) and "@context" in value:
                    walk(value["@context"])

    for url in bundled_contexts():
        walk(loader.get(url).get("@context"))
    terms = sorted(k for k in keys if ":" not in k)
    types = [k for k in terms if k[:1].isupper()]
    props = [k for k in terms if not k[:1].isupper()]
    return props, types


KEYWORD_KEYS = ["id", "type", "@id", "@type", "@value", "@language", "@list", "@set",
                "@graph", "@direction", "@index", "@reverse", "@included", "@nest", "@json"]
UNDEFINED = ["nmae", "foo", "bar_baz", "ex:thing", "xsd:date", "schema:name",
             "https://example.org/p", "_:bnodeprop", "@foo", ""]
IRIS = ["https://example.org/a", "urn:uuid:1", "did:example:123", "did:key:z6Mk", "_:b0",
        "_:x", "relative/path", "#frag", "", "ex:thing", "xsd:string", "mailto:a@b.c"]


SPECIAL = [0, 1, -1, 10**21, 2**53, 1.0, 1.5, -0.25, 1e22, 3.14159, True, False, None,
           "2024-01-01T00:00:00Z", "en", "\u00e9t\u00e9", "\U0001f600"]


def _scalars() -> st.SearchStrategy[Any]:
    return st.one_of(st.sampled_from(IRIS), st.text(max_size=8), st.integers(-3, 3),
                     st.sampled_from(SPECIAL))


@st.composite
def _node(draw: Any, depth: int, index: int = 0) -> dict[str, Any]:
    props, types = _terms()
    local_props, local_types = _defined(index)
    node: dict[str, Any] = {}
    if draw(st.booleans()):
        node[draw(st.sampled_from(["id", "@id", "id"]))] = draw(st.sampled_from(IRIS))
    if draw(st.booleans()):
        pool = st.sampled_from(local_types) | st.sampled_from(local_types) | st.sampled_from(
            types) | st.sampled_from(["MadeUp", "ex:Thing", "Thing", "https://example.org/T"])
        node[draw(st.sampled_from(["type", "@type", "type"]))] = draw(
            pool | st.lists(pool, max_size=3))
    keys = st.one_of(st.sampled_from(local_props), st.sampled_from(local_props),
                     st.sampled_from(local_props), st.sampled_from(props),
                     st.sampled_from(UNDEFINED + KEYWORD_KEYS))
    for key in draw(st.lists(keys, max_size=5, unique=True)):
        node[key] = draw(_value(depth, index))
    return node


def _value(depth: int, index: int = 0) -> st.SearchStrategy[Any]:
    leaf = _scalars()
    if depth <= 0:
        return leaf | st.lists(leaf, max_size=3)
    inner = _node(depth - 1, index)
    language_map = st.dictionaries(st.sampled_from(["en", "EN-GB", "fr", "@none", "x", "De"]),
                                   st.text(max_size=5) | st.lists(st.text(max_size=3),
                                                                  max_size=2), max_size=3)
    value_object = st.fixed_dictionaries(
        {"@value": st.text(max_size=5) | st.integers(0, 9) | st.booleans()},
        optional={"@language": st.sampled_from(["en", "FR"]),
                  "@type": st.sampled_from(["xsd:dateTime", "https://example.org/dt"]),
                  "@direction": st.sampled_from(["ltr", "rtl", "up"])})
    nested_context = inner.map(lambda n: {"@context": [V2, OB3], **n})
    return st.one_of(leaf, inner, st.lists(leaf | inner, max_size=3), language_map,
                     value_object, nested_context, st.lists(st.lists(leaf, max_size=2),
                                                            max_size=2))


@st.composite
def documents(draw: Any) -> dict[str, Any]:
    index = draw(st.integers(0, len(CONTEXT_SETS) - 1))
    document = draw(_node(3, index))
    document["@context"] = CONTEXT_SETS[index]
    return document


@st.composite
def credentials(draw: Any) -> dict[str, Any]:
    """Credentials that use only defined OB 3.0 terms (the compiled path's bread and butter)."""
    subject: dict[str, Any] = {"type": ["AchievementSubject"],
                               "achievement": {"id": draw(st.sampled_from(IRIS[:4])),
                                               "type": ["Achievement"],
                                               "name": draw(st.text(max_size=10)),
                                               "criteria": {"narrative": draw(st.text())}}}
    if draw(st.booleans()):
        subject["id"] = draw(st.sampled_from(IRIS[:4]))
    document: dict[str, Any] = {
        "@context": [V2, OB3], "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://example.org/issuer", "type": ["Profile"],
                   "name": draw(st.text(max_size=10))},
        "validFrom": "2024-01-01T00:00:00Z", "name": draw(st.text(max_size=10)),
        "credentialSubject": subject,
    }
    if draw(st.booleans()):
        document["id"] = draw(st.sampled_from(IRIS[:4]))
    for key in draw(st.lists(st.sampled_from(["description", "image", "evidence",
                                              "awardedDate", "inLanguage"]), unique=True)):
        document[key] = draw(_value(1))
    return document


SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(documents())
def test_generated_documents(document: dict[str, Any]) -> None:
    event("compiled" if check(document) else "declined")


@SETTINGS
@given(credentials())
def test_generated_credentials(document: dict[str, Any]) -> None:
    event("compiled" if check(document) else "declined")


def test_the_generators_reach_the_compiled_path() -> None:
    from hypothesis import find

    loader = default_loader()
    for strategy, size in ((documents(), 4), (credentials(), 12)):
        found = find(strategy, lambda d, n=size: (
            q := compiled.to_quads(d, loader, loader.contexts)) is not None and len(q) >= n,
            settings=settings(max_examples=1000, deadline=None,
                              suppress_health_check=[HealthCheck.too_slow]))
        assert check(found)


# --- targeted cases ---------------------------------------------------------------

CASES: list[Any] = [
    {"label": {"EN-GB": "colour", "@none": "x", "fr": ["a", "b"], "de": None}},
    {"labels": {"En": "x"}}, {"label": "not a map"},
    {"items": [1, "two", {"@value": 3}, None, {"ref": "urn:a"}]}, {"items": []},
    {"items": {"@value": None}}, {"items": "one"},
    {"ref": "_:b1", "kind": "Thing", "when": "2024-01-01T00:00:00Z", "count": 5.0},
    {"score": 1, "count": True}, {"score": "1.5"}, {"score": "abc"}, {"count": 10**21},
    {"ex:n": [1.5, -0.0, 2.5e-7, 1e100, 0.1]}, {"ex:n": [2**64, -7, 0, 1.0]},
    {"fr": "bonjour", "plain": "x", "none": "y", "ex:v": "z"},
    {"g": {"@id": "urn:inner", "ex:p": "v", "g": {"ex:q": 1}}}, {"g": [{"ex:p": 1}, {}]},
    {"@type": "Scoped", "inner": "i", "label": "l", "ex:child": {"label": {"en": "x"}}},
    {"@type": "Scoped", "ex:child": {"inner": "declined: type-scoped terms do not propagate"}},
    {"prop": {"deep": "urn:d"}}, {"ex:p": {"@value": "v", "@language": "EN"}},
    {"ex:p": {"@value": "v", "@type": "ex:dt"}}, {"ex:p": {"@value": "v", "@direction": "rtl"}},
    {"ex:p": [[1, 2], [3]]}, {"ex:p": {}}, {"@id": "urn:only"}, {"ex:p": {"@id": "urn:ref"}},
    {"@id": "_:a", "ex:p": {"@id": "_:a"}}, {"type": "Thing"},
    {"ex:p": "\u0000\t\"\\ \U0001f600 \ufffd"},
]


@pytest.mark.parametrize("body", CASES)
@pytest.mark.parametrize("context", [[KINDS], [V2, KINDS],
                                     [{**KINDS, "@language": "EN-gb"}]])
def test_case(body: dict[str, Any], context: Any) -> None:
    check({"@context": context, **body})
