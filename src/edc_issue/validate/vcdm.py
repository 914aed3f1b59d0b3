"""VC Data Model rules, for every credential (EDC, Open Badges, any VC).

Structural rules from VC Data Model 1.1 and 2.0 that need no JSON-LD
processing; the JSON-LD ones (every term and type mapped, contexts known and
not redefining protected terms) are checked by expansion in strict mode.

See: <https://www.w3.org/TR/vc-data-model-2.0/#basic-concepts>,
<https://www.w3.org/TR/vc-data-model/#basic-concepts>
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..errors import KeyMaterialError
from ..results import Finding
from .nodemap import join_path

__all__ = ["VC_V1", "VC_V2", "check_related_resources", "check_vcdm", "is_absolute_iri",
           "parse_datetime"]

VC_V1 = "https://www.w3.org/2018/credentials/v1"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
SPEC_V2 = "https://www.w3.org/TR/vc-data-model-2.0/"

_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*$")
_DATETIME = re.compile(
    r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$"
)
_LANGUAGE_VALUE_KEYS = frozenset({"@value", "@language", "@direction"})
_TIMEZONE = re.compile(r"(Z|[+-]\d{2}:\d{2})$")


def is_absolute_iri(value: Any) -> bool:
    """Return True if *value* is a string holding an absolute IRI (a scheme, then no spaces)."""
    return isinstance(value, str) and bool(_IRI.match(value))


def parse_datetime(value: Any) -> datetime | None:
    """Parse an ``xsd:dateTime`` string; ``None`` if it is not one.

    A value without a time zone is read as UTC, as the VC Data Model allows for 1.1.
    """
    if not isinstance(value, str) or not _DATETIME.match(value):
        return None
    text = value.replace("Z", "+00:00")
    if len(text.split("-")[0]) > 4:  # years past 9999 are valid xsd but not Python
        return datetime.max.replace(tzinfo=None)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=None) if parsed.tzinfo is None else parsed


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _err(path: str, message: str, rule: str, code: str, value: Any = None) -> Finding:
    return Finding(path, message, severity="error", rule=rule, code=code,
                   value=None if value is None else str(value))


def _check_typed(out: list[Finding], doc: dict[str, Any], key: str, prefix: str, *,
                 need_id: bool = False, rule: str) -> None:
    for i, entry in enumerate(_as_list(doc.get(key))):
        path = join_path(prefix, key) if not isinstance(doc.get(key), list) else join_path(
            join_path(prefix, key), i)
        if not isinstance(entry, dict):
            if key != "evidence":
                out.append(_err(path, f"each {key} entry must be an object", rule,
                                "vcdm.malformed"))
            continue
        types = entry.get("type", entry.get("@type"))
        if types is None:
            out.append(_err(path, f"{key} lacks its type", rule, "vcdm.missing_type"))
        elif not all(isinstance(t, str) and t for t in _as_list(types)) or not _as_list(types):
            out.append(_err(join_path(path, "type"), f"the type of {key} must be a string or "
                            "a list of strings", rule, "vcdm.malformed_type", types))
        if "id" in entry or need_id:
            ident = entry.get("id")
            if not is_absolute_iri(ident):
                out.append(_err(join_path(path, "id"), f"{key} needs an id that is one absolute "
                                f"URL, found {ident!r}" if ident is not None else
                                f"{key} lacks its id", rule, "vcdm.invalid_id", ident))


def _check_language_values(out: list[Finding], value: Any, path: str) -> None:
    for i, item in enumerate(_as_list(value)):
        p = join_path(path, i) if isinstance(value, list) else path
        if isinstance(item, dict) and "@value" in item:
            extra = set(item) - _LANGUAGE_VALUE_KEYS
            if extra:
                out.append(_err(p, f"a language value object may hold only @value, @language "
                                f"and @direction, found {', '.join(sorted(extra))}",
                                "vcdm.names-and-descriptions", "vcdm.malformed_language_value"))


def check_vcdm(doc: dict[str, Any], *, prefix: str = "", as_issuer_input: bool = False,
               edc: bool = False) -> list[Finding]:
    """Check the VC Data Model rules that apply to the JSON form of a credential.

    :param as_issuer_input: the credential is an input to an issuer (as in the W3C
        test suite, and the EU upload payloads): ``issuer`` and the issuance date may
        be missing, the issuer adds them.
    :param edc: an EDC (VC 1.1 with ELM's own dates and a JAdES seal).
    """
    out: list[Finding] = []
    ctx = doc.get("@context")
    contexts = _as_list(ctx)
    if not contexts:
        out.append(_err(join_path(prefix, "@context"), "@context is missing; the base "
                        f"context ({VC_V2} or {VC_V1}) must come first", "vcdm.context",
                        "vcdm.missing_context"))
        version = 0
    elif contexts[0] in (VC_V1, VC_V2):
        version = 1 if contexts[0] == VC_V1 else 2
    else:
        found = contexts[0] if isinstance(contexts[0], str) else type(contexts[0]).__name__
        where = [VC_V1, VC_V2]
        hint = " (it is listed, but not first)" if any(c in where for c in contexts) else ""
        out.append(_err(join_path(prefix, "@context"), f"the first @context must be {VC_V2} "
                        f"or {VC_V1}, found {found!r}{hint}", "vcdm.context",
                        "vcdm.base_context_not_first", found))
        version = 0
    if ctx is not None and not isinstance(ctx, list):
        out.append(_err(join_path(prefix, "@context"), "@context must be an ordered list "
                        f"(a JSON array) whose first item is {VC_V2} or {VC_V1}",
                        "vcdm.context", "vcdm.context_not_list"))
    for i, c in enumerate(contexts):
        if not isinstance(c, (str, dict)):
            out.append(_err(join_path(join_path(prefix, "@context"), i),
                            f"a @context entry must be a URL or an object, found {c!r}",
                            "vcdm.context", "vcdm.malformed_context", c))
    types = doc.get("type", doc.get("@type"))
    type_list = _as_list(types)
    if not type_list:
        out.append(_err(join_path(prefix, "type"), "type is missing; it must include "
                        "VerifiableCredential", "vcdm.type", "vcdm.missing_type"))
    elif "VerifiableCredential" not in type_list and not any(
            isinstance(t, str) and t.endswith("#VerifiableCredential") for t in type_list):
        out.append(_err(join_path(prefix, "type"), "type must include VerifiableCredential, "
                        f"found {type_list}", "vcdm.type", "vcdm.missing_type"))
    if "id" in doc and not is_absolute_iri(doc.get("id")):
        out.append(_err(join_path(prefix, "id"), "the credential id must be one absolute "
                        f"URL, found {doc.get('id')!r}", "vcdm.id", "vcdm.invalid_id",
                        doc.get("id")))
    # issuer
    issuer = doc.get("issuer")
    if issuer is None:
        if "issuer" in doc or not as_issuer_input:
            out.append(_err(join_path(prefix, "issuer"), "issuer is missing; it must be a URL "
                            "or an object with an id", "vcdm.issuer", "vcdm.missing_issuer"))
    elif isinstance(issuer, str):
        if not is_absolute_iri(issuer):
            out.append(_err(join_path(prefix, "issuer"), f"issuer must be an absolute URL, "
                            f"found {issuer!r}", "vcdm.issuer", "vcdm.invalid_issuer", issuer))
    elif isinstance(issuer, dict):
        if "id" in issuer or not as_issuer_input:
            if not is_absolute_iri(issuer.get("id")):
                out.append(_err(join_path(join_path(prefix, "issuer"), "id"),
                                "issuer.id must be one absolute URL, found "
                                f"{issuer.get('id')!r}", "vcdm.issuer", "vcdm.invalid_issuer",
                                issuer.get("id")))
        for key in ("name", "description"):
            if key in issuer:
                _check_language_values(out, issuer[key], join_path(join_path(prefix, "issuer"),
                                                                   key))
    else:
        out.append(_err(join_path(prefix, "issuer"), "issuer must be a URL or an object",
                        "vcdm.issuer", "vcdm.invalid_issuer"))
    # credentialSubject
    subjects = doc.get("credentialSubject")
    if subjects is None:
        out.append(_err(join_path(prefix, "credentialSubject"), "credentialSubject is missing",
                        "vcdm.credentialSubject", "vcdm.missing_subject"))
    for i, subject in enumerate(_as_list(subjects)):
        path = join_path(join_path(prefix, "credentialSubject"), i) if isinstance(
            subjects, list) else join_path(prefix, "credentialSubject")
        if not isinstance(subject, dict) or not subject:
            out.append(_err(path, "each credentialSubject must be an object that makes a "
                            "claim (it is empty)", "vcdm.credentialSubject",
                            "vcdm.empty_subject"))
        elif "id" in subject and not is_absolute_iri(subject.get("id")):
            out.append(_err(join_path(path, "id"), "credentialSubject.id must be one absolute "
                            f"URL, found {subject.get('id')!r}", "vcdm.credentialSubject",
                            "vcdm.invalid_id", subject.get("id")))
    for key in ("name", "description"):
        if key in doc:
            _check_language_values(out, doc[key], join_path(prefix, key))
    # dates
    date_keys = ["validFrom", "validUntil", "issuanceDate", "expirationDate"]
    if edc:
        date_keys += ["issued"]
    parsed: dict[str, datetime] = {}
    for key in date_keys:
        if key not in doc:
            continue
        when = parse_datetime(doc[key])
        if when is None:
            out.append(_err(join_path(prefix, key), f"{key} must be an XML Schema dateTime "
                            f"such as 2024-05-01T12:00:00Z, found {doc[key]!r}", "vcdm.dates",
                            "vcdm.invalid_date", doc[key]))
        else:
            parsed[key] = when
            if not edc and not _TIMEZONE.search(doc[key]):
                out.append(_err(join_path(prefix, key), f"{key} must be a dateTimeStamp with "
                                f"a time zone (Z or +hh:mm), found {doc[key]!r}",
                                "vcdm.dates", "vcdm.date_without_timezone", doc[key]))
    if version == 1 and "issuanceDate" not in doc and not as_issuer_input and not edc:
        out.append(_err(join_path(prefix, "issuanceDate"), "issuanceDate is missing "
                        "(required by VC Data Model 1.1)", "vcdm.dates",
                        "vcdm.missing_issuance_date"))
    for start, end in (("validFrom", "validUntil"), ("issuanceDate", "expirationDate")):
        a, b = parsed.get(start), parsed.get(end)
        if a is not None and b is not None and _naive(a) > _naive(b):
            out.append(_err(join_path(prefix, end), f"{end} ({doc[end]}) is before {start} "
                            f"({doc[start]})", "vcdm.dates", "vcdm.dates_out_of_order"))
    # typed sub-objects
    _check_typed(out, doc, "credentialStatus", prefix, rule="vcdm.credentialStatus")
    _check_typed(out, doc, "credentialSchema", prefix, need_id=True, rule="vcdm.credentialSchema")
    _check_typed(out, doc, "evidence", prefix, rule="vcdm.evidence")
    _check_typed(out, doc, "termsOfUse", prefix, rule="vcdm.termsOfUse")
    _check_typed(out, doc, "refreshService", prefix, rule="vcdm.refreshService")
    _check_typed(out, doc, "proof", prefix, rule="vcdm.proof")
    if "relatedResource" in doc:
        _check_related_form(out, doc["relatedResource"], join_path(prefix, "relatedResource"))
    return out


def _check_related_form(out: list[Finding], value: Any, path: str) -> None:
    rule = "vcdm.relatedResource"
    entries = value if isinstance(value, list) else [value]
    if not entries:
        out.append(_err(path, "relatedResource must be one or more objects (it is empty)",
                        rule, "vcdm.related_resource"))
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        where = join_path(path, i) if isinstance(value, list) else path
        if not isinstance(entry, dict):
            out.append(_err(where, "each relatedResource entry must be an object with an id "
                            "and a digestSRI or digestMultibase", rule, "vcdm.related_resource"))
            continue
        ident = entry.get("id")
        if not is_absolute_iri(ident):
            out.append(_err(join_path(where, "id"), "relatedResource needs an id that is one "
                            f"absolute URL, found {ident!r}" if ident is not None else
                            "relatedResource lacks its id", rule, "vcdm.invalid_id", ident))
        elif ident in seen:
            out.append(_err(join_path(where, "id"), f"relatedResource id {ident} is listed "
                            "twice; each id must be unique", rule,
                            "vcdm.related_resource_duplicate", ident))
        else:
            seen.add(str(ident))
        digests = [k for k in ("digestSRI", "digestMultibase") if k in entry]
        if not digests:
            out.append(_err(where, "relatedResource needs a digestSRI or a digestMultibase",
                            rule, "vcdm.related_resource_no_digest"))
        for key in digests:
            if not isinstance(entry[key], str) or not entry[key]:
                out.append(_err(join_path(where, key), f"{key} must be a string",
                                rule, "vcdm.related_resource", entry[key]))


def check_related_resources(doc: Any, *, prefix: str = "",
                            resource: Callable[[str], bytes | None] | None = None
                            ) -> list[Finding]:
    """Check each ``relatedResource`` digest against the resource's bytes, where they can
    be had offline (by default: the bundled JSON-LD contexts).

    Returns one finding per digest: severity ``info`` when it matches, ``error`` when it
    does not (``vcdm.related_resource_digest``), ``warning`` when the resource is not
    available offline or the digest's form is not one known
    (``vcdm.related_resource_unchecked``): a digest that cannot be checked is never
    reported as passed. Malformed entries are :func:`check_vcdm`'s findings, not these.

    :param resource: returns a resource's bytes by URL, or None (default: the bundled
        context of that URL, if any).
    """
    if not isinstance(doc, dict) or "relatedResource" not in doc:
        return []
    fetch = resource or _bundled_bytes
    value = doc["relatedResource"]
    out: list[Finding] = []
    rule = "vcdm.relatedResource"
    for i, entry in enumerate(value if isinstance(value, list) else [value]):
        where = join_path(join_path(prefix, "relatedResource"), i) if isinstance(
            value, list) else join_path(prefix, "relatedResource")
        if not isinstance(entry, dict) or not is_absolute_iri(entry.get("id")):
            continue
        ident = entry["id"]
        for key in ("digestSRI", "digestMultibase"):
            claimed = entry.get(key)
            if not isinstance(claimed, str):
                continue
            path = join_path(where, key)
            data = fetch(ident)
            if data is None:
                out.append(Finding(path, f"{ident} is not available offline: its {key} was "
                                   "not checked", severity="warning", rule=rule,
                                   code="vcdm.related_resource_unchecked"))
                continue
            verdict = _digest_matches(key, claimed, data)
            if verdict is None:
                out.append(Finding(path, f"{key} {claimed!r} is not a digest form known here "
                                   "(sha256/384/512): not checked", severity="warning",
                                   rule=rule, code="vcdm.related_resource_unchecked"))
            elif verdict:
                out.append(Finding(path, f"the {key} of {ident} matches", severity="info",
                                   rule=rule))
            else:
                out.append(_err(path, f"the {key} does not match {ident} (the copy available "
                                "offline)", rule, "vcdm.related_resource_digest", claimed))
    return out


def _bundled_bytes(url: str) -> bytes | None:
    from ..jsonld.loader import context_file

    try:
        return context_file(url).read_bytes()
    except (KeyError, OSError):
        return None


_SRI = {"sha256": "sha256", "sha384": "sha384", "sha512": "sha512"}
#: multihash prefixes (code, length) of the SHA-2 digests
_MULTIHASH = {b"\x12\x20": "sha256", b"\x20\x30": "sha384", b"\x13\x40": "sha512"}
_RAW = {32: "sha256", 48: "sha384", 64: "sha512"}


def _digest_matches(key: str, claimed: str, data: bytes) -> bool | None:
    """True/False when *claimed* is a digest form known here, None otherwise."""
    if key == "digestSRI":
        # one or more "alg-base64" separated by spaces; a match of any strong one counts
        verdicts = []
        for token in claimed.split():
            alg, _, b64 = token.partition("-")
            if alg not in _SRI or not b64:
                continue
            try:
                text = b64.split("?")[0]
                expected = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
            except (ValueError, binascii.Error):
                verdicts.append(False)
                continue
            verdicts.append(hmac.compare_digest(expected, hashlib.new(alg, data).digest()))
        return None if not verdicts else any(verdicts)
    if len(claimed) < 2 or claimed[0] not in "uzm":
        return None
    try:
        if claimed[0] == "u":
            raw = base64.urlsafe_b64decode(claimed[1:] + "=" * (-len(claimed[1:]) % 4))
        elif claimed[0] == "m":
            raw = base64.b64decode(claimed[1:] + "=" * (-len(claimed[1:]) % 4))
        else:
            from ..keys._base58 import b58decode  # keys load cryptography: on use only

            raw = b58decode(claimed[1:])
    except (ValueError, binascii.Error, KeyMaterialError):
        return False
    prefixed = _MULTIHASH.get(raw[:2]) if len(raw) - 2 in _RAW else None
    if prefixed is not None and len(raw) - 2 == hashlib.new(prefixed).digest_size:
        return hmac.compare_digest(raw[2:], hashlib.new(prefixed, data).digest())
    bare = _RAW.get(len(raw))  # a bare digest, as the W3C test suite writes it
    if bare is None:
        return None
    return hmac.compare_digest(raw, hashlib.new(bare, data).digest())


def _naive(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value
    return value.replace(tzinfo=None) - (value.utcoffset() or (value - value))
