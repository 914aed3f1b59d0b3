"""Everything that touches pyld: the processor subclass, its options, and the views of
pyld's active contexts that the compiled path reads.

No other module imports pyld. Active contexts are pyld's dicts (``mappings``,
``@vocab``, ``previousContext``, ...); :mod:`.compiled` reads them only through the
functions at the end of this module.
"""

from __future__ import annotations

import sys
import uuid
from typing import Any

from pyld import jsonld as _pyld
from pyld.context_resolver import ContextResolver

from ..errors import EdcIssueError, JsonLdError
from .cache import ActiveContextMemo, ContextCache
from .strict import SENTINEL_VOCAB, Tracker, is_strict_absolute, join_path

__all__ = [
    "SENTINEL_CONTEXT",
    "Processor",
    "expand",
    "find_context_error",
    "options",
    "to_dataset",
]

#: The local context placed before a document's own in strict mode (see .expand).
SENTINEL_CONTEXT: dict[str, str] = {"@vocab": SENTINEL_VOCAB}

XSD_BOOLEAN = _pyld.XSD_BOOLEAN
XSD_DOUBLE = _pyld.XSD_DOUBLE
XSD_INTEGER = _pyld.XSD_INTEGER
RDF_FIRST = _pyld.RDF_FIRST
RDF_REST = _pyld.RDF_REST
RDF_NIL = _pyld.RDF_NIL
RDF_TYPE = _pyld.RDF_TYPE
KEYWORDS: frozenset[str] = frozenset(_pyld.KEYWORDS)


class Processor(_pyld.JsonLdProcessor):  # type: ignore[misc]
    """pyld's processor with processed contexts memoized across documents.

    With a tracker, it also records every key and type that the active context
    does not map to an absolute IRI, with its exact JSON path (strict mode).
    """

    def __init__(self, memo: ActiveContextMemo, on_property_dropped: Any = None,
                 tracker: Tracker | None = None) -> None:
        super().__init__(on_property_dropped=on_property_dropped or _noop)
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

    def _record(self, tracker: Tracker, path: str, active_ctx: Any, element: dict[str, Any],
                type_scoped_ctx: Any) -> None:
        for key, value in element.items():
            if key == "@context":
                continue
            iri = self._expand_iri(active_ctx, key, vocab=True)
            if iri is None or (not is_strict_absolute(iri) and not iri.startswith("@")) or (
                iri.startswith(SENTINEL_VOCAB)
            ):
                tracker.terms.append((join_path(path, key), key))
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
                    not is_strict_absolute(expanded) and not expanded.startswith("@")
                ):
                    where = f"{join_path(path, key)}[{i}]" if isinstance(value, list) else \
                        join_path(path, key)
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


def _noop(_prop: Any) -> None:
    return None


def options(loader: Any, cache: ContextCache) -> dict[str, Any]:
    """pyld's options for *loader*, resolving contexts through *cache*."""
    return {
        "documentLoader": loader,
        "contextResolver": ContextResolver(cache.resolved, loader),
        # None keeps relative IRIs relative, as jsonld.js does for a document
        # without a base; pyld would otherwise resolve them against
        # "http://example.org/base/" and sign made-up IRIs.
        "base": None,
        "processingMode": "json-ld-1.1",
        "produceGeneralizedRdf": False,
    }


def find_context_error(exc: BaseException, *, outside: BaseException | None = None
                       ) -> EdcIssueError | None:
    """The :class:`EdcIssueError` (a loader's refusal) inside a pyld error, if any.

    :param outside: the exception being handled when pyld was called (its chain is the
        caller's, not pyld's: an error the caller is handling is not the loader's).
    """
    seen: set[int] = {id(outside)} if outside is not None else set()
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


def expand(document: Any, loader: Any, cache: ContextCache, *, sentinel: bool,
           dropped: list[str] | None = None, tracker: Tracker | None = None) -> list[Any]:
    """Expand *document* with pyld (with the strict-mode sentinel ``@vocab`` first).

    :raises JsonLdError: ``jsonld.invalid``; a loader's own error passes unchanged.
    """
    def on_dropped(prop: str | None) -> None:
        if dropped is not None:
            dropped.append(prop or "")

    outside = sys.exc_info()[1]  # the caller's, if it calls us while handling one
    opts = options(loader, cache)
    if sentinel:
        # processed before the document's own contexts, like a first entry of its
        # @context, but as one constant object, so that the memo recognises it
        opts["expandContext"] = SENTINEL_CONTEXT
    try:
        result = Processor(cache.memo, on_dropped, tracker).expand(document, opts)
    except _pyld.JsonLdError as exc:
        inner = find_context_error(exc, outside=outside)
        if inner is not None:
            raise inner from None
        detail = getattr(exc, "type", "") or ""
        code = getattr(exc, "code", "") or ""
        details = getattr(exc, "details", None)
        # an error met while processing a context (a protected term redefined, a term
        # mapped to no IRI) is the @context's, wherever pyld met it
        in_context = isinstance(details, dict) and "context" in details
        raise JsonLdError(
            f"JSON-LD processing failed: {exc.args[0] if exc.args else exc}"
            + (f" ({code or detail})" if (code or detail) else ""),
            code="jsonld.invalid", pointer="@context" if in_context else None,
        ) from exc
    except RecursionError:
        raise JsonLdError("JSON-LD nested too deeply to process", code="jsonld.invalid") from None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        # pyld fails this way on some invalid input (a null @vocab where none is set)
        raise JsonLdError(f"JSON-LD processing failed: {type(exc).__name__}: {exc}",
                          code="jsonld.invalid") from exc
    return result if isinstance(result, list) else [result]


def to_dataset(expanded: list[Any], loader: Any, cache: ContextCache
               ) -> dict[str, list[dict[str, Any]]]:
    """pyld's RDF dataset (graph name -> triples) of an expanded document."""
    processor = _pyld.JsonLdProcessor()
    issuer = _pyld.IdentifierIssuer("_:b")
    node_map: dict[str, Any] = {"@default": {}}
    opts = options(loader, cache)
    try:
        processor._create_node_map(expanded, node_map, "@default", issuer)
        dataset: dict[str, list[dict[str, Any]]] = {}
        for graph_name, graph in sorted(node_map.items()):
            if graph_name == "@default" or is_strict_absolute(graph_name):
                dataset[graph_name] = processor._graph_to_rdf(graph, issuer, opts)
    except _pyld.JsonLdError as exc:
        raise JsonLdError(f"JSON-LD to RDF failed: {exc}", code="jsonld.invalid") from exc
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        # pyld fails this way on some expanded input it let through (a null @type)
        raise JsonLdError(f"JSON-LD to RDF failed: {type(exc).__name__}: {exc}",
                          code="jsonld.invalid") from exc
    return dataset


# --- views of pyld's active contexts, for the compiled path --------------------------


class Engine:
    """A processor and options bound to one loader and its cache (the compiled path's)."""

    def __init__(self, loader: Any, cache: ContextCache) -> None:
        self.processor = Processor(cache.memo)
        self.options = options(loader, cache)
        self.initial = self.processor._get_initial_context(self.options)

    def process(self, active_ctx: Any, local_ctx: Any, *, override_protected: bool = False,
                propagate: bool = True) -> Any:
        """The active context after *local_ctx* (memoized); pyld's errors pass through."""
        return self.processor._process_context(active_ctx, local_ctx, self.options,
                                               override_protected=override_protected,
                                               propagate=propagate)

    def expand_iri(self, active_ctx: Any, value: str, *, vocab: bool) -> Any:
        """pyld's IRI expansion against *active_ctx* (no base: relative stays relative)."""
        return self.processor._expand_iri(active_ctx, value, base=None, vocab=vocab)


def context_value(active_ctx: Any, key: str | None, type_: str) -> Any:
    """pyld's ``get_context_value``: a term's ``@container``, ``@type``, ``@language`` ..."""
    return _pyld.JsonLdProcessor.get_context_value(active_ctx, key, type_)


def mapping(active_ctx: Any, key: str) -> Any:
    """The term definition of *key* (None when the term is not defined or is null)."""
    return active_ctx["mappings"].get(key)


def previous_context(active_ctx: Any) -> Any:
    """The context a non-propagated (type-scoped) context reverts to, or None."""
    return active_ctx.get("previousContext")


def context_id(active_ctx: Any) -> str | None:
    """The id pyld gives a finished active context."""
    value = active_ctx.get("_uuid")
    return value if isinstance(value, str) else None


def is_absolute_iri(value: str) -> bool:
    """pyld's test of an absolute IRI (what toRdf keeps)."""
    return bool(_pyld._is_absolute_iri(value))


def canonical_double(value: float) -> str:
    """The canonical ``xsd:double`` form pyld writes for a JSON number."""
    return str(_pyld._canonicalize_double(value))


def is_double(value: Any) -> bool:
    """pyld's test of a non-integral JSON number."""
    return bool(_pyld._is_double(value))


def is_integer(value: Any) -> bool:
    """pyld's test of an integral JSON number."""
    return bool(_pyld._is_integer(value))
