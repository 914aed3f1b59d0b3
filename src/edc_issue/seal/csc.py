"""A seal :class:`~edc_issue.seal.Signer` at a QTSP: the Cloud Signature Consortium API v2.

A qualified e-seal held by a trust service provider is used in four calls:

1. ``POST {oauth2}/oauth2/token`` with the client credentials (OAuth 2.0
   ``client_credentials``, RFC 6749 §4.4): a bearer token;
2. ``credentials/list`` and ``credentials/info``: the credential, its certificate chain,
   key algorithms, authorisation mode and ``multisign`` (how many signatures one
   authorisation may cover);
3. ``credentials/authorize`` with ``numSignatures`` and the ``hashes`` (SCAL2): a SAD;
4. ``signatures/signHash`` with the SAD and those hashes: the signatures, in order.

:meth:`CscSigner.sign_many` hashes every signing input here and authorises them in
groups of ``multisign``: N seals cost one authorisation (per ``multisign`` hashes), not
N. Every request goes through the :class:`~edc_issue._types.Fetcher` given; it must
accept ``headers=`` (the bearer token), as :class:`edc_issue._net.UrllibFetcher` does.
The client secret, the PIN, the token and the SAD are never shown.

See: Cloud Signature Consortium, *Architectures and protocols for remote signature
applications*, API v2.0 (§8 OAuth 2.0, §11.4 credentials/list, §11.5 credentials/info,
§11.6 credentials/authorize, §11.9 signatures/signHash).
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
import urllib.parse
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from .._types import Fetcher
from ..errors import KeyMaterialError, ReadError, SignerError
from ._jws import EC_ALGORITHMS, der_to_raw, issuer_serial_kid
from .signer import _order_chain

__all__ = ["CscFetcher", "CscSigner"]

#: hash OIDs (RFC 5754 §2)
_HASH_OIDS = {"sha256": "2.16.840.1.101.3.4.2.1", "sha384": "2.16.840.1.101.3.4.2.2",
              "sha512": "2.16.840.1.101.3.4.2.3"}
_RSA_ENCRYPTION = "1.2.840.113549.1.1.1"
#: signature algorithm OIDs by JWS alg (RFC 8017 Appendix C, RFC 5758 §3.2)
_SIGN_OIDS = {"RS256": "1.2.840.113549.1.1.11", "RS384": "1.2.840.113549.1.1.12",
              "RS512": "1.2.840.113549.1.1.13", "ES256": "1.2.840.10045.4.3.2",
              "ES384": "1.2.840.10045.4.3.3", "ES512": "1.2.840.10045.4.3.4"}
_MAX_RESPONSE = 8 * 1024 * 1024


class CscFetcher(Fetcher, Protocol):
    """A :class:`~edc_issue._types.Fetcher` that also sends request *headers*."""

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
        """As :meth:`Fetcher.fetch`, with extra request *headers* (``Authorization``)."""
        ...


class CscSigner:
    """Seals with a credential of a remote signing service (CSC API v2).

    :param service_url: the API base, up to ``/csc/v2`` (``https://qtsp.example/csc/v2``).
    :param client_id: the OAuth 2.0 client id.
    :param client_secret: the OAuth 2.0 client secret (kept in memory only).
    :param credential_id: the credential to use; default the only one listed.
    :param pin: the credential's PIN, when its authorisation mode asks for one.
    :param token_url: the OAuth 2.0 token endpoint; default ``{oauth2}/oauth2/token``
        with ``oauth2`` from the service's ``info``.
    :param fetcher: makes the requests; default :func:`edc_issue._net.default_fetcher`.
    :raises SignerError: ``signer.auth_failed`` (the client or PIN was refused),
        ``signer.failed`` (the service failed or answered something unusable).
    :raises KeyMaterialError: ``key.not_found`` (no such credential, or several and
        none chosen), ``key.unsupported`` (a key this library cannot seal with).
    """

    def __init__(
        self,
        service_url: str,
        *,
        client_id: str,
        client_secret: str,
        credential_id: str | None = None,
        pin: str | None = None,
        token_url: str | None = None,
        fetcher: CscFetcher | None = None,
        timeout: float = 30.0,
    ) -> None:
        if fetcher is None:
            from .._net import default_fetcher

            fetcher = default_fetcher()
        self.service_url = service_url.rstrip("/")
        self.client_id = client_id
        self._secret = client_secret
        self._pin = pin
        self.fetcher = fetcher
        self.timeout = timeout
        self._lock = threading.Lock()
        self._token: str | None = None
        self._token_expires = 0.0
        #: how many ``credentials/authorize`` calls this signer has made
        self.authorizations = 0
        self.token_url = token_url or self._token_endpoint()
        self.credential_id = credential_id or self._only_credential()
        info = self._call("credentials/info", {
            "credentialID": self.credential_id, "certificates": "chain",
            "certInfo": True, "authInfo": True})
        self._chain, self._alg, self.multisign, self._auth_mode = self._read_info(info)

    def __repr__(self) -> str:  # never the secret, PIN or token
        return (f"CscSigner({self.service_url!r}, credential_id={self.credential_id!r}, "
                f"algorithm={self._alg!r})")

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.update(_lock=None, _token=None, _token_expires=0.0)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    # ---- HTTP ------------------------------------------------------------------

    def _post(self, url: str, body: bytes, content_type: str,
              headers: Mapping[str, str] | None = None) -> Any:
        try:
            raw = self.fetcher.fetch(url, accept="application/json", max_bytes=_MAX_RESPONSE,
                                     timeout=self.timeout, data=body,
                                     content_type=content_type, headers=headers or {})
        except ReadError as exc:
            refused = any(f"HTTP {status} " in exc.message for status in (400, 401, 403))
            authorising = url == getattr(self, "token_url", None) or \
                url.endswith("/credentials/authorize")
            code = "signer.auth_failed" if refused and authorising else "signer.failed"
            raise SignerError(f"the signing service failed: {exc.message}", pointer=url,
                              code=code) from exc
        try:
            return json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise SignerError(f"{url} answered no JSON", pointer=url,
                              code="signer.failed") from exc

    def _token_endpoint(self) -> str:
        info = self._post(f"{self.service_url}/info", b"{}", "application/json")
        oauth2 = info.get("oauth2") if isinstance(info, dict) else None
        if not isinstance(oauth2, str) or not oauth2:
            raise SignerError("the signing service's info names no OAuth 2.0 server "
                              "(oauth2); pass token_url=", code="signer.failed")
        return oauth2.rstrip("/") + "/oauth2/token"

    def _bearer(self) -> str:
        if self._token is None or time.monotonic() >= self._token_expires:
            form = urllib.parse.urlencode({"grant_type": "client_credentials",
                                           "client_id": self.client_id,
                                           "client_secret": self._secret}).encode("ascii")
            answer = self._post(self.token_url, form, "application/x-www-form-urlencoded")
            token = answer.get("access_token") if isinstance(answer, dict) else None
            if not isinstance(token, str) or not token:
                raise SignerError("the OAuth 2.0 server answered no access_token",
                                  code="signer.auth_failed")
            lifetime = answer.get("expires_in", 3600)
            lifetime = lifetime if isinstance(lifetime, (int, float)) else 3600
            self._token = token
            self._token_expires = time.monotonic() + max(0.0, float(lifetime) - 30)
            return token
        return self._token

    def _call(self, method: str, body: Mapping[str, Any]) -> Any:
        answer = self._post(f"{self.service_url}/{method}", json.dumps(body).encode("utf-8"),
                            "application/json",
                            {"Authorization": f"Bearer {self._bearer()}"})
        if not isinstance(answer, dict):
            raise SignerError(f"{method} answered no JSON object", code="signer.failed")
        return answer

    # ---- the credential --------------------------------------------------------

    def _only_credential(self) -> str:
        answer = self._call("credentials/list", {"credentialInfo": False})
        ids = answer.get("credentialIDs")
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids) or not ids:
            raise KeyMaterialError("the signing service lists no credential for this client",
                                   code="key.not_found")
        if len(ids) > 1:
            raise KeyMaterialError(f"the signing service lists {len(ids)} credentials "
                                   f"({', '.join(ids[:5])}); choose one (credential_id=)",
                                   code="key.not_found")
        return str(ids[0])

    def _read_info(self, info: Mapping[str, Any]
                   ) -> tuple[list[x509.Certificate], str, int, str]:
        key = info.get("key") if isinstance(info.get("key"), dict) else {}
        cert = info.get("cert") if isinstance(info.get("cert"), dict) else {}
        assert isinstance(key, dict) and isinstance(cert, dict)
        if key.get("status", "enabled") != "enabled":
            raise KeyMaterialError(f"the credential {self.credential_id!r} is "
                                   f"{key.get('status')}", code="key.unsupported")
        try:
            chain = [x509.load_der_x509_certificate(base64.b64decode(c, validate=True))
                     for c in cert.get("certificates", [])]
        except (ValueError, TypeError) as exc:
            raise SignerError("credentials/info holds unreadable certificates",
                              code="signer.failed") from exc
        if not chain:
            raise KeyMaterialError(f"the credential {self.credential_id!r} has no "
                                   "certificate", code="key.not_found")
        public = chain[0].public_key()
        if isinstance(public, rsa.RSAPublicKey):
            alg = "RS256"
        elif isinstance(public, ec.EllipticCurvePublicKey) and \
                public.curve.name in EC_ALGORITHMS:
            alg = EC_ALGORITHMS[public.curve.name]
        else:
            raise KeyMaterialError("the credential's key cannot seal (RSA or EC P-256/384/"
                                   "521 expected)", code="key.unsupported")
        algos = key.get("algo", [])
        if isinstance(algos, list) and algos and _SIGN_OIDS[alg] not in algos and not (
                alg.startswith("RS") and _RSA_ENCRYPTION in algos) and not (
                alg.startswith("ES") and "1.2.840.10045.2.1" in algos):
            raise KeyMaterialError(f"the credential's key allows {algos}, not {alg}",
                                   code="key.unsupported")
        multisign = info.get("multisign", 1)
        multisign = multisign if isinstance(multisign, int) and multisign > 0 else 1
        auth = info.get("auth") if isinstance(info.get("auth"), dict) else {}
        mode = auth.get("mode", "explicit") if isinstance(auth, dict) else "explicit"
        return _order_chain(chain), alg, multisign, str(mode)

    # ---- the Signer protocol ---------------------------------------------------

    @property
    def id(self) -> str:
        """The ``kid`` the seal carries: base64 of the certificate's DER ``IssuerSerial``."""
        return issuer_serial_kid(self._chain[0])

    @property
    def algorithm(self) -> str:
        """The JWS ``alg`` this signer produces."""
        return self._alg

    @property
    def certificate_chain(self) -> list[x509.Certificate]:
        """The signing certificate first, then the intermediates (from credentials/info)."""
        return list(self._chain)

    def sign(self, data: bytes) -> bytes:
        """Sign one input (one authorisation): prefer :meth:`sign_many` for many."""
        return self.sign_many([data])[0]

    def sign_many(self, data: Sequence[bytes]) -> list[bytes]:
        """Sign every input: one ``credentials/authorize`` per ``multisign`` hashes.

        :raises SignerError: ``signer.auth_failed``, ``signer.failed``; no signature is
            returned for a group whose call failed.
        """
        hash_name = {"256": "sha256", "384": "sha384", "512": "sha512"}[self._alg[2:]]
        digests = [hashlib.new(hash_name, item).digest() for item in data]
        signatures: list[bytes] = []
        with self._lock:
            for start in range(0, len(digests), self.multisign):
                group = digests[start:start + self.multisign]
                signatures.extend(self._sign_group(group, hash_name))
        return signatures

    def _sign_group(self, digests: list[bytes], hash_name: str) -> list[bytes]:
        hashes_b64 = [base64.b64encode(d).decode("ascii") for d in digests]
        body: dict[str, Any] = {"credentialID": self.credential_id,
                                "numSignatures": len(digests), "hashes": hashes_b64,
                                "hashAlgorithmOID": _HASH_OIDS[hash_name]}
        if self._pin is not None:
            body["authData"] = [{"id": "PIN", "value": self._pin}]
        answer = self._call("credentials/authorize", body)
        self.authorizations += 1
        sad = answer.get("SAD")
        if not isinstance(sad, str) or not sad:
            raise SignerError("credentials/authorize answered no SAD",
                              code="signer.auth_failed")
        answer = self._call("signatures/signHash", {
            "credentialID": self.credential_id, "SAD": sad, "hashes": hashes_b64,
            "hashAlgorithmOID": _HASH_OIDS[hash_name], "signAlgo": _SIGN_OIDS[self._alg]})
        values = answer.get("signatures")
        if not isinstance(values, list) or len(values) != len(digests):
            raise SignerError(f"signatures/signHash answered "
                              f"{len(values) if isinstance(values, list) else 'no'} "
                              f"signatures for {len(digests)} hashes", code="signer.failed")
        try:
            raw = [base64.b64decode(v, validate=True) for v in values]
            if self._alg.startswith("ES"):
                raw = [der_to_raw(r, self._alg) for r in raw]
        except (ValueError, TypeError) as exc:
            raise SignerError("signatures/signHash answered unreadable signatures",
                              code="signer.failed") from exc
        return raw
