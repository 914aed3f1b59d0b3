"""Long-term validation data: JAdES baseline T, LT and LTA, and extending a seal to them.

- ``T``: a ``sigTst`` over the signature value.
- ``LT``: the validation data of the seal's chain and of the TSA's, fetched now
  (:mod:`edc_issue.seal.validation_data`): the certificates (``xVals``) and an OCSP
  response or CRL per certificate (``rVals``); a certificate revoked before the
  signature's time is refused (``key.revoked``).
- ``LTA``: an ``arcTst`` over the payload, the protected header, the signature and every
  ``etsiU`` entry before it; extending an LTA seal again adds one more (renewal).

The ``etsiU`` entries come in the EU issuer's order: ``sigTst``, ``xVals``, ``rVals``,
``arcTst``, each base64url JSON.

See: ETSI TS 119 182-1 §5.3 and §6; <https://www.rfc-editor.org/rfc/rfc6960>,
<https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.13>
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from datetime import datetime

from cryptography import x509

from .._types import Fetcher, JsonObject
from ..errors import InputError, SignerError
from ._envelope import SignatureParts, parse_envelope
from ._etsi_u import archive_input, decode_etsi_u, encode_entry, tst_container
from ._jws import b64url_decode
from .tsp import TimeStampClient, verify_token
from .validation_data import collect_validation_data

__all__ = ["add_level", "extend", "seal_level"]

_LEVELS = ("B", "T", "LT", "LTA")


def seal_level(envelope: JsonObject) -> str:
    """The JAdES baseline level of the (first) signature of *envelope*: B, T, LT or LTA.

    :raises ProofFormatError: ``seal.malformed``.
    """
    parts = parse_envelope(envelope).signatures[0]
    return _level_of(decode_etsi_u(parts.header))


def _level_of(entries: Sequence[dict[str, object]]) -> str:
    names = {name for entry in entries for name in entry}
    if "arcTst" in names:
        return "LTA"
    if "rVals" in names or "xVals" in names:
        return "LT" if "sigTst" in names else "B"
    return "T" if "sigTst" in names else "B"


def _sig_tst(parts: SignatureParts, entries: Sequence[dict[str, object]]
             ) -> tuple[datetime, list[x509.Certificate]]:
    """The time of the signature time-stamp, and its TSA's certificates (TSA first)."""
    for entry in entries:
        container = entry.get("sigTst")
        tokens = container.get("tstTokens", []) if isinstance(container, dict) else []
        for tok in tokens if isinstance(tokens, list) else []:
            val = tok.get("val") if isinstance(tok, dict) else None
            der = base64.b64decode(val) if isinstance(val, str) else b""
            check = verify_token(der, data=parts.signature.encode("ascii"))
            if check.ok and check.info is not None and check.info.tsa is not None:
                tsa = check.info.tsa
                others = [c for c in check.info.certificates if c != tsa]
                return check.info.gen_time, [tsa, *others]
    raise InputError("the seal has no valid signature time-stamp (sigTst)",
                     pointer=f"{parts.path}.header.etsiU", code="seal.not_extendable")


def add_level(
    envelope: JsonObject,
    level: str,
    *,
    tsa: TimeStampClient,
    fetcher: Fetcher | None = None,
    now: datetime | None = None,
) -> JsonObject:
    """Return a copy of *envelope* whose signatures carry what *level* adds.

    Adds a ``sigTst`` if there is none (T), the validation data if there is none (LT),
    and an ``arcTst`` (LTA; one more if there is one already). The seal itself is not
    checked here: :func:`extend` checks it first.

    :raises InputError: ``seal.not_extendable`` (clear-JSON ``etsiU`` entries, which this
        library does not write).
    """
    if fetcher is None:
        from .._net import default_fetcher

        fetcher = default_fetcher()
    env = parse_envelope(envelope)
    signatures: list[JsonObject] = []
    for parts in env.signatures:
        raw = parts.header.get("etsiU", [])
        if not isinstance(raw, list) or not all(isinstance(e, str) for e in raw):
            raise InputError("the seal's etsiU holds clear-JSON entries; only base64url "
                             "entries can be extended", pointer=f"{parts.path}.header.etsiU",
                             code="seal.not_extendable")
        entries: list[str] = list(raw)
        decoded = decode_etsi_u({"etsiU": entries})
        chain = _x5c(parts)
        if "sigTst" not in {n for e in decoded for n in e}:
            imprint_data = parts.signature.encode("ascii")
            token = _timestamp(tsa, imprint_data, "the signature value")
            entries.append(encode_entry("sigTst", tst_container(token)))
            decoded = decode_etsi_u({"etsiU": entries})
        current = _level_of(decoded)
        if level in ("LT", "LTA") and current == "T":
            at, tsa_certificates = _sig_tst(parts, decoded)
            data = collect_validation_data(chain, tsa_certificates=tsa_certificates,
                                           fetcher=fetcher, at=at, now=now)
            entries.extend(data.entries())
        if level == "LTA":
            archived = archive_input(env.payload, parts.protected, parts.signature, entries)
            assert archived is not None
            token = _timestamp(tsa, archived, "the archive data")
            entries.append(encode_entry("arcTst", tst_container(token)))
        entry: JsonObject = {"protected": parts.protected}
        header = {k: v for k, v in parts.header.items() if k != "etsiU"}
        entry["header"] = {**header, "etsiU": entries}
        entry["signature"] = parts.signature
        signatures.append(entry)
    return {"payload": env.payload, "signatures": signatures}


def _timestamp(tsa: TimeStampClient, data: bytes, what: str) -> bytes:
    imprint = hashlib.sha256(data).digest()
    token = tsa.timestamp(imprint, "sha256")
    check = verify_token(token, digest=imprint)
    if not check.ok:
        raise SignerError(f"the TSA's token over {what} does not verify: {check.message}",
                          code="seal.tsa_failed")
    return token


def _x5c(parts: SignatureParts) -> list[x509.Certificate]:
    header = json.loads(b64url_decode(parts.protected))
    return [x509.load_der_x509_certificate(base64.b64decode(c)) for c in header["x5c"]]


def extend(
    envelope: JsonObject,
    *,
    level: str,
    tsa: str | TimeStampClient,
    fetcher: Fetcher | None = None,
    trust: Sequence[x509.Certificate] | None = None,
    now: datetime | None = None,
) -> JsonObject:
    """Extend a sealed credential to JAdES baseline *level* (``T``, ``LT`` or ``LTA``).

    The seal is verified first (signature, header, time-stamps and, with *trust*, the
    chain); a seal that does not verify is not extended. A seal already at *level*
    comes back unchanged, except that LTA adds a new archive time-stamp (renewal).

    :raises InputError: ``seal.level`` (an unknown level, or lower than the seal's),
        ``seal.not_extendable`` (the seal does not verify, or has clear-JSON ``etsiU``).
    :raises KeyMaterialError: ``key.revoked``: the certificate was revoked before the
        seal's time-stamp.
    :raises SignerError: ``seal.tsa_failed``, ``seal.revocation_unavailable``.
    """
    from .jades import _tsa_client
    from .verify import verify_envelope

    target = level.upper()
    if target not in _LEVELS[1:]:
        raise InputError(f"cannot extend to {level!r}; expected T, LT or LTA",
                         code="seal.level")
    result = verify_envelope(envelope, trust=trust, now=now)
    failed = [c for c in result.checks if c.check == "SEAL" and not c.ok]
    if failed:
        raise InputError(f"the seal does not verify, so it is not extended: "
                         f"{failed[0].message}", pointer=failed[0].path,
                         code="seal.not_extendable")
    current = seal_level(envelope)
    if _LEVELS.index(target) < _LEVELS.index(current):
        raise InputError(f"the seal is at baseline {current}, above {target}",
                         code="seal.level")
    if target == current and target != "LTA":
        return envelope
    client = _tsa_client(tsa, fetcher)
    assert client is not None
    return add_level(envelope, target, tsa=client, fetcher=fetcher, now=now)
