"""Shared type aliases and the protocols that callers may implement (stdlib only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol, runtime_checkable

__all__ = ["Clock", "DocumentLoader", "JsonObject", "RemoteDocument"]

#: A parsed JSON object (a credential, a context, a key document).
JsonObject = dict[str, Any]

#: What a document loader returns, in pyld's and jsonld.js's shape.
RemoteDocument = dict[str, Any]


@runtime_checkable
class DocumentLoader(Protocol):
    """Resolves a URL named in ``@context`` to a JSON-LD document.

    The default, :class:`edc_issue.OfflineLoader`, serves only the bundled
    contexts and refuses everything else.
    """

    def __call__(self, url: str, options: dict[str, Any] | None = None) -> RemoteDocument:
        """Return ``{"contextUrl": None, "documentUrl": url, "document": {...}}`` for *url*."""
        ...


class Clock(Protocol):
    """Returns the current time (timezone-aware, UTC); tests pass a fixed clock."""

    def __call__(self) -> datetime:
        """Return the current time."""
        ...
