"""What a page shows: the one place that decides it, for every template and format.

:func:`build_view` reads the credential through the models (``EuropeanDigitalCredential``,
``AchievementCredential``) and the bundled vocabularies, takes the verification result the
caller passes in, and returns a :class:`View`: plain data that the PDF (typst) and HTML
(Jinja) templates lay out, with every text already in the language asked for. Templates
decide nothing about content; a theme's own template gets the same view.

Verification is never inferred here: without a ``VerificationResult`` the page says
"not verified"; with a failing one it says "NOT verified" and names the checks that failed.
Fail closed: a result that verified with a warning which leaves a seal, a signing key or a
status undecided (:data:`UNCONFIRMED`: no trust anchor for the seal, a status list not
checked...) also reads "NOT verified", with the reason in plain words; the other warnings
(:func:`is_note`: a SHACL profile not run, a second proof of an unknown suite skipped) are
notes, and the page reads "Verified, with notes". Who sealed or signed, and when, is shown
only for a result that verified.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Literal

from ._i18n import Strings, Text, format_date
from ._source import Source

if TYPE_CHECKING:
    from ..results import Check, VerificationResult
    from .themes import Theme

__all__ = ["UNCONFIRMED", "Fact", "Image", "Item", "VerificationView", "View", "build_view",
           "is_note", "verdict"]

Template = Literal["edc-microcredential", "edc-diploma", "badge"]
State = Literal["verified", "failed", "unchecked"]


@dataclass
class Fact:
    """One labelled value (``ECTS credits: 3``)."""

    key: str
    label: str
    value: Text


@dataclass
class Image:
    """An image the page embeds (never fetched: ``data:`` URLs and theme files only)."""

    name: str
    media_type: str
    data: bytes
    alt: str

    @property
    def data_url(self) -> str:
        """The image as a ``data:`` URL, for the HTML page."""
        return f"data:{self.media_type};base64,{base64.b64encode(self.data).decode('ascii')}"


@dataclass
class Item:
    """A part of a qualification (a course, a module) or a badge alignment."""

    title: Text
    facts: list[Fact] = field(default_factory=list)
    url: str | None = None


@dataclass
class CheckRow:
    """One family of verification checks (format, seal, signature, validity, status)."""

    key: str
    label: str
    state: Literal["ok", "failed", "warning", "note"]
    state_label: str
    message: Text | None = None


@dataclass
class VerificationView:
    """The verification box: the verdict, who sealed or signed it, and each check."""

    state: State
    headline: str
    lines: list[str] = field(default_factory=list)
    checks: list[CheckRow] = field(default_factory=list)
    note: str | None = None


@dataclass
class View:
    """Everything a template needs, in the page's language (see the module's docstring)."""

    template: Template
    lang: str
    strings: dict[str, str]
    heading: str
    title: Text
    subtitle: Text | None
    description: Text | None
    learner: Text | None
    awarding_body: Text | None
    awarding_country: Text | None
    award_date: str | None
    facts: list[Fact]
    outcomes: list[Text]
    parts: list[Item]
    criteria: Text | None
    alignments: list[Item]
    issued: str | None
    valid_from: str | None
    valid_until: str | None
    credential_id: str | None
    verification: VerificationView
    verify_url: str | None
    attachment_name: str
    attachment_type: str
    colors: dict[str, str]
    layout: dict[str, Any]
    footer: Text | None
    images: dict[str, Image] = field(default_factory=dict)
    #: False on an EDC's display image: it is part of what is sealed, so it cannot show
    #: the seal's verification (the viewer showing it verifies the credential itself).
    show_verification: bool = True

    def to_data(self) -> dict[str, Any]:
        """The view as JSON-ready data (images by name, without their bytes)."""
        data: dict[str, Any] = _plain(self)
        data["images"] = {name: {"name": image.name, "media_type": image.media_type,
                                 "alt": image.alt} for name, image in self.images.items()}
        return data

    def to_json(self) -> str:
        """:meth:`to_data` as JSON text (what the typst templates read)."""
        return json.dumps(self.to_data(), ensure_ascii=False, separators=(",", ":"))


def _plain(value: Any) -> Any:
    """*value* with its dataclasses as dicts, as ``dataclasses.asdict`` makes it, without
    asdict's copy of every string (half the cost of a page's JSON)."""
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    names = _FIELDS.get(type(value))
    if names is None:
        if not is_dataclass(value) or isinstance(value, type):
            return value
        names = _FIELDS[type(value)] = tuple(f.name for f in fields(value))
    return {name: _plain(getattr(value, name)) for name in names}


_FIELDS: dict[type, tuple[str, ...]] = {}


# --------------------------------------------------------------------------- verification

_FAMILIES: tuple[str, ...] = ("format", "seal", "signature", "key", "validity", "status", "other")


def _family(name: str) -> str:
    lowered = name.lower()
    if lowered.startswith(("format", "vcdm")):  # the VC Data Model is the format's too
        return "format"
    if lowered.startswith("seal"):
        return "seal"
    if "key_binding" in lowered or "controller" in lowered:
        return "key"
    if lowered.startswith(("proof", "jwt")) or "signature" in lowered:
        return "signature"
    if "status" in lowered or "revocation" in lowered:
        return "status"
    if lowered.startswith(("validity", "expiry")) or "expir" in lowered or "valid" in lowered:
        return "validity"
    return "other"


#: The warnings that leave a check undecided, by code, and the words (``reason.*``) that say
#: why on the page: a page with one of them reads "NOT verified". A warning that is neither
#: here nor a note (:func:`is_note`) is undecided too, with ``reason.other``.
UNCONFIRMED: dict[str, str] = {
    "seal.no_trust_anchor": "reason.seal_untrusted",
    "seal.test_anchor": "reason.seal_test_anchor",
    "seal.revocation_unknown": "reason.seal_revocation",
    "status.list_not_given": "reason.status",
    "status.fetch_failed": "reason.status",
    "status.unsupported_type": "reason.status",
    "status.malformed_entry": "reason.status",
    "proof.key_binding_unconfirmed": "reason.key_binding",
}

#: Warnings that are notes: the proof that decided the verdict was checked without them.
_NOTE_CODES = frozenset({"proof.unknown_suite"})


def is_note(check: Check) -> bool:
    """True for a warning that does not touch what makes a credential trustworthy: the
    format family (a SHACL profile or a JSON Schema that was not run) and a proof of an
    unknown suite skipped beside the one that verified."""
    return check.code not in UNCONFIRMED and (
        _family(check.check) == "format" or check.code in _NOTE_CODES)


def verdict(result: VerificationResult | None) -> State:
    """What the page's verification box says of *result*: ``unchecked`` (nothing was
    checked: "not verified"), ``failed`` (a check failed, or a warning left a seal, key or
    status undecided: "NOT verified") or ``verified`` (possibly "with notes")."""
    if result is None or not result.checks:
        return "unchecked"
    if not result.ok or not all(is_note(c) for c in result.warnings):
        return "failed"
    return "verified"


def _b64url_json(text: str) -> Mapping[str, Any] | None:
    try:
        value = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, Mapping) else None


def _seal_facts(envelope: Mapping[str, Any]) -> tuple[str | None, datetime | None]:
    """The sealing organisation (from the x5c certificate) and sigT of the first signature."""
    signatures = envelope.get("signatures")
    first = signatures[0] if isinstance(signatures, list) and signatures else envelope
    protected = first.get("protected") if isinstance(first, Mapping) else None
    header = _b64url_json(protected) if isinstance(protected, str) else None
    if header is None:
        return None, None
    moment = None
    sig_t = header.get("sigT")
    if isinstance(sig_t, str):
        try:
            moment = datetime.fromisoformat(sig_t.replace("Z", "+00:00"))
        except ValueError:
            moment = None
    who = None
    chain = header.get("x5c")
    if isinstance(chain, list) and chain and isinstance(chain[0], str):
        who = _certificate_subject(chain[0])
    return who, moment


def _certificate_subject(der_b64: str) -> str | None:
    """``O (organizationIdentifier, C)`` of a certificate, read for display only."""
    from asn1crypto import x509 as asn1_x509

    try:
        subject = asn1_x509.Certificate.load(base64.b64decode(der_b64)).subject.native
    except (ValueError, TypeError, binascii.Error):
        return None
    name = subject.get("organization_name") or subject.get("common_name")
    if not name:
        return None
    extra = [str(v) for v in (subject.get("organization_identifier"),
                              subject.get("country_name")) if v]
    return f"{name} ({', '.join(extra)})" if extra else str(name)


def _signer(source: Source) -> str | None:
    if source.jwt_header is not None:
        kid = source.jwt_header.get("kid")
        issuer = source.credential.get("issuer")
        issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
        value = kid if isinstance(kid, str) else issuer_id
        return value.split("#", 1)[0] if isinstance(value, str) else None
    proofs = source.credential.get("proof")
    for proof in proofs if isinstance(proofs, list) else [proofs]:
        if isinstance(proof, Mapping) and isinstance(proof.get("verificationMethod"), str):
            return str(proof["verificationMethod"]).split("#", 1)[0]
    return None


def verification_view(
    result: VerificationResult | None, source: Source, strings: Strings, lang: str,
    now: datetime,
) -> VerificationView:
    """The verification box for *result* (None: nothing was checked)."""
    state_of_page = verdict(result)
    if result is None or state_of_page == "unchecked":
        return VerificationView(state="unchecked", headline=strings["not_checked"])
    rows: list[CheckRow] = []
    for family in _FAMILIES:
        # a VC Data Model check shows only when it did not pass (then in the format row)
        checks = [c for c in result.checks if _family(c.check) == family
                  and not (c.ok and c.check.lower().startswith("vcdm"))]
        if not checks:
            continue
        failed = [c for c in checks if not c.ok and c.severity == "error"]
        warned = [c for c in checks if not c.ok and c.severity == "warning"]
        undecided = [c for c in warned if not is_note(c)]
        state: Literal["ok", "failed", "warning", "note"] = (
            "failed" if failed else "warning" if undecided else "note" if warned else "ok")
        shown = failed or undecided or warned
        first = shown[0] if shown else None
        rows.append(CheckRow(
            key=family, label=strings[f"check.{family}"], state=state,
            state_label=strings[f"state.{state}"],
            message=Text(first.message, "en") if first is not None else None,
        ))
    checked = strings.format("checked_on", date=format_date(now, lang))
    if not result.ok:
        return VerificationView(state="failed", headline=strings["not_verified"],
                                lines=[checked], checks=rows, note=strings["failed_note"])
    reasons: list[str] = []
    for check in result.warnings:
        if not is_note(check):
            reason = strings[UNCONFIRMED.get(check.code or "", "reason.other")]
            if reason not in reasons:
                reasons.append(reason)
    if reasons or state_of_page != "verified":  # fail closed: not checked is not verified
        return VerificationView(state="failed", headline=strings["not_verified"],
                                lines=[*reasons, checked], checks=rows,
                                note=strings["unconfirmed_note"])
    lines: list[str] = []
    if source.envelope is not None:
        who, when = _seal_facts(source.envelope)
        if who:
            lines.append(strings.format("sealed_by", name=who))
        if when:
            lines.append(strings.format("sealed_on", date=format_date(when, lang)))
    else:
        signer = _signer(source)
        if signer:
            lines.append(strings.format("signed_by", id=signer))
    lines.append(checked)
    headline = strings["verified_notes" if result.warnings else "verified"]
    return VerificationView(state="verified", headline=headline, lines=lines, checks=rows)


# --------------------------------------------------------------------------- the view


def build_view(
    source: Source,
    *,
    lang: str | None,
    verification: VerificationResult | None,
    verify_url: str | None,
    theme: Theme,
    now: datetime | None = None,
) -> View:
    """Decide what the page shows for *source* (see the module's docstring).

    :param lang: the page's language (BCP 47); None: the credential's primary language.
    :raises ModelError: the credential does not fit its model; ``problems`` name each path.
    """
    moment = now if now is not None else datetime.now(timezone.utc)
    if source.kind == "edc":
        from ._edc import edc_view

        return edc_view(source, lang=lang, verification=verification, verify_url=verify_url,
                        theme=theme, now=moment)
    from ._ob3 import ob3_view

    return ob3_view(source, lang=lang, verification=verification, verify_url=verify_url,
                    theme=theme, now=moment)


def cover_view(title: Mapping[str, Any], description: Mapping[str, Any] | None, *, lang: str,
               primary: str | None, theme: Theme) -> View:
    """A page with only a credential's title and description (an EDC display image made
    before the rest of the credential exists)."""
    from ._i18n import pick, strings_for

    strings = strings_for(lang, theme.strings)
    images: dict[str, Image] = {}
    if theme.logo is not None:
        images["logo"] = Image("logo", theme.logo[1], theme.logo[0],
                               strings.format("logo_alt", name=theme.name or ""))
    return View(
        template="edc-microcredential", lang=lang, strings=strings.as_dict(),
        heading=strings["heading.edc"],
        title=pick(title, lang, primary=primary) or Text(strings["heading.edc"], strings.lang),
        subtitle=None,
        description=pick(description, lang, primary=primary), learner=None,
        awarding_body=Text(theme.name, None) if theme.name else None, awarding_country=None,
        award_date=None, facts=[], outcomes=[], parts=[], criteria=None, alignments=[],
        issued=None, valid_from=None, valid_until=None, credential_id=None,
        verification=VerificationView(state="unchecked", headline=strings["not_checked"]),
        verify_url=None, attachment_name="", attachment_type="", colors=dict(theme.colors),
        layout=theme.layout(), footer=pick(theme.footer, lang) if theme.footer else None,
        images=images, show_verification=False,
    )
