"""Check a credential's ``credentialStatus`` against status lists given by the caller.

Supported status entries:

- ``BitstringStatusListEntry`` (W3C Bitstring Status List v1.0), and the older
  ``StatusList2021Entry``, which works the same way.
  See: <https://www.w3.org/TR/vc-bitstring-status-list/#validate-algorithm>
- ``1EdTechRevocationList`` (Open Badges 3.0): ``credentialStatus.id`` is the URL of a
  JSON document ``{"id", "issuer", "revokedCredentials": [{"id", "revocationReason"}]}``;
  the credential is revoked when its ``id`` is listed.
  See: <https://www.imsglobal.org/spec/ob/v3p0/#revocation-list-status-method>

Lists are given locally (matched by their ``id``, or by the URL they are published at
when given as a mapping). Nothing is fetched unless ``allow_network=True``.

A revoked or suspended credential gives a failed check (severity ``error``), and so
does a credential none of whose lists is among the lists given (``status.list_mismatch``:
another issuer's list, or a list given without the URL it is published at). A
status that could not be checked (no list was given, an unknown status type) gives
``ok=False`` with severity ``warning``: it is reported but does not decide the verdict,
unless the verifier has ``require_status=True``. A list given that cannot be read, or is
no status list, is an input error (:func:`read_status_list`).
"""

from __future__ import annotations

import json
import os
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from .._dates import parse_datetime
from .._io import read_bytes
from .._types import Clock, Fetcher, JsonObject
from ..errors import EdcIssueError, InputError, StatusError, StatusFetchError
from ..formats.detect import credential_of, load_document, sniff
from ..results import Check, VerificationResult
from .bitstring import MIN_BITSTRING_LENGTH
from .credential import BITSTRING_STATUS_LIST_ENTRY, parse_status_list_credential

__all__ = [
    "REVOCATION_LIST_1EDTECH",
    "STATUS_LIST_2021_ENTRY",
    "StatusFetcher",
    "StatusListSet",
    "StatusListSource",
    "StatusLists",
    "check_status",
    "fetch_status_list",
    "read_status_list",
]

STATUS_LIST_2021_ENTRY = "StatusList2021Entry"
REVOCATION_LIST_1EDTECH = "1EdTechRevocationList"

#: Fetches the document at a URL (only called with ``allow_network=True``).
StatusFetcher = Callable[[str], Any]

_SPEC = "https://www.w3.org/TR/vc-bitstring-status-list/#validate-algorithm"
_OB3_SPEC = "https://www.imsglobal.org/spec/ob/v3p0/#revocation-list-status-method"
_FETCH_LIMIT = 4 * 1024 * 1024
_ACCEPT = ("application/vc+ld+json, application/ld+json, application/json, "
           "application/vc+jwt;q=0.5")


def fetch_status_list(url: str, *, timeout: float = 10.0, fetcher: Fetcher | None = None
                      ) -> Any:
    """Fetch a status list over HTTPS (or HTTP) and return its parsed JSON (or JWT text).

    :param fetcher: makes the request (default: :func:`edc_issue._net.default_fetcher`).
    :raises StatusFetchError: ``status.fetch_failed`` (also a ``ReadError``) for any network
        or parsing failure.
    """
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in ("https", "http"):
        raise StatusFetchError(f"cannot fetch a status list from a {scheme or 'relative'} URL",
                               code="status.fetch_failed", pointer=url)
    if fetcher is None:
        from .._net import default_fetcher

        fetcher = default_fetcher()
    try:
        raw = fetcher.fetch(url, accept=_ACCEPT, max_bytes=_FETCH_LIMIT, timeout=timeout)
    except EdcIssueError as exc:
        raise StatusFetchError(f"cannot fetch the status list: {exc.message}",
                               code="status.fetch_failed", pointer=url) from exc
    text = raw.decode("utf-8", errors="replace").strip()
    if text.startswith("{"):
        try:
            return json.loads(text)
        except ValueError:
            raise StatusFetchError("the status list is not valid JSON",
                                   code="status.fetch_failed", pointer=url) from None
    return text


def _as_document(value: Any) -> JsonObject | None:
    """A list as given: a JSON object, a JAdES envelope or a compact JWT."""
    if not isinstance(value, (str, dict)):
        return None
    return credential_of(value)


def _strip_fragment(url: str) -> str:
    return url.split("#", 1)[0]


#: One status list as a caller gives it: a path to its file (``str`` or ``os.PathLike``),
#: the parsed list (a JSON object: a status list credential, a JAdES envelope, a 1EdTech
#: revocation list), a compact VC-JWT (``str``), or the file's bytes.
StatusListSource = JsonObject | str | bytes | os.PathLike[str]
#: The status lists a verifier is given: a sequence of them (matched to entries by their
#: ``id``), or a mapping from the URL each list is published at to it.
StatusLists = Sequence[StatusListSource] | Mapping[str, StatusListSource]

_LIST_TYPES = frozenset({"BitstringStatusListCredential", "StatusList2021Credential"})


def _is_status_list(document: JsonObject) -> bool:
    kinds = document.get("type")
    kind_set = {kinds} if isinstance(kinds, str) else set(kinds) if isinstance(kinds, list) \
        else set()
    return bool(kind_set & _LIST_TYPES) or isinstance(document.get("revokedCredentials"), list)


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        kinds = value.get("type")
        return f"a JSON object of type {kinds!r}" if kinds else "a JSON object with no type"
    if isinstance(value, list):
        return "a JSON array"
    return f"a {type(value).__name__}"


def read_status_list(value: StatusListSource, *, source: str | None = None
                     ) -> tuple[JsonObject, Any]:
    """Read one status list as a caller gives it; return (its credential, the list as
    given, for its proof to be verified).

    A ``str`` is a compact VC-JWT when it is one, otherwise a path.

    :raises ReadError: the file is missing, empty, truncated or not JSON (``io.*``).
    :raises StatusFetchError: ``status.unreadable_list`` when it is no status list (a key
        file, a JSON array, another kind of credential). Both are input errors naming the
        list.
    """
    if isinstance(value, os.PathLike) or (isinstance(value, str) and sniff(value) is None
                                          and not value.lstrip().startswith("{")):
        path = os.fspath(value)
        source = source or path
        value = load_document(read_bytes(path), source=path)
    elif isinstance(value, (bytes, bytearray)):
        value = load_document(bytes(value), source=source or "status list")
    where = source or (value.get("id") if isinstance(value, dict)
                       and isinstance(value.get("id"), str) else None) or "status list"
    document = _as_document(value)
    if document is None or not _is_status_list(document):
        raise StatusFetchError(
            f"not a status list: found {_describe(document if document is not None else value)}"
            "; expected a BitstringStatusListCredential (or a 1EdTech revocation list)",
            code="status.unreadable_list", pointer=str(where))
    return document, value


class StatusListSet:
    """The status lists a verifier was given, read and indexed once: by their ``id``, and
    by the URL each was given for (when given as a mapping).

    :param lists: status lists as :data:`StatusListSource` values (paths, JSON objects,
        VC-JWTs), or a mapping from the URL a list is published at to it.
    :raises InputError: a list that cannot be read or is no status list (see
        :func:`read_status_list`): a list given explicitly never goes unused silently.
    """

    def __init__(self, lists: StatusLists | None = None) -> None:
        self.by_url: dict[str, tuple[JsonObject, Any]] = {}
        if lists is None:
            return
        if isinstance(lists, (str, bytes, os.PathLike)) or (
                isinstance(lists, Mapping) and _is_status_list(dict(lists))):
            raise InputError("status_lists takes a list of status lists (or a mapping from "
                             "URL to list), not one list", code="input.invalid",
                             pointer="status_lists")
        items: list[tuple[str | None, Any]]
        if isinstance(lists, Mapping):
            items = [(str(k), v) for k, v in lists.items()]
        else:
            items = [(None, v) for v in lists]
        for url, value in items:
            document, raw = read_status_list(value)
            if url is not None:
                self.by_url[_strip_fragment(url)] = (document, raw)
            list_id = document.get("id")
            if isinstance(list_id, str):
                self.by_url.setdefault(_strip_fragment(list_id), (document, raw))

    def __len__(self) -> int:
        return len(self.by_url)

    def get(self, url: str) -> tuple[JsonObject, Any] | None:
        """Return (the list document, the list as given) for *url*."""
        return self.by_url.get(_strip_fragment(url))

    def ids(self) -> list[str]:
        """The URLs and ids the lists are known by."""
        return sorted(self.by_url)


def _now(clock: Clock | None) -> datetime:
    return (clock() if clock is not None else datetime.now(timezone.utc)).astimezone(timezone.utc)


def check_status(
    credential: JsonObject | str | bytes,
    *,
    lists: StatusListSet | StatusLists | None = None,
    allow_network: bool = False,
    fetch: StatusFetcher | None = None,
    fetcher: Fetcher | None = None,
    verify_list: Callable[[Any], VerificationResult] | None = None,
    clock: Clock | None = None,
) -> list[Check]:
    """Check every ``credentialStatus`` entry of *credential*; return one :class:`Check` each.

    *credential* may be a JSON-LD credential, a JAdES envelope, a compact VC-JWT or a
    baked badge (any container :mod:`edc_issue.formats.detect` knows).

    :param lists: the status lists to check against (:data:`StatusListSource` values:
        paths, status list credentials as JSON objects, JAdES envelopes or VC-JWTs, or
        1EdTech revocation lists), matched to entries by their ``id``; or a mapping from
        the URL a list is published at to the list (for lists whose ``id`` differs from
        that URL). When lists are given and none is one the credential points to, its
        checks fail (``status.list_mismatch``) unless *allow_network* fetches them; when
        some are, an entry whose list was not given is ``status.list_not_given`` (a
        warning, a failure under ``require_status``).
    :param allow_network: fetch a list that was not given from its URL.
    :param fetch: how to fetch a list: URL in, parsed list out (default:
        :func:`fetch_status_list` with *fetcher*).
    :param fetcher: the :class:`~edc_issue.Fetcher` the default *fetch* uses.
    :param verify_list: verifies a list credential's proof (e.g. ``edc_issue.verify``);
        a list that does not verify fails the check. Without it, lists are trusted.
    :param clock: the current time, for a list's ``validUntil``.
    :return: no checks when the credential has no ``credentialStatus``.
    """
    found = credential_of(credential) if isinstance(credential, (str, dict, bytes)) else None
    if found is None:
        return []
    credential = found
    status = credential.get("credentialStatus")
    if status is None:
        return []
    entries: list[tuple[str, Any]]
    if isinstance(status, list):
        entries = [(f"credentialStatus[{i}]", e) for i, e in enumerate(status)]
    else:
        entries = [("credentialStatus", status)]
    known = lists if isinstance(lists, StatusListSet) else StatusListSet(lists)
    if fetch is None:
        def fetch(url: str) -> Any:
            return fetch_status_list(url, fetcher=fetcher)
    checker = _Checker(credential, known, allow_network, fetch, verify_list, clock)
    # A credential with several entries may be checked against some of its lists: when one
    # of them was given, the others are "not given" (a warning), not another issuer's list.
    checker.matched_one = any(
        isinstance(e, dict) and isinstance(e.get("statusListCredential"), str)
        and known.get(e["statusListCredential"]) is not None for _, e in entries)
    return [checker.check(path, entry) for path, entry in entries]


class _Checker:
    def __init__(self, credential: JsonObject, known: StatusListSet, allow_network: bool,
                 fetch: StatusFetcher, verify_list: Callable[[Any], VerificationResult]
                 | None, clock: Clock | None) -> None:
        self.credential = credential
        self.known = known
        self.allow_network = allow_network
        self.fetch = fetch
        self.verify_list = verify_list
        self.clock = clock
        #: one of the credential's entries points to a list that was given
        self.matched_one = False

    def _fail(self, path: str, message: str, code: str, *, warning: bool = False) -> Check:
        return Check(check="status", ok=False, message=message, path=path, code=code,
                     severity="warning" if warning else "error")

    def _find(self, url: str, path: str) -> tuple[JsonObject, Any] | Check:
        known = self.known.get(url)
        if known is not None:
            return known
        if not self.allow_network and len(self.known) and not self.matched_one:
            return self._fail(
                path, f"the status lists given ({', '.join(self.known.ids())}) do not include "
                      f"the list this credential points to, {url}", "status.list_mismatch")
        if not self.allow_network:
            return self._fail(
                path, f"status not checked: the list {url} was not given "
                      "(pass it in status_lists=[...], or fetch it with allow_network=True)",
                "status.list_not_given", warning=True)
        try:
            raw = self.fetch(url)
        except EdcIssueError as exc:
            return self._fail(path, f"status not checked: {exc}", "status.fetch_failed",
                              warning=True)
        fetched = _as_document(raw)
        if fetched is None:
            return self._fail(path, f"status not checked: {url} did not return a status list",
                              "status.fetch_failed", warning=True)
        return fetched, raw

    def check(self, path: str, entry: Any) -> Check:
        if not isinstance(entry, dict):
            return self._fail(path, "credentialStatus must be an object",
                              "status.malformed_entry")
        kinds = entry.get("type")
        kind_list = [kinds] if isinstance(kinds, str) else kinds if isinstance(kinds, list) else []
        if BITSTRING_STATUS_LIST_ENTRY in kind_list or STATUS_LIST_2021_ENTRY in kind_list:
            return self._bitstring(path, entry)
        if REVOCATION_LIST_1EDTECH in kind_list:
            return self._revocation_list(path, entry)
        return self._fail(path, f"status not checked: status type {kinds!r} is not supported",
                          "status.unsupported_type", warning=True)

    def _verified(self, path: str, raw: Any, url: str) -> Check | None:
        if self.verify_list is None:
            return None
        result = self.verify_list(raw)
        if not result.ok:
            failed = "; ".join(c.message for c in result.checks if not c.ok) or "no proof"
            return self._fail(path, f"the status list {url} does not verify: {failed}",
                              "status.list_unverified")
        return None

    def _bitstring(self, path: str, entry: JsonObject) -> Check:
        url = entry.get("statusListCredential")
        raw_index = entry.get("statusListIndex")
        purpose = entry.get("statusPurpose")
        if not isinstance(url, str) or not url:
            return self._fail(f"{path}.statusListCredential",
                              "statusListCredential must be a URL", "status.malformed_entry")
        if isinstance(raw_index, bool) or not (
            (isinstance(raw_index, int) and raw_index >= 0)
            or (isinstance(raw_index, str) and raw_index.isascii() and raw_index.isdigit())
        ):
            return self._fail(f"{path}.statusListIndex",
                              "statusListIndex must be a non-negative integer, "
                              f"found {raw_index!r}",
                              "status.malformed_entry")
        index = int(raw_index)
        if not isinstance(purpose, str):
            return self._fail(f"{path}.statusPurpose", "statusPurpose is missing",
                              "status.malformed_entry")
        size = entry.get("statusSize", 1)
        if isinstance(size, str) and size.isdigit():
            size = int(size)
        if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= 8:
            return self._fail(f"{path}.statusSize", f"statusSize {size!r} is not supported",
                              "status.malformed_entry")
        found = self._find(url, path)
        if isinstance(found, Check):
            return found
        document, raw = found
        unverified = self._verified(path, raw, url)
        if unverified is not None:
            return unverified
        try:
            parsed = parse_status_list_credential(document, source=url, status_size=size)
        except StatusError as exc:
            return self._fail(path, f"the status list is unusable: {exc}", exc.code)
        if purpose not in parsed.purposes:
            return self._fail(
                f"{path}.statusPurpose",
                f'statusPurpose "{purpose}" does not match the list\'s '
                f"{', '.join(parsed.purposes)}", "status.purpose_mismatch")
        if parsed.bits.bit_length < MIN_BITSTRING_LENGTH:
            return self._fail(
                path, f"the status list holds {parsed.bits.bit_length:,} bits, fewer than the "
                      f"minimum {MIN_BITSTRING_LENGTH:,}", "status.list_too_short")
        if parsed.valid_until:
            until = parse_datetime(parsed.valid_until)
            if until is not None and until < _now(self.clock):
                return self._fail(path, f"the status list expired at {parsed.valid_until}",
                                  "status.list_expired")
        if index >= parsed.bits.length:
            return self._fail(f"{path}.statusListIndex",
                              f"statusListIndex {index} is outside the list "
                              f"(0 to {parsed.bits.length - 1})", "status.index_out_of_range")
        value = parsed.bits[index]
        where = f"index {index} of {url}"
        if value == 0:
            return Check(check="status", ok=True, path=path,
                         message=f"{purpose}: not set ({where})")
        if purpose == "revocation":
            return self._fail(path, f"revoked ({where})", "status.revoked")
        if purpose == "suspension":
            return self._fail(path, f"suspended ({where})", "status.suspended")
        return Check(check="status", ok=True, path=path, severity="info",
                     message=f"{purpose}: status value {value:#x} ({where})")

    def _revocation_list(self, path: str, entry: JsonObject) -> Check:
        url = entry.get("id")
        if not isinstance(url, str) or not url:
            return self._fail(f"{path}.id", "the 1EdTechRevocationList entry has no id URL",
                              "status.malformed_entry")
        credential_id = self.credential.get("id")
        if not isinstance(credential_id, str):
            return self._fail(path, "status not checked: the credential has no id to look up",
                              "status.malformed_entry", warning=True)
        found = self._find(url, path)
        if isinstance(found, Check):
            return found
        revoked = found[0].get("revokedCredentials")
        if not isinstance(revoked, list):
            return self._fail(path, f"the revocation list {url} has no revokedCredentials array",
                              "status.malformed_list")
        for item in revoked:
            item_id = item.get("id") if isinstance(item, dict) else item
            if item_id == credential_id:
                reason = item.get("revocationReason") if isinstance(item, dict) else None
                suffix = f": {reason}" if isinstance(reason, str) and reason else ""
                return self._fail(path, f"revoked (listed in {url}){suffix}", "status.revoked")
        return Check(check="status", ok=True, path=path,
                     message=f"revocation: not listed in {url}")
