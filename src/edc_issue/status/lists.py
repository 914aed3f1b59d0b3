"""Bitstring status list credentials: create, allocate indexes, revoke or suspend, re-sign.

See: <https://www.w3.org/TR/vc-bitstring-status-list/>

A status list lives in a :class:`StatusListStore` (D4 in the style guide): the signed
``BitstringStatusListCredential`` plus an **allocation record**, a second bitstring of
the indexes ever handed out. An index is marked in the record, and the record saved,
before any credential carries it, so no index is ever given twice, even across runs
or after a crash (an index allocated to a credential that was never written is simply
never used). Indexes are picked at random, as the specification advises for privacy.

::

    store = FileStatusListStore("revocation-list.json")
    status_list = StatusList.create(store, list_id="https://example.edu/status/1",
                                    issuer=key.controller, purpose="revocation", sign=key)
    [index] = status_list.allocate(1)
    credential["credentialStatus"] = status_list.entry(index)
    ...
    status_list.revoke([index], sign=key)

``sign`` is a :class:`~edc_issue.Signer` (a ``Key``, an HSM or KMS signer: the list
gets a Data Integrity proof) or a function that signs the list credential it is given.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import secrets
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

from .._io import atomic_write, read_json_object
from .._types import Clock, JsonObject, Signer
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
    "AllocationRecord",
    "FileStatusListStore",
    "ListSigner",
    "MemoryStatusListStore",
    "ParsedStatusList",
    "StatusList",
    "StatusListStore",
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

#: Signs a status list credential and returns it with its proof (e.g. ``lambda vc: sign(vc, key)``).
ListSigner = Callable[[JsonObject], JsonObject]
#: What the ``sign`` arguments take: a :class:`~edc_issue.Signer` (a ``Key``, an HSM or KMS
#: signer: the list gets a Data Integrity proof with the suite of its algorithm), or a
#: :data:`ListSigner` function.
ListSigning = Signer | ListSigner

_RECORD_VERSION = 1
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


def _signed(sign: ListSigning, credential: JsonObject, suite: str | None = None) -> JsonObject:
    """Sign a status list credential with *sign*; it must come back as a JSON object."""
    if isinstance(sign, Signer):
        from ..proofs.issue import add_data_integrity_proof

        return add_data_integrity_proof(credential, sign, suite=suite)
    signed = sign(credential)
    if not isinstance(signed, dict):
        raise StatusError("a status list must be signed with a Data Integrity suite (it came "
                          f"back as {type(signed).__name__}, not a JSON object)",
                          code="status.bad_suite")
    return signed


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


# --------------------------------------------------------------------------- allocation


@dataclass
class AllocationRecord:
    """Which indexes of one status list were ever handed out (a bitstring, never cleared).

    :param list_id: the list's ``id`` (``statusListCredential`` of its entries).
    :param size: how many entries the list has; indexes are below it.
    :param allocated: bit *i* is 1 once index *i* has been given to a credential.
    :param count: how many indexes were handed out.
    """

    list_id: str
    purpose: str
    size: int
    allocated: Bitstring
    count: int = 0

    @classmethod
    def new(cls, list_id: str, purpose: str, size: int) -> AllocationRecord:
        """Return a record in which nothing is allocated."""
        return cls(list_id=list_id, purpose=purpose, size=size, allocated=Bitstring(size))

    def to_json(self) -> JsonObject:
        """Return the record's JSON form (the file beside the list)."""
        return {
            "version": _RECORD_VERSION,
            "statusListCredential": self.list_id,
            "statusPurpose": self.purpose,
            "size": self.size,
            "allocatedCount": self.count,
            "allocated": self.allocated.encode(),
        }

    @classmethod
    def from_json(cls, value: Any, *, source: str = "allocation record") -> AllocationRecord:
        """Read the JSON form written by :meth:`to_json`.

        :raises StatusError: ``status.malformed_record``.
        """
        try:
            if not isinstance(value, dict) or value.get("version") != _RECORD_VERSION:
                raise ValueError("unknown version")
            size = int(value["size"])
            bits = Bitstring.decode(str(value["allocated"]))
            if bits.length < size:
                raise ValueError("bitstring shorter than size")
            bits = Bitstring(size, data=bits.to_bytes())
            return cls(list_id=str(value["statusListCredential"]),
                       purpose=str(value["statusPurpose"]), size=size, allocated=bits,
                       count=int(value["allocatedCount"]))
        except (KeyError, TypeError, ValueError, StatusError) as exc:
            raise StatusError(f"the allocation record is damaged ({exc})",
                              code="status.malformed_record", pointer=source,
                              hint="restore it from a backup; never recreate it by hand") from None

    def allocate(self, count: int, rng: random.Random) -> list[int]:
        """Mark *count* free indexes as allocated, picked at random, and return them.

        :raises StatusError: ``status.list_full`` if fewer than *count* are free.
        """
        free = self.size - self.count
        if count > free:
            raise StatusError(
                f"the status list {self.list_id} has {free:,} free entries, {count:,} needed",
                code="status.list_full", hint="create another list (StatusList.create)")
        chosen: list[int] = []
        for _ in range(count):
            index = -1
            for _attempt in range(32):
                candidate = rng.randrange(self.size)
                if not self.allocated[candidate]:
                    index = candidate
                    break
            if index < 0:  # nearly full: scan from a random start
                start = rng.randrange(self.size)
                for offset in range(self.size):
                    candidate = (start + offset) % self.size
                    if not self.allocated[candidate]:
                        index = candidate
                        break
            self.allocated[index] = 1
            self.count += 1
            chosen.append(index)
        return chosen


@runtime_checkable
class StatusListStore(Protocol):
    """Where one status list and its allocation record are kept (a file, a database, memory).

    Implement this to keep lists in a database or object store; :class:`StatusList`
    only calls these members. ``lock()`` must exclude other writers of the same list
    (other processes too) while it is held.
    """

    def load_credential(self) -> JsonObject:
        """Return the stored status list credential.

        :raises StatusError: ``status.no_list`` if there is none.
        """
        ...

    def save_credential(self, credential: JsonObject) -> None:
        """Store the (signed) status list credential, replacing the old one atomically."""
        ...

    def load_record(self) -> AllocationRecord | None:
        """Return the allocation record, or None if there is none."""
        ...

    def save_record(self, record: AllocationRecord) -> None:
        """Store the allocation record durably (before any credential uses its indexes)."""
        ...

    def lock(self) -> contextlib.AbstractContextManager[None]:
        """Hold exclusive access to the list and its record."""
        ...


class MemoryStatusListStore:
    """A :class:`StatusListStore` in memory, for tests and short-lived programs."""

    def __init__(self, credential: JsonObject | None = None,
                 record: AllocationRecord | None = None) -> None:
        self.credential = credential
        self.record = record
        self._lock = threading.RLock()

    def load_credential(self) -> JsonObject:
        """Return a copy of the stored credential."""
        if self.credential is None:
            raise StatusError("no status list has been created in this store",
                              code="status.no_list")
        return json.loads(json.dumps(self.credential))  # type: ignore[no-any-return]

    def save_credential(self, credential: JsonObject) -> None:
        """Keep a copy of *credential*."""
        self.credential = json.loads(json.dumps(credential))

    def load_record(self) -> AllocationRecord | None:
        """Return a copy of the allocation record."""
        if self.record is None:
            return None
        return AllocationRecord.from_json(self.record.to_json())

    def save_record(self, record: AllocationRecord) -> None:
        """Keep a copy of *record*."""
        self.record = AllocationRecord.from_json(record.to_json())

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold a thread lock."""
        with self._lock:
            yield


class FileStatusListStore:
    """A :class:`StatusListStore` on disk: ``LIST.json`` and ``LIST.allocations.json`` beside it.

    Both files are written atomically. :meth:`lock` takes an advisory lock on
    ``LIST.json.lock`` (``fcntl.flock``; released by the system if the process dies).

    :param path: the status list credential file.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.record_path = self.path.with_name(f"{self.path.stem}.allocations.json")
        self.lock_path = self.path.with_name(f"{self.path.name}.lock")

    def __repr__(self) -> str:
        return f"FileStatusListStore({str(self.path)!r})"

    def load_credential(self) -> JsonObject:
        """Read the list file.

        :raises ReadError: it is missing or not a JSON object.
        """
        return read_json_object(self.path)

    def save_credential(self, credential: JsonObject) -> None:
        """Write the list file atomically."""
        atomic_write(self.path, json.dumps(credential, indent=2, ensure_ascii=False) + "\n")

    def load_record(self) -> AllocationRecord | None:
        """Read the allocation record, or return None if the file does not exist."""
        if not self.record_path.exists():
            return None
        return AllocationRecord.from_json(read_json_object(self.record_path),
                                          source=str(self.record_path))

    def save_record(self, record: AllocationRecord) -> None:
        """Write the allocation record atomically (flushed to disk before returning)."""
        atomic_write(self.record_path, json.dumps(record.to_json(), indent=2) + "\n")

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold an exclusive advisory lock on the list (a no-op where fcntl is missing)."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            yield
            return
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "a") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


class StatusList:
    """One status list in a store: allocate indexes, make entries, change statuses.

    :param store: where the list credential and allocation record live.
    :param rng: the random source for picking indexes (default: the system's
        cryptographic one); tests pass ``random.Random(seed)``.
    """

    def __init__(self, store: StatusListStore, *, rng: random.Random | None = None) -> None:
        self.store = store
        self._rng = rng if rng is not None else secrets.SystemRandom()
        credential = store.load_credential()
        parsed = parse_status_list_credential(credential, source=_source(store))
        self.list_id = parsed.id
        self.purpose = parsed.purposes[0]
        self.size = parsed.bits.length
        if not self.list_id:
            raise StatusError("the status list credential has no id",
                              code="status.malformed_list", pointer=f"{_source(store)}: id")

    @classmethod
    def create(
        cls,
        store: StatusListStore,
        *,
        list_id: str,
        issuer: str | JsonObject,
        sign: ListSigning,
        purpose: str = "revocation",
        size: int = MIN_BITSTRING_LENGTH,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        suite: str | None = None,
    ) -> StatusList:
        """Create, sign and store a new list and an empty allocation record.

        :param sign: a :class:`~edc_issue.Signer` (a ``Key``, an HSM or KMS signer), or a
            function that returns the list credential it is given with a proof.
        :param suite: the Data Integrity cryptosuite when *sign* is a signer (default from
            its algorithm).
        :raises StatusError: ``status.too_small`` for fewer than 131,072 entries,
            ``status.bad_purpose``.

        :raises StatusError: ``status.list_exists`` if the store already holds an
            allocation record (a new list would let old indexes be handed out again).
        """
        with store.lock():
            if store.load_record() is not None:
                raise StatusError(
                    "an allocation record already exists for this list; refusing to replace it",
                    code="status.list_exists", pointer=_source(store),
                    hint="choose another output file, or revoke in the existing list")
            credential = create_status_list_credential(
                list_id=list_id, issuer=issuer, purpose=purpose, size=size, clock=clock)
            signed = _signed(sign, credential, suite)
            store.save_record(AllocationRecord.new(list_id, purpose, size))
            store.save_credential(signed)
        return cls(store, rng=rng)

    def _record(self) -> AllocationRecord:
        record = self.store.load_record()
        if record is None:
            raise StatusError(
                "no allocation record for this status list, so free indexes are unknown",
                code="status.no_allocation_record", pointer=_source(self.store),
                hint="issue only with lists made by StatusList.create, and keep their "
                     "allocation record")
        if record.list_id != self.list_id:
            raise StatusError(
                f"the allocation record belongs to {record.list_id}, not {self.list_id}",
                code="status.malformed_record", pointer=_source(self.store))
        return record

    def allocate(self, count: int = 1) -> list[int]:
        """Hand out *count* never-used indexes; the record is saved before they are returned.

        :raises StatusError: ``status.list_full``, ``status.no_allocation_record``.
        """
        if count <= 0:
            return []
        with self.store.lock():
            record = self._record()
            indexes = record.allocate(count, self._rng)
            self.store.save_record(record)
        return indexes

    def allocated_count(self) -> int:
        """Return how many indexes have been handed out so far."""
        return self._record().count

    def is_allocated(self, index: int) -> bool:
        """Return True if *index* was ever handed out."""
        return bool(self._record().allocated[index])

    def entry(self, index: int) -> JsonObject:
        """Return the ``credentialStatus`` entry for *index*."""
        return status_entry(self.list_id, index, self.purpose)

    def status(self, index: int) -> int:
        """Return the current status value at *index* (0: not set)."""
        return parse_status_list_credential(self.store.load_credential()).bits[index]

    def indexes_of(self, credential: JsonObject) -> list[int]:
        """Return the indexes *credential*'s ``credentialStatus`` holds in this list.

        *credential* may be in any container :mod:`edc_issue.formats.detect` knows (a JAdES
        envelope, a VC-JWT...).

        :raises StatusError: ``status.not_in_list`` when no entry names this list,
            ``status.malformed_entry`` for an index that is not an integer.
        """
        from ..formats.detect import credential_of

        found = credential_of(credential) or {}
        status = found.get("credentialStatus")
        entries = status if isinstance(status, list) else [status]
        mine = [e for e in entries if isinstance(e, dict)
                and e.get("statusListCredential") == self.list_id]
        if not mine:
            raise StatusError(f"credentialStatus names no entry in the list {self.list_id}",
                              pointer="credentialStatus", code="status.not_in_list")
        indexes: list[int] = []
        for entry in mine:
            raw = str(entry.get("statusListIndex"))
            if not (raw.isascii() and raw.isdigit()):
                raise StatusError("credentialStatus.statusListIndex is not an integer",
                                  pointer="credentialStatus.statusListIndex",
                                  code="status.malformed_entry")
            indexes.append(int(raw))
        return indexes

    def set_status(self, indexes: Iterable[int], value: int, *, sign: ListSigning,
                   clock: Clock | None = None, suite: str | None = None,
                   only_allocated: bool = False) -> JsonObject:
        """Set *indexes* to *value*, then re-sign and store the list; return the new list.

        ``validFrom`` becomes now, and the old proof is replaced. Nothing is changed when
        any index is refused.

        :param sign: a :class:`~edc_issue.Signer`, or a function that signs the list.
        :param suite: the Data Integrity cryptosuite when *sign* is a signer.
        :param only_allocated: refuse indexes never handed out to a credential (a typo,
            most likely); an index of a list without an allocation record is not refused.
        :raises StatusError: ``status.index_out_of_range``, ``status.not_allocated``,
            ``status.irreversible`` (clearing a revocation).
        """
        wanted = list(indexes)
        outside = [i for i in wanted if not 0 <= i < self.size]
        if outside:
            raise StatusError(f"index {outside[0]} is outside the list (0 to {self.size - 1})",
                              pointer=_source(self.store), code="status.index_out_of_range")
        with self.store.lock():
            if only_allocated:
                record = self.store.load_record()
                never = [i for i in wanted if record is not None and not record.allocated[i]]
                if never:
                    raise StatusError(
                        f"index(es) {', '.join(map(str, never))} were never given to a "
                        "credential (a typo?)", pointer=_source(self.store),
                        hint="pass only_allocated=False to change them anyway",
                        code="status.not_allocated")
            credential = self.store.load_credential()
            parsed = parse_status_list_credential(credential, source=_source(self.store))
            bits = parsed.bits
            for index in wanted:
                if value == 0 and self.purpose == "revocation" and bits[index]:
                    raise StatusError(
                        f"index {index} is revoked, and revocation cannot be undone",
                        code="status.irreversible",
                        spec="https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslist")
                bits[index] = value
            updated = {k: v for k, v in credential.items() if k != "proof"}
            subject = dict(updated["credentialSubject"])
            subject["encodedList"] = bits.encode()
            updated["credentialSubject"] = subject
            updated["validFrom"] = _now(clock)
            signed = _signed(sign, updated, suite)
            self.store.save_credential(signed)
        return signed

    def revoke(self, indexes: Iterable[int], *, sign: ListSigning,
               clock: Clock | None = None, suite: str | None = None,
               only_allocated: bool = False) -> JsonObject:
        """Revoke (or, in a suspension list, suspend) *indexes*, re-sign and store the list
        (see :meth:`set_status`)."""
        return self.set_status(indexes, 1, sign=sign, clock=clock, suite=suite,
                               only_allocated=only_allocated)

    def suspend(self, indexes: Iterable[int], *, sign: ListSigning,
                clock: Clock | None = None, suite: str | None = None,
                only_allocated: bool = False) -> JsonObject:
        """Suspend *indexes* in a suspension list (see :meth:`set_status`).

        :raises StatusError: ``status.bad_purpose`` if this is a revocation list.
        """
        self._require("suspension")
        return self.set_status(indexes, 1, sign=sign, clock=clock, suite=suite,
                               only_allocated=only_allocated)

    def reinstate(self, indexes: Iterable[int], *, sign: ListSigning,
                  clock: Clock | None = None, suite: str | None = None,
                  only_allocated: bool = False) -> JsonObject:
        """Lift the suspension of *indexes* in a suspension list (see :meth:`set_status`).

        :raises StatusError: ``status.bad_purpose`` if this is a revocation list.
        """
        self._require("suspension")
        return self.set_status(indexes, 0, sign=sign, clock=clock, suite=suite,
                               only_allocated=only_allocated)

    def _require(self, purpose: str) -> None:
        if self.purpose != purpose:
            raise StatusError(f"this is a {self.purpose} list, not a {purpose} list",
                              code="status.bad_purpose", pointer=_source(self.store))


def _source(store: StatusListStore) -> str:
    path = getattr(store, "path", None)
    return str(path) if path is not None else "status list"
