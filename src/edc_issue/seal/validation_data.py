"""Fetching the validation data of a seal (JAdES baseline LT): certificates, OCSP, CRLs.

For each certificate of the seal's chain (and the TSA's), an OCSP response from its AIA
responder or else a CRL from its distribution points, fetched through the
:class:`~edc_issue._types.Fetcher` and checked before it is kept: its signature (by the
issuer or its delegated responder), the certificate it is about, its freshness and our
nonce. A certificate revoked before the signature's time is refused (``key.revoked``).

See: <https://www.rfc-editor.org/rfc/rfc6960>, <https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.13>
"""

from __future__ import annotations

import base64
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID

from .._types import Fetcher, JsonObject
from ..errors import KeyMaterialError, ReadError, SignerError
from ._etsi_u import encode_entry
from .chain import describe, extension, fingerprint, issued_by
from .revocation import RevocationResult, crl_status, ocsp_status

__all__ = ["ValidationData", "collect_validation_data"]

#: the largest OCSP response, CRL or CA certificate read
_MAX_BYTES = 4 * 1024 * 1024
#: clock difference allowed between us and a responder
_SKEW = timedelta(minutes=5)


def _uris(cert: x509.Certificate, method: x509.ObjectIdentifier) -> list[str]:
    try:
        aia = extension(cert, x509.AuthorityInformationAccess)
    except ValueError:
        return []
    return [d.access_location.value for d in (aia or [])
            if d.access_method == method
            and isinstance(d.access_location, x509.UniformResourceIdentifier)]


def _crl_uris(cert: x509.Certificate) -> list[str]:
    try:
        points = extension(cert, x509.CRLDistributionPoints)
    except ValueError:
        return []
    return [n.value for p in (points or []) for n in (p.full_name or [])
            if isinstance(n, x509.UniformResourceIdentifier)]


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


@dataclass
class ValidationData:
    """What LT embeds: certificates (``xVals``), OCSP responses and CRLs (``rVals``)."""

    certificates: list[x509.Certificate] = field(default_factory=list)
    ocsp_responses: list[bytes] = field(default_factory=list)
    crls: list[bytes] = field(default_factory=list)

    def add_certificate(self, cert: x509.Certificate) -> None:
        """Add *cert* unless it is there already."""
        if fingerprint(cert) not in {fingerprint(c) for c in self.certificates}:
            self.certificates.append(cert)

    def entries(self) -> list[str]:
        """The ``xVals`` and ``rVals`` entries of ``etsiU`` (base64url JSON)."""
        xvals = [{"x509Cert": {"val": base64.b64encode(_der(c)).decode("ascii")}}
                 for c in self.certificates]
        rvals: JsonObject = {}
        if self.crls:
            rvals["crlVals"] = [{"val": base64.b64encode(d).decode("ascii")} for d in self.crls]
        if self.ocsp_responses:
            rvals["ocspVals"] = [{"val": base64.b64encode(d).decode("ascii")}
                                 for d in self.ocsp_responses]
        return [encode_entry("xVals", xvals), encode_entry("rVals", rvals)]


class _Collector:
    """Fetches and checks the revocation data of certificates, one source at a time."""

    def __init__(self, fetcher: Fetcher, *, at: datetime, now: datetime,
                 timeout: float, pool: Sequence[x509.Certificate]) -> None:
        self.fetcher = fetcher
        self.at = at
        self.now = now
        self.timeout = timeout
        self.pool = list(pool)
        self.data = ValidationData()

    def _fetch(self, url: str, *, accept: str, what: str, data: bytes | None = None,
               content_type: str | None = None) -> bytes:
        try:
            return self.fetcher.fetch(url, accept=accept, max_bytes=_MAX_BYTES,
                                      timeout=self.timeout, data=data,
                                      content_type=content_type)
        except ReadError as exc:
            raise SignerError(f"fetching {what} failed: {exc.message}", pointer=url,
                              code="seal.revocation_unavailable") from exc

    def issuer_of(self, cert: x509.Certificate) -> x509.Certificate | None:
        """The issuer of *cert*: from the certificates at hand, else its AIA caIssuers."""
        for cand in self.pool:
            if cand.subject == cert.issuer and issued_by(cert, cand):
                return cand
        for url in _uris(cert, AuthorityInformationAccessOID.CA_ISSUERS):
            raw = self._fetch(url, accept="application/pkix-cert",
                              what=f"the issuer certificate of '{describe(cert)}'")
            try:
                found = (x509.load_pem_x509_certificate(raw) if b"-----BEGIN" in raw
                         else x509.load_der_x509_certificate(raw))
            except ValueError:
                continue
            if issued_by(cert, found):
                self.pool.append(found)
                return found
        return None

    def revocation(self, cert: x509.Certificate, *, required: bool) -> None:
        """Add an OCSP response (preferred) or a CRL for *cert*, checked."""
        ocsp_urls = _uris(cert, AuthorityInformationAccessOID.OCSP)
        crl_urls = _crl_uris(cert)
        if not ocsp_urls and not crl_urls:
            if required:
                raise SignerError(
                    f"the certificate '{describe(cert)}' names no OCSP responder and no "
                    "CRL distribution point, so JAdES LT cannot embed its revocation data",
                    code="seal.revocation_unavailable")
            return
        issuer = self.issuer_of(cert)
        if issuer is None:
            raise SignerError(f"the issuer of '{describe(cert)}' is not in the certificate "
                              "chain and cannot be fetched; give the whole chain",
                              code="seal.revocation_unavailable")
        self.data.add_certificate(issuer)
        problems: list[str] = []
        for url in ocsp_urls:
            try:
                self._judge(cert, self._ocsp(cert, issuer, url), url)
                return
            except SignerError as exc:
                problems.append(exc.message)
        for url in crl_urls:
            try:
                self._judge(cert, self._crl(cert, issuer, url), url)
                return
            except SignerError as exc:
                problems.append(exc.message)
        raise SignerError(f"no usable revocation data for '{describe(cert)}': "
                          + "; ".join(problems), code="seal.revocation_unavailable")

    def _judge(self, cert: x509.Certificate, result: RevocationResult, url: str) -> None:
        if result.status == "revoked":
            raise KeyMaterialError(f"the certificate '{describe(cert)}' is revoked: "
                                   f"{result.message}", pointer=url, code="key.revoked")
        if result.status != "good":
            raise SignerError(f"{url}: {result.message}", code="seal.revocation_unavailable")

    def _ocsp(self, cert: x509.Certificate, issuer: x509.Certificate, url: str
              ) -> RevocationResult:
        nonce = os.urandom(16)
        request = (ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA1())
                   .add_extension(x509.OCSPNonce(nonce), critical=False).build())
        der = self._fetch(url, accept="application/ocsp-response",
                          what=f"the OCSP response for '{describe(cert)}'",
                          data=request.public_bytes(serialization.Encoding.DER),
                          content_type="application/ocsp-request")
        try:
            response = ocsp.load_der_ocsp_response(der)
        except ValueError as exc:
            raise SignerError(f"{url} answered no OCSP response",
                              code="seal.revocation_unavailable") from exc
        if response.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
            raise SignerError(f"{url} refused the OCSP request "
                              f"({response.response_status.name.lower()})",
                              code="seal.revocation_unavailable")
        try:
            echoed = response.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
        except x509.ExtensionNotFound:
            echoed = None
        if echoed is not None and echoed != nonce:
            raise SignerError(f"{url}: the OCSP response does not echo our nonce",
                              code="seal.revocation_unavailable")
        for single in response.responses:
            if single.serial_number == cert.serial_number:
                self._fresh(single.this_update_utc, single.next_update_utc, url)
        result = ocsp_status(der, cert, issuer, pool=[*self.pool, *response.certificates],
                             at=self.at)
        if result is None:
            raise SignerError(f"{url}: the OCSP response is not about '{describe(cert)}'",
                              code="seal.revocation_unavailable")
        if result.status != "unknown":
            self.data.ocsp_responses.append(der)
            for responder in response.certificates:
                self.data.add_certificate(responder)
        return result

    def _crl(self, cert: x509.Certificate, issuer: x509.Certificate, url: str
             ) -> RevocationResult:
        raw = self._fetch(url, accept="application/pkix-crl",
                          what=f"the CRL for '{describe(cert)}'")
        try:
            crl = (x509.load_pem_x509_crl(raw) if b"-----BEGIN" in raw
                   else x509.load_der_x509_crl(raw))
        except ValueError as exc:
            raise SignerError(f"{url} answered no CRL",
                              code="seal.revocation_unavailable") from exc
        der = crl.public_bytes(serialization.Encoding.DER)
        self._fresh(crl.last_update_utc, crl.next_update_utc, url)
        result = crl_status(der, cert, issuer, at=self.at)
        if result is None:
            raise SignerError(f"{url}: the CRL is not signed by '{describe(issuer)}'",
                              code="seal.revocation_unavailable")
        self.data.crls.append(der)
        return result

    def _fresh(self, this_update: datetime, next_update: datetime | None, url: str) -> None:
        if this_update > self.now + _SKEW:
            raise SignerError(f"{url}: the revocation data is dated in the future "
                              f"({this_update:%Y-%m-%dT%H:%M:%SZ})",
                              code="seal.revocation_unavailable")
        if next_update is not None and next_update < self.now - _SKEW:
            raise SignerError(f"{url}: the revocation data is stale (next update was "
                              f"{next_update:%Y-%m-%dT%H:%M:%SZ})",
                              code="seal.revocation_unavailable")


def collect_validation_data(
    chain: Sequence[x509.Certificate],
    *,
    tsa_certificates: Sequence[x509.Certificate] = (),
    fetcher: Fetcher,
    at: datetime,
    now: datetime | None = None,
    timeout: float = 30.0,
) -> ValidationData:
    """Fetch and check the validation data of a seal's *chain* and of its TSA.

    :param chain: the signing certificate first, then its issuers as far as known.
    :param tsa_certificates: the TSA's certificate first, then the others its tokens hold.
    :param at: the signature's time (its time-stamp's): a revocation after it is not one.
    :raises KeyMaterialError: ``key.revoked``: a certificate of the chain was revoked
        before *at*.
    :raises SignerError: ``seal.revocation_unavailable``: the signing certificate names
        no source, or a source fails or answers something unusable.
    """
    collector = _Collector(fetcher, at=at, now=now or datetime.now(timezone.utc),
                           timeout=timeout, pool=[*chain, *tsa_certificates])
    for cert in [*chain[1:], *tsa_certificates]:
        collector.data.add_certificate(cert)
    for i, cert in enumerate(chain):
        if cert.subject == cert.issuer:
            break  # a root: trusted as it is, or not at all
        collector.revocation(cert, required=i == 0)
    if tsa_certificates and tsa_certificates[0].subject != tsa_certificates[0].issuer:
        collector.revocation(tsa_certificates[0], required=False)
    return collector.data
