"""The offline document loader: bundled, pinned JSON-LD contexts and nothing else.

The loader is the only way from JSON-LD processing to the network, and by
default it lets nothing through: a context that is not bundled is an error
naming its URL, raised at once. A caller may add documents one URL at a time
(:meth:`OfflineLoader.add`) or opt in to fetching (``allow_network=True``),
which uses a timeout and a size cap and emits a :class:`SecurityWarning`.
"""

from __future__ import annotations

import hashlib
import json
import threading
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._resources import schemas_dir
from .._types import Fetcher, JsonObject, RemoteDocument
from ..errors import ContextError, EdcIssueError, SecurityWarning
from .cache import ContextCache

__all__ = ["OfflineLoader", "bundled_contexts", "default_loader"]

_BUNDLE_LOCK = threading.Lock()
_BUNDLE: dict[str, JsonObject] | None = None
_MANIFEST: dict[str, dict[str, str]] | None = None


def _manifest() -> dict[str, dict[str, str]]:
    global _MANIFEST
    if _MANIFEST is None:
        path = schemas_dir() / "contexts" / "index.json"
        _MANIFEST = json.loads(path.read_text(encoding="utf-8"))
    return _MANIFEST


def bundled_contexts() -> Mapping[str, dict[str, str]]:
    """Return the manifest of bundled contexts: URL → ``{file, sha256, source, licence}``."""
    return dict(_manifest())


def _bundle() -> dict[str, JsonObject]:
    """Parse every bundled context once per process (they are small and immutable)."""
    global _BUNDLE
    if _BUNDLE is None:
        with _BUNDLE_LOCK:
            if _BUNDLE is None:
                folder = schemas_dir() / "contexts"
                parsed: dict[str, JsonObject] = {}
                for url, entry in _manifest().items():
                    raw = (folder / entry["file"]).read_bytes()
                    if hashlib.sha256(raw).hexdigest() != entry["sha256"]:
                        raise ContextError(
                            f"bundled context {entry['file']} does not match its pinned sha256",
                            pointer=url,
                            code="jsonld.context_tampered",
                        )
                    parsed[url] = json.loads(raw)
                _BUNDLE = parsed
    return _BUNDLE


def _normalise_url(url: str) -> str:
    # "https://www.w3.org/ns/credentials/v2#" and trailing whitespace name the same document
    return url.strip().split("#", 1)[0]


class OfflineLoader:
    """A JSON-LD document loader that serves only the bundled contexts.

    :param documents: extra URL → document entries, added to the bundled set.
    :param allow_network: fetch URLs that are not bundled (off by default).
    :param timeout: seconds allowed for one fetch when the network is allowed.
    :param max_bytes: largest document fetched when the network is allowed.
    :param fetcher: the :class:`~edc_issue.Fetcher` that makes those requests (default:
        :func:`edc_issue._net.default_fetcher`).

    Instances are callables with pyld's loader signature ``(url, options)``.
    Each instance also owns :attr:`contexts`, the cache of resolved and processed
    contexts (:class:`~edc_issue.jsonld.cache.ContextCache`) that every JSON-LD
    operation with this loader shares, so each context is processed once per process.
    """

    def __init__(
        self,
        documents: Mapping[str, JsonObject] | None = None,
        *,
        allow_network: bool = False,
        timeout: float = 10.0,
        max_bytes: int = 2 * 1024 * 1024,
        fetcher: Fetcher | None = None,
    ) -> None:
        self._extra: dict[str, JsonObject] = {}
        for url, doc in (documents or {}).items():
            self.add(url, doc)
        self.allow_network = allow_network
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.fetcher = fetcher
        self._fetched: dict[str, JsonObject] = {}
        self._lock = threading.Lock()
        self._contexts: ContextCache | None = None

    def add(self, url: str, document: JsonObject) -> None:
        """Serve *document* for *url* from now on (tests, private contexts, did.json)."""
        if not isinstance(document, dict):
            raise ContextError("a context document must be a JSON object", pointer=url)
        self._extra[_normalise_url(url)] = document
        # documents changed: resolved and processed contexts may differ
        self._contexts = None

    @property
    def contexts(self) -> ContextCache:
        """This loader's context cache (a new one after :meth:`add` changes its documents)."""
        cache = self._contexts
        if cache is None:
            with self._lock:
                cache = self._contexts
                if cache is None:
                    cache = self._contexts = ContextCache()
        return cache

    def knows(self, url: str) -> bool:
        """Return True if *url* is served without the network."""
        key = _normalise_url(url)
        return key in self._extra or key in _bundle()

    def get(self, url: str) -> JsonObject:
        """Return the parsed document for *url*.

        :raises ContextError: ``jsonld.context_not_allowed`` when *url* is not
            bundled and the network is not allowed; ``jsonld.context_fetch_failed``
            when an allowed fetch fails.
        """
        key = _normalise_url(url)
        doc = self._extra.get(key)
        if doc is None:
            doc = _bundle().get(key)
        if doc is None:
            doc = self._fetched.get(key)
        if doc is not None:
            return doc
        if not self.allow_network:
            raise ContextError(
                f'context "{url}" is not bundled and fetching is off',
                pointer=url,
                hint="add the document to the loader, or fetch it with allow_network=True",
                code="jsonld.context_not_allowed",
            )
        doc = self._fetch(key)
        with self._lock:
            self._fetched[key] = doc
        return doc

    def _fetch(self, url: str) -> JsonObject:
        if not url.startswith(("https://", "http://")):
            raise ContextError(
                f'context "{url}" is not an http(s) URL', pointer=url,
                code="jsonld.context_fetch_failed",
            )
        warnings.warn(f"fetching JSON-LD context {url} from the network", SecurityWarning,
                      stacklevel=4)
        fetcher = self.fetcher
        if fetcher is None:
            from .._net import default_fetcher

            fetcher = default_fetcher()
        try:
            raw = fetcher.fetch(url, accept="application/ld+json, application/json",
                                max_bytes=self.max_bytes, timeout=self.timeout)
        except EdcIssueError as exc:
            code = "jsonld.context_fetch_failed"
            if "more than" in exc.message:
                raise ContextError(f'context "{url}" is larger than {self.max_bytes:,} bytes',
                                   pointer=url, code=code) from exc
            raise ContextError(f'fetching context "{url}" failed: {exc.message}', pointer=url,
                               code=code) from exc
        try:
            doc = json.loads(raw)
        except ValueError as exc:
            raise ContextError(
                f'context "{url}" is not JSON', pointer=url, code="jsonld.context_fetch_failed"
            ) from exc
        if not isinstance(doc, dict):
            raise ContextError(
                f'context "{url}" is not a JSON object', pointer=url,
                code="jsonld.context_fetch_failed",
            )
        return doc

    def __call__(self, url: str, options: dict[str, Any] | None = None) -> RemoteDocument:
        """Load *url* in the shape pyld expects.

        Every document is tagged ``static`` (as jsonld.js's loaders tag immutable
        contexts): what this loader serves for a URL never changes (bundled contexts are
        pinned, added ones reset the cache, fetched ones are kept), so pyld may keep the
        resolved context and not ask again for every document.
        """
        return {"contextUrl": None, "documentUrl": url, "document": self.get(url),
                "tag": "static"}


_DEFAULT: OfflineLoader | None = None


def default_loader() -> OfflineLoader:
    """Return the process-wide offline loader (bundled contexts only, parsed once)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = OfflineLoader()
    return _DEFAULT


def context_file(url: str) -> Path:
    """Return the bundled file of context *url* (for tools that hand contexts to peers)."""
    entry = _manifest()[_normalise_url(url)]
    return schemas_dir() / "contexts" / entry["file"]
