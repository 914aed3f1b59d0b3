"""N-Quads terms, parser and canonical serializer (edc_issue.jsonld.nquads)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edc_issue.errors import CanonicalizationError
from edc_issue.jsonld.nquads import (
    DEFAULT_GRAPH,
    IRI,
    RDF_LANGSTRING,
    XSD_STRING,
    BlankNode,
    DefaultGraph,
    Literal,
    Quad,
    from_pyld_dataset,
    parse_nquads,
    serialize_nquads,
    serialize_quad,
    serialize_term,
)

S, P, OBJ, G = IRI("urn:ex:s"), IRI("urn:ex:p"), IRI("urn:ex:o"), IRI("urn:ex:g")
XSD_INT = "http://www.w3.org/2001/XMLSchema#integer"

# --------------------------------------------------------------------------- terms


def test_terms_of_different_kinds_never_compare_equal() -> None:
    kinds: list[Any] = [IRI("x"), BlankNode("x"), Literal("x"), DEFAULT_GRAPH]
    for i, a in enumerate(kinds):
        for j, b in enumerate(kinds):
            assert (a == b) is (i == j)
    assert Literal("x") != Literal("x", XSD_INT)
    assert Literal.lang("x", "en") != Literal("x")
    assert DefaultGraph() == DEFAULT_GRAPH


def test_terms_and_quads_are_immutable_and_hashable() -> None:
    quad = Quad(BlankNode("b0"), P, Literal("v"), DEFAULT_GRAPH)
    assert {quad, Quad(BlankNode("b0"), P, Literal("v"))} == {quad}
    with pytest.raises(dataclasses.FrozenInstanceError):
        quad.subject = S  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        P.value = "urn:other"  # type: ignore[misc]
    assert not hasattr(P, "__dict__")  # slots: small and fast


# ------------------------------------------------------------------------- parsing


def test_parse_every_kind_of_term() -> None:
    text = (
        "<urn:ex:s> <urn:ex:p> <urn:ex:o> .\n"
        "_:a <urn:ex:p> _:b _:g .\n"
        '<urn:ex:s> <urn:ex:p> "plain" <urn:ex:g> .\n'
        '<urn:ex:s> <urn:ex:p> "chat"@fr-BE .\n'
        f'<urn:ex:s> <urn:ex:p> "5"^^<{XSD_INT}> .\n'
        f'<urn:ex:s> <urn:ex:p> "typed"^^<{XSD_STRING}> .\n'
    )
    assert parse_nquads(text) == [
        Quad(S, P, OBJ),
        Quad(BlankNode("a"), P, BlankNode("b"), BlankNode("g")),
        Quad(S, P, Literal("plain"), G),
        Quad(S, P, Literal("chat", RDF_LANGSTRING, "fr-BE")),
        Quad(S, P, Literal("5", XSD_INT)),
        Quad(S, P, Literal("typed")),  # an explicit xsd:string is the same literal
    ]


def test_whitespace_comments_blank_lines_and_line_ends() -> None:
    text = (
        "\ufeff# a comment\r\n"
        "\r\n"
        "\t<urn:ex:s>\t<urn:ex:p>   <urn:ex:o>.# trailing comment\r"
        "<urn:ex:s><urn:ex:p>\"x\"<urn:ex:g>.\n"
        "_:b.1 <urn:ex:p> _:o.\n"  # '.' inside a label, not at its end
        "   \n"
        "# last line without newline"
    )
    assert parse_nquads(text) == [
        Quad(S, P, OBJ),
        Quad(S, P, Literal("x"), G),
        Quad(BlankNode("b.1"), P, BlankNode("o")),
    ]
    assert parse_nquads("") == []


def test_unescaping_in_literals_and_iris() -> None:
    text = (
        r'<urn:ex:\u0073> <urn:ex:p> "\t\b\n\r\f\"\'\\ \u00e9 \U0001F303 \uD83C\uDF03" .'
        "\n"
        r'<urn:ex:s> <urn:ex:p> "\\u0039" <urn:ex:\U00000067> .'
    )
    first, second = parse_nquads(text)
    assert first.subject == S
    assert first.object == Literal("\t\b\n\r\f\"'\\ é 🌃 🌃")
    assert second.object == Literal("\\u0039")
    assert second.graph == G


def test_labels_in_blank_nodes_keep_unicode() -> None:
    (quad,) = parse_nquads("_:é·x-1 <urn:ex:p> _:_:9 .")
    assert quad.subject == BlankNode("é·x-1")
    assert quad.object == BlankNode("_:9")


BAD_LINES = [
    ("<urn:ex:s> <urn:ex:p> <urn:ex:o>", "the final '.'"),
    ("<urn:ex:s> <urn:ex:p> .", "an object"),
    ('"lit" <urn:ex:p> <urn:ex:o> .', "a subject"),
    ("<urn:ex:s> _:p <urn:ex:o> .", "a predicate"),
    ("<urn ex> <urn:ex:p> <urn:ex:o> .", "a subject"),
    ('<urn:ex:s> <urn:ex:p> "open .', "an object"),
    (r'<urn:ex:s> <urn:ex:p> "\a" .', "an object"),
    (r'<urn:ex:s> <urn:ex:p> "\u12" .', "an object"),
    (r"<urn:ex:\n> <urn:ex:p> <urn:ex:o> .", "a subject"),
    ('<urn:ex:s> <urn:ex:p> "x"@ .', "the final '.'"),
    ('<urn:ex:s> <urn:ex:p> "x"@en- .', "the final '.'"),
    ('<urn:ex:s> <urn:ex:p> <urn:ex:o> "g" .', "a graph name"),
    ("_:a. <urn:ex:p> <urn:ex:o> .", "a predicate"),
    ("<urn:ex:s> <urn:ex:p> <urn:ex:o> . junk", "nothing but a comment"),
    ("<urn:ex:s> <urn:ex:p> <urn:ex:o> <urn:ex:g> <urn:ex:h> .", "the final '.'"),
    ("<<urn:ex:s> <urn:ex:p> <urn:ex:o>>> <urn:ex:p> <urn:ex:o> .", "a subject"),
]


@pytest.mark.parametrize(("line", "expected"), BAD_LINES, ids=[b[0] for b in BAD_LINES])
def test_syntax_errors_name_the_line_and_what_was_expected(line: str, expected: str) -> None:
    text = "<urn:ex:s> <urn:ex:p> <urn:ex:o> .\n# comment\n" + line + "\n"
    with pytest.raises(CanonicalizationError) as caught:
        parse_nquads(text)
    error = caught.value
    assert error.code == "canon.invalid_nquads"
    assert error.pointer == "line 3"
    assert expected in error.message
    assert str(error).startswith("line 3: invalid N-Quads")


@pytest.mark.parametrize(
    "escape", [r"\uD800", r"\uDC00", r"\U00110000", r"\U0000DFFF", r"\n\uDC00"]
)
def test_escapes_that_are_not_unicode_scalar_values_are_refused(escape: str) -> None:
    with pytest.raises(CanonicalizationError) as caught:
        parse_nquads(f'<urn:ex:s> <urn:ex:p> "a{escape}b" .')
    assert caught.value.code == "canon.invalid_nquads"
    assert caught.value.pointer == "line 1"


def test_long_malformed_literal_fails_fast() -> None:
    # no catastrophic backtracking on a long unterminated string
    line = '<urn:ex:s> <urn:ex:p> "' + "a\\t" * 50_000
    with pytest.raises(CanonicalizationError):
        parse_nquads(line)


# ------------------------------------------------------------------- serialization


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("", '""'),
        ('"\\', '"\\"\\\\"'),
        ("\b\t\n\f\r", '"\\b\\t\\n\\f\\r"'),
        ("\x00\x01\x07\x0b\x0e\x1f", '"\\u0000\\u0001\\u0007\\u000B\\u000E\\u001F"'),
        ("\x7f", '"\\u007F"'),
        ("'", "\"'\""),
        ("\x80\u00a0é∞\uf600🌃", '"\x80\u00a0é∞\uf600🌃"'),  # written as they are
        (" <>{}|^`", '" <>{}|^`"'),
    ],
)
def test_canonical_literal_escaping(value: str, written: str) -> None:
    assert serialize_term(Literal(value)) == written


def test_canonical_quads() -> None:
    assert serialize_quad(Quad(S, P, OBJ)) == "<urn:ex:s> <urn:ex:p> <urn:ex:o> .\n"
    assert (
        serialize_quad(Quad(BlankNode("b"), P, Literal("x"), BlankNode("g")))
        == '_:b <urn:ex:p> "x" _:g .\n'
    )
    assert serialize_quad(Quad(S, P, Literal("x", XSD_STRING), G)) == (
        '<urn:ex:s> <urn:ex:p> "x" <urn:ex:g> .\n'
    )
    assert serialize_quad(Quad(S, P, Literal.lang("x", "en-GB"))) == (
        '<urn:ex:s> <urn:ex:p> "x"@en-GB .\n'
    )
    assert serialize_quad(Quad(S, P, Literal("1", XSD_INT))) == (
        f'<urn:ex:s> <urn:ex:p> "1"^^<{XSD_INT}> .\n'
    )
    # IRIs are written unescaped (test060 of the W3C suite)
    assert serialize_term(IRI("urn:ex:∞\u00a0")) == "<urn:ex:∞\u00a0>"
    assert str(Quad(S, P, OBJ)) == "<urn:ex:s> <urn:ex:p> <urn:ex:o> ."
    assert serialize_nquads([Quad(S, P, OBJ), Quad(S, P, OBJ, G)]) == (
        "<urn:ex:s> <urn:ex:p> <urn:ex:o> .\n<urn:ex:s> <urn:ex:p> <urn:ex:o> <urn:ex:g> .\n"
    )


def test_escaped_input_serializes_canonically() -> None:
    text = r'<urn:ex:\u0073> <urn:ex:p> "\u0022\u005c\u0009\u000b\U0001F303\'" .'
    assert serialize_nquads(parse_nquads(text)) == (
        '<urn:ex:s> <urn:ex:p> "\\"\\\\\\t\\u000B🌃\'" .\n'
    )


# A text strategy without surrogates (not representable in UTF-8).
TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)
IRI_TEXT = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters='\x7f<>"{}|^`\\',
                  min_codepoint=0x21),
    min_size=1, max_size=20,
).map(lambda tail: f"urn:x:{tail}")
LABELS = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,8}[A-Za-z0-9_\-]|[A-Za-z_]",
                       fullmatch=True)
NODES = st.one_of(IRI_TEXT.map(IRI), LABELS.map(BlankNode))
LITERALS = st.one_of(
    TEXT.map(Literal),
    st.builds(Literal.lang, TEXT, st.from_regex(r"[a-z]{2,3}(-[A-Z0-9]{2,4})?", fullmatch=True)),
    st.builds(Literal, TEXT, IRI_TEXT),
)
QUADS = st.builds(
    Quad, NODES, IRI_TEXT.map(IRI), st.one_of(NODES, LITERALS),
    st.one_of(st.just(DEFAULT_GRAPH), NODES),
)


@given(st.lists(QUADS, max_size=8))
def test_serialize_then_parse_round_trips(quads: list[Quad]) -> None:
    text = serialize_nquads(quads)
    assert parse_nquads(text) == quads
    assert serialize_nquads(parse_nquads(text)) == text


@given(TEXT)
def test_serialized_literals_stay_on_one_line(value: str) -> None:
    written = serialize_term(Literal(value))
    assert "\n" not in written and "\r" not in written
    (quad,) = parse_nquads(f"<urn:ex:s> <urn:ex:p> {written} .")
    assert quad.object == Literal(value)


# ------------------------------------------------------------------- pyld datasets


def test_from_pyld_dataset() -> None:
    dataset = {
        "@default": [
            {
                "subject": {"type": "IRI", "value": "urn:ex:s"},
                "predicate": {"type": "IRI", "value": "urn:ex:p"},
                "object": {"type": "blank node", "value": "_:b0"},
            },
        ],
        "_:b1": [
            {
                "subject": {"type": "blank node", "value": "_:b0"},
                "predicate": {"type": "IRI", "value": "urn:ex:p"},
                "object": {"type": "literal", "value": "x", "datatype": RDF_LANGSTRING,
                           "language": "en"},
            },
        ],
        "urn:ex:g": [
            {
                "subject": {"type": "IRI", "value": "urn:ex:s"},
                "predicate": {"type": "IRI", "value": "urn:ex:p"},
                "object": {"type": "literal", "value": "5", "datatype": XSD_INT},
            },
            {
                "subject": {"type": "IRI", "value": "urn:ex:s"},
                "predicate": {"type": "IRI", "value": "urn:ex:p"},
                "object": {"type": "literal", "value": "plain", "datatype": XSD_STRING},
            },
        ],
    }
    assert from_pyld_dataset(dataset) == [
        Quad(S, P, BlankNode("b0")),
        Quad(BlankNode("b0"), P, Literal.lang("x", "en"), BlankNode("b1")),
        Quad(S, P, Literal("5", XSD_INT), G),
        Quad(S, P, Literal("plain"), G),
    ]


def test_from_pyld_dataset_matches_pyld_nquads() -> None:
    jsonld = pytest.importorskip("pyld.jsonld")
    document = {
        "@context": {"@vocab": "urn:ex:", "knows": {"@type": "@id"}},
        "@id": "urn:ex:alice",
        "name": [{"@value": "Alice", "@language": "en"}, "A \"quoted\"\tname"],
        "age": 42,
        "friend": {"name": "Bob", "@graph": {"@id": "urn:ex:x", "knows": "urn:ex:y"}},
    }
    dataset = jsonld.to_rdf(document, {})
    expected = jsonld.to_rdf(document, {"format": "application/n-quads"})
    quads = from_pyld_dataset(dataset)
    assert sorted(serialize_quad(q) for q in quads) == sorted(expected.splitlines(True))


def test_from_pyld_dataset_rejects_malformed_nodes() -> None:
    bad = {"@default": [{"subject": {"type": "other", "value": "x"},
                         "predicate": {"type": "IRI", "value": "urn:ex:p"},
                         "object": {"type": "IRI", "value": "urn:ex:o"}}]}
    with pytest.raises(CanonicalizationError, match="unexpected type"):
        from_pyld_dataset(bad)
