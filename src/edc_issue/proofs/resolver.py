"""Verification-method resolution: from a proof's ``verificationMethod`` to a public key,
its controller, and (when known) the controller document.

Sources, in order:

1. did:key, decoded offline;
2. documents the caller supplies (controller documents, DID documents, or single
   verification methods such as a Multikey document);
3. did:web and https controller documents from the network, only with
   ``allow_network=True``;
4. an https or did:web URL whose fragment is the multibase public key
   (``https://example.edu/issuers/565049#z6Mk…``, as in the Open Badges 3.0 examples):
   the key is taken from the fragment, and its binding to the controller stays
   *unconfirmed* (:attr:`ResolvedMethod.source` is ``"fragment"``).

See: <https://www.w3.org/TR/controller-document/#retrieve-verification-method>.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric import ed25519

from .._types import Fetcher, JsonObject
from ..errors import EdcIssueError, KeyMaterialError, SecurityWarning
from ..keys._base58 import b58decode
from ..keys.did_key import did_key_document, is_did_key, public_key_from_did_key, split_did_url
from ..keys.did_web import did_web_url, is_did_web
from ..keys.jwk import key_from_jwk
from ..keys.key import Key
from ..keys.multikey import decode_public_multibase

__all__ = ["MethodSource", "ResolvedMethod", "VerificationMethodResolver", "key_from_method"]

#: Where a key came from.
MethodSource = Literal["did:key", "document", "network", "fragment", "embedded"]

_MULTIBASE_TYPES = ("Multikey", "Ed25519VerificationKey2020")
_JWK_TYPES = ("JsonWebKey", "JsonWebKey2020")


@dataclass(frozen=True)
class ResolvedMethod:
    """A resolved verification method.

    :param key: the public key; its ``id`` is the verification-method id.
    :param controller: the controller the method names (or the URL before ``#``).
    :param controller_document: the controller's document when it was available.
    :param source: how the key was found (``fragment`` and ``embedded``, a key carried
        by the signed data itself, mean: not confirmed).
    """

    key: Key
    controller: str | None
    controller_document: JsonObject | None
    source: MethodSource

    def is_authorized(self, purpose: str) -> bool | None:
        """Whether the controller document lists the method for *purpose*
        (``assertionMethod``); None when no controller document is known."""
        doc = self.controller_document
        if doc is None:
            return None
        base = str(doc.get("id", ""))
        for entry in _as_list(doc.get(purpose)):
            ref = entry.get("id") if isinstance(entry, dict) else entry
            if isinstance(ref, str) and _absolute(ref, base) == self.key.id:
                return True
        return False


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _absolute(ref: str, base: str) -> str:
    return base + ref if ref.startswith("#") else ref


def key_from_method(method: JsonObject, *, vm_id: str | None = None) -> Key:
    """Return the public key of a verification-method object (secret fields are ignored).

    Supports ``Multikey`` and ``Ed25519VerificationKey2020`` (``publicKeyMultibase``),
    ``JsonWebKey`` / ``JsonWebKey2020`` (``publicKeyJwk``) and ``publicKeyBase58``
    (Ed25519VerificationKey2018).

    :raises KeyMaterialError: ``key.malformed`` or ``key.unsupported``.
    """
    key_id = vm_id or method.get("id")
    controller = method.get("controller")
    controller = controller if isinstance(controller, str) else None
    mb = method.get("publicKeyMultibase")
    if isinstance(mb, str):
        kind, public = decode_public_multibase(mb)
        return Key(kind, public=public, id=key_id, controller=controller)
    jwk = method.get("publicKeyJwk")
    if isinstance(jwk, dict):
        if any(k in jwk for k in ("d", "p", "q")):
            raise KeyMaterialError("publicKeyJwk holds a private key", code="key.malformed")
        return key_from_jwk(jwk, id=key_id, controller=controller).public_only()
    b58 = method.get("publicKeyBase58")
    if isinstance(b58, str):
        raw = b58decode(b58)
        if len(raw) != 32:
            raise KeyMaterialError("publicKeyBase58 is not a 32-byte Ed25519 key",
                                   code="key.malformed")
        return Key("ed25519", public=ed25519.Ed25519PublicKey.from_public_bytes(raw),
                   id=key_id, controller=controller)
    raise KeyMaterialError(
        f"verification method {key_id} of type {method.get('type')!r} has no "
        "publicKeyMultibase, publicKeyJwk or publicKeyBase58", code="key.unsupported",
    )


class VerificationMethodResolver:
    """Finds the key behind a ``verificationMethod`` id; offline unless told otherwise.

    :param documents: controller documents, DID documents or verification methods
        that the caller trusts (e.g. a did:web's ``did.json`` saved beforehand).
    :param allow_network: fetch did:web and https controller documents.
    :param fetcher: the :class:`~edc_issue.Fetcher` that makes the request (default:
        :func:`edc_issue._net.default_fetcher`); only https URLs are fetched.
    :param fetch: replaces the whole fetch (URL in, parsed JSON out), before *fetcher*.
    :param timeout: seconds allowed for one fetch.
    :param max_bytes: the largest controller document accepted.
    """

    def __init__(
        self,
        documents: Iterable[JsonObject] = (),
        *,
        allow_network: bool = False,
        fetch: Callable[[str], Any] | None = None,
        timeout: float = 10.0,
        max_bytes: int = 1024 * 1024,
        fetcher: Fetcher | None = None,
    ) -> None:
        self._docs: dict[str, JsonObject] = {}
        for doc in documents:
            self.add(doc)
        self.allow_network = allow_network
        self._fetch = fetch
        self.fetcher = fetcher
        self.timeout = timeout
        self.max_bytes = max_bytes

    def add(self, document: JsonObject) -> None:
        """Trust *document* (it must have an ``id``)."""
        doc_id = document.get("id") if isinstance(document, dict) else None
        if not isinstance(doc_id, str):
            raise KeyMaterialError("a controller document or verification method needs an id",
                                   pointer="id", code="key.malformed")
        self._docs[doc_id] = document

    # ---- resolution --------------------------------------------------------------------

    def resolve(self, vm_id: str) -> ResolvedMethod:
        """Resolve *vm_id*.

        :raises KeyMaterialError: ``key.unresolved`` when no source knows the method
            (e.g. a did:web without the network), ``key.malformed`` for a bad key,
            ``key.fetch_failed`` when an allowed fetch fails.
        """
        if not isinstance(vm_id, str) or not vm_id:
            raise KeyMaterialError("verificationMethod is missing or not a string",
                                   pointer="proof.verificationMethod", code="key.unresolved")
        base, fragment = split_did_url(vm_id)
        if is_did_key(base):
            kind, public, full_id = public_key_from_did_key(vm_id)
            key = Key(kind, public=public, id=full_id, controller=base)
            return ResolvedMethod(key, base, did_key_document(base), "did:key")
        found = self._from_documents(vm_id, base)
        if found is not None:
            return found
        is_web = is_did_web(base) or base.startswith(("https://", "http://"))
        if self.allow_network and is_web:
            doc = self._fetch_controller(base)
            resolved = self._from_controller(doc, vm_id, base, source="network")
            if resolved is None:
                raise KeyMaterialError(
                    f"the controller document of {base} does not list {vm_id}",
                    pointer="proof.verificationMethod", code="key.unresolved",
                )
            return resolved
        if is_web and fragment and fragment.startswith("z"):
            try:
                kind, public = decode_public_multibase(fragment)
            except KeyMaterialError as exc:
                raise KeyMaterialError(
                    f"the key in the fragment of {vm_id} does not decode: {exc.message}",
                    pointer="proof.verificationMethod", code=exc.code,
                ) from None
            return ResolvedMethod(Key(kind, public=public, id=vm_id, controller=base),
                                  base, None, "fragment")
        if is_web:
            raise KeyMaterialError(
                f"cannot resolve {vm_id} offline",
                pointer="proof.verificationMethod",
                hint="supply the controller document (controllers=[...]) or allow the "
                     "network (allow_network=True)",
                code="key.unresolved",
            )
        scheme = base.split(":", 2)
        method = ":".join(scheme[:2]) if base.startswith("did:") else (
            scheme[0] if len(scheme) > 1 else "")
        what = f'the method "{method}"' if method else "a URL without a scheme"
        raise KeyMaterialError(
            f"cannot resolve {vm_id}: {what} is not supported "
            "(did:key, did:web and https are)",
            pointer="proof.verificationMethod", code="key.unresolved",
        )

    def _from_documents(self, vm_id: str, base: str) -> ResolvedMethod | None:
        method = self._docs.get(vm_id)
        if method is not None and vm_id != base:
            key = key_from_method(method, vm_id=vm_id)
            controller = key.controller or base
            controller_doc = self._docs.get(controller)
            return ResolvedMethod(key.with_id(vm_id, controller), controller, controller_doc,
                                  "document")
        doc = self._docs.get(base)
        if doc is not None:
            return self._from_controller(doc, vm_id, base, source="document")
        return None

    def _from_controller(self, doc: JsonObject, vm_id: str, base: str,
                         source: MethodSource) -> ResolvedMethod | None:
        doc_id = str(doc.get("id", base))
        if doc_id != base:
            raise KeyMaterialError(
                f"the controller document for {base} has id {doc_id}",
                pointer="id", code="key.mismatch",
            )
        candidates: list[Any] = _as_list(doc.get("verificationMethod"))
        for rel in ("assertionMethod", "authentication", "capabilityInvocation",
                    "capabilityDelegation", "keyAgreement"):
            candidates += [m for m in _as_list(doc.get(rel)) if isinstance(m, dict)]
        if doc.get("id") == vm_id or (doc.get("type") in _MULTIBASE_TYPES + _JWK_TYPES
                                      and vm_id == base):
            candidates.append(doc)
        for method in candidates:
            if not isinstance(method, dict):
                continue
            mid = method.get("id")
            if isinstance(mid, str) and _absolute(mid, doc_id) == vm_id:
                controller = method.get("controller")
                controller = controller if isinstance(controller, str) else doc_id
                key = key_from_method(method, vm_id=vm_id).with_id(vm_id, controller)
                return ResolvedMethod(key, controller, doc if controller == doc_id else None,
                                      source)
        return None

    def _fetch_controller(self, base: str) -> JsonObject:
        url = did_web_url(base) if is_did_web(base) else base
        if self._fetch is not None:
            doc = self._fetch(url)
        else:
            doc = _fetch_json(url, timeout=self.timeout, max_bytes=self.max_bytes,
                              fetcher=self.fetcher)
        if not isinstance(doc, dict):
            raise KeyMaterialError(f"{url} did not return a JSON object",
                                   code="key.fetch_failed")
        return doc


def _fetch_json(url: str, *, timeout: float, max_bytes: int, fetcher: Fetcher | None
                ) -> Any:
    if not url.startswith("https://"):
        raise KeyMaterialError(f"refusing to fetch a key over plain HTTP: {url}",
                               code="key.fetch_failed")
    warnings.warn(f"fetching controller document {url}", SecurityWarning, stacklevel=4)
    if fetcher is None:
        from .._net import default_fetcher

        fetcher = default_fetcher()
    try:
        raw = fetcher.fetch(
            url, accept="application/did+ld+json, application/ld+json, application/json",
            max_bytes=max_bytes, timeout=timeout)
    except EdcIssueError as exc:
        raise KeyMaterialError(f"fetching {url} failed: {exc.message}",
                               code="key.fetch_failed") from exc
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise KeyMaterialError(f"{url} is not JSON", code="key.fetch_failed") from exc
