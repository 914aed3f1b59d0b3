"""The status list credential itself: create one (every status 0), the entry that points a
credential at an index, and reading a list back (``BitstringStatusListCredential`` or the
older ``StatusList2021Credential``).

See: <https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistcredential>
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Literal

from .._types import Clock, JsonObject
from ..errors import StatusError
from ..formats.envelopes import EDC_CONTEXT
from .bitstring import MIN_BITSTRING_LENGTH, Bitstring

__all__ = [
    "BITSTRING_STATUS_LIST",
    "BITSTRING_STATUS_LIST_CREDENTIAL",
    "BITSTRING_STATUS_LIST_ENTRY",
    "CREDENTIALS_V2",
    "STATUS_PURPOSES",
    "STATUS_V1",
    "ParsedStatusList",
    "StatusPurpose",
    "attach_status",
    "create_status_list_credential",
    "parse_status_list_credential",
    "status_entry",
]

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
#: The Bitstring Status List context, needed by credentials that do not use ``credentials/v2``.
STATUS_V1 = "https://www.w3.org/ns/credentials/status/v1"
BITSTRING_STATUS_LIST_CREDENTIAL = "BitstringStatusListCredential"
BITSTRING_STATUS_LIST = "BitstringStatusList"
BITSTRING_STATUS_LIST_ENTRY = "BitstringStatusListEntry"

StatusPurpose = Literal["revocation", "suspension"]
STATUS_PURPOSES: tuple[str, ...] = ("revocation", "suspension")

_SPEC = "https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistcredential"


def _now(clock: Clock | None) -> str:
    moment = clock() if clock is not None else datetime.now(timezone.utc)
    return moment.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def create_status_list_credential(
    *,
    list_id: str,
    issuer: str | JsonObject,
    purpose: str = "revocation",
    size: int = MIN_BITSTRING_LENGTH,
    valid_from: str | None = None,
    clock: Clock | None = None,
) -> JsonObject:
    """Return a new, unsigned ``BitstringStatusListCredential`` with every status at 0.

    :param list_id: the URL where the list will be published (``statusListCredential``).
    :param issuer: the issuer id (or object); the same issuer as the credentials it covers.
    :param size: number of entries, at least 131,072.
    :raises StatusError: ``status.too_small`` or ``status.bad_purpose``.
    """
    _check_purpose(purpose)
    if size < MIN_BITSTRING_LENGTH:
        raise StatusError(
            f"a status list needs at least {MIN_BITSTRING_LENGTH:,} entries, found {size:,}",
            code="status.too_small",
            hint=f"pass size={MIN_BITSTRING_LENGTH} or more (herd privacy)",
            spec="https://www.w3.org/TR/vc-bitstring-status-list/#bitstring-encoding",
        )
    return {
        "@context": [CREDENTIALS_V2],
        "id": list_id,
        "type": ["VerifiableCredential", BITSTRING_STATUS_LIST_CREDENTIAL],
        "issuer": issuer,
        "validFrom": valid_from or _now(clock),
        "credentialSubject": {
            "id": f"{list_id}#list",
            "type": BITSTRING_STATUS_LIST,
            "statusPurpose": purpose,
            "encodedList": Bitstring(size).encode(),
        },
    }


def status_entry(list_id: str, index: int, purpose: str = "revocation") -> JsonObject:
    """Return the ``BitstringStatusListEntry`` that points a credential at *index* of a list."""
    return {
        "id": f"{list_id}#{index}",
        "type": BITSTRING_STATUS_LIST_ENTRY,
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_id,
    }


def attach_status(credential: JsonObject, entry: JsonObject) -> JsonObject:
    """Return a copy of *credential* that also carries the status *entry*.

    A credential on the VC 1.1 context gains the Bitstring Status List context; an EDC's
    entry is also typed ``CredentialStatus``, the class the EDC shapes expect. Existing
    ``credentialStatus`` entries are kept (the new one is added to them).
    """
    out = dict(credential)
    context = out.get("@context")
    contexts = context if isinstance(context, list) else [context] if context else []
    if CREDENTIALS_V2 not in contexts and STATUS_V1 not in contexts:
        out["@context"] = [*contexts, STATUS_V1]
    if EDC_CONTEXT in contexts:
        # the EDC shapes want one credentialStatus of class elm:CredentialStatus
        entry = dict(entry, type=["CredentialStatus", BITSTRING_STATUS_LIST_ENTRY])
    existing = out.get("credentialStatus")
    if existing is None:
        out["credentialStatus"] = entry
    elif isinstance(existing, list):
        out["credentialStatus"] = [*existing, entry]
    else:
        out["credentialStatus"] = [existing, entry]
    return out


def _check_purpose(purpose: str) -> None:
    if purpose not in STATUS_PURPOSES:
        raise StatusError(
            f'status purpose "{purpose}" is not supported; expected one of '
            f"{', '.join(STATUS_PURPOSES)}",
            code="status.bad_purpose",
            pointer="credentialSubject.statusPurpose",
        )


def _types(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


@dataclass(frozen=True)
class ParsedStatusList:
    """What a status list credential says: its id, purposes and bitstring.

    :param purposes: ``statusPurpose`` may be one value or several sharing one bitstring.
    """

    id: str
    purposes: tuple[str, ...]
    bits: Bitstring
    issuer: str | None
    valid_until: str | None = None


def parse_status_list_credential(document: JsonObject, *, source: str = "status list",
                                 status_size: int = 1) -> ParsedStatusList:
    """Read a ``BitstringStatusListCredential`` (or a legacy ``StatusList2021Credential``).

    The proof is not checked here: verify the list credential separately.

    :raises StatusError: ``status.malformed_list`` naming the field that is wrong.
    """
    if not isinstance(document, dict):
        raise StatusError("a status list credential must be a JSON object",
                          code="status.malformed_list", pointer=source)
    list_id = document.get("id")
    subject = document.get("credentialSubject")
    if isinstance(subject, list) and len(subject) == 1:
        subject = subject[0]
    if not isinstance(subject, dict):
        raise StatusError("credentialSubject must be an object", code="status.malformed_list",
                          pointer=f"{source}: credentialSubject", spec=_SPEC)
    subject_types = _types(subject.get("type"))
    if not {BITSTRING_STATUS_LIST, "StatusList2021"} & set(subject_types):
        raise StatusError(
            f'credentialSubject.type must be "{BITSTRING_STATUS_LIST}", found {subject_types}',
            code="status.malformed_list", pointer=f"{source}: credentialSubject.type", spec=_SPEC)
    purpose = subject.get("statusPurpose")
    purposes = tuple(purpose) if isinstance(purpose, list) else (purpose,)
    if not purposes or not all(isinstance(p, str) and p for p in purposes):
        raise StatusError("credentialSubject.statusPurpose is missing",
                          code="status.malformed_list",
                          pointer=f"{source}: credentialSubject.statusPurpose", spec=_SPEC)
    encoded = subject.get("encodedList")
    if not isinstance(encoded, str):
        raise StatusError("credentialSubject.encodedList is missing",
                          code="status.malformed_list",
                          pointer=f"{source}: credentialSubject.encodedList", spec=_SPEC)
    try:
        bits = Bitstring.decode(encoded, status_size=status_size)
    except StatusError as exc:
        exc.pointer = f"{source}: credentialSubject.encodedList"
        raise
    if not isinstance(list_id, str):
        list_id = ""
    issuer = document.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    valid_until = document.get("validUntil") or document.get("expirationDate")
    return ParsedStatusList(
        id=list_id, purposes=purposes, bits=bits,
        issuer=issuer if isinstance(issuer, str) else None,
        valid_until=valid_until if isinstance(valid_until, str) else None,
    )
