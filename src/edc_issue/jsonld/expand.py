"""JSON-LD to RDF, offline, refusing to drop data silently.

Expansion uses pyld with the offline loader. Strict mode (the default) refuses
a document in which a property or a type is not mapped to an absolute IRI by
the contexts, or an IRI value is relative: jsonld.js and pyld would drop such
data from the RDF, so it would be left out of what gets signed. Lenient mode
(``strict=False``, for verifying others' credentials) drops exactly what
jsonld.js drops.

How strict mode finds what would be dropped, in one expansion: a sentinel
``@vocab`` is placed *before* the document's own contexts. A context that sets
its own ``@vocab`` (credentials v2 does) overrides it, exactly as it would the
absence of one; anything else that the contexts do not define expands to the
sentinel namespace, where it is easy to find. When nothing is found, the
expansion is identical to one without the sentinel, and is used as it is.

See: <https://www.w3.org/TR/json-ld11-api/#expansion-algorithm>,
<https://www.w3.org/TR/vc-data-integrity/#securing-data-losslessly>
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache
from pyld import jsonld as _pyld
from pyld.context_resolver import ContextResolver

from .._types import JsonObject
from ..errors import EdcIssueError, JsonLdError
from .loader import OfflineLoader, default_loader

__all__ = ["JsonLdProblem", "canonical_nquads", "expand", "to_dataset", "to_nquads"]

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


def _is_absolute(iri: str) -> bool:
    return bool(_ABSOLUTE_IRI.match(iri))


def _resolver(loader: OfflineLoader | Any) -> ContextResolver:
    cache = getattr(loader, "context_cache", None)
    if cache is None:
        cache = LRUCache(maxsize=256)
        try:
            loader.context_cache = cache
        except AttributeError:  # a plain function loader: no reuse across calls
            pass
    return ContextResolver(cache, loader)


class _ContextMemo:
    """Processed active contexts, keyed by (active context, local context, flags).

    pyld resolves and re-processes a type-scoped context on every node that has
    that type (JSON-canonicalizing inline contexts each time to find its cache
    entry). The result depends only on the active context, the local context and
    the loader, so one loader keeps one memo and every document reuses it.
    """

    def __init__(self, maxsize: int = 2048, max_iris: int = 100_000) -> None:
        self._cache: LRUCache[tuple[Any, ...], tuple[Any, Any]] = LRUCache(maxsize=maxsize)
        self._lock = threading.Lock()
        #: (active context uuid, value, vocab, base) -> expanded IRI; pyld gives every
        #: finished active context a fresh uuid, so an entry never goes stale.
        self.iris: dict[tuple[Any, ...], Any] = {}
        self.max_iris = max_iris

    @staticmethod
    def key(active_ctx: Any, local_ctx: Any, flags: tuple[Any, ...]) -> tuple[Any, ...] | None:
        ctx_id = active_ctx.get("_uuid") if isinstance(active_ctx, dict) else None
        if ctx_id is None:
            ctx_id = getattr(active_ctx, "get", lambda _k: None)("_uuid")
        if ctx_id is None:
            return None
        if isinstance(local_ctx, str):
            local_key: Any = ("s", local_ctx)
        elif isinstance(local_ctx, list) and all(isinstance(c, str) for c in local_ctx):
            local_key = ("l", *local_ctx)
        else:
            local_key = ("o", id(local_ctx))
        return (ctx_id, local_key, *flags)

    def get(self, key: tuple[Any, ...], local_ctx: Any) -> Any:
        with self._lock:
            hit = self._cache.get(key)
        # an id()-keyed entry is valid only while it is the very same object
        if hit is not None and (key[1][0] != "o" or hit[0] is local_ctx):
            return hit[1]
        return None

    def put(self, key: tuple[Any, ...], local_ctx: Any, processed: Any) -> None:
        with self._lock:
            self._cache[key] = (local_ctx, processed)


class _Tracker:
    """Where each object of the document being expanded sits, and what strict mode refuses.

    pyld expands a deep copy of the document; the first ``_expand`` call receives
    that copy, and every object in it is mapped to its JSON path by identity.
    """

    def __init__(self) -> None:
        self.paths: dict[int, str] | None = None
        self.terms: list[tuple[str, str]] = []  # (path, term)
        self.types: list[tuple[str, str]] = []  # (path, type)

    def index(self, root: Any) -> None:
        self.paths = {id(obj): path for path, obj, _key in _json_paths(root)
                      if isinstance(obj, (dict, list))}

    def path_of(self, obj: Any) -> str | None:
        return None if self.paths is None else self.paths.get(id(obj))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Processor(_pyld.JsonLdProcessor):  # type: ignore[misc]
    """pyld's processor with processed contexts memoized across documents.

    With a tracker, it also records every key and type that the active context
    does not map to an absolute IRI, with its exact JSON path (strict mode).
    """

    def __init__(self, memo: _ContextMemo, on_property_dropped: Any,
                 tracker: _Tracker | None = None) -> None:
        super().__init__(on_property_dropped=on_property_dropped)
        self._memo = memo
        self._tracker = tracker

    def _expand(  # pyld's signature
        self,
        active_ctx: Any,
        active_property: Any,
        element: Any,
        options: Any,
        inside_list: bool = False,
        inside_index: Any = False,
        type_scoped_ctx: Any = None,
    ) -> Any:
        tracker = self._tracker
        if tracker is not None and tracker.paths is None:
            tracker.index(element)
        return super()._expand(active_ctx, active_property, element, options, inside_list,
                               inside_index, type_scoped_ctx)

    def _expand_object(  # pyld's signature
        self,
        active_ctx: Any,
        active_property: Any,
        expanded_active_property: Any,
        element: Any,
        expanded_parent: Any,
        options: Any,
        inside_list: bool = False,
        type_key: Any = None,
        type_scoped_ctx: Any = None,
    ) -> Any:
        tracker = self._tracker
        if tracker is not None and isinstance(element, dict):
            path = tracker.path_of(element)
            if path is not None:
                self._record(tracker, path, active_ctx, element, type_scoped_ctx)
        return super()._expand_object(
            active_ctx, active_property, expanded_active_property, element, expanded_parent,
            options, inside_list, type_key, type_scoped_ctx,
        )

    def _record(self, tracker: _Tracker, path: str, active_ctx: Any, element: dict[str, Any],
                type_scoped_ctx: Any) -> None:
        for key, value in element.items():
            if key == "@context":
                continue
            iri = self._expand_iri(active_ctx, key, vocab=True)
            if iri is None or (not _is_absolute(iri) and not iri.startswith("@")) or (
                iri.startswith(SENTINEL_VOCAB)
            ):
                tracker.terms.append((_join(path, key), key))
                continue
            if iri != "@type":
                continue
            type_ctx = type_scoped_ctx if type_scoped_ctx is not None else active_ctx
            values = value if isinstance(value, list) else [value]
            for i, item in enumerate(values):
                if not isinstance(item, str):
                    continue
                expanded = self._expand_iri(type_ctx, item, vocab=True)
                if not isinstance(expanded, str) or expanded.startswith(SENTINEL_VOCAB) or (
                    not _is_absolute(expanded) and not expanded.startswith("@")
                ):
                    where = f"{_join(path, key)}[{i}]" if isinstance(value, list) else \
                        _join(path, key)
                    tracker.types.append((where, item))

    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: Any,
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        key = self._memo.key(active_ctx, local_ctx, (override_protected, propagate,
                                                     validate_scoped, options.get("base")))
        if key is not None:
            hit = self._memo.get(key, local_ctx)
            if hit is not None:
                return hit
        processed = super()._process_context(
            active_ctx, local_ctx, options, override_protected, propagate, validate_scoped,
            cycles,
        )
        if key is not None:
            if isinstance(processed, dict) and "_uuid" not in processed:
                processed["_uuid"] = str(uuid.uuid1())
            self._memo.put(key, local_ctx, processed)
        return processed

    def _expand_iri(
        self,
        active_ctx: Any,
        value: Any,
        base: Any = None,
        vocab: bool = False,
        local_ctx: Any = None,
        defined: Any = None,
    ) -> Any:
        # only lookups against a finished context are memoized; term definitions
        # under construction pass local_ctx/defined and always take pyld's path
        if local_ctx is None and defined is None and isinstance(value, str):
            ctx_id = active_ctx.get("_uuid")
            if ctx_id is not None:
                key = (ctx_id, value, vocab, base)
                iris = self._memo.iris
                try:
                    return iris[key]
                except KeyError:
                    pass
                result = super()._expand_iri(active_ctx, value, base, vocab)
                if len(iris) >= self._memo.max_iris:
                    iris.clear()
                iris[key] = result
                return result
        return super()._expand_iri(active_ctx, value, base, vocab, local_ctx, defined)


def _memo(loader: Any) -> _ContextMemo:
    memo = getattr(loader, "context_memo", None)
    if memo is None:
        memo = _ContextMemo()
        try:
            loader.context_memo = memo
        except AttributeError:  # a plain function loader: memo per call
            pass
    return memo


def _options(loader: Any) -> dict[str, Any]:
    return {
        "documentLoader": loader,
        "contextResolver": _resolver(loader),
        # None keeps relative IRIs relative, as jsonld.js does for a document
        # without a base; pyld would otherwise resolve them against
        # "http://example.org/base/" and sign made-up IRIs.
        "base": None,
        "processingMode": "json-ld-1.1",
        "produceGeneralizedRdf": False,
    }


def _find_context_error(exc: BaseException) -> EdcIssueError | None:
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        cur = stack.pop()
        if cur is None or id(cur) in seen:
            continue
        seen.add(id(cur))
        if isinstance(cur, EdcIssueError):
            return cur
        stack.append(cur.__cause__)
        stack.append(cur.__context__)
        cause = getattr(cur, "cause", None)
        if isinstance(cause, BaseException):
            stack.append(cause)
    return None


def _pyld_expand(document: JsonObject, loader: Any, dropped: list[str] | None,
                 tracker: _Tracker | None = None) -> list[Any]:
    def on_dropped(prop: str | None) -> None:
        if dropped is not None:
            dropped.append(prop or "")

    try:
        result = _Processor(_memo(loader), on_dropped, tracker).expand(document,
                                                                      _options(loader))
    except _pyld.JsonLdError as exc:
        inner = _find_context_error(exc)
        if inner is not None:
            raise inner from None
        detail = getattr(exc, "type", "") or ""
        code = getattr(exc, "code", "") or ""
        raise JsonLdError(
            f"JSON-LD processing failed: {exc.args[0] if exc.args else exc}"
            + (f" ({code or detail})" if (code or detail) else ""),
            code="jsonld.invalid",
        ) from exc
    except RecursionError:
        raise JsonLdError("JSON-LD nested too deeply to process", code="jsonld.invalid") from None
    return result if isinstance(result, list) else [result]


def _with_sentinel(document: JsonObject) -> JsonObject:
    ctx = document.get("@context")
    if ctx is None:
        contexts: list[Any] = []
    elif isinstance(ctx, list):
        contexts = list(ctx)
    else:
        contexts = [ctx]
    out = dict(document)
    out["@context"] = [{"@vocab": SENTINEL_VOCAB}, *contexts]
    return out


def expand(
    document: JsonObject,
    *,
    strict: bool = True,
    loader: OfflineLoader | None = None,
) -> list[Any]:
    """Expand *document* with the bundled contexts only.

    :param strict: refuse undefined terms and types and relative IRIs (default);
        with ``False``, drop them as jsonld.js does.
    :param loader: resolves every ``@context``; default: bundled contexts only.
    :raises ContextError: ``jsonld.context_not_allowed`` naming an unknown context URL.
    :raises JsonLdError: ``jsonld.undefined_term`` / ``jsonld.relative_iri`` in strict
        mode, with ``problems`` listing every one by path; ``jsonld.invalid`` when the
        document is not valid JSON-LD.
    """
    if not isinstance(document, dict):
        raise JsonLdError("a JSON-LD document must be a JSON object", code="jsonld.invalid")
    ldr = loader if loader is not None else default_loader()
    if not strict:
        return _pyld_expand(document, ldr, None)
    dropped: list[str] = []
    tracker = _Tracker()
    expanded = _pyld_expand(_with_sentinel(document), ldr, dropped, tracker)
    problems = _problems(document, expanded, dropped, tracker)
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise JsonLdError(
            first.message + more,
            code=f"jsonld.{first.kind}" if first.kind != "undefined_type" else
            "jsonld.undefined_term",
            pointer=first.path,
            hint="define it in a @context, or use strict=False to drop it as jsonld.js does",
            problems=[(p.path, p.message) for p in problems],
        )
    return expanded


def to_dataset(
    document: JsonObject,
    *,
    strict: bool = True,
    loader: OfflineLoader | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Return the RDF dataset of *document* in pyld's dataset form (graph name → triples)."""
    expanded = expand(document, strict=strict, loader=loader)
    processor = _pyld.JsonLdProcessor()
    issuer = _pyld.IdentifierIssuer("_:b")
    node_map: dict[str, Any] = {"@default": {}}
    options = _options(loader if loader is not None else default_loader())
    try:
        processor._create_node_map(expanded, node_map, "@default", issuer)
        dataset: dict[str, list[dict[str, Any]]] = {}
        for graph_name, graph in sorted(node_map.items()):
            if graph_name == "@default" or _is_absolute(graph_name):
                dataset[graph_name] = processor._graph_to_rdf(graph, issuer, options)
    except _pyld.JsonLdError as exc:
        raise JsonLdError(f"JSON-LD to RDF failed: {exc}", code="jsonld.invalid") from exc
    return dataset


def to_nquads(
    document: JsonObject,
    *,
    strict: bool = True,
    loader: OfflineLoader | None = None,
) -> str:
    """Return the RDF of a JSON-LD *document* as N-Quads, offline.

    Contexts come only from the bundled, pinned set (or *loader*). Blank node
    labels are arbitrary; canonicalize with :func:`edc_issue.canonicalize_nquads`.

    :param strict: refuse (``jsonld.undefined_term``, ``jsonld.relative_iri``)
        anything that the contexts do not map and jsonld.js would drop, naming its
        JSON path; with ``False``, drop exactly what jsonld.js drops.
    :raises ContextError: an unknown context URL (``jsonld.context_not_allowed``).
    :raises JsonLdError: see :func:`expand`.
    """
    from .nquads import from_pyld_dataset, serialize_nquads

    return serialize_nquads(from_pyld_dataset(to_dataset(document, strict=strict, loader=loader)))


# --- finding what would be dropped, and where -------------------------------------------


def _problems(document: JsonObject, expanded: list[Any], dropped: list[str],
              tracker: _Tracker) -> list[JsonLdProblem]:
    problems: list[JsonLdProblem] = []
    problems.extend(_term_problem(path, term) for path, term in dict.fromkeys(tracker.terms))
    problems.extend(_type_problem(path, t) for path, t in dict.fromkeys(tracker.types))
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
        problems.extend(_term_problem(path, term) for path in paths)
    for type_ in types:
        paths = list(_paths_of_type(document, type_)) or ["type"]
        problems.extend(_type_problem(path, type_) for path in paths)
    for value in relative:
        paths = list(_paths_of_value(document, value)) or ["@id"]
        for path in paths:
            problems.append(JsonLdProblem(
                path, "relative_iri", value,
                f'"{value}" is used as an IRI but is relative (the context types this '
                "property @id); it would be dropped from the signed data",
            ))
    problems.sort(key=lambda p: p.path)
    return _outermost(problems)


def _term_problem(path: str, term: str) -> JsonLdProblem:
    return JsonLdProblem(path, "undefined_term", term,
                         f'no @context defines "{term}"; it would be dropped from the signed data')


def _type_problem(path: str, type_: str) -> JsonLdProblem:
    return JsonLdProblem(
        path, "undefined_type", type_,
        f'no @context defines the type "{type_}"; it would be dropped from the signed data')


def _outermost(problems: list[JsonLdProblem]) -> list[JsonLdProblem]:
    """Drop problems inside an undefined property: the whole property is dropped anyway."""
    kept: list[JsonLdProblem] = []
    undefined: list[str] = []
    for problem in problems:  # sorted by path: a parent comes before its children
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
                if isinstance(val, str) and not _is_absolute(val):
                    yield "relative", val
            elif key == "@type":
                for t in val if isinstance(val, list) else [val]:
                    if not isinstance(t, str):
                        continue
                    if t.startswith(SENTINEL_VOCAB):
                        yield "type", t[len(SENTINEL_VOCAB):]
                    elif not _is_absolute(t) and not (is_value and t.startswith("@")):
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


def canonical_nquads(
    document: JsonObject,
    *,
    strict: bool = True,
    hash_algorithm: str = "sha256",
    loader: OfflineLoader | None = None,
) -> str:
    """Return the RDFC-1.0 canonical N-Quads of a JSON-LD *document*.

    The same as ``canonicalize_nquads(to_nquads(document))`` without writing
    and re-parsing N-Quads text: the path signers and verifiers take.

    See: <https://www.w3.org/TR/vc-di-eddsa/#transformation-eddsa-rdfc-2022>
    """
    from .nquads import from_pyld_dataset
    from .rdfc10 import canonicalize

    quads = from_pyld_dataset(to_dataset(document, strict=strict, loader=loader))
    return canonicalize(quads, hash_algorithm=hash_algorithm)
