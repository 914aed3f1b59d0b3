"""SHACL validation of EDC graphs with the official ELM shapes.

This module is the only importer of pySHACL and rdflib.

The shapes of each profile are parsed once per process and their pySHACL
``ShapesGraph`` (the harvested shapes) is reused for every credential. pySHACL
runs with no inference, SHACL-AF off and SHACL-JS off: the EDC shapes use only
SHACL Core, and the ELM ontology is not needed (the shapes spell out subclass
alternatives with ``sh:or``).

Results come back as :class:`ShaclResult` values with plain strings, so no
rdflib term leaves this module. Blank nodes are reported by the marker IRI
that :mod:`.nodemap` gave them, or as ``_:label`` with their incoming edge.

The data graph is built straight from the quads the JSON-LD layer produced
(:func:`validate_quads`), never from N-Quads text.

A fast path: where pyrudof (rudof's SHACL engine, in Rust; ``pip install
'edc-issue[fast]'``) is installed, it checks the graph first. When it finds no
result at all, the graph conforms and pySHACL is not run; otherwise pySHACL, the
reference, makes the report. Both engines agree on every EDC fixture of the
project under every profile, results counted one by one
(``tests/unit/validate/test_shacl_engines.py``), so the fast path only ever
skips work. It is never trusted to say "does not conform", and any trouble with
it (a graph it cannot read, an error) falls back to pySHACL.
``EDC_ISSUE_SHACL_ENGINE=pyshacl`` turns it off.

See: <https://www.w3.org/TR/shacl/#validation-report>
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._resources import schemas_dir
from ..errors import ConfigError
from ..jsonld.nquads import BlankNode, RawQuad, raw_from_quads, serialize_literal
from .nodemap import MARKER_PREFIX
from .profiles import Profile

try:
    import rdflib
    from rdflib import BNode, Literal, URIRef
    from rdflib.namespace import SH
except ImportError as exc:  # pragma: no cover - rdflib is a core dependency
    raise ConfigError("SHACL validation needs rdflib: pip install 'edc-issue'",
                      code="config.extra_missing") from exc

__all__ = ["ShaclOutcome", "ShaclResult", "fast_engine", "load_shapes", "validate_dataset",
           "validate_quads"]

_LOCK = threading.Lock()
_SHAPES: dict[tuple[str, ...], _Shapes] = {}


@dataclass(frozen=True)
class ShaclResult:
    """One SHACL validation result, with the shape's own words.

    Node keys (``focus``, ``value``) are IRIs, marker IRIs of blank nodes, or
    ``_:label`` for blank nodes without a marker.
    """

    focus: str
    component: str
    severity: str
    message: str
    path: str | None = None
    value: str | None = None
    value_is_node: bool = False
    source_shape: str = ""
    shape_name: str | None = None
    shape_description: str | None = None
    shape_message: str | None = None
    params: tuple[tuple[str, str], ...] = ()
    details: tuple[ShaclResult, ...] = ()
    focus_parent: tuple[str, str] | None = None

    def param(self, name: str) -> str | None:
        """Return a constraint parameter (``minCount``, ``class``, ``datatype`` ...)."""
        for key, value in self.params:
            if key == name:
                return value
        return None


@dataclass
class ShaclOutcome:
    """What :func:`validate_dataset` found."""

    conforms: bool
    results: list[ShaclResult] = field(default_factory=list)
    triples: int = 0
    types: dict[str, list[str]] = field(default_factory=dict)


class _Shapes:
    def __init__(self, graph: rdflib.Graph) -> None:
        self.graph = graph
        self.harvested: Any = None
        try:  # reuse the harvested shapes (pySHACL >= 0.40 internals), else plain validate()
            from pyshacl.shapes_graph import ShapesGraph

            self.harvested = ShapesGraph(graph)
            _ = self.harvested.shapes  # harvest once
        except Exception:  # pragma: no cover - older pySHACL
            self.harvested = None


def load_shapes(profile: Profile) -> _Shapes:
    """Parse (once per process) the Turtle files of an EDC profile and harvest its shapes."""
    if profile.elm_version is None:
        raise ValueError(f"{profile.name} is not a SHACL profile")
    files = tuple(profile.shape_files())
    key = (profile.elm_version, *files)
    cached = _SHAPES.get(key)
    if cached is not None:
        return cached
    with _LOCK:
        cached = _SHAPES.get(key)
        if cached is None:
            folder = schemas_dir() / "shacl" / f"elm-{profile.elm_version}"
            graph = rdflib.Graph()
            for name in files:
                graph.parse(folder / name, format="turtle")
            cached = _Shapes(graph)
            _SHAPES[key] = cached
    return cached




def _key(term: Any, markers: dict[BNode, str]) -> str:
    if isinstance(term, BNode):
        return markers.get(term, f"_:{term}")
    return str(term)


def _build(quads: Sequence[RawQuad],
           extra_triples: Iterable[tuple[str, str, str]] = ()
           ) -> tuple[rdflib.Graph, dict[BNode, str]]:
    """Build one rdflib graph from quads (named graphs merged).

    Marker IRIs (:mod:`.nodemap`) become fresh blank nodes; the map says which is which.
    Building terms directly is about ten times faster than serializing N-Quads and
    parsing them again with rdflib.
    """
    graph = rdflib.Graph()
    nodes: dict[Any, Any] = {}
    markers: dict[BNode, str] = {}

    def node(value: Any) -> Any:
        found = nodes.get(value)
        if found is not None:
            return found
        if type(value) is str:
            if value.startswith(MARKER_PREFIX):
                found = BNode()
                markers[found] = value
            else:
                found = URIRef(value)
        elif type(value) is BlankNode:
            found = BNode()
        else:
            found = _literal(value)
        nodes[value] = found
        return found

    add = graph.add
    for subject, predicate, obj, _graph in quads:
        add((node(subject), node(predicate), node(obj)))
    for s, p, o in extra_triples:
        add((URIRef(s), URIRef(p), URIRef(o)))
    return graph, markers


def _literal(literal: Any) -> Literal:
    value, language = literal.value, literal.language
    if language:
        try:
            return Literal(value, lang=language)
        except ValueError:  # "en " and the like: rdflib refuses it, the JSON-LD layer kept it
            try:
                return Literal(value, lang=str(language).strip())
            except ValueError:
                return Literal(value)
    datatype = literal.datatype
    return Literal(value, datatype=URIRef(datatype) if datatype and datatype != XSD_STRING
                   else None)


XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _text(graph: rdflib.Graph, node: Any, prop: Any) -> str | None:
    best: str | None = None
    for value in graph.objects(node, prop):
        if isinstance(value, Literal):
            if value.language in (None, "en"):
                return str(value)
            best = best or str(value)
    return best


_PARAMS = ("minCount", "maxCount", "class", "datatype", "hasValue", "nodeKind", "pattern",
           "minLength", "maxLength", "node", "qualifiedMinCount", "qualifiedMaxCount",
           "qualifiedValueShape", "minInclusive", "maxInclusive", "languageIn")


def _shape_params(shapes: rdflib.Graph, shape: Any) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for name in _PARAMS:
        for value in shapes.objects(shape, SH[name]):
            out.append((name, str(value)))
    for lst in shapes.objects(shape, SH["in"]):
        items = rdflib.collection.Collection(shapes, lst)
        out.append(("in", " ".join(str(i) for i in items)))
    return tuple(out)


def _render_path(shapes: rdflib.Graph, report: rdflib.Graph, path: Any) -> str | None:
    if path is None:
        return None
    if isinstance(path, URIRef):
        return str(path)
    inverse = report.value(path, SH.inversePath) or shapes.value(path, SH.inversePath)
    if inverse is not None:
        return f"^{inverse}"
    return str(path)


def _results(report: rdflib.Graph, shapes: rdflib.Graph, data: rdflib.Graph,
             markers: dict[BNode, str], nodes: list[Any]) -> list[ShaclResult]:
    out: list[ShaclResult] = []
    for node in nodes:
        focus = report.value(node, SH.focusNode)
        value = report.value(node, SH.value)
        shape = report.value(node, SH.sourceShape)
        component = report.value(node, SH.sourceConstraintComponent)
        severity = report.value(node, SH.resultSeverity)
        parent: tuple[str, str] | None = None
        if isinstance(focus, BNode) and focus not in markers:
            for s, p in data.subject_predicates(focus):
                parent = (_key(s, markers), str(p))
                break
        details = _results(report, shapes, data, markers, list(report.objects(node, SH.detail)))
        out.append(ShaclResult(
            focus=_key(focus, markers),
            component=str(component).rsplit("#", 1)[-1],
            severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
            message=str(report.value(node, SH.resultMessage) or ""),
            path=_render_path(shapes, report, report.value(node, SH.resultPath)),
            value=_key(value, markers) if value is not None else None,
            value_is_node=value is not None and not isinstance(value, Literal),
            source_shape=str(shape) if isinstance(shape, URIRef) else "",
            shape_name=_text(shapes, shape, SH.name),
            shape_description=_text(shapes, shape, SH.description),
            shape_message=_text(shapes, shape, SH.message),
            params=_shape_params(shapes, shape),
            details=tuple(details),
            focus_parent=parent,
        ))
    return out


def _run(data: rdflib.Graph, shapes: _Shapes) -> tuple[bool, rdflib.Graph]:
    options = {"inference": "none", "advanced": False, "use_js": False,
               "allow_warnings": True, "allow_infos": True, "inplace": True}
    if shapes.harvested is not None:
        from pyshacl import Validator
        from pyshacl.graph_abstraction import DataGraph

        validator = Validator(DataGraph.from_rdflib(data), shacl_graph=shapes.graph,
                              options=dict(options))
        validator.shacl_graph = shapes.harvested
        conforms, report, _text_report = validator.run()  # type: ignore[no-untyped-call]
    else:  # pragma: no cover - older pySHACL
        import pyshacl

        conforms, report, _text_report = pyshacl.validate(
            data, shacl_graph=shapes.graph, inference="none", advanced=False, js=False,
            allow_warnings=True, allow_infos=True, inplace=True)
    return bool(conforms), report


def validate_dataset(
    dataset: dict[str, list[dict[str, Any]]],
    profiles: list[Profile],
    *,
    extra_triples: Iterable[tuple[str, str, str]] = (),
) -> ShaclOutcome:
    """Validate an RDF dataset in pyld's form (from :func:`edc_issue.jsonld.to_dataset`).

    See :func:`validate_quads`, which this converts to.
    """
    from ..jsonld.nquads import from_pyld_dataset

    return validate_quads(raw_from_quads(from_pyld_dataset(dataset)), profiles,
                          extra_triples=extra_triples)


def validate_quads(
    quads: Sequence[RawQuad],
    profiles: list[Profile],
    *,
    extra_triples: Iterable[tuple[str, str, str]] = (),
    engine: str | None = None,
) -> ShaclOutcome:
    """Validate the merged graph of *quads* (from :func:`edc_issue.jsonld.rdf.raw_quads`).

    Each profile's shapes check the merged graph; results already reported by
    an earlier profile are not repeated.

    :param extra_triples: IRI triples added to the data graph before validation
        (controlled-vocabulary facts the shapes check, e.g. ``skos:inScheme``).
    :param engine: ``"pyshacl"`` for the reference alone; default: the environment
        variable ``EDC_ISSUE_SHACL_ENGINE``, else the fast path where installed.
    """
    extra = list(extra_triples)
    types: dict[str, list[str]] = {}
    distinct: set[tuple[Any, Any, Any]] = set()
    for subject, predicate, obj, _graph in quads:
        if (subject, predicate, obj) in distinct:
            continue
        distinct.add((subject, predicate, obj))
        if predicate == RDF_TYPE and type(obj) is str:
            node = subject if type(subject) is str else f"_:{subject.id}"  # type: ignore[union-attr]
            types.setdefault(node, []).append(obj)
    distinct.update((s, p, o) for s, p, o in extra)
    outcome = ShaclOutcome(conforms=True, triples=len(distinct), types=types)
    fast = fast_engine() if engine is None else None if engine == "pyshacl" else fast_engine()
    if fast is not None and all(fast.conforms(profile, quads, extra) for profile in profiles):
        return outcome  # no result of any severity: pySHACL would find none either
    data, markers = _build(quads, extra)
    seen: set[tuple[str, str, str | None, str | None, str]] = set()
    for profile in profiles:
        shapes = load_shapes(profile)
        conforms, report = _run(data, shapes)
        top = list(report.objects(None, SH.result))
        for result in _results(report, shapes.graph, data, markers, top):
            key = (result.focus, result.component, result.path, result.value, result.source_shape)
            if key not in seen:
                seen.add(key)
                outcome.results.append(result)
        outcome.conforms = outcome.conforms and conforms
    return outcome


# --- the fast path: rudof's SHACL engine -------------------------------------------

_BASE_DATA = "<urn:x-edc-issue:shacl:base> <urn:x-edc-issue:shacl:base> \"\" .\n"


class _Rudof:
    """One profile's shapes, loaded once into a rudof session (per process)."""

    def __init__(self, profile: Profile) -> None:
        global _USED_IN
        import pyrudof

        _USED_IN = os.getpid()
        folder = schemas_dir() / "shacl" / f"elm-{profile.elm_version}"
        text = "\n".join((folder / name).read_text(encoding="utf-8")
                         for name in profile.shape_files())
        self._pyrudof = pyrudof
        self.node_valued = _node_valued_predicates(text)
        self._session = pyrudof.Rudof(pyrudof.RudofConfig())
        self._session.read_shacl(text, pyrudof.ShaclFormat.Turtle)
        # data is staged on top of this and rolled back after each validation
        self._session.read_data(_BASE_DATA, pyrudof.RDFFormat.NTriples)
        self._lock = threading.Lock()

    def results(self, ntriples: str) -> int:
        """The number of validation results for the graph *ntriples* (N-Triples)."""
        rudof, session = self._pyrudof, self._session
        with self._lock:
            session.begin_staging()
            try:
                session.read_data(ntriples, rudof.RDFFormat.NTriples,
                                  reader_mode=rudof.ReaderMode.Strict, merge=True)
                return len(session.validate_shacl())
            finally:
                session.rollback_staging()


class FastEngine:
    """The rudof fast path: says whether a graph has no SHACL result at all."""

    def __init__(self) -> None:
        self._sessions: dict[tuple[str | None, tuple[str, ...]], _Rudof] = {}
        self._lock = threading.Lock()
        self.failures = 0

    def conforms(self, profile: Profile, quads: Sequence[RawQuad],
                 extra: Sequence[tuple[str, str, str]] = ()) -> bool:
        """True when rudof finds no result; False when it finds one or cannot tell.

        A literal where the shapes expect a node (``"hasClaim": 7``) is left to pySHACL:
        rudof reports nothing for a literal value node of a ``sh:node``/``sh:or`` shape
        (found by tests/conformance/test_shacl_engines.py), which would let a credential
        pass that pySHACL refuses.
        """
        try:
            session = self._session(profile)
            node_valued = session.node_valued
            for _subject, predicate, obj, _graph in quads:
                if predicate in node_valued and type(obj) is not str \
                        and type(obj) is not BlankNode:
                    return False
            return session.results(_ntriples(quads, extra)) == 0
        except Exception:  # an unreadable graph, engine trouble: ask pySHACL
            self.failures += 1
            return False

    def _session(self, profile: Profile) -> _Rudof:
        key = (profile.elm_version, tuple(profile.shape_files()))
        session = self._sessions.get(key)
        if session is None:
            with self._lock:
                session = self._sessions.get(key)
                if session is None:
                    session = self._sessions[key] = _Rudof(profile)
        return session


_NODE_KEYS = ("node", "class", "or", "xone", "and", "qualifiedValueShape")
_NODE_KINDS = {str(SH.IRI), str(SH.BlankNode), str(SH.BlankNodeOrIRI)}


def _node_valued_predicates(shapes_text: str) -> frozenset[str]:
    """The predicates whose values some property shape constrains as nodes (``sh:node``,
    ``sh:class``, a node kind that is no literal, or logic over shapes)."""
    graph = rdflib.Graph()
    graph.parse(data=shapes_text, format="turtle")
    out: set[str] = set()
    keys = [SH[k] for k in _NODE_KEYS]
    for shape, path in graph.subject_objects(SH.path):
        if not isinstance(path, URIRef):
            continue
        if any(graph.value(shape, key) is not None for key in keys) or any(
                str(kind) in _NODE_KINDS for kind in graph.objects(shape, SH.nodeKind)):
            out.add(str(path))
    return frozenset(out)


_FAST: tuple[int, FastEngine | None] | None = None
#: the process that first used rudof; its forked children must not (rudof's threads and
#: locks do not survive a fork: the child would wait forever)
_USED_IN: int | None = None


def fast_engine() -> FastEngine | None:
    """The fast path of this process, or None (pyrudof missing, turned off, or this
    process forked from one that used it)."""
    global _FAST
    pid = os.getpid()
    current = _FAST
    if current is not None and current[0] == pid:
        return current[1]
    engine: FastEngine | None = None
    if _USED_IN is not None and _USED_IN != pid:
        engine = None
    elif os.environ.get("EDC_ISSUE_SHACL_ENGINE", "auto").lower() != "pyshacl":
        try:
            import pyrudof  # noqa: F401
        except ImportError:
            engine = None
        else:
            engine = FastEngine()
    _FAST = (pid, engine)
    return engine


def _ntriples(quads: Sequence[RawQuad], extra: Sequence[tuple[str, str, str]]) -> str:
    """The merged graph as N-Triples, marker IRIs written as blank nodes (as for pySHACL)."""
    lines: list[str] = []
    cut = len(MARKER_PREFIX)

    def term(value: Any) -> str:
        if type(value) is str:
            if value.startswith(MARKER_PREFIX):
                return "_:m" + value[cut:]
            return "<" + value + ">"
        if type(value) is BlankNode:
            return "_:" + value.id
        return serialize_literal(value)

    for subject, predicate, obj, _graph in quads:
        lines.append(f"{term(subject)} <{predicate}> {term(obj)} .\n")
    for s, p, o in extra:
        lines.append(f"<{s}> <{p}> <{o}> .\n")
    return "".join(lines)
