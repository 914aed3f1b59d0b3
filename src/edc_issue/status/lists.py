"""Bitstring status lists: :class:`StatusList` creates one, allocates indexes, revokes or
suspends and re-signs. The list credential (:mod:`.credential`), the allocation record
(:mod:`.allocation`) and the stores (:mod:`.store`) have their own modules; every name
is importable from here too.

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

import random
import secrets
from collections.abc import Callable, Iterable

from .._types import Clock, JsonObject, Signer
from ..errors import StatusError
from .allocation import AllocationRecord
from .bitstring import MIN_BITSTRING_LENGTH
from .credential import (
    BITSTRING_STATUS_LIST,
    BITSTRING_STATUS_LIST_CREDENTIAL,
    BITSTRING_STATUS_LIST_ENTRY,
    CREDENTIALS_V2,
    STATUS_PURPOSES,
    STATUS_V1,
    ParsedStatusList,
    StatusPurpose,
    _now,
    attach_status,
    create_status_list_credential,
    parse_status_list_credential,
    status_entry,
)
from .store import FileStatusListStore, MemoryStatusListStore, StatusListStore
from .store import source_of as _source

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
    "ListSigning",
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

#: Signs a status list credential and returns it with its proof (e.g. ``lambda vc: sign(vc, key)``).
ListSigner = Callable[[JsonObject], JsonObject]
#: What the ``sign`` arguments take: a :class:`~edc_issue.Signer` (a ``Key``, an HSM or KMS
#: signer: the list gets a Data Integrity proof with the suite of its algorithm), or a
#: :data:`ListSigner` function.
ListSigning = Signer | ListSigner


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


def _methods(credential: JsonObject) -> list[str]:
    """The verification methods the proofs of a list credential name."""
    proof = credential.get("proof")
    proofs = proof if isinstance(proof, list) else [proof]
    return [p["verificationMethod"] for p in proofs
            if isinstance(p, dict) and isinstance(p.get("verificationMethod"), str)]


def _issuer_id(credential: JsonObject) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


_OWN_KEY_HINT = "sign with the key the list was created with (its proof's verificationMethod)"


def _wrong_key(message: str, source: str) -> StatusError:
    return StatusError(message + "; re-signing the list with it would make every holder's "
                       "status check fail", code="status.wrong_key", pointer=source,
                       hint=_OWN_KEY_HINT)


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

    def indexes_of(self, credential: JsonObject | str | bytes) -> list[int]:
        """Return the indexes *credential*'s ``credentialStatus`` holds in this list.

        *credential* may be in any container :mod:`edc_issue.formats.detect` knows (a JAdES
        envelope, a VC-JWT, a baked PNG or SVG badge's bytes...).

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
        Indexes already at *value* are left as they are; when none changes, the list is
        returned unchanged and not re-signed.

        :raises StatusError: ``status.wrong_key`` when *sign* is not the list's own key (its
            verification method is not one the list's proof names, or its controller is
            not the list's issuer), ``status.index_out_of_range``,
            ``status.not_allocated``, ``status.irreversible`` (clearing a revocation).
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
            methods = self._check_signer(credential, sign)
            bits = parsed.bits
            changed = False
            for index in wanted:
                if value == 0 and self.purpose == "revocation" and bits[index]:
                    raise StatusError(
                        f"index {index} is revoked, and revocation cannot be undone",
                        code="status.irreversible",
                        spec="https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslist")
                changed = changed or bits[index] != value
                bits[index] = value
            if not changed:
                return credential
            updated = {k: v for k, v in credential.items() if k != "proof"}
            subject = dict(updated["credentialSubject"])
            subject["encodedList"] = bits.encode()
            updated["credentialSubject"] = subject
            updated["validFrom"] = _now(clock)
            signed = _signed(sign, updated, suite)
            new_methods = _methods(signed)
            if not new_methods or any(m not in methods for m in new_methods):
                raise _wrong_key(
                    f"the list was signed by {methods[0]}, and the new proof names "
                    f"{', '.join(new_methods) or 'no verification method'}",
                    _source(self.store))
            self.store.save_credential(signed)
        return signed

    def _check_signer(self, credential: JsonObject, sign: ListSigning) -> list[str]:
        """Refuse a key that is not the list's own; return the list's verification methods.

        The key must be a verification method the list's proof names, and its controller
        (when the signer has one) the list's issuer. A signing function is checked on what
        it returns, before anything is stored.
        """
        source = _source(self.store)
        methods = _methods(credential)
        if not methods:
            raise StatusError(
                "the list's proof names no verification method, so the key allowed to "
                "change it is unknown", code="status.wrong_key", pointer=source,
                hint=_OWN_KEY_HINT)
        if isinstance(sign, Signer):
            key_id = sign.id
            if key_id not in methods:
                raise _wrong_key(f"the key {key_id or '(no id)'} is not the list's own "
                                 f"({methods[0]})", source)
            controller = getattr(sign, "controller", None)
            issuer = _issuer_id(credential)
            if isinstance(controller, str) and controller != issuer:
                raise _wrong_key(f"the key's controller {controller} is not the list's "
                                 f"issuer {issuer}", source)
        return methods

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
