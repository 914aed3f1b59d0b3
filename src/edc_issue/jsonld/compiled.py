"""The compiled path: compact JSON-LD straight to quads, for documents whose contexts
are all bundled (or served by the loader), without expanding, flattening or copying.

Each active context is compiled once into a term table (:class:`_Table`): for every
key, its IRI, coercion, container, language and scoped context, taken from pyld's own
processed context, so the contexts mean exactly what they mean to pyld. A document
is then walked once, following the expansion algorithm of JSON-LD 1.1 step for step
where it matters for the result (type-scoped contexts reverted on entering a node,
property-scoped contexts applied, type-scoped contexts applied in sorted order) and
emitting each quad as it is found.

The path handles what credentials use: node objects, ``@id`` and ``@type`` (and their
aliases), type coercion (``@id``, ``@vocab``, datatypes), default and per-term
languages, language maps, ``@list`` and ``@graph`` containers, value objects with
``@value``, ``@type``, ``@language`` and ``@direction`` (which, as in pyld without an
``rdfDirection``, leaves no trace in the RDF), small inline contexts, and blank-node
identifiers. Anything else
(large inline contexts, ``@reverse``, ``@nest``, ``@included``,
``@json``, index, id and type maps, lists of lists), and anything
that strict mode would refuse or that would be dropped (an undefined term or type, a
relative IRI, a blank-node property), makes it *decline*: :func:`to_quads` returns
None and the caller takes pyld's path, which gives the same answer or the same error
(codes, paths and messages) as without this module.

The quads are the same as pyld's, up to blank-node labels and order; duplicates may
occur (a dataset is a set). ``tests/unit/jsonld/test_compiled.py`` checks this on every
JSON-LD fixture of the project and on generated documents.

See: <https://www.w3.org/TR/json-ld11-api/#expansion-algorithm>,
<https://www.w3.org/TR/json-ld11-api/#deserialize-json-ld-to-rdf-algorithm>
"""

from __future__ import annotations

import json
import math
from typing import Any, Final

from .._types import JsonObject
from . import _pyld
from .cache import ContextCache
from .nquads import (
    RDF_LANGSTRING,
    BlankNode,
    Literal,
    Quad,
    RawGraph,
    RawObject,
    RawQuad,
    quads_from_raw,
)
from .strict import SENTINEL_VOCAB, is_strict_absolute

__all__ = ["raw_quads", "to_quads"]

_KEYWORDS_HANDLED: Final = frozenset({"@id", "@type", "@value", "@language", "@direction"})
_UNSUPPORTED_CONTAINERS: Final = frozenset({"@index", "@id", "@type"})


_MAX_TRANSITIONS: Final = 512
_MAX_INLINE: Final = 8192


def _inline_key(context: Any) -> tuple[str, str]:
    """The key of an inline ``@context`` value: its JSON text (declines when large)."""
    try:
        text = json.dumps(context, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError):
        raise _Decline from None
    if len(text) > _MAX_INLINE:
        raise _Decline
    return ("inline", text)


class _Decline(Exception):
    """The compiled path does not handle this document: pyld's path will."""


class _Term:
    """What one key means in one active context."""

    __slots__ = ("coerce", "container_graph", "container_language", "container_list",
                 "datatype_ok", "iri", "keyword", "language", "ok", "reverse", "scoped",
                 "special", "unsupported")

    def __init__(self, table: _Table, key: str) -> None:
        ctx = table.ctx
        iri = table.compiler.engine.expand_iri(ctx, key, vocab=True)
        self.iri: str | None = iri if isinstance(iri, str) else None
        self.keyword = self.iri in _pyld.KEYWORDS
        self.ok = (self.iri is not None and not self.keyword and _good_iri(self.iri)
                   and not self.iri.startswith("_:"))
        entry = _pyld.mapping(ctx, key)
        self.reverse = bool(entry and entry.get("reverse"))
        self.coerce = _pyld.context_value(ctx, key, "@type")
        raw = _pyld.context_value(ctx, key, "@container")
        container = set(raw if isinstance(raw, list) else [] if raw is None else [raw])
        self.container_list = "@list" in container
        self.container_graph = "@graph" in container
        self.container_language = "@language" in container
        self.unsupported = bool(container & _UNSUPPORTED_CONTAINERS) or (
            self.container_list and self.container_graph)
        self.language = _pyld.context_value(ctx, key, "@language")
        self.scoped = _pyld.context_value(ctx, key, "@context")
        coerce = self.coerce
        self.datatype_ok = isinstance(coerce, str) and not coerce.startswith("_:") and (
            _good_iri(coerce))
        #: anything but a plain property (scoped context, container, reverse, @json)
        self.special = bool(self.scoped is not None or container or self.reverse
                            or coerce == "@json")


def _good_iri(value: str) -> bool:
    """An absolute IRI for pyld's RDF and for strict mode, not in the sentinel namespace.

    Strict mode's pattern accepts a subset of what pyld's does (its scheme characters
    are ``[A-Za-z0-9+\\-.]``, pyld's ``[A-Za-z0-9+-.]``, a range that also holds ``,``),
    so one test serves both.
    """
    return is_strict_absolute(value) and not value.startswith(SENTINEL_VOCAB)


class _Table:
    """One active context, compiled lazily: its terms, types and transitions."""

    __slots__ = ("compiler", "ctx", "previous", "terms", "transitions", "types")

    def __init__(self, compiler: _Compiler, ctx: Any) -> None:
        self.compiler = compiler
        self.ctx = ctx
        self.terms: dict[str, _Term] = {}
        self.types: dict[str, str] = {}
        self.transitions: dict[tuple[Any, ...], _Table] = {}
        previous = _pyld.previous_context(ctx)
        self.previous = compiler.table(previous) if previous is not None else None

    def term(self, key: str) -> _Term:
        """The compiled meaning of *key*."""
        term = self.terms.get(key)
        if term is None:
            term = self.terms[key] = _Term(self, key)
        return term

    def with_context(self, local: Any, *, override_protected: bool = False,
                     propagate: bool = True) -> _Table:
        """The table of this context with *local* processed (pyld's, memoized)."""
        key = (id(local), override_protected, propagate)
        table = self.transitions.get(key)
        if table is None:
            compiler = self.compiler
            with compiler.cache.lock:
                ctx = compiler.engine.process(self.ctx, local,
                                              override_protected=override_protected,
                                              propagate=propagate)
            # *local* lives in a term definition of this context (or is a tuple of
            # URLs held by the compiler), so its id stays valid while the entry does
            table = self.transitions[key] = compiler.table(ctx)
        return table

    def with_local(self, context: Any) -> _Table:
        """The table of this context with an ``@context`` found in the document processed.

        URLs must be served by the loader; an inline context is keyed by its JSON text,
        so it is processed once however many documents carry it.
        """
        if isinstance(context, str):
            key: Any = context
        elif isinstance(context, list) and all(isinstance(c, str) for c in context):
            key = tuple(context)
        else:
            key = _inline_key(context)
        table = self.transitions.get(key)
        if table is None:
            compiler = self.compiler
            for item in context if isinstance(context, list) else [context]:
                if isinstance(item, str):
                    if not compiler.loader.knows(item):
                        raise _Decline
                elif not isinstance(item, dict):
                    raise _Decline
            if len(self.transitions) > _MAX_TRANSITIONS:
                raise _Decline  # a flood of distinct inline contexts: pyld's path
            with compiler.cache.lock:
                ctx = compiler.engine.process(self.ctx, context)
            table = self.transitions[key] = compiler.table(ctx)
        return table

    def type_context(self, type_: str) -> Any:
        """The type-scoped context of the type *type_* (None when it has none)."""
        return _pyld.context_value(self.ctx, type_, "@context")

    def expand_type(self, value: str) -> str:
        """The IRI of a ``@type`` value; declines for anything but an absolute IRI."""
        iri = self.types.get(value)
        if iri is None:
            found = self.compiler.engine.expand_iri(self.ctx, value, vocab=True)
            if not isinstance(found, str) or found.startswith("_:") or not _good_iri(found):
                raise _Decline
            iri = self.types[value] = found
        return iri

    def expand(self, value: str, *, vocab: bool) -> str:
        """The IRI of an ``@id`` (or ``@vocab``-coerced) value, or a ``_:`` label."""
        found = self.compiler.engine.expand_iri(self.ctx, value, vocab=vocab)
        if not isinstance(found, str) or not _good_iri(found):
            raise _Decline
        return found


class _Compiler:
    """The compiled path's state for one loader: its engine and its tables."""

    def __init__(self, loader: Any, cache: ContextCache) -> None:
        self.loader = loader
        self.cache = cache
        self.engine = _pyld.Engine(loader, cache)
        self.tables: dict[str, _Table] = {}
        self.initial = self.table(self.engine.initial)

    def table(self, ctx: Any) -> _Table:
        """The table of the active context *ctx* (one per context id)."""
        ident = _pyld.context_id(ctx)
        if ident is None:
            raise _Decline  # not a memoized context: nothing to key a table by
        table = self.tables.get(ident)
        if table is None:
            table = self.tables[ident] = _Table(self, ctx)
        return table

_RDF_TYPE: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDF_FIRST: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first"
_RDF_REST: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest"
_RDF_NIL: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil"
_XSD: Final = "http://www.w3.org/2001/XMLSchema#"
_XSD_BOOLEAN: Final = _XSD + "boolean"
_XSD_DOUBLE: Final = _XSD + "double"
_XSD_INTEGER: Final = _XSD + "integer"
_TRUE: Final = Literal("true", _XSD_BOOLEAN)
_FALSE: Final = Literal("false", _XSD_BOOLEAN)


def _literal(value: Any, datatype: str | None, language: str | None) -> Literal:
    """The RDF literal of a JSON value, as pyld's ``_object_to_rdf`` writes it.

    Only the JSON types reach here (``str``, ``int``, ``float``, ``bool``), for which
    pyld's number tests reduce to the ones below.
    """
    kind = type(value)
    if kind is str:
        if datatype == _XSD_DOUBLE:
            try:
                number = float(value)
            except ValueError:
                return Literal(value, _XSD_DOUBLE)
            return Literal(_double(number), _XSD_DOUBLE)
        if language is not None:
            if type(language) is not str or not language or datatype is not None:
                raise _Decline
            return Literal(value, RDF_LANGSTRING, language)
        return Literal(value, datatype) if datatype else Literal(value)
    if kind is bool:
        if datatype is None:
            return _TRUE if value else _FALSE
        return Literal("true" if value else "false", datatype)
    if kind is float and not value.is_integer():  # pyld's _is_double
        return Literal(_double(value), datatype or _XSD_DOUBLE)
    if kind is int or kind is float:
        if datatype == _XSD_DOUBLE or abs(value) >= 1e21:
            return Literal(_double(float(value) if datatype == _XSD_DOUBLE else value),
                           datatype or _XSD_DOUBLE)
        return Literal(str(int(value)), datatype or _XSD_INTEGER)
    raise _Decline


def _double(value: float) -> str:
    if not math.isfinite(value):
        raise _Decline
    return _pyld.canonical_double(value)


class _Walk:
    """One document's walk: the quads found (raw, see :data:`.nquads.RawQuad`)."""

    __slots__ = ("count", "labels", "quads")

    def __init__(self) -> None:
        self.quads: list[RawQuad] = []
        self.count = 0
        self.labels: dict[str, BlankNode] = {}

    def blank(self) -> BlankNode:
        self.count += 1
        return BlankNode(f"b{self.count}")

    def node(self, iri: str) -> str | BlankNode:
        if iri.startswith("_:"):
            found = self.labels.get(iri)
            if found is None:
                found = self.labels[iri] = self.blank()
            return found
        return iri

    # -- nodes -------------------------------------------------------------------

    def element(self, table: _Table, prop: str | None, element: dict[str, Any],
                graph: RawGraph) -> RawObject | None:
        """A map met as a property value (or the document): its term, its quads emitted.

        Follows pyld's ``_expand`` for a map: the property-scoped context is looked up
        first; a type-scoped context is reverted unless the map is a value object or a
        subject reference; then the property-scoped context, the local context and the
        type-scoped contexts (types in sorted order) are applied.
        """
        scoped = table.term(prop).scoped if prop is not None else None
        previous = table.previous
        if previous is not None:
            revert = True
            if len(element) <= 2 and "@context" not in element:
                for key in sorted(element):
                    iri = table.term(key).iri
                    if iri == "@value":
                        revert = False
                        break
                    if iri == "@id" and len(element) == 1:
                        revert = False
                        break
            if revert:
                table = previous
        if scoped is not None:
            table = table.with_context(scoped, override_protected=True)
        if "@context" in element:
            table = table.with_local(element["@context"])
        type_table = table
        keys = sorted(element)
        for key in keys:
            if table.term(key).iri != "@type":
                continue
            value = element[key]
            types = [t for t in (value if type(value) is list else [value])
                     if type(t) is str]
            for type_ in sorted(types):
                local = type_table.type_context(type_)
                if local is not None and local is not False:
                    table = table.with_context(local, propagate=False)
        return self.node_object(table, type_table, element, keys, graph)

    def node_object(self, table: _Table, type_table: _Table, element: dict[str, Any],
                    keys: list[str], graph: RawGraph) -> RawObject | None:
        """The keys of a map (pyld's ``_expand_object``), then its quads."""
        subject: str | BlankNode | None = None
        types: list[str] = []
        type_lists = False
        edges: list[tuple[str, list[RawObject]]] = []
        seen: set[str] = set()
        value: Any = None
        language: str | None = None
        terms = table.terms
        for key in keys:
            if key == "@context":
                continue
            term = terms.get(key) or table.term(key)
            raw = element[key]
            if term.keyword:
                iri = term.iri
                if iri not in _KEYWORDS_HANDLED or (iri in seen and iri != "@type"):
                    raise _Decline
                seen.add(iri)
                if iri == "@id":
                    if type(raw) is not str:
                        raise _Decline
                    subject = self.node(table.expand(raw, vocab=False))
                elif iri == "@type":
                    if type(raw) is list:
                        type_lists = True
                        for item in raw:
                            if type(item) is not str:
                                raise _Decline
                            types.append(type_table.expand_type(item))
                    elif type(raw) is str:
                        types.append(type_table.expand_type(raw))
                    else:
                        raise _Decline
                elif iri == "@value":
                    value = raw
                elif iri == "@language":
                    if type(raw) is not str:
                        raise _Decline
                    language = raw.lower()
                elif raw not in ("ltr", "rtl"):  # @direction: pyld keeps it out of the RDF
                    raise _Decline
                continue
            if not term.ok:
                raise _Decline
            objects = self.property_values(table, key, term, raw, graph)
            if objects:
                edges.append((term.iri, objects))  # type: ignore[arg-type]

        if seen and "@value" in seen:
            # a value object: only @type or @language beside @value, no properties
            tagged = language is not None or "@direction" in seen
            if edges or "@id" in seen or (types and tagged) or len(types) > 1 or type_lists:
                raise _Decline
            if value is None:
                return None
            if type(value) in (dict, list):
                raise _Decline
            if language is not None and type(value) is not str:
                raise _Decline
            return _literal(value, types[0] if types else None, language)
        if seen and ("@language" in seen or "@direction" in seen):
            raise _Decline
        if subject is None:
            subject = self.blank()
        out = self.quads
        for type_ in types:
            out.append((subject, _RDF_TYPE, type_, graph))
        for predicate, objects in edges:
            for obj in objects:
                out.append((subject, predicate, obj, graph))
        return subject

    # -- property values ---------------------------------------------------------

    def property_values(self, table: _Table, key: str, term: _Term, raw: Any,
                        graph: RawGraph) -> list[RawObject] | None:
        """The objects of one property (None or empty when the value expands to nothing)."""
        if term.special:
            if term.reverse or term.unsupported or term.coerce == "@json":
                raise _Decline
            term_table = table.with_context(term.scoped, propagate=True,
                                            override_protected=True) \
                if term.scoped is not None else table
            if term.container_language and type(raw) is dict:
                return self.language_map(term_table, raw)
            if term.container_graph:
                return self.graph_container(term_table, key, raw)
            if raw is None:
                return None
            objects = self.values(term_table, key, raw, graph, inside_list=False)
            if term.container_list:
                if not objects and type(raw) is not list:
                    return None  # a map that expands to nothing: no list at all
                return [self.rdf_list(objects, graph)]
            return objects
        # the common case: no scoped context, no container, no reverse
        kind = type(raw)
        if kind is str:
            return [self.scalar(table, key, raw)]
        if raw is None:
            return None
        return self.values(table, key, raw, graph, inside_list=False)

    def values(self, table: _Table, key: str, raw: Any, graph: RawGraph, *,
               inside_list: bool) -> list[RawObject]:
        """pyld's ``_expand`` of a property value (its container looked up in *table*)."""
        kind = type(raw)
        if kind is list:
            inside = inside_list or table.term(key).container_list
            out: list[RawObject] = []
            for item in raw:
                if item is None:
                    continue
                if type(item) is list and inside:
                    raise _Decline  # a list of lists
                out.extend(self.values(table, key, item, graph, inside_list=inside))
            return out
        if kind is dict:
            found = self.element(table, key, raw, graph)
            return [] if found is None else [found]
        if raw is None:
            return []
        return [self.scalar(table, key, raw)]

    def scalar(self, table: _Table, key: str, value: Any) -> RawObject:
        """pyld's ``_expand_value`` of a string, number or boolean, as an RDF term."""
        kind = type(value)
        if kind is not str and kind is not int and kind is not float and kind is not bool:
            raise _Decline
        term = table.terms.get(key) or table.term(key)
        if term.keyword:
            raise _Decline
        coerce = term.coerce
        if coerce is None:
            if kind is str:
                return _literal(value, None, term.language)
            return _literal(value, None, None)
        if kind is str:
            if coerce == "@id":
                return self.node(table.expand(value, vocab=False))
            if coerce == "@vocab":
                return self.node(table.expand(value, vocab=True))
        if coerce in ("@id", "@vocab", "@none"):
            return _literal(value, None, term.language if kind is str else None)
        if not term.datatype_ok:
            raise _Decline
        return _literal(value, coerce, None)

    def language_map(self, table: _Table, raw: dict[str, Any]) -> list[RawObject]:
        """pyld's ``_expand_language_map``: one language-tagged string per entry."""
        out: list[RawObject] = []
        for lang in sorted(raw):
            if type(lang) is not str:
                raise _Decline
            items = raw[lang]
            none = table.compiler.engine.expand_iri(table.ctx, lang, vocab=True) == "@none"
            for item in items if type(items) is list else [items]:
                if item is None:
                    continue
                if type(item) is not str:
                    raise _Decline
                out.append(_literal(item, None, None if none else lang.lower()))
        return out

    def graph_container(self, table: _Table, key: str, raw: Any) -> list[RawObject] | None:
        """Each node of a ``@graph`` container in a graph of its own, named by a blank node."""
        if raw is None:
            return None
        out: list[RawObject] = []
        for item in raw if type(raw) is list else [raw]:
            if item is None:
                continue
            if type(item) is not dict:
                raise _Decline
            name = self.blank()
            found = self.element(table, key, item, name)
            if found is None or type(found) is Literal:
                raise _Decline  # a value object in a graph container
            out.append(name)
        return out

    def rdf_list(self, items: list[RawObject], graph: RawGraph) -> RawObject:
        """An RDF collection of *items* (``rdf:nil`` when empty)."""
        if not items:
            return _RDF_NIL
        head = cell = self.blank()
        out = self.quads
        last = len(items) - 1
        for i, item in enumerate(items):
            out.append((cell, _RDF_FIRST, item, graph))
            rest: str | BlankNode = _RDF_NIL if i == last else self.blank()
            out.append((cell, _RDF_REST, rest, graph))
            cell = rest  # type: ignore[assignment]
        return head


def compiler_of(loader: Any, cache: ContextCache) -> _Compiler:
    """The compiled path's state for *loader* (kept in its cache)."""
    compiler = cache.compiled
    if compiler is None:
        with cache.lock:
            compiler = cache.compiled
            if compiler is None:
                compiler = cache.compiled = _Compiler(loader, cache)
    return compiler  # type: ignore[no-any-return]


def raw_quads(document: JsonObject, loader: Any, cache: ContextCache) -> list[RawQuad] | None:
    """The quads of *document* in raw form, or None when the compiled path declines.

    *loader* must serve every context URL of the document without the network
    (``loader.knows(url)``); nothing is ever fetched here. A quad may occur twice.
    """
    if type(document) is not dict or not hasattr(loader, "knows"):
        return None
    try:
        compiler = compiler_of(loader, cache)
        walk = _Walk()
        walk.element(compiler.initial, None, document, None)
    except _Decline:
        return None
    except RecursionError:
        return None
    except Exception:  # pyld's own error for this document: its path will say it
        return None
    return walk.quads


def to_quads(document: JsonObject, loader: Any, cache: ContextCache) -> list[Quad] | None:
    """The quads of *document*, or None when the compiled path declines (see the module)."""
    raw = raw_quads(document, loader, cache)
    return None if raw is None else quads_from_raw(raw)
