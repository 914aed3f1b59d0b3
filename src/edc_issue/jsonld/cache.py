"""Where JSON-LD processing keeps what it learns from a loader's documents.

A :class:`ContextCache` belongs to one document loader (an
:class:`~edc_issue.jsonld.OfflineLoader` owns one and drops it when its documents
change). It holds, for the life of the process:

* the resolved context documents, keyed by URL (pyld's resolver cache);
* processed active contexts, keyed by (active context, local context, flags)
  (:class:`ActiveContextMemo`): a context is processed once, never re-canonicalized
  to find its cache entry;
* the compiled term tables of :mod:`edc_issue.jsonld.compiled`;
* the canonical form of small documents (proof configurations), by content.

Everything in it depends only on the loader's documents, never on a document being
processed, so it is shared by every call and every thread (lookups are lock-free reads
of dicts; a miss is computed under :attr:`ContextCache.lock`).

This module imports neither pyld nor anything heavy: a loader can make its cache at
start-up for free.
"""

from __future__ import annotations

import threading
from typing import Any

__all__ = ["ActiveContextMemo", "ContextCache"]


class ActiveContextMemo:
    """Processed active contexts, keyed by (active context id, local context, flags).

    pyld resolves and re-processes a type-scoped context on every node that has that
    type (JSON-canonicalizing inline contexts each time to find its cache entry). The
    result depends only on the active context, the local context and the loader, so
    one loader keeps one memo and every document reuses it.

    A local context is keyed by its URL(s), or, for an inline context (a dict, such as a
    scoped context inside a bundled context document), by identity; the entry keeps a
    reference to the dicts it was keyed by, so their ids cannot be reused while it lives.
    """

    def __init__(self, maxsize: int = 4096, max_iris: int = 100_000) -> None:
        from cachetools import LRUCache

        self._cache: LRUCache[tuple[Any, ...], tuple[Any, Any]] = LRUCache(maxsize=maxsize)
        self._lock = threading.Lock()
        #: (active context uuid, value, vocab, base) -> expanded IRI; pyld gives every
        #: finished active context a fresh uuid, so an entry never goes stale.
        self.iris: dict[tuple[Any, ...], Any] = {}
        self.max_iris = max_iris

    @staticmethod
    def key(active_ctx: Any, local_ctx: Any, flags: tuple[Any, ...]) -> tuple[Any, ...] | None:
        """The memo key, or None when *active_ctx* has no id (then nothing is memoized)."""
        ctx_id = active_ctx.get("_uuid") if hasattr(active_ctx, "get") else None
        if ctx_id is None:
            return None
        if isinstance(local_ctx, str):
            local_key: Any = ("s", local_ctx)
        elif isinstance(local_ctx, list):
            local_key = ("l", *(c if isinstance(c, str) else ("o", id(c)) for c in local_ctx))
        else:
            local_key = ("o", id(local_ctx))
        return (ctx_id, local_key, *flags)

    def get(self, key: tuple[Any, ...], local_ctx: Any) -> Any:
        """The processed context stored under *key* for this very *local_ctx*, or None."""
        with self._lock:
            hit = self._cache.get(key)
        if hit is None:
            return None
        stored = hit[0]
        if stored is local_ctx or isinstance(local_ctx, str):
            return hit[1]
        if isinstance(local_ctx, list) and isinstance(stored, list) and len(stored) == len(
                local_ctx) and all(a is b or (isinstance(a, str) and a == b)
                                   for a, b in zip(stored, local_ctx, strict=True)):
            return hit[1]
        return None

    def put(self, key: tuple[Any, ...], local_ctx: Any, processed: Any) -> None:
        """Remember *processed* for *key* (holding *local_ctx*, see the class docstring)."""
        stored = list(local_ctx) if isinstance(local_ctx, list) else local_ctx
        with self._lock:
            self._cache[key] = (stored, processed)


class ContextCache:
    """Everything JSON-LD processing caches for one document loader (see the module)."""

    def __init__(self) -> None:
        from cachetools import LRUCache

        #: pyld's resolver cache: context URL -> resolved context
        self.resolved: LRUCache[Any, Any] = LRUCache(maxsize=256)
        #: processed active contexts
        self.memo = ActiveContextMemo()
        #: taken when a cache miss computes something shared
        self.lock = threading.RLock()
        #: the compiled path's state (made by :mod:`edc_issue.jsonld.compiled`)
        self.compiled: Any = None
        #: canonical N-Quads of small documents (proof configurations), keyed by
        #: (JSON text, hash algorithm, strict): see :func:`edc_issue.jsonld.canonical_nquads`
        self.canonical: LRUCache[tuple[str, str, bool], str] = LRUCache(maxsize=1024)
