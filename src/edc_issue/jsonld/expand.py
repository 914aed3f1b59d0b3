"""JSON-LD expansion, offline, refusing to drop data silently.

Expansion uses pyld with the offline loader. Strict mode (the default) refuses
a document in which a property or a type is not mapped to an absolute IRI by
the contexts, or an IRI value is relative: jsonld.js and pyld would drop such
data from the RDF, so it would be left out of what gets signed (how it finds
them: :mod:`.strict`). Lenient mode (``strict=False``, for verifying others'
credentials) drops exactly what jsonld.js drops.

See: <https://www.w3.org/TR/json-ld11-api/#expansion-algorithm>,
<https://www.w3.org/TR/vc-data-integrity/#securing-data-losslessly>
"""

from __future__ import annotations

from typing import Any

from .._types import JsonObject
from ..errors import JsonLdError
from .cache import ContextCache
from .loader import OfflineLoader, default_loader
from .strict import JsonLdProblem, Tracker, problems, raise_problems

__all__ = ["JsonLdProblem", "cache_of", "expand"]


def cache_of(loader: Any) -> ContextCache:
    """The context cache of *loader*: its own for an :class:`OfflineLoader`, else a new one.

    A plain function loader gets no reuse across calls: nothing says its documents
    stay the same.
    """
    cache = getattr(loader, "contexts", None) if isinstance(loader, OfflineLoader) else None
    return cache if isinstance(cache, ContextCache) else ContextCache()


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
    from . import _pyld

    if not isinstance(document, dict):
        raise JsonLdError("a JSON-LD document must be a JSON object", code="jsonld.invalid")
    ldr = loader if loader is not None else default_loader()
    cache = cache_of(ldr)
    if not strict:
        return _pyld.expand(document, ldr, cache, sentinel=False)
    dropped: list[str] = []
    tracker = Tracker()
    expanded = _pyld.expand(document, ldr, cache, sentinel=True, dropped=dropped,
                            tracker=tracker)
    raise_problems(problems(document, expanded, dropped, tracker))
    return expanded
