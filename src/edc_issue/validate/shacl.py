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

See: <https://www.w3.org/TR/shacl/#validation-report>
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .._resources import schemas_dir
from ..errors import ConfigError
from .nodemap import MARKER_PREFIX
from .profiles import Profile

try:
    import rdflib
    from rdflib import RDF, BNode, Literal, URIRef
    from rdflib.namespace import SH
except ImportError as exc:  # pragma: no cover - rdflib is a core dependency
    raise ConfigError("SHACL validation needs rdflib: pip install 'edc-issue'",
                      code="config.extra_missing") from exc

__all__ = ["ShaclOutcome", "ShaclResult", "load_shapes", "validate_dataset"]

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


def _build(dataset: dict[str, list[dict[str, Any]]]) -> tuple[rdflib.Graph, dict[BNode, str]]:
    """Build one rdflib graph from a dataset in pyld's form (named graphs merged).

    Marker IRIs (:mod:`.nodemap`) become fresh blank nodes; the map says which is which.
    Building terms directly is about ten times faster than serializing N-Quads and
    parsing them again with rdflib.
    """
    graph = rdflib.Graph()
    blanks: dict[str, BNode] = {}
    markers: dict[BNode, str] = {}

    def term(t: dict[str, Any]) -> Any:
        kind, value = t.get("type"), t.get("value", "")
        if kind == "IRI":
            if value.startswith(MARKER_PREFIX):
                node = blanks.get(value)
                if node is None:
                    node = blanks[value] = BNode()
                    markers[node] = value
                return node
            return URIRef(value)
        if kind == "blank node":
            node = blanks.get(value)
            if node is None:
                node = blanks[value] = BNode()
            return node
        language = t.get("language")
        if language:
            try:
                return Literal(value, lang=language)
            except ValueError:  # "en " and the like: rdflib refuses it, the JSON-LD layer kept it
                try:
                    return Literal(value, lang=str(language).strip())
                except ValueError:
                    return Literal(value)
        datatype = t.get("datatype")
        return Literal(value, datatype=URIRef(datatype) if datatype and datatype != XSD_STRING
                       else None)

    add = graph.add
    for triples in dataset.values():
        for triple in triples:
            add((term(triple["subject"]), term(triple["predicate"]), term(triple["object"])))
    return graph, markers


XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


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
    """Validate an RDF dataset (pyld's form, from :func:`edc_issue.jsonld.to_dataset`).

    Each profile's shapes check the merged graph; results already reported by
    an earlier profile are not repeated.

    :param extra_triples: IRI triples added to the data graph before validation
        (controlled-vocabulary facts the shapes check, e.g. ``skos:inScheme``).
    """
    data, markers = _build(dataset)
    for s, p, o in extra_triples:
        data.add((URIRef(s), URIRef(p), URIRef(o)))
    types: dict[str, list[str]] = {}
    for subject, obj in data.subject_objects(RDF.type):
        types.setdefault(_key(subject, markers), []).append(str(obj))
    outcome = ShaclOutcome(conforms=True, triples=len(data), types=types)
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
