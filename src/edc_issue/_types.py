"""Shared type aliases and the protocols that callers may implement (stdlib only)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

__all__ = ["Clock", "DocumentLoader", "Fetcher", "JsonObject", "RemoteDocument", "Signer"]

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


@runtime_checkable
class Signer(Protocol):
    """Signs bytes with a private key that may never leave its device (file, HSM, KMS, QTSP).

    The one seam through which Data Integrity proofs, VC-JWTs, status lists, batches and
    (with a ``certificate_chain`` added, :class:`edc_issue.seal.Signer`) e-seals are signed.
    :class:`edc_issue.Key` satisfies it.

    ``algorithm`` names what :meth:`sign` produces, as fully specified JOSE algorithms
    (RFC 7518, RFC 9864): ``Ed25519`` (a raw 64-byte Ed25519 signature), ``ES256`` /
    ``ES384`` (ECDSA on P-256 / P-384, raw ``r || s``), ``RS256`` / ``PS256`` (RSA).
    """

    @property
    def id(self) -> str | None:
        """The verification-method id (``did:key:z…#z…``) or JWK ``kid`` of the key."""
        ...

    @property
    def algorithm(self) -> str:
        """The algorithm of the signatures :meth:`sign` returns (``Ed25519``, ``ES256``, ...)."""
        ...

    def sign(self, data: bytes) -> bytes:
        """Return the signature of *data*.

        :raises SignerError: ``signer.failed`` if the backend cannot sign.
        """
        ...


@runtime_checkable
class Fetcher(Protocol):
    """Makes the library's outbound HTTP requests: contexts (when allowed), did:web and https
    controller documents, status lists, time-stamp authorities, OCSP responders and CRLs.

    Nothing else in the library opens a connection. A service replaces the default to add
    an SSRF guard, a cache or a proxy; tests pass a fake.
    """

    def fetch(
        self,
        url: str,
        *,
        accept: str,
        max_bytes: int,
        timeout: float,
        data: bytes | None = None,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> bytes:
        """GET *url* (POST *data* with *content_type* when *data* is given); return the body.

        *headers* are extra request headers (the bearer token of a remote signing service);
        their values must never appear in an error message or a log.

        :raises ReadError: the request failed, timed out, was redirected off HTTPS, or the
            body is larger than *max_bytes*.
        """
        ...
