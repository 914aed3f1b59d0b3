"""Map RDF nodes back to JSON paths in the source document.

SHACL reports name focus nodes, and a blank node's label says nothing to a
registrar. Before the credential is turned into RDF we walk the compact JSON
and give every *typed* object that has no ``id`` a marker IRI
(``urn:x-edc-issue:node:N``), remembering the JSON path of each; objects with
an ``id`` are indexed by it (first occurrence wins, as EDCs repeat nodes).
After the N-Quads are parsed, :mod:`.shacl` turns every marker IRI back into a
fresh blank node, so the validated graph is isomorphic to the credential's own
graph, and a result's focus node leads straight back to its path. This does
not depend on how a JSON-LD processor numbers blank nodes.

Untyped objects without an ``id`` are left alone: they may be language or
index maps, which must not receive an ``id``. Their paths are recovered from
the incoming edge (parent path + property term), see :class:`NodeIndex`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._types import DocumentLoader

__all__ = ["MARKER_PREFIX", "NodeIndex", "annotate", "join_path", "term_names"]

MARKER_PREFIX = "urn:x-edc-issue:node:"

_SKIP_KEYS = frozenset({"@context"})


def join_path(base: str, key: str | int) -> str:
    """Append a key or array index to a JSON path (``a.b[0].c``)."""
    if isinstance(key, int):
        return f"{base}[{key}]"
    return f"{base}.{key}" if base else key


def _depth(path: str) -> int:
    return path.count(".") + path.count("[")


@dataclass
class NodeIndex:
    """Node key (an IRI, or a marker IRI for blank nodes) → JSON path of its shallowest occurrence.

    EDCs repeat a node in full wherever it is used; the shallowest path (``issuer``
    rather than ``credentialSubject.hasClaim.awardedBy.awardingBody``) reads best.
    """

    paths: dict[str, str] = field(default_factory=dict)
    root_key: str | None = None

    def add(self, key: str, path: str) -> None:
        """Record that node *key* occurs at *path*; the shallowest occurrence is kept."""
        known = self.paths.get(key)
        if known is None or _depth(path) < _depth(known):
            self.paths[key] = path

    def path_of(self, key: str) -> str | None:
        """Return the JSON path of the node named *key*, if it is known."""
        return self.paths.get(key)


def annotate(document: dict[str, Any], *, prefix: str = "") -> tuple[dict[str, Any], NodeIndex]:
    """Return a copy of *document* with marker ids on typed id-less objects, and the index.

    :param prefix: JSON path of *document* inside its file (``credential`` for
        the upload wrapper), prepended to every path.
    """
    index = NodeIndex()
    counter = 0
    blank_labels: dict[str, str] = {}

    def visit(value: Any, path: str) -> Any:
        nonlocal counter
        if isinstance(value, list):
            return [visit(item, join_path(path, i)) for i, item in enumerate(value)]
        if not isinstance(value, dict):
            return value
        if "@value" in value:
            return value
        out: dict[str, Any] = {}
        id_key = "id" if "id" in value else "@id"
        node_id = value.get(id_key)
        typed = "type" in value or "@type" in value
        key: str | None = None
        if isinstance(node_id, str) and node_id.startswith("_:"):
            key = blank_labels.setdefault(node_id, f"{MARKER_PREFIX}{len(blank_labels)}b")
        elif isinstance(node_id, str):
            key = node_id
        elif node_id is None and typed:
            key = f"{MARKER_PREFIX}{counter}"
            counter += 1
        if key is not None:
            index.add(key, path)
            if index.root_key is None:
                index.root_key = key
        for k, v in value.items():
            out[k] = v if k in _SKIP_KEYS else visit(v, join_path(path, k))
        if key is not None and key.startswith(MARKER_PREFIX):
            out[id_key if node_id is not None else ("id" if "type" in value else "@id")] = key
        return out

    annotated = visit(document, prefix)
    return annotated, index


def _as_context_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def term_names(
    contexts: Any, loader: DocumentLoader, *, extra: Iterable[Mapping[str, Any]] = ()
) -> dict[str, str]:
    """Build a map IRI → JSON term from the contexts a document names.

    A best-effort reading of the context documents (prefixes, term
    definitions, scoped contexts), used only to word messages; it never
    decides validity.
    """
    names: dict[str, str] = {}
    seen: set[int] = set()

    def load(ctx: Any) -> list[Any]:
        if isinstance(ctx, str):
            try:
                doc = loader(ctx, None).get("document")
            except Exception:  # unknown contexts are reported elsewhere
                return []
            return _as_context_list(doc.get("@context") if isinstance(doc, dict) else None)
        return [ctx]

    def walk(ctx: Any) -> None:
        for item in _as_context_list(ctx):
            for c in load(item):
                if not isinstance(c, dict) or id(c) in seen:
                    continue
                seen.add(id(c))
                prefixes = {k: v for k, v in c.items()
                            if isinstance(v, str) and v.endswith(("/", "#"))}
                vocab = c.get("@vocab") if isinstance(c.get("@vocab"), str) else None
                for term, definition in c.items():
                    if term.startswith("@"):
                        continue
                    iri = definition.get("@id") if isinstance(definition, dict) else definition
                    if isinstance(iri, str):
                        head, sep, tail = iri.partition(":")
                        if sep and head in prefixes and not tail.startswith("//"):
                            iri = prefixes[head] + tail
                        elif not sep and vocab:
                            iri = vocab + iri
                        names.setdefault(iri, term)
                    if isinstance(definition, dict) and "@context" in definition:
                        walk(definition["@context"])
    walk(contexts)
    for mapping in extra:
        for iri, term in mapping.items():
            names.setdefault(iri, term)
    return names
