"""RFC 3161 time-stamps: requests, the HTTP client, and token verification.

A JAdES baseline-T seal carries a time-stamp token over the signature value
(``etsiU`` → ``sigTst``); the EU issuer also adds one over the payload (``adoTst``).
This module builds a ``TimeStampReq``, posts it to a TSA when the caller asks for it
(through the :class:`~edc_issue._types.Fetcher` given), and verifies a
``TimeStampToken``: the message imprint, the CMS ``SignedData`` signature with the TSA
certificate, the signed attributes (content type, message digest, ESS signing
certificate) and the TSA's time-stamping key purpose. It parses with ``asn1crypto`` and
checks signatures with ``cryptography``.

See: <https://www.rfc-editor.org/rfc/rfc3161>, <https://www.rfc-editor.org/rfc/rfc5652#section-5.4>
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Protocol, runtime_checkable

from asn1crypto import algos, cms, core, tsp
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from .._types import Fetcher
from ..errors import ReadError, SignerError
from .chain import extension

__all__ = [
    "HttpTimeStampClient",
    "TimeStampClient",
    "TimeStampInfo",
    "TokenCheck",
    "build_request",
    "parse_response",
    "verify_token",
]

_HASHLIB = {"sha1": "sha1", "sha224": "sha224", "sha256": "sha256", "sha384": "sha384",
            "sha512": "sha512"}
_CRYPTO_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256,
    "sha384": hashes.SHA384, "sha512": hashes.SHA512,
}
#: largest TSA response read (tokens are a few kB)
_MAX_RESPONSE = 1024 * 1024


def _digest(name: str, data: bytes) -> bytes:
    if name not in _HASHLIB:
        raise ValueError(f"hash algorithm {name!r} is not supported")
    return hashlib.new(_HASHLIB[name], data).digest()


def build_request(
    digest: bytes,
    *,
    hash_algorithm: str = "sha256",
    nonce: int | None = None,
    cert_req: bool = True,
    policy: str | None = None,
) -> bytes:
    """Return a DER ``TimeStampReq`` (RFC 3161 §2.4.1) for an already computed *digest*."""
    req: dict[str, Any] = {
        "version": "v1",
        "message_imprint": {
            "hash_algorithm": {"algorithm": hash_algorithm},
            "hashed_message": digest,
        },
        "cert_req": cert_req,
    }
    if nonce is not None:
        req["nonce"] = nonce
    if policy is not None:
        req["req_policy"] = policy
    return bytes(tsp.TimeStampReq(req).dump())


def parse_response(data: bytes, *, nonce: int | None = None) -> bytes:
    """Return the DER ``TimeStampToken`` of a ``TimeStampResp`` (RFC 3161 §2.4.2).

    :raises SignerError: ``seal.tsa_failed`` if the TSA refused the request, the
        response is malformed, or the nonce does not match.
    """
    try:
        resp = tsp.TimeStampResp.load(data)
        status = resp["status"]["status"].native
        if status not in ("granted", "granted_with_mods"):
            text = resp["status"]["status_string"].native
            fail = resp["status"]["fail_info"].native
            raise SignerError(
                f"the TSA refused the request: {status} {text or ''} {fail or ''}".strip(),
                code="seal.tsa_failed",
            )
        token = resp["time_stamp_token"]
        # (not token.native: that parses the whole token, and dump() then re-encodes it)
        if isinstance(token, core.Void) or not token.contents:
            raise SignerError("the TSA response holds no token", code="seal.tsa_failed")
        token_der = bytes(token.dump())
        info = _tst_info(cms.ContentInfo.load(token_der))
    except SignerError:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        raise SignerError(f"malformed TSA response: {exc}", code="seal.tsa_failed") from exc
    if nonce is not None and info["nonce"].native != nonce:
        raise SignerError("the TSA response does not echo our nonce", code="seal.tsa_failed")
    return token_der


@runtime_checkable
class TimeStampClient(Protocol):
    """Gets RFC 3161 time-stamp tokens; pass an in-memory one in tests (no network)."""

    def timestamp(self, digest: bytes, hash_algorithm: str = "sha256") -> bytes:
        """Return a DER ``TimeStampToken`` whose message imprint is *digest*.

        :raises SignerError: ``seal.tsa_failed``.
        """
        ...


class HttpTimeStampClient:
    """Posts ``application/timestamp-query`` requests to a TSA URL (RFC 3161 §3.4).

    :param url: the TSA endpoint (``http`` or ``https``).
    :param timeout: seconds to wait.
    :param fetcher: makes the request; default :func:`edc_issue._net.default_fetcher`.
    """

    def __init__(self, url: str, *, timeout: float = 30.0, fetcher: Fetcher | None = None
                 ) -> None:
        if not url.startswith(("http://", "https://")):
            raise SignerError(
                f"TSA URL must start with http:// or https://, found {url!r}",
                code="seal.tsa_failed",
            )
        self.url = url
        self.timeout = timeout
        if fetcher is None:
            from .._net import default_fetcher

            fetcher = default_fetcher()
        self.fetcher = fetcher

    def __repr__(self) -> str:
        return f"HttpTimeStampClient({self.url!r})"

    def timestamp(self, digest: bytes, hash_algorithm: str = "sha256") -> bytes:
        """Request a token for *digest* from the TSA and check the response."""
        nonce = secrets.randbits(63)
        body = build_request(digest, hash_algorithm=hash_algorithm, nonce=nonce)
        try:
            data = self.fetcher.fetch(self.url, accept="application/timestamp-reply",
                                      max_bytes=_MAX_RESPONSE, timeout=self.timeout,
                                      data=body, content_type="application/timestamp-query")
        except ReadError as exc:
            raise SignerError(f"the TSA at {self.url} failed: {exc.message}",
                              code="seal.tsa_failed") from exc
        token = parse_response(data, nonce=nonce)
        check = verify_token(token, digest=digest)
        if not check.ok:
            raise SignerError(f"the TSA token does not verify: {check.message}",
                              code="seal.tsa_failed")
        return token


@dataclass(frozen=True)
class TimeStampInfo:
    """What a verified token says: when, under which policy, by whom."""

    gen_time: datetime
    policy: str
    hash_algorithm: str
    imprint: bytes
    serial_number: int
    tsa: x509.Certificate | None = None
    certificates: tuple[x509.Certificate, ...] = field(default=())


@dataclass(frozen=True)
class TokenCheck:
    """The outcome of :func:`verify_token`: ``ok`` and a one-line reason."""

    ok: bool
    message: str
    info: TimeStampInfo | None = None


def _tst_info(content_info: cms.ContentInfo) -> tsp.TSTInfo:
    if content_info["content_type"].native != "signed_data":
        raise ValueError("the token is not CMS SignedData")
    eci = content_info["content"]["encap_content_info"]
    if eci["content_type"].native != "tst_info":
        raise ValueError(f"the token's content is {eci['content_type'].native}, not TSTInfo")
    info = eci["content"].parsed
    if not isinstance(info, tsp.TSTInfo):
        raise ValueError("the token's content is not a TSTInfo")
    return info


def _load_certs(sd: cms.SignedData) -> list[x509.Certificate]:
    out: list[x509.Certificate] = []
    for choice in sd["certificates"] or []:
        if choice.name == "certificate":
            try:
                out.append(x509.load_der_x509_certificate(choice.chosen.dump()))
            except ValueError:
                continue
    return out


def _find_signer(
    sid: cms.SignerIdentifier, certs: Sequence[x509.Certificate]
) -> x509.Certificate | None:
    if sid.name == "issuer_and_serial_number":
        issuer = sid.chosen["issuer"].dump()
        serial = sid.chosen["serial_number"].native
        for cert in certs:
            if cert.serial_number == serial and _name_der(cert.issuer) == issuer:
                return cert
        # names may be encoded differently; fall back to the serial alone
        for cert in certs:
            if cert.serial_number == serial:
                return cert
        return None
    ski = sid.chosen.native
    for cert in certs:
        try:
            ext = extension(cert, x509.SubjectKeyIdentifier)
        except ValueError:
            continue
        if ext is not None and ext.digest == ski:
            return cert
    return None


def _name_der(name: x509.Name) -> bytes:
    return name.public_bytes()


def verify_signature(
    public_key: Any,
    signature: bytes,
    data: bytes,
    algorithm: algos.SignedDigestAlgorithm,
    digest_name: str,
) -> None:
    """Check a CMS / X.509 signature; raise ``InvalidSignature`` or ``ValueError``."""
    digest_cls = _CRYPTO_HASHES.get(digest_name)
    if digest_cls is None:
        raise ValueError(f"digest {digest_name} not supported")
    sig_algo = algorithm.signature_algo
    if isinstance(public_key, rsa.RSAPublicKey):
        if sig_algo == "rsassa_pss":
            params = algorithm["parameters"]
            pss_hash = _CRYPTO_HASHES[params["hash_algorithm"]["algorithm"].native]
            mgf_hash = _CRYPTO_HASHES[
                params["mask_gen_algorithm"]["parameters"]["algorithm"].native
            ]
            public_key.verify(
                signature, data,
                padding.PSS(mgf=padding.MGF1(mgf_hash()),
                            salt_length=params["salt_length"].native),
                pss_hash(),
            )
        elif sig_algo == "rsassa_pkcs1v15":
            public_key.verify(signature, data, padding.PKCS1v15(), digest_cls())
        else:
            raise ValueError(f"signature algorithm {sig_algo} does not fit an RSA key")
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        if sig_algo != "ecdsa":
            raise ValueError(f"signature algorithm {sig_algo} does not fit an EC key")
        public_key.verify(signature, data, ec.ECDSA(digest_cls()))
    else:
        raise ValueError(f"{type(public_key).__name__} keys are not supported")


def _attr(attrs: cms.CMSAttributes, name: str) -> Any:
    for attr in attrs:
        if attr["type"].native == name:
            return attr["values"][0]
    return None


def verify_token(
    token: bytes,
    *,
    data: bytes | None = None,
    digest: bytes | None = None,
    extra_certificates: Sequence[x509.Certificate] = (),
) -> TokenCheck:
    """Verify a DER ``TimeStampToken`` over *data* (or over a precomputed *digest*).

    Checks the message imprint, the CMS signature and signed attributes, the ESS
    signing-certificate reference, and that the TSA certificate is for time-stamping
    and valid at the time-stamp's time. It does not decide whether the TSA is
    trusted: the caller checks ``info.tsa``'s chain.

    :param extra_certificates: certificates to find the TSA certificate among, when
        the token does not embed it (``xVals`` of the envelope).
    """
    try:
        content_info = cms.ContentInfo.load(token)
        info = _tst_info(content_info)
        sd: cms.SignedData = content_info["content"]
        hash_name = info["message_imprint"]["hash_algorithm"]["algorithm"].native
        imprint = info["message_imprint"]["hashed_message"].native
        gen_time = info["gen_time"].native.astimezone(timezone.utc)
        policy = info["policy"].native
        serial = info["serial_number"].native
        embedded = _load_certs(sd)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        return TokenCheck(False, f"not a readable RFC 3161 token ({exc})")
    meta = TimeStampInfo(gen_time, policy, hash_name, imprint, serial, None, tuple(embedded))

    if hash_name not in _HASHLIB:
        return TokenCheck(False, f"message imprint uses unsupported hash {hash_name}", meta)
    expected = digest if digest is not None else _digest(hash_name, data or b"")
    if imprint != expected:
        return TokenCheck(
            False,
            f"message imprint {imprint.hex()[:16]}... does not match the {hash_name} of the "
            f"time-stamped data ({expected.hex()[:16]}...)",
            meta,
        )

    signer_infos = sd["signer_infos"]
    if len(signer_infos) != 1:
        return TokenCheck(False, f"expected one SignerInfo, found {len(signer_infos)}", meta)
    si = signer_infos[0]
    tsa_cert = _find_signer(si["sid"], [*embedded, *extra_certificates])
    if tsa_cert is None:
        return TokenCheck(False, "the TSA certificate is neither in the token nor in xVals",
                          meta)
    meta = TimeStampInfo(gen_time, policy, hash_name, imprint, serial, tsa_cert, tuple(embedded))

    try:
        tst_bytes = sd["encap_content_info"]["content"].contents
        si_digest = si["digest_algorithm"]["algorithm"].native
        attrs = si["signed_attrs"]
        if not attrs:
            return TokenCheck(False, "the token has no signed attributes (RFC 3161 §2.4.2)",
                              meta)
        ctype = _attr(attrs, "content_type")
        if ctype is None or ctype.native != "tst_info":
            return TokenCheck(False, "the signed content-type attribute is not TSTInfo", meta)
        md = _attr(attrs, "message_digest")
        if md is None or md.native != _digest(si_digest, tst_bytes):
            return TokenCheck(False, "the signed message-digest does not match the TSTInfo",
                              meta)
        ess_problem = _check_ess(attrs, tsa_cert)
        if ess_problem:
            return TokenCheck(False, ess_problem, meta)
        signed = b"\x31" + attrs.dump()[1:]  # [0] IMPLICIT → SET OF (RFC 5652 §5.4)
        verify_signature(tsa_cert.public_key(), si["signature"].native, signed,
                         si["signature_algorithm"], si_digest)
    except InvalidSignature:
        return TokenCheck(False, "the TSA's CMS signature does not verify", meta)
    except (ValueError, TypeError, KeyError, UnsupportedAlgorithm) as exc:
        return TokenCheck(False, f"the TSA's CMS signature cannot be checked ({exc})", meta)

    try:
        eku = extension(tsa_cert, x509.ExtendedKeyUsage)
    except ValueError:
        eku = None
    if eku is None:
        return TokenCheck(False, "the TSA certificate has no readable time-stamping EKU", meta)
    if ExtendedKeyUsageOID.TIME_STAMPING not in eku:
        return TokenCheck(False, "the TSA certificate is not for time-stamping (EKU)", meta)
    if not (tsa_cert.not_valid_before_utc <= gen_time <= tsa_cert.not_valid_after_utc):
        return TokenCheck(
            False, f"the TSA certificate was not valid at {gen_time:%Y-%m-%dT%H:%M:%SZ}", meta
        )
    return TokenCheck(
        True,
        f"time-stamp of {gen_time:%Y-%m-%dT%H:%M:%SZ} by {tsa_cert.subject.rfc4514_string()} "
        f"(policy {policy}) verifies",
        meta,
    )


def _check_ess(attrs: cms.CMSAttributes, cert: x509.Certificate) -> str | None:
    from cryptography.hazmat.primitives.serialization import Encoding

    der = cert.public_bytes(Encoding.DER)
    v2 = _attr(attrs, "signing_certificate_v2")
    if v2 is not None:
        ids = v2["certs"]
        if len(ids):
            first = ids[0]
            alg = first["hash_algorithm"]["algorithm"].native
            if first["cert_hash"].native != _digest(alg, der):
                return "the ESS signing-certificate-v2 attribute names another certificate"
        return None
    v1 = _attr(attrs, "signing_certificate")
    if v1 is not None and len(v1["certs"]):
        if v1["certs"][0]["cert_hash"].native != _digest("sha1", der):
            return "the ESS signing-certificate attribute names another certificate"
    return None


def utc(dt: datetime) -> datetime:
    """Return *dt* as an aware UTC datetime."""
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)
