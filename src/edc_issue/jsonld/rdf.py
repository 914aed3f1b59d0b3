"""JSON-LD to RDF: quads, N-Quads and the canonical form, offline.

Two paths give the same quads (up to blank-node labels and order):

* the compiled path (:mod:`.compiled`), taken whenever every context of the document
  is served by an :class:`~edc_issue.jsonld.OfflineLoader` and the document uses only
  what it handles: it walks the compact JSON once, with each context compiled once
  per process into a term table;
* pyld's path (:func:`expand`, then pyld's node map and RDF conversion), for
  everything else, and for every document that strict mode refuses, so that its
  errors (codes, paths, messages) are the ones :func:`expand` raises.

``tests/unit/jsonld/test_compiled.py`` proves the two equal on every JSON-LD fixture of
the project and on generated documents.

See: <https://www.w3.org/TR/json-ld11-api/#deserialize-json-ld-to-rdf-algorithm>
"""

from __future__ import annotations

import json
import math
from typing import Any

from .._types import JsonObject
from ..errors import JsonLdError
from .expand import cache_of, expand
from .loader import OfflineLoader, default_loader
from .nquads import (
    Quad,
    RawQuad,
    from_pyld_dataset,
    quads_from_raw,
    raw_from_quads,
    serialize_nquads,
)

__all__ = ["canonical_nquads", "raw_quads", "to_dataset", "to_nquads", "to_quads"]


def to_dataset(
    document: JsonObject,
    *,
    strict: bool = True,
    loader: OfflineLoader | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Return the RDF dataset of *document* in pyld's dataset form (graph name → triples).

    This is pyld's own result (the reference the compiled path is tested against).
    """
    from . import _pyld

    ldr = loader if loader is not None else default_loader()
    return _pyld.to_dataset(expand(document, strict=strict, loader=ldr), ldr, cache_of(ldr))


def raw_quads(document: JsonObject, *, strict: bool = True,
              loader: OfflineLoader | None = None) -> list[RawQuad]:
    """The quads of *document* in raw form (compiled path first); a quad may occur twice.

    Parameters and errors as :func:`to_nquads`.
    """
    if not isinstance(document, dict):
        raise JsonLdError("a JSON-LD document must be a JSON object", code="jsonld.invalid")
    ldr = loader if loader is not None else default_loader()
    if isinstance(ldr, OfflineLoader):
        from .compiled import raw_quads as compiled_quads

        found = compiled_quads(document, ldr, ldr.contexts)
        if found is not None:
            return found
    return raw_from_quads(from_pyld_dataset(to_dataset(document, strict=strict, loader=ldr)))


def to_quads(
    document: JsonObject,
    *,
    strict: bool = True,
    loader: OfflineLoader | None = None,
) -> list[Quad]:
    """Return the RDF of a JSON-LD *document* as quads, each distinct quad once.

    Blank node labels are arbitrary. Parameters and errors as :func:`to_nquads`.
    """
    return quads_from_raw(dict.fromkeys(raw_quads(document, strict=strict, loader=loader)))


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
    :raises JsonLdError: see :func:`~edc_issue.jsonld.expand`.
    """
    return serialize_nquads(to_quads(document, strict=strict, loader=loader))


def canonical_nquads(
    document: JsonObject,
    *,
    strict: bool = True,
    hash_algorithm: str = "sha256",
    loader: OfflineLoader | None = None,
) -> str:
    """Return the RDFC-1.0 canonical N-Quads of a JSON-LD *document*.

    The same as ``canonicalize_nquads(to_nquads(document))`` without writing and
    re-parsing N-Quads text: the path signers and verifiers take.

    A flat document (a proof configuration: the same for every credential signed in
    the same second) is canonicalized once per distinct content and loader.

    See: <https://www.w3.org/TR/vc-di-eddsa/#transformation-eddsa-rdfc-2022>
    """
    from .rdfc10 import canonicalize_raw

    ldr = loader if loader is not None else default_loader()
    text = _small_json(document) if isinstance(ldr, OfflineLoader) else None
    if text is not None:
        cache = ldr.contexts.canonical
        key = (text, hash_algorithm, strict)
        hit = cache.get(key)
        if hit is not None:
            return hit
    result = canonicalize_raw(raw_quads(document, strict=strict, loader=ldr),
                              hash_algorithm=hash_algorithm)
    if text is not None:
        with ldr.contexts.lock:
            cache[key] = result
    return result


def _small_json(document: Any) -> str | None:
    """The JSON text of a flat document (a proof configuration), else None (not cached).

    Flat: at most 12 entries, each a string, number, boolean or null, or a list of
    them. A credential has nested objects, so its canonical form is always computed.
    """
    if type(document) is not dict or len(document) > 12:
        return None
    for key, value in document.items():
        if type(key) is not str:
            return None
        for item in value if type(value) is list else (value,):
            kind = type(item)
            if not (kind is str or kind is int or kind is bool or item is None or (
                    kind is float and math.isfinite(item))):
                return None
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)
