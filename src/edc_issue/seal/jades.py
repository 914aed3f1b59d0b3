"""JAdES e-seals of European Digital Credentials: building the envelope.

An EDC is sealed as the EU issuer (EDCI, with DSS) seals it: a JWS **JSON
serialization**, *enveloping*, with the credential JSON as an **unencoded payload**
(RFC 7797, ``b64: false``) and a protected header carrying ``alg``, ``typ``, ``cty``,
``kid``, ``x5t#S256``, ``x5c``, ``b64``, ``sigT`` and ``crit``: JAdES baseline B
(ETSI TS 119 182-1). With a TSA, an RFC 3161 time-stamp over the signature value goes
into the unprotected ``etsiU`` as ``sigTst``: baseline T.

The signing input is ``ASCII(BASE64URL(protected)) || '.' || payload`` (RFC 7797 §3);
the ``sigTst`` message imprint is SHA-256 of the ASCII base64url signature value.

See: <https://www.etsi.org/deliver/etsi_ts/119100_119199/11918201/01.01.01_60/ts_11918201v010101p.pdf>,
<https://www.rfc-editor.org/rfc/rfc7797>
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, cast

from asn1crypto import cms as a_cms
from asn1crypto import x509 as a_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey

from .._types import JsonObject
from ..errors import EdcIssueError, KeyMaterialError, ProofFormatError, SignerError
from ._jades_headers import SIGT_FORMAT, jades_registry
from .chain import check_key_usage, describe
from .signer import SUPPORTED_ALGORITHMS, Signer
from .tsp import HttpTimeStampClient, TimeStampClient, verify_token

__all__ = [
    "CTY",
    "JADES_SPEC",
    "TYP",
    "Envelope",
    "SignatureParts",
    "b64url_decode",
    "b64url_encode",
    "issuer_serial_kid",
    "parse_envelope",
    "seal",
    "x5t_s256",
]

JADES_SPEC = "https://www.etsi.org/deliver/etsi_ts/119100_119199/11918201/01.01.01_60/"
#: ``typ`` of a JWS JSON serialization (RFC 7515 §9.2.1), as the EU issuer writes it
TYP = "jose+json"
#: ``cty`` the EU issuer writes for sealed credentials (its test files say ``json``)
CTY = "octet-stream"


def b64url_encode(data: bytes) -> str:
    """Base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode base64url with or without padding; raise ``ValueError`` on other characters."""
    if not isinstance(text, str) or any(c in text for c in "+/= \n\r\t"):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def x5t_s256(cert: x509.Certificate) -> str:
    """The ``x5t#S256`` value: base64url SHA-256 of the certificate's DER (RFC 7515 §4.1.8)."""
    return b64url_encode(hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).digest())


def issuer_serial_kid(cert: x509.Certificate) -> str:
    """The ``kid`` the EU issuer writes: base64 of the DER ``IssuerSerial`` (RFC 5035)."""
    issuer = a_x509.Name.load(cert.issuer.public_bytes())
    value = a_cms.IssuerSerial({
        "issuer": [a_x509.GeneralName(name="directory_name", value=issuer)],
        "serial": cert.serial_number,
    })
    return base64.b64encode(value.dump()).decode("ascii")


def _now(now: datetime | None) -> datetime:
    when = now or datetime.now(timezone.utc)
    when = when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when
    return when.astimezone(timezone.utc).replace(microsecond=0)


def _check_certificate(cert: x509.Certificate, when: datetime) -> None:
    name = cert.subject.rfc4514_string()
    if when < cert.not_valid_before_utc:
        raise KeyMaterialError(
            f"the seal certificate '{describe(cert)}' is not valid before "
            f"{cert.not_valid_before_utc:%Y-%m-%dT%H:%M:%SZ}",
            code="key.not_yet_valid", pointer=name,
        )
    if when > cert.not_valid_after_utc:
        raise KeyMaterialError(
            f"the seal certificate '{describe(cert)}' expired on "
            f"{cert.not_valid_after_utc:%Y-%m-%dT%H:%M:%SZ}",
            code="key.expired", pointer=name,
        )
    ok, message = check_key_usage(cert)
    if not ok:
        raise KeyMaterialError(
            f"the seal certificate '{describe(cert)}' cannot seal: {message}",
            code="key.usage", pointer=name,
        )


def _public_jwk(cert: x509.Certificate) -> RSAKey | ECKey:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return cast(RSAKey, RSAKey.import_key(key))
    if isinstance(key, ec.EllipticCurvePublicKey):
        return cast(ECKey, ECKey.import_key(key))
    raise KeyMaterialError(f"{type(key).__name__} certificates cannot seal",
                           code="key.unsupported")


def seal(
    credential: JsonObject,
    certificate_and_key: Signer,
    *,
    tsa: str | TimeStampClient | None = None,
    now: datetime | None = None,
    apply_certificate: bool = True,
) -> JsonObject:
    """Seal *credential* with an e-seal certificate: return a JAdES envelope.

    The result is JAdES baseline B, or baseline T when *tsa* is given (the only
    case that uses the network: an RFC 3161 request to that URL, or to the
    :class:`~edc_issue.seal.tsp.TimeStampClient` passed in).

    Before sealing, the certificate's identity is written into the issuer
    (``edc_issue.edc.apply_seal_certificate``: legal name, eIDAS identifier), so
    the sealed credential conforms to the EDC shapes.

    :param certificate_and_key: a :class:`~edc_issue.seal.Signer`: a
        :class:`~edc_issue.seal.LocalSigner` from PKCS#12 or PEM, or an HSM/KMS.
    :param now: the sealing time (``sigT``); default the current UTC time.
    :param apply_certificate: set ``False`` to seal the credential exactly as given.
    :raises KeyMaterialError: ``key.expired``, ``key.not_yet_valid``, ``key.usage``
        (no ``digitalSignature``), ``key.unsupported``.
    :raises SignerError: ``signer.failed`` (the backend failed or returned a signature
        that does not verify), ``seal.tsa_failed``.
    :raises ProofFormatError: ``proof.malformed`` if *credential* is not a JSON object.
    """
    if not isinstance(credential, Mapping):
        raise ProofFormatError("a credential to seal must be a JSON object",
                               code="proof.malformed")
    if not isinstance(certificate_and_key, Signer):
        raise KeyMaterialError(
            f"expected a Signer (LocalSigner, HSM/KMS), found {type(certificate_and_key).__name__}",
            code="key.unsupported",
        )
    alg = certificate_and_key.algorithm
    chain = list(certificate_and_key.certificate_chain)
    if not chain:
        raise KeyMaterialError("the signer has no certificate", code="key.malformed")
    if alg not in SUPPORTED_ALGORITHMS:
        raise KeyMaterialError(f"algorithm {alg!r} is not supported for seals",
                               code="key.unsupported")
    leaf = chain[0]
    when = _now(now)
    _check_certificate(leaf, when)

    document: JsonObject = dict(credential)
    if apply_certificate:
        document = _apply_certificate(document, leaf, when)

    try:
        payload = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise ProofFormatError(f"the credential is not JSON-serializable: {exc}",
                               code="proof.malformed") from exc
    header: JsonObject = {
        "alg": alg,
        "cty": CTY,
        "kid": issuer_serial_kid(leaf),
        "x5t#S256": x5t_s256(leaf),
        "x5c": [base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode("ascii")
                for c in chain],
        "typ": TYP,
        "b64": False,
        "sigT": when.strftime(SIGT_FORMAT),
        "crit": ["b64", "sigT"],
    }
    registry = jades_registry([alg])
    try:
        registry.check_header(header)
        registry.get_alg(alg)
    except JoseError as exc:  # a bug in this module if it happens
        raise SignerError(f"the JAdES header is invalid: {exc.description or exc.error}",
                          code="signer.failed") from exc
    protected = b64url_encode(json.dumps(header, separators=(",", ":")).encode("utf-8"))
    signing_input = protected.encode("ascii") + b"." + payload
    try:
        raw = certificate_and_key.sign(signing_input)
    except EdcIssueError:
        raise
    except Exception as exc:  # an HSM / KMS backend: keep its error as __cause__
        raise SignerError(f"the signer failed: {type(exc).__name__}: {exc}") from exc
    if not isinstance(raw, bytes):
        raise SignerError("the signer returned no bytes")
    jwk = _public_jwk(leaf)
    try:
        if not registry.get_alg(alg).verify(signing_input, raw, jwk):
            raise InvalidSignature
    except (InvalidSignature, JoseError, ValueError) as exc:
        raise SignerError(
            "the signer's signature does not verify with the certificate's key: "
            "the key and certificate do not belong together, or the backend is faulty"
        ) from exc
    signature = b64url_encode(raw)
    entry: JsonObject = {"protected": protected, "signature": signature}
    if tsa is not None:
        client = HttpTimeStampClient(tsa) if isinstance(tsa, str) else tsa
        imprint = hashlib.sha256(signature.encode("ascii")).digest()
        token = client.timestamp(imprint, "sha256")
        check = verify_token(token, digest=imprint)
        if not check.ok:
            raise SignerError(f"the TSA's token does not verify: {check.message}",
                              code="seal.tsa_failed")
        sig_tst = {"sigTst": {"tstTokens": [{"val": base64.b64encode(token).decode("ascii")}]}}
        entry["header"] = {
            "etsiU": [b64url_encode(json.dumps(sig_tst, separators=(",", ":")).encode("utf-8"))]
        }
    return {"payload": payload.decode("utf-8"), "signatures": [entry]}


def _apply_certificate(document: JsonObject, leaf: x509.Certificate, when: datetime) -> JsonObject:
    # imported here: edc_issue.edc sits above the seal layer (models, vocabularies)
    from ..edc import apply_seal_certificate

    result = apply_seal_certificate(document, leaf, now=when)
    if not isinstance(result, dict):
        raise ProofFormatError("apply_seal_certificate returned no JSON object",
                               code="proof.malformed")
    return result


# --- reading envelopes -----------------------------------------------------------


@dataclass(frozen=True)
class SignatureParts:
    """One ``signatures[]`` entry of an envelope, as written (nothing decoded yet)."""

    index: int
    protected: str
    signature: str
    header: Mapping[str, Any]

    @property
    def path(self) -> str:
        """JSON path of this entry in the envelope."""
        return f"signatures[{self.index}]"


@dataclass(frozen=True)
class Envelope:
    """A JWS JSON serialization: the payload string and its signature entries."""

    payload: str
    signatures: tuple[SignatureParts, ...]


def parse_envelope(envelope: Any) -> Envelope:
    """Read the general or flattened JWS JSON serialization (RFC 7515 §7.2).

    :raises ProofFormatError: ``seal.malformed`` with the JSON path of the problem.
    """
    def bad(message: str, pointer: str | None = None) -> ProofFormatError:
        return ProofFormatError(message, pointer=pointer, code="seal.malformed",
                                spec="https://www.rfc-editor.org/rfc/rfc7515#section-7.2")

    if not isinstance(envelope, Mapping):
        raise bad("a JAdES envelope must be a JSON object")
    payload = envelope.get("payload")
    if payload is None:
        raise bad("no payload: detached seals (sigD) are not supported; expected the "
                  "credential JSON as an unencoded payload", "payload")
    if not isinstance(payload, str):
        raise bad(f"payload must be a string, found {type(payload).__name__}", "payload")
    if "signatures" in envelope:
        raw = envelope["signatures"]
        if not isinstance(raw, list) or not raw:
            raise bad("signatures must be a non-empty array", "signatures")
        entries = raw
        prefix = "signatures"
    elif "signature" in envelope:
        entries = [{k: envelope[k] for k in ("protected", "header", "signature")
                    if k in envelope}]
        prefix = ""
    else:
        raise bad("no signatures and no signature member", "signatures")
    parts: list[SignatureParts] = []
    for i, entry in enumerate(entries):
        where = f"{prefix}[{i}]" if prefix else ""
        if not isinstance(entry, Mapping):
            raise bad("a signature entry must be an object", where or None)
        protected = entry.get("protected")
        signature = entry.get("signature")
        header = entry.get("header", {})
        if not isinstance(protected, str) or not protected:
            raise bad("protected header missing: JAdES signs its header",
                      f"{where}.protected".lstrip("."))
        if not isinstance(signature, str) or not signature:
            raise bad("signature missing or not a string", f"{where}.signature".lstrip("."))
        if not isinstance(header, Mapping):
            raise bad("header must be an object", f"{where}.header".lstrip("."))
        parts.append(SignatureParts(i, protected, signature, header))
    return Envelope(payload, tuple(parts))
