"""RDF terms and quads, an N-Quads parser and the canonical N-Quads serializer.

* Terms are small immutable value objects (:class:`IRI`, :class:`BlankNode`,
  :class:`Literal`, :data:`DEFAULT_GRAPH`); two terms of different kinds never
  compare equal, so quads can be put in sets and dicts safely.
* :func:`parse_nquads` implements the whole N-Quads grammar
  (https://www.w3.org/TR/n-quads/#sec-grammar): comments, ``\\u``/``\\U``/ECHAR
  escapes, language tags, datatypes, blank-node labels and graph names.
* :func:`serialize_quad` writes the *canonical* form that RDFC-1.0 hashes and
  returns (https://www.w3.org/TR/rdf-canon/#canonical-quads, which points to
  https://www.w3.org/TR/rdf12-n-quads/#canonical-quads): single spaces, no
  ``xsd:string`` datatype, ``rdf:langString`` written as a language tag, IRIs
  written as they are, and in literals only ``\\b \\t \\n \\f \\r \\" \\\\`` as
  ECHAR and the other control characters (U+0000-U+001F, U+007F) as ``\\uXXXX``
  with upper-case hex digits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeAlias

from ..errors import CanonicalizationError

__all__ = [
    "DEFAULT_GRAPH",
    "IRI",
    "RDF_LANGSTRING",
    "XSD_STRING",
    "BlankNode",
    "DefaultGraph",
    "GraphName",
    "Literal",
    "Object",
    "Quad",
    "RawGraph",
    "RawObject",
    "RawQuad",
    "RawSubject",
    "Subject",
    "Term",
    "from_pyld_dataset",
    "parse_nquads",
    "quads_from_raw",
    "raw_from_quads",
    "serialize_literal",
    "serialize_nquads",
    "serialize_quad",
    "serialize_term",
]

XSD_STRING: Final = "http://www.w3.org/2001/XMLSchema#string"
"""The datatype of simple literals; never written in canonical N-Quads."""

RDF_LANGSTRING: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
"""The datatype of language-tagged literals; written as ``@lang``."""

_NQUADS_SPEC: Final = "https://www.w3.org/TR/n-quads/#sec-grammar"


# --------------------------------------------------------------------------- terms


@dataclass(frozen=True, slots=True)
class IRI:
    """An IRI reference (absolute IRI, stored unescaped, without ``<`` ``>``)."""

    value: str

    def __str__(self) -> str:
        return f"<{self.value}>"


@dataclass(frozen=True, slots=True)
class BlankNode:
    """A blank node, identified by its label without the ``_:`` prefix."""

    id: str

    def __str__(self) -> str:
        return f"_:{self.id}"


@dataclass(frozen=True, slots=True)
class Literal:
    """A literal: lexical form, datatype IRI and, for ``rdf:langString``, a language tag.

    Build simple literals with ``Literal("text")`` and language-tagged ones with
    ``Literal("texte", RDF_LANGSTRING, "fr")`` (see :meth:`lang`).
    """

    value: str
    datatype: str = XSD_STRING
    language: str | None = None

    @classmethod
    def lang(cls, value: str, language: str) -> Literal:
        """A language-tagged string (datatype ``rdf:langString``)."""
        return cls(value, RDF_LANGSTRING, language)

    def __str__(self) -> str:
        return serialize_literal(self)


@dataclass(frozen=True, slots=True)
class DefaultGraph:
    """The default graph of a dataset (use the :data:`DEFAULT_GRAPH` instance)."""

    def __str__(self) -> str:
        return ""


DEFAULT_GRAPH: Final = DefaultGraph()
"""The one default-graph value; all instances of :class:`DefaultGraph` are equal."""

Subject: TypeAlias = "IRI | BlankNode"
"""What may stand in subject position."""
Object: TypeAlias = "IRI | BlankNode | Literal"
"""What may stand in object position."""
GraphName: TypeAlias = "IRI | BlankNode | DefaultGraph"
"""What may name a graph (:data:`DEFAULT_GRAPH` for the default graph)."""
Term: TypeAlias = "IRI | BlankNode | Literal | DefaultGraph"
"""Any RDF term."""


@dataclass(frozen=True, slots=True)
class Quad:
    """One statement of a dataset: subject, predicate, object and graph name."""

    subject: Subject
    predicate: IRI
    object: Object
    graph: GraphName = DEFAULT_GRAPH

    def __str__(self) -> str:
        return serialize_quad(self).rstrip("\n")


# ----------------------------------------------------------------------- raw quads

RawSubject: TypeAlias = "str | BlankNode"
"""A subject in raw form: an IRI as a plain ``str``, or a :class:`BlankNode`."""
RawObject: TypeAlias = "str | BlankNode | Literal"
"""An object in raw form: an IRI as a plain ``str``, a :class:`BlankNode` or a :class:`Literal`."""
RawGraph: TypeAlias = "str | BlankNode | None"
"""A graph name in raw form (``None`` for the default graph)."""
RawQuad: TypeAlias = (
    "tuple[str | BlankNode, str, str | BlankNode | Literal, str | BlankNode | None]"
)
"""A quad as a plain tuple, IRIs as plain strings: the form the compiled JSON-LD path
emits and the canonicalizer reads, without building a :class:`Quad` per statement."""


def quads_from_raw(raw: Iterable[RawQuad]) -> list[Quad]:
    """Raw quads as :class:`Quad` values, in the same order."""
    out: list[Quad] = []
    iris: dict[str, IRI] = {}

    def iri(value: str) -> IRI:
        found = iris.get(value)
        if found is None:
            found = iris[value] = IRI(value)
        return found

    for s, p, o, g in raw:
        out.append(Quad(
            iri(s) if type(s) is str else s,  # type: ignore[arg-type]
            iri(p),
            iri(o) if type(o) is str else o,  # type: ignore[arg-type]
            DEFAULT_GRAPH if g is None else iri(g) if type(g) is str else g,  # type: ignore[arg-type]
        ))
    return out


def raw_from_quads(quads: Iterable[Quad]) -> list[RawQuad]:
    """:class:`Quad` values in raw form, in the same order."""
    out: list[RawQuad] = []
    for q in quads:
        s, o, g = q.subject, q.object, q.graph
        out.append((
            s.value if isinstance(s, IRI) else s,
            q.predicate.value,
            o.value if isinstance(o, IRI) else o,
            None if isinstance(g, DefaultGraph) else g.value if isinstance(g, IRI) else g,
        ))
    return out


# ------------------------------------------------------------------- serialization

# Canonical escaping of literal lexical forms (RDF 1.2 N-Quads, canonical form):
# ECHAR for \b \t \n \f \r " \ ; \uXXXX (upper-case hex) for the other controls.
_ECHAR_OUT: Final[dict[int, str]] = {
    0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r",
    0x22: '\\"', 0x5C: "\\\\",
}
_LITERAL_ESCAPES: Final[dict[int, str]] = {
    **{c: f"\\u{c:04X}" for c in [*range(0x20), 0x7F]},
    **_ECHAR_OUT,
}
_NEEDS_ESCAPE: Final = re.compile(r'[\x00-\x1f\x7f"\\]')


def escape_literal(value: str) -> str:
    """Escape a literal's lexical form as canonical N-Quads requires (no quotes added)."""
    if _NEEDS_ESCAPE.search(value) is None:
        return value
    return value.translate(_LITERAL_ESCAPES)


def serialize_literal(literal: Literal) -> str:
    """The canonical N-Quads form of a literal."""
    text = f'"{escape_literal(literal.value)}"'
    if literal.language is not None:
        return f"{text}@{literal.language}"
    if literal.datatype == XSD_STRING:
        return text
    return f"{text}^^<{literal.datatype}>"


def serialize_term(term: Term) -> str:
    """The canonical N-Quads form of one term (the empty string for the default graph)."""
    if isinstance(term, IRI):
        return f"<{term.value}>"
    if isinstance(term, BlankNode):
        return f"_:{term.id}"
    if isinstance(term, Literal):
        return serialize_literal(term)
    return ""


def serialize_quad(quad: Quad) -> str:
    """One quad as a canonical N-Quads line, ending with ``" .\\n"``.

    See https://www.w3.org/TR/rdf-canon/#canonical-quads.
    """
    graph = quad.graph
    tail = " .\n" if isinstance(graph, DefaultGraph) else f" {serialize_term(graph)} .\n"
    return (
        f"{serialize_term(quad.subject)} <{quad.predicate.value}> "
        f"{serialize_term(quad.object)}{tail}"
    )


def serialize_nquads(quads: Iterable[Quad]) -> str:
    """Quads as an N-Quads document, in the order given (one line each, ``\\n`` ended)."""
    return "".join(serialize_quad(q) for q in quads)


# ------------------------------------------------------------------------- parsing

_PN_CHARS_BASE: Final = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff"
    "\u200c-\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
    "\U00010000-\U000effff"
)
_PN_CHARS_U: Final = _PN_CHARS_BASE + "_:"
_PN_CHARS: Final = _PN_CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"

# Each pattern is written "unrolled" (no nested ambiguous repetition), so that
# matching stays linear even on malformed input.
_UCHAR: Final = r"\\(?:u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})"
_IRI_CHARS: Final = r'[^\x00-\x20<>"{}|^`\\]'
_IRIREF: Final = rf"<({_IRI_CHARS}*(?:{_UCHAR}{_IRI_CHARS}*)*)>"
_BNODE: Final = rf"_:([{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)"
_STR_CHARS: Final = r'[^"\\\n\r]'
_STRING: Final = (
    rf'"({_STR_CHARS}*(?:\\(?:[tbnrf"\'\\]|u[0-9A-Fa-f]{{4}}|U[0-9A-Fa-f]{{8}}){_STR_CHARS}*)*)"'
)
_LANGTAG: Final = r"@([a-zA-Z]+(?:-[a-zA-Z0-9]+)*)"
_WS: Final = r"[ \t]*"
_END: Final = rf"\.{_WS}(?:#.*)?"

_STATEMENT: Final = re.compile(
    rf"{_WS}(?:{_IRIREF}|{_BNODE})"  # 1 subject IRI, 2 subject bnode
    rf"{_WS}{_IRIREF}"  # 3 predicate
    rf"{_WS}(?:{_IRIREF}|{_BNODE}|{_STRING}(?:\^\^{_IRIREF}|{_LANGTAG})?)"  # 4..8 object
    rf"{_WS}(?:{_IRIREF}|{_BNODE})?"  # 9 graph IRI, 10 graph bnode
    rf"{_WS}{_END}"
)
_BLANK_OR_COMMENT: Final = re.compile(rf"{_WS}(?:#.*)?")

# Pieces used only to explain a syntax error.
_DIAG_SUBJECT: Final = re.compile(rf"{_IRIREF}|{_BNODE}")
_DIAG_PREDICATE: Final = re.compile(_IRIREF)
_DIAG_OBJECT: Final = re.compile(rf"{_IRIREF}|{_BNODE}|{_STRING}(?:\^\^{_IRIREF}|{_LANGTAG})?")
_DIAG_END: Final = re.compile(_END)

_UNESCAPE: Final = re.compile(
    r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|([tbnrf\"'\\]))"
    r"(?:\\u([dD][c-fC-F][0-9A-Fa-f]{2}))?"
)
_ECHAR_IN: Final[dict[str, str]] = {
    "t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\",
}


class _BadEscape(ValueError):
    pass


def _unescape_match(match: re.Match[str]) -> str:
    hex4, hex8, echar, low = match.groups()
    if echar is not None:
        text = _ECHAR_IN[echar]
    else:
        code = int(hex4 or hex8, 16)
        if low is not None and hex4 is not None and 0xD800 <= code <= 0xDBFF:
            # A UTF-16 surrogate pair written as two \u escapes: combine it, as
            # the JavaScript reference implementation does.
            return chr(0x10000 + ((code - 0xD800) << 10) + (int(low, 16) - 0xDC00))
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise _BadEscape(match.group(0))
        text = chr(code)
    if low is not None:  # a lone low surrogate after another escape
        raise _BadEscape(f"\\u{low}")
    return text


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return _UNESCAPE.sub(_unescape_match, text)


def _skip_ws(line: str, pos: int) -> int:
    while pos < len(line) and line[pos] in " \t":
        pos += 1
    return pos


def _syntax_error(line: str, number: int) -> CanonicalizationError:
    """Explain where a statement stops matching the grammar."""
    pos = _skip_ws(line, 0)
    steps: Sequence[tuple[re.Pattern[str], str]] = (
        (_DIAG_SUBJECT, "a subject (<IRI> or _:label)"),
        (_DIAG_PREDICATE, "a predicate <IRI>"),
        (_DIAG_OBJECT, 'an object (<IRI>, _:label or "literal")'),
    )
    expected = "the final '.'"
    for pattern, what in steps:
        found = pattern.match(line, pos)
        if found is None:
            expected = what
            break
        pos = _skip_ws(line, found.end())
    else:
        graph = _DIAG_SUBJECT.match(line, pos)
        if graph is not None:
            pos = _skip_ws(line, graph.end())
        if _DIAG_END.fullmatch(line, pos) is None and _DIAG_END.match(line, pos) is not None:
            expected = "nothing but a comment after the final '.'"
        elif graph is None and line[pos:pos + 1] not in (".", ""):
            expected = "a graph name (<IRI> or _:label) or the final '.'"
    near = line[pos:pos + 20]
    found_text = repr(near) if near else "end of line"
    return CanonicalizationError(
        f"invalid N-Quads: expected {expected} at column {pos + 1}, found {found_text}",
        code="canon.invalid_nquads",
        pointer=f"line {number}",
        spec=_NQUADS_SPEC,
    )


def parse_nquads(text: str) -> list[Quad]:
    """Parse an N-Quads document into quads, in document order (duplicates kept).

    Escapes are decoded (``\\u``/``\\U`` in IRIs and literals, ECHAR in literals).
    A statement that does not match the grammar raises
    :class:`~edc_issue.errors.CanonicalizationError` (code ``canon.invalid_nquads``)
    whose ``pointer`` is ``"line N"``. See https://www.w3.org/TR/n-quads/.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    quads: list[Quad] = []
    append = quads.append
    # Equal terms are shared: parsing is faster and the quads take less memory.
    terms: dict[tuple[str | None, ...], Subject | Object] = {}
    get = terms.get
    match_statement = _STATEMENT.fullmatch
    number = 0
    try:
        for number, line in enumerate(lines, 1):
            m = match_statement(line)
            if m is None:
                if _BLANK_OR_COMMENT.fullmatch(line):
                    continue
                raise _syntax_error(line, number)
            s_iri, s_bn, p, o_iri, o_bn, o_str, o_dt, o_lang, g_iri, g_bn = m.groups()
            subject = get((s_iri, s_bn))
            if subject is None:
                subject = terms[(s_iri, s_bn)] = (
                    IRI(_unescape(s_iri)) if s_iri is not None else BlankNode(s_bn)
                )
            predicate = get((p, None))
            if predicate is None:
                predicate = terms[(p, None)] = IRI(_unescape(p))
            if o_str is None:
                obj = get((o_iri, o_bn))
                if obj is None:
                    obj = terms[(o_iri, o_bn)] = (
                        IRI(_unescape(o_iri)) if o_iri is not None else BlankNode(o_bn)
                    )
            else:
                key = ('"', o_str, o_dt, o_lang)
                obj = get(key)
                if obj is None:
                    value = _unescape(o_str)
                    if o_lang is not None:
                        obj = Literal(value, RDF_LANGSTRING, o_lang)
                    elif o_dt is not None:
                        obj = Literal(value, _unescape(o_dt))
                    else:
                        obj = Literal(value)
                    terms[key] = obj
            graph: GraphName
            if g_iri is None and g_bn is None:
                graph = DEFAULT_GRAPH
            else:
                found = get((g_iri, g_bn))
                if found is None:
                    found = terms[(g_iri, g_bn)] = (
                        IRI(_unescape(g_iri)) if g_iri is not None else BlankNode(g_bn)
                    )
                graph = found  # type: ignore[assignment]
            append(Quad(subject, predicate, obj, graph))  # type: ignore[arg-type]
    except _BadEscape as exc:
        raise CanonicalizationError(
            f"invalid N-Quads: escape {exc} is not a Unicode scalar value",
            code="canon.invalid_nquads",
            pointer=f"line {number}",
            spec=_NQUADS_SPEC,
        ) from exc
    return quads


# ------------------------------------------------------------------ pyld datasets


def _pyld_node(node: Mapping[str, Any], where: str) -> IRI | BlankNode:
    kind = node.get("type")
    value = node.get("value")
    if not isinstance(value, str):
        raise CanonicalizationError(f"pyld dataset: {where} has no string value",
                                    code="canon.invalid_nquads", pointer=where)
    if kind == "IRI":
        return IRI(value)
    if kind == "blank node":
        return BlankNode(value[2:] if value.startswith("_:") else value)
    raise CanonicalizationError(f"pyld dataset: {where} has unexpected type {kind!r}",
                                code="canon.invalid_nquads", pointer=where)


def from_pyld_dataset(dataset: Mapping[str, Sequence[Mapping[str, Any]]]) -> list[Quad]:
    """Convert the dataset of pyld's ``to_rdf`` into quads, keeping its order.

    ``dataset`` maps a graph name (``"@default"``, an IRI, or ``"_:label"``) to a
    list of triples ``{"subject": {...}, "predicate": {...}, "object": {...}}``
    whose nodes carry ``type`` (``"IRI"``, ``"blank node"`` or ``"literal"``),
    ``value`` and, for literals, ``datatype`` and optionally ``language``.
    """
    quads: list[Quad] = []
    for name, triples in dataset.items():
        graph: GraphName
        if name == "@default":
            graph = DEFAULT_GRAPH
        elif name.startswith("_:"):
            graph = BlankNode(name[2:])
        else:
            graph = IRI(name)
        for index, triple in enumerate(triples):
            where = f"{name}[{index}]"
            subject = _pyld_node(triple["subject"], f"{where}.subject")
            predicate = _pyld_node(triple["predicate"], f"{where}.predicate")
            if not isinstance(predicate, IRI):
                raise CanonicalizationError(
                    f"pyld dataset: {where}.predicate is a blank node",
                    code="canon.invalid_nquads", pointer=f"{where}.predicate")
            node = triple["object"]
            obj: Object
            if node.get("type") == "literal":
                language = node.get("language")
                value = node.get("value")
                if not isinstance(value, str):
                    raise CanonicalizationError(
                        f"pyld dataset: {where}.object has no string value",
                        code="canon.invalid_nquads", pointer=f"{where}.object")
                if language:
                    obj = Literal(value, RDF_LANGSTRING, str(language))
                else:
                    obj = Literal(value, str(node.get("datatype") or XSD_STRING))
            else:
                obj = _pyld_node(node, f"{where}.object")
            quads.append(Quad(subject, predicate, obj, graph))
    return quads
