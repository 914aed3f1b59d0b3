"""Offline JSON-LD: bundled contexts, expansion to RDF, RDFC-1.0 canonicalization.

This package is the only importer of pyld.
"""

from __future__ import annotations

from .expand import canonical_nquads, expand, to_dataset, to_nquads
from .loader import OfflineLoader, bundled_contexts, default_loader
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
]
