"""Offline JSON-LD: bundled contexts, expansion to RDF, RDFC-1.0 canonicalization.

This package is the only importer of pyld.
"""

from __future__ import annotations

from .expand import expand
from .loader import OfflineLoader, bundled_contexts, default_loader
from .rdf import canonical_nquads, to_dataset, to_nquads, to_quads
from .rdfc10 import canonicalize, canonicalize_nquads

__all__ = [
    "OfflineLoader",
    "bundled_contexts",
    "canonical_nquads",
    "canonicalize",
    "canonicalize_nquads",
    "default_loader",
    "expand",
    "to_dataset",
    "to_nquads",
    "to_quads",
]
