"""Strict mode: finding what JSON-LD processing would drop, and where.

jsonld.js and pyld drop a property or a type that the contexts do not map to an
absolute IRI, and an IRI value that is relative; such data would be left out of
what gets signed. Strict mode finds every one of them, in one expansion: a sentinel
``@vocab`` is placed *before* the document's own contexts. A context that sets its
own ``@vocab`` (credentials v2 does) overrides it, exactly as it would the absence of
one; anything else that the contexts do not define expands to the sentinel
namespace, where it is easy to find. When nothing is found, the expansion is
identical to one without the sentinel, and is used as it is.

The :class:`Tracker` records, during the expansion, each undefined key and type
with its JSON path; :func:`problems` adds what the expanded result shows (relative
IRIs) and keeps the outermost problem of each dropped subtree.

See: <https://www.w3.org/TR/vc-data-integrity/#securing-data-losslessly>
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .._types import JsonObject
from ..errors import JsonLdError

__all__ = [
    "SENTINEL_VOCAB",
    "JsonLdProblem",
    "Tracker",
    "is_strict_absolute",
    "join_path",
    "problems",
    "raise_problems",
]

#: The sentinel vocabulary; no real document uses it.
SENTINEL_VOCAB = "urn:edc-issue:undefined:"
_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+\-.]*|_):[^\s]*$")


@dataclass(frozen=True)
class JsonLdProblem:
    """Something strict mode refuses: where, what kind, and the offending term or value."""

    path: str
    kind: str  # "undefined_term" | "undefined_type" | "relative_iri"
    value: str
    message: str


def is_strict_absolute(iri: str) -> bool:
    """True for an absolute IRI or a blank node identifier (what strict mode accepts)."""
    return bool(_ABSOLUTE_IRI.match(iri))


def join_path(path: str, key: str) -> str:
    """``path.key``, or ``key`` at the top."""
    return f"{path}.{key}" if path else key


class Tracker:
    """Where each object of the document being expanded sits, and what strict mode refuses.

    pyld expands a deep copy of the document; the first ``_expand`` call receives
    that copy, and every object in it is mapped to its JSON path by identity.
    """

    def __init__(self) -> None:
        self.paths: dict[int, str] | None = None
        self.terms: list[tuple[str, str]] = []  # (path, term)
        self.types: list[tuple[str, str]] = []  # (path, type)

    def index(self, root: Any) -> None:
        """Map every object and array of *root* to its JSON path."""
        self.paths = {id(obj): path for path, obj, _key in _json_paths(root)
                      if isinstance(obj, (dict, list))}

    def path_of(self, obj: Any) -> str | None:
        """The JSON path of *obj* (an object of the indexed document), or None."""
        return None if self.paths is None else self.paths.get(id(obj))


def raise_problems(found: list[JsonLdProblem]) -> None:
    """Raise the strict-mode error listing *found* (nothing when it is empty).

    :raises JsonLdError: ``jsonld.undefined_term`` or ``jsonld.relative_iri``, with
        ``problems`` listing every one by path.
    """
    if not found:
        return
    first = found[0]
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    raise JsonLdError(
        first.message + more,
        code=f"jsonld.{first.kind}" if first.kind != "undefined_type" else
        "jsonld.undefined_term",
        pointer=first.path,
        hint="define it in a @context, or use strict=False to drop it as jsonld.js does",
        problems=[(p.path, p.message) for p in found],
    )


def problems(document: JsonObject, expanded: list[Any], dropped: list[str],
             tracker: Tracker) -> list[JsonLdProblem]:
    """Every problem of *document*, sorted by path, the outermost of each subtree."""
    found: list[JsonLdProblem] = []
    found.extend(_term_problem(path, term) for path, term in dict.fromkeys(tracker.terms))
    found.extend(_type_problem(path, t) for path, t in dict.fromkeys(tracker.types))
    # A safety net: anything the expansion shows but the tracker did not place is
    # still reported, located by searching the document.
    found_terms = {term for _path, term in tracker.terms}
    found_types = {type_ for _path, type_ in tracker.types}
    terms: dict[str, None] = {}
    types: dict[str, None] = {}
    relative: dict[str, None] = {}
    for prop in dropped:
        if prop and prop not in found_terms:
            terms[prop] = None
    for kind, value in _walk_expanded(expanded):
        if kind == "term" and value not in found_terms:
            terms[value] = None
        elif kind == "type" and value not in found_types:
            types[value] = None
        elif kind == "relative":
            relative[value] = None
    for term in terms:
        paths = list(_paths_of_key(document, term)) or [term]
        found.extend(_term_problem(path, term) for path in paths)
    for type_ in types:
        paths = list(_paths_of_type(document, type_)) or ["type"]
        found.extend(_type_problem(path, type_) for path in paths)
    for value in relative:
        paths = list(_paths_of_value(document, value)) or ["@id"]
        for path in paths:
            found.append(JsonLdProblem(
                path, "relative_iri", value,
                f'"{value}" is used as an IRI but is relative (the context types this '
                "property @id); it would be dropped from the signed data",
            ))
    found.sort(key=lambda p: p.path)
    return _outermost(found)


def _term_problem(path: str, term: str) -> JsonLdProblem:
    return JsonLdProblem(path, "undefined_term", term,
                         f'no @context defines "{term}"; it would be dropped from the signed data')


def _type_problem(path: str, type_: str) -> JsonLdProblem:
    return JsonLdProblem(
        path, "undefined_type", type_,
        f'no @context defines the type "{type_}"; it would be dropped from the signed data')


def _outermost(found: list[JsonLdProblem]) -> list[JsonLdProblem]:
    """Drop problems inside an undefined property: the whole property is dropped anyway."""
    kept: list[JsonLdProblem] = []
    undefined: list[str] = []
    for problem in found:  # sorted by path: a parent comes before its children
        if any(problem.path.startswith((root + ".", root + "[")) for root in undefined):
            continue
        kept.append(problem)
        if problem.kind == "undefined_term":
            undefined.append(problem.path)
    return kept


def _walk_expanded(node: Any) -> Iterator[tuple[str, str]]:
    stack = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, list):
            stack.extend(cur)
            continue
        if not isinstance(cur, dict):
            continue
        is_value = "@value" in cur
        for key, val in cur.items():
            if key == "@id":
                if isinstance(val, str) and not is_strict_absolute(val):
                    yield "relative", val
            elif key == "@type":
                for t in val if isinstance(val, list) else [val]:
                    if not isinstance(t, str):
                        continue
                    if t.startswith(SENTINEL_VOCAB):
                        yield "type", t[len(SENTINEL_VOCAB):]
                    elif not is_strict_absolute(t) and not (is_value and t.startswith("@")):
                        yield "relative", t
            elif key.startswith(SENTINEL_VOCAB):
                yield "term", key[len(SENTINEL_VOCAB):]
                stack.append(val)
            elif key in ("@value", "@language", "@direction", "@index", "@context"):
                continue
            else:
                stack.append(val)


def _json_paths(node: Any, prefix: str = "") -> Iterator[tuple[str, Any, str | None]]:
    """Yield (path, value, key) for every value in a compact JSON document."""
    stack: list[tuple[str, Any, str | None]] = [(prefix, node, None)]
    while stack:
        path, cur, key = stack.pop()
        yield path, cur, key
        if isinstance(cur, dict):
            for k, v in reversed(list(cur.items())):
                if k == "@context":
                    continue
                stack.append((f"{path}.{k}" if path else k, v, k))
        elif isinstance(cur, list):
            for i in range(len(cur) - 1, -1, -1):
                stack.append((f"{path}[{i}]", cur[i], key))


def _paths_of_key(document: JsonObject, term: str) -> Iterator[str]:
    for path, _value, key in _json_paths(document):
        if key == term and not path.endswith("]"):
            yield path


def _paths_of_type(document: JsonObject, type_: str) -> Iterator[str]:
    for path, value, key in _json_paths(document):
        if key in ("type", "@type") and value == type_:
            yield path


def _paths_of_value(document: JsonObject, iri: str) -> Iterator[str]:
    for path, value, key in _json_paths(document):
        if value == iri and key not in (None,):
            yield path
