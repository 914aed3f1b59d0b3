"""JAdES e-seals of European Digital Credentials: building the envelope.

An EDC is sealed as the EU issuer (EDCI, with DSS) seals it: a JWS **JSON
serialization**, *enveloping*, with the credential JSON as an **unencoded payload**
(RFC 7797, ``b64: false``) and a protected header carrying ``alg``, ``typ``, ``cty``,
``kid``, ``x5t#S256``, ``x5c``, ``b64``, ``sigT`` and ``crit``. The levels of
ETSI TS 119 182-1:

- ``B``: that signature;
- ``T``: plus an RFC 3161 time-stamp over the signature value in the unprotected
  ``etsiU`` (``sigTst``);
- ``LT``: plus the validation data fetched at sealing time: the certificates (``xVals``)
  and the OCSP responses or CRLs (``rVals``) of the seal's chain and of the TSA; and,
  as the EU issuer writes it, a time-stamp over the payload in the protected header
  (``adoTst``);
- ``LTA``: plus an archive time-stamp over all of it (``arcTst``): the EU issuer's
  ``JAdES_BASELINE_LTA``.

The signing input is ``ASCII(BASE64URL(protected)) || '.' || payload`` (RFC 7797 §3);
the ``sigTst`` message imprint is SHA-256 of the ASCII base64url signature value.
:func:`seal` seals exactly the JSON object it is given; filling in the EDC issuer from
the certificate is :func:`edc_issue.edc.seal_edc`'s job.

Sealing many credentials with one signer (:func:`seal_many`) signs all their inputs in
one call when the signer has ``sign_many`` (a remote seal: one authorisation).

See: <https://www.etsi.org/deliver/etsi_ts/119100_119199/11918201/01.01.01_60/ts_11918201v010101p.pdf>,
<https://www.rfc-editor.org/rfc/rfc7797>
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from joserfc.errors import JoseError

from .._types import Fetcher, JsonObject
from ..errors import EdcIssueError, InputError, KeyMaterialError, ProofFormatError, SignerError
from ._envelope import Envelope, SignatureParts, parse_envelope
from ._etsi_u import tst_container
from ._jades_headers import SIGT_FORMAT, jades_registry
from ._jws import (
    SUPPORTED_ALGORITHMS,
    b64url_decode,
    b64url_encode,
    issuer_serial_kid,
    verify_jws_signature,
    x5t_s256,
)
from .chain import check_key_usage, describe
from .signer import Signer, sign_all
from .tsp import HttpTimeStampClient, TimeStampClient, verify_token

__all__ = [
    "CTY",
    "JADES_SPEC",
    "LEVELS",
    "TYP",
    "Envelope",
    "Level",
    "PreparedSeal",
    "SealOutcome",
    "SignatureParts",
    "b64url_decode",
    "b64url_encode",
    "complete_seal",
    "issuer_serial_kid",
    "parse_envelope",
    "prepare_seal",
    "resolve_level",
    "seal",
    "seal_many",
    "x5t_s256",
]

JADES_SPEC = "https://www.etsi.org/deliver/etsi_ts/119100_119199/11918201/01.01.01_60/"
#: ``typ`` of a JWS JSON serialization (RFC 7515 §9.2.1), as the EU issuer writes it
TYP = "jose+json"
#: ``cty`` the EU issuer writes for sealed credentials (its test files say ``json``)
CTY = "octet-stream"

#: JAdES baseline levels (ETSI TS 119 182-1 §6), lowest first.
Level = Literal["B", "T", "LT", "LTA"]
LEVELS: tuple[Level, ...] = ("B", "T", "LT", "LTA")


def resolve_level(level: str | None, tsa: object | None) -> Level:
    """The level to seal at: *level*, or ``T`` when a TSA is given, else ``B``.

    :raises InputError: ``seal.level`` for an unknown level, or T/LT/LTA without a TSA.
    """
    if level is None:
        return "T" if tsa is not None else "B"
    name = level.upper()
    if name not in LEVELS:
        raise InputError(f"unknown JAdES level {level!r}; expected one of "
                         f"{', '.join(LEVELS)}", code="seal.level")
    if name != "B" and tsa is None:
        raise InputError(f"JAdES baseline {name} needs a time-stamping authority (tsa=)",
                         code="seal.level")
    return name  # type: ignore[return-value,unused-ignore]


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


def _tsa_client(tsa: str | TimeStampClient | None, fetcher: Fetcher | None
                ) -> TimeStampClient | None:
    if tsa is None or not isinstance(tsa, str):
        return tsa
    return HttpTimeStampClient(tsa, fetcher=fetcher)


def _timestamp(client: TimeStampClient, data: bytes, what: str) -> bytes:
    imprint = hashlib.sha256(data).digest()
    token = client.timestamp(imprint, "sha256")
    check = verify_token(token, digest=imprint)
    if not check.ok:
        raise SignerError(f"the TSA's token over {what} does not verify: {check.message}",
                          code="seal.tsa_failed")
    return token


@dataclass(frozen=True)
class PreparedSeal:
    """A seal up to its signature: the header is fixed, the signing input known.

    Made by :func:`prepare_seal`; :func:`complete_seal` adds the signature (and the
    time-stamps and validation data of the level).
    """

    payload: str
    protected: str
    algorithm: str
    chain: tuple[x509.Certificate, ...]
    level: Level
    when: datetime

    @property
    def signing_input(self) -> bytes:
        """``ASCII(BASE64URL(protected)) || '.' || payload`` (RFC 7797 §3)."""
        return self.protected.encode("ascii") + b"." + self.payload.encode("utf-8")


def _signer_parts(signer: Signer) -> tuple[str, list[x509.Certificate]]:
    # duck-typed: any object with algorithm, certificate_chain and sign() seals
    if not all(hasattr(signer, name) for name in ("algorithm", "certificate_chain", "sign")):
        raise KeyMaterialError(
            f"expected a seal Signer (algorithm, certificate_chain, sign()), found "
            f"{type(signer).__name__}", code="key.unsupported")
    alg = signer.algorithm
    chain = list(signer.certificate_chain)
    if not chain:
        raise KeyMaterialError("the signer has no certificate", code="key.malformed")
    if alg not in SUPPORTED_ALGORITHMS:
        raise KeyMaterialError(f"algorithm {alg!r} is not supported for seals",
                               code="key.unsupported")
    return alg, chain


def prepare_seal(
    credential: JsonObject,
    signer: Signer,
    *,
    level: Level = "B",
    tsa: TimeStampClient | None = None,
    now: datetime | None = None,
) -> PreparedSeal:
    """Build the protected header of a seal of *credential*; nothing is signed yet.

    At ``LT`` and ``LTA`` the header carries an ``adoTst`` from *tsa* (the one network
    call of this step).

    :raises KeyMaterialError: ``key.expired``, ``key.not_yet_valid``, ``key.usage``,
        ``key.unsupported``.
    :raises ProofFormatError: ``proof.malformed`` if *credential* is not a JSON object.
    :raises SignerError: ``seal.tsa_failed``.
    """
    if not isinstance(credential, Mapping):
        raise ProofFormatError("a credential to seal must be a JSON object",
                               code="proof.malformed")
    alg, chain = _signer_parts(signer)
    leaf = chain[0]
    when = _now(now)
    _check_certificate(leaf, when)
    try:
        payload = json.dumps(dict(credential), ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError) as exc:
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
    if level in ("LT", "LTA"):
        if tsa is None:
            raise InputError(f"JAdES baseline {level} needs a time-stamping authority",
                             code="seal.level")
        token = _timestamp(tsa, payload.encode("utf-8"), "the payload")
        crit = header.pop("crit")  # the EU issuer's order: ..., sigT, adoTst, crit
        header["adoTst"] = tst_container(token)
        header["crit"] = [*crit, "adoTst"]
    registry = jades_registry([alg])
    try:
        registry.check_header(header)
        registry.get_alg(alg)
    except JoseError as exc:  # a bug in this module if it happens
        raise SignerError(f"the JAdES header is invalid: {exc.description or exc.error}",
                          code="signer.failed") from exc
    protected = b64url_encode(json.dumps(header, separators=(",", ":")).encode("utf-8"))
    return PreparedSeal(payload, protected, alg, tuple(chain), level, when)


def complete_seal(
    prepared: PreparedSeal,
    signature: bytes,
    *,
    tsa: TimeStampClient | None = None,
    fetcher: Fetcher | None = None,
) -> JsonObject:
    """Add *signature* to a :class:`PreparedSeal`, then what its level needs.

    The signature is checked against the certificate first: a backend that returns a
    wrong one fails here, not at the verifier.

    :raises SignerError: ``signer.failed`` (the signature does not verify),
        ``seal.tsa_failed``, ``seal.revocation_unavailable``.
    :raises KeyMaterialError: ``key.revoked`` (LT/LTA: the certificate is revoked).
    """
    if not isinstance(signature, bytes):
        raise SignerError("the signer returned no bytes")
    leaf = prepared.chain[0]
    try:
        valid = verify_jws_signature(prepared.algorithm, leaf.public_key(),
                                     prepared.signing_input, signature)
    except (EdcIssueError, ValueError, TypeError) as exc:
        raise SignerError(f"the signer's signature cannot be checked: {exc}") from exc
    if not valid:
        raise SignerError(
            "the signer's signature does not verify with the certificate's key: "
            "the key and certificate do not belong together, or the backend is faulty")
    entry: JsonObject = {"protected": prepared.protected,
                         "signature": b64url_encode(signature)}
    envelope: JsonObject = {"payload": prepared.payload, "signatures": [entry]}
    if prepared.level == "B":
        return envelope
    if tsa is None:
        raise InputError(f"JAdES baseline {prepared.level} needs a time-stamping authority",
                         code="seal.level")
    from .ltv import add_level

    return add_level(envelope, prepared.level, tsa=tsa, fetcher=fetcher)


def _sign_one(signer: Signer, data: bytes) -> bytes:
    try:
        return signer.sign(data)
    except EdcIssueError:
        raise
    except Exception as exc:  # an HSM / KMS backend: keep its error as __cause__
        raise SignerError(f"the signer failed: {type(exc).__name__}: {exc}") from exc


def seal(
    credential: JsonObject,
    signer: Signer,
    *,
    level: str | None = None,
    tsa: str | TimeStampClient | None = None,
    fetcher: Fetcher | None = None,
    now: datetime | None = None,
) -> JsonObject:
    """Seal *credential*, exactly as given, with an e-seal certificate: a JAdES envelope.

    :param signer: a :class:`~edc_issue.seal.Signer`: a :class:`~edc_issue.seal.LocalSigner`
        from PKCS#12 or PEM, a :class:`~edc_issue.seal.Pkcs11Signer` (HSM), a
        :class:`~edc_issue.seal.CscSigner` (a QTSP's remote seal), or your own.
    :param level: ``B``, ``T``, ``LT`` or ``LTA``; default ``T`` with *tsa*, else ``B``.
    :param tsa: the time-stamping authority (a URL, or a
        :class:`~edc_issue.seal.TimeStampClient`), needed from ``T`` up.
    :param fetcher: makes every network call (TSA, OCSP, CRL); default
        :func:`edc_issue._net.default_fetcher`. Nothing is fetched at ``B``.
    :param now: the sealing time (``sigT``); default the current UTC time.
    :raises KeyMaterialError: ``key.expired``, ``key.not_yet_valid``, ``key.usage``
        (no ``digitalSignature``), ``key.unsupported``, ``key.revoked`` (LT/LTA).
    :raises SignerError: ``signer.failed`` (the backend failed or returned a signature
        that does not verify), ``seal.tsa_failed``, ``seal.revocation_unavailable``.
    :raises InputError: ``seal.level``; ``proof.malformed`` if *credential* is not a
        JSON object.
    """
    chosen = resolve_level(level, tsa)
    client = _tsa_client(tsa, fetcher)
    prepared = prepare_seal(credential, signer, level=chosen, tsa=client, now=now)
    signature = _sign_one(signer, prepared.signing_input)
    return complete_seal(prepared, signature, tsa=client, fetcher=fetcher)


@dataclass(frozen=True)
class SealOutcome:
    """One credential's result in :func:`seal_many`: an envelope, or the error it met."""

    envelope: JsonObject | None = None
    error: EdcIssueError | None = None
    index: int = 0

    @property
    def ok(self) -> bool:
        """True when the credential was sealed."""
        return self.envelope is not None


def seal_many(
    credentials: Sequence[JsonObject],
    signer: Signer,
    *,
    level: str | None = None,
    tsa: str | TimeStampClient | None = None,
    fetcher: Fetcher | None = None,
    now: datetime | None = None,
) -> list[SealOutcome]:
    """Seal each of *credentials* with one signer; sign all of them in one call.

    With a signer that has ``sign_many`` (:class:`~edc_issue.seal.CscSigner`), the
    signing inputs go to it together, in groups of its ``multisign`` (what one
    authorisation covers): one authorisation per group. A credential that cannot be
    prepared fails alone; a failed signing call fails the group it signed (each outcome
    carries the error); nothing is raised for them.

    :raises InputError: ``seal.level`` (the level and TSA do not fit).
    :raises KeyMaterialError: the signer cannot seal at all (expired, no certificate).
    """
    chosen = resolve_level(level, tsa)
    client = _tsa_client(tsa, fetcher)
    _, chain = _signer_parts(signer)
    _check_certificate(chain[0], _now(now))
    outcomes: list[SealOutcome] = [SealOutcome(index=i) for i in range(len(credentials))]
    prepared: dict[int, PreparedSeal] = {}
    for i, credential in enumerate(credentials):
        try:
            prepared[i] = prepare_seal(credential, signer, level=chosen, tsa=client, now=now)
        except EdcIssueError as exc:
            outcomes[i] = SealOutcome(error=exc, index=i)
    order = sorted(prepared)
    # one signing call per group the signer authorises at once (CscSigner.multisign):
    # a failed call fails only the credentials of its group
    size = getattr(signer, "multisign", None)
    size = size if isinstance(size, int) and size > 0 else max(len(order), 1)
    signed: dict[int, bytes] = {}
    for start in range(0, len(order), size):
        group = order[start:start + size]
        try:
            signatures = sign_all(signer, [prepared[i].signing_input for i in group])
        except EdcIssueError as exc:
            for i in group:
                outcomes[i] = SealOutcome(error=exc, index=i)
            continue
        except Exception as exc:  # a backend's own error: the rows it signed fail
            error = SignerError(f"the signer failed: {type(exc).__name__}: {exc}")
            error.__cause__ = exc
            for i in group:
                outcomes[i] = SealOutcome(error=error, index=i)
            continue
        signed.update(zip(group, signatures, strict=True))
    for i, signature in signed.items():
        try:
            outcomes[i] = SealOutcome(complete_seal(prepared[i], signature, tsa=client,
                                                    fetcher=fetcher), index=i)
        except EdcIssueError as exc:
            outcomes[i] = SealOutcome(error=exc, index=i)
    return outcomes
