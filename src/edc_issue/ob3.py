"""From a European Digital Credential to an Open Badge 3.0: one award, two formats.

:func:`edc_to_ob3` reads an EDC (ELM 3) credential, picks one learning
achievement, and builds an unsigned OpenBadgeCredential for the same award:

=============================================  =============================================
EDC (ELM 3)                                    Open Badges 3.0
=============================================  =============================================
achievement ``title`` / ``description``        ``achievement.name`` / ``description``
specification ``learningOutcome[].title``      ``achievement.criteria.narrative`` (Markdown)
outcome ``relatedESCOSkill`` / ``relatedSkill``  ``achievement.alignment[]`` (ESCO, DigComp ...)
spec ``educationLevel`` / ``eqfLevel`` / NQF  ``achievement.alignment[]`` (EQF, NQF, a scheme)
``thematicArea`` / ``educationSubject``        ``alignment[]`` (ISCED-F 2013), ``fieldOfStudy``
specification ``creditPoint.point``            ``achievement.creditsAvailable``
achievement ``creditReceived.point``           ``credentialSubject.creditsEarned``
specification ``language``                     ``achievement.inLanguage``
``awardedBy.awardingBody``                     ``achievement.creator`` (and default issuer)
``awardedBy.awardingDate``                     ``awardedDate``
``provenBy[].grade``                           ``result[]`` and ``resultDescription[]``
``influencedBy[].temporal``                    ``activityStartDate`` / ``activityEndDate``
the subject's ``id``                           ``credentialSubject.id`` (or ``recipient``)
the subject's ``fullName`` / given + family    ``credentialSubject.identifier[]`` ``name``
the subject's ``contactPoint.emailAddress``    ``credentialSubject.identifier[]`` ``emailAddress``
the EDC's ``id``                               ``evidence[]`` pointing back to the EDC
=============================================  =============================================

The recipient's name and email are ``IdentityObject`` s, in plain text by default; with
``hash_identities=True`` each is an OB 3.0 ``IdentityHash``: ``sha256$`` and the hex
SHA-256 of the UTF-8 identity followed by its ``salt`` (:func:`identity_hash`).

The badge's ``issuer`` must be whoever signs it: pass ``issuer`` (a DID and a name)
unless the EDC's issuer (or awarding body) is that signer.

(Over 400 lines on purpose: one mapping, kept together in the order of the table above,
with the small JSON-LD readers it needs at the end.)
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any

from . import vocab
from ._types import Clock, JsonObject
from .errors import ConversionError  # defined with the other errors; imported from here too
from .models.ob3 import (
    Achievement,
    Alignment,
    Criteria,
    Evidence,
    IdentityObject,
    Profile,
    Result,
    ResultDescription,
    new_achievement_credential,
)

__all__ = ["EQF_FRAMEWORK", "ESCO_FRAMEWORK", "ISCED_F_FRAMEWORK", "edc_to_ob3", "identity_hash"]

#: ``targetFramework`` of alignments to EQF levels.
EQF_FRAMEWORK = "European Qualifications Framework (EQF)"
#: ``targetFramework`` of alignments to ISCED-F 2013 fields of education and training.
ISCED_F_FRAMEWORK = "ISCED Fields of Education and Training 2013 (ISCED-F)"
#: ``targetFramework`` of alignments to ESCO skills.
ESCO_FRAMEWORK = "ESCO (European Skills, Competences, Qualifications and Occupations)"
_NQF_FRAMEWORK = "National Qualifications Framework (NQF)"

_EQF_PREFIX = "http://data.europa.eu/snb/eqf/"
_ISCED_PREFIX = "http://data.europa.eu/snb/isced-f/"
_NQF_PREFIX = "http://data.europa.eu/snb/qdr/"
_ESCO_PREFIX = "http://data.europa.eu/esco/"
_LANGUAGE_PREFIX = "http://publications.europa.eu/resource/authority/language/"

#: EU authority language codes (ISO 639-3 based) to BCP 47 tags, for ``inLanguage``.
_LANGUAGES = {
    "BUL": "bg", "CES": "cs", "DAN": "da", "DEU": "de", "ELL": "el", "ENG": "en", "EST": "et",
    "FIN": "fi", "FRA": "fr", "GLE": "ga", "HRV": "hr", "HUN": "hu", "ISL": "is", "ITA": "it",
    "LAV": "lv", "LIT": "lt", "MLT": "mt", "NLD": "nl", "NOR": "no", "POL": "pl", "POR": "pt",
    "RON": "ro", "SLK": "sk", "SLV": "sl", "SPA": "es", "SWE": "sv", "TUR": "tr", "UKR": "uk",
}


def edc_to_ob3(
    edc_credential: JsonObject,
    *,
    achievement_id: str | None = None,
    issuer: Profile | JsonObject | str | None = None,
    recipient: str | None = None,
    hash_identities: bool = False,
    salt: str | None = None,
    language: str = "en",
    badge_id: str | None = None,
    credential_id: str | None = None,
    valid_from: datetime | None = None,
    with_schema: bool = False,
    link_edc: bool = True,
    achievement_type: str | None = None,
    clock: Clock | Callable[[], datetime] | None = None,
) -> JsonObject:
    """Derive an unsigned OpenBadgeCredential from an EDC learning achievement.

    :param edc_credential: an EDC credential (compact JSON-LD), or the EU issuer's
        upload payload ``{"credential": ...}``.
    :param achievement_id: the ``id`` of the claim to convert (a ``LearningAchievement``,
        or any claim with a title); by default the first ``LearningAchievement`` of
        ``credentialSubject.hasClaim``, else the first claim.
    :param issuer: the badge issuer (the signer): a :class:`Profile`, its JSON, or an
        IRI. Default: the EDC's issuer, else the achievement's awarding body.
    :param recipient: the ``credentialSubject.id`` of the badge (an IRI: a DID, a
        ``mailto:``...); default the EDC subject's ``id``. Whatever it is, the subject's
        name (``fullName``, else ``givenName`` and ``familyName``) and email address
        (``contactPoint.emailAddress``), where the EDC has them, are added as
        ``credentialSubject.identifier`` ``IdentityObject`` s (``name``, ``emailAddress``).
    :param hash_identities: write each ``IdentityObject`` hashed, as OB 3.0 defines:
        ``identityHash`` ``sha256$<hex>`` over the identity and its ``salt``, ``hashed``
        true; the name and email then appear nowhere in the badge.
    :param salt: the salt of every hashed identity; default a new random one for each.
    :param language: preferred language of texts taken from language maps.
    :param badge_id: ``achievement.id``; default the specification's (or claim's) ``id``.
    :param credential_id: the badge's ``id``; default a new ``urn:uuid:``.
    :param with_schema: add the official ``credentialSchema``.
    :param link_edc: add an ``evidence`` entry naming the EDC (its ``id``).
    :param achievement_type: ``achievementType`` (``MicroCredential``, ``Course`` ...);
        default a guess from the EDC's labels, or none.
    :param clock: returns the current time, for ``validFrom``.
    :returns: the badge as compact JSON-LD, ready for :func:`edc_issue.sign`.
    :raises ConversionError: ``ob3.not_convertible`` if no claim can be converted.
    :raises ModelError: a value does not fit the OB 3.0 data model.
    """
    if not isinstance(edc_credential, Mapping):
        raise ConversionError("expected an EDC credential as a JSON object")
    credential: Mapping[str, Any] = edc_credential
    if "credentialSubject" not in credential and isinstance(credential.get("credential"), Mapping):
        credential = credential["credential"]  # the EU issuer's upload payload
    subject = credential.get("credentialSubject")
    if not isinstance(subject, Mapping):
        raise ConversionError("the EDC has no credentialSubject", pointer="credentialSubject")
    claim = _pick_claim(subject, achievement_id)
    lang = language
    awarding = _node(claim.get("awardedBy"))
    awarding_body = _node(_first(awarding.get("awardingBody")))
    achievement = _achievement(credential, claim, awarding_body, lang, badge_id=badge_id,
                               achievement_type=achievement_type)
    results, descriptions = _results(claim, lang)
    if descriptions:
        achievement.result_description = descriptions
    if issuer is None:
        issuer = _issuer(credential, awarding_body, lang)

    identities = _identities(subject, lang, hashed=hash_identities, salt=salt)
    badge = new_achievement_credential(
        issuer=issuer,
        achievement=achievement,
        recipient=recipient or _iri(subject.get("id")),
        identifier=identities or None,
        name=achievement.name,
        result=results or None,
        evidence=[_edc_evidence(credential, lang)] if link_edc and credential.get("id") else None,
        credits_earned=_credits(claim.get("creditReceived")),
        credential_id=credential_id,
        valid_from=valid_from,
        with_schema=with_schema,
        clock=clock,
    )
    badge.awarded_date = _date_time(_text(awarding.get("awardingDate"), lang))
    start, end = _activity_period(claim)
    assert badge.credential_subject is not None
    badge.credential_subject.activity_start_date = _date_time(start)
    badge.credential_subject.activity_end_date = _date_time(end)
    return badge.to_jsonld()


def _achievement(credential: Mapping[str, Any], claim: Mapping[str, Any],
                 awarding_body: Mapping[str, Any], lang: str, *, badge_id: str | None,
                 achievement_type: str | None) -> Achievement:
    """The badge's ``achievement``: name, criteria, alignments, credits, language, creator."""
    spec = _node(claim.get("specifiedBy"))
    name = _text(claim.get("title"), lang) or _text(spec.get("title"), lang)
    if not name:
        raise ConversionError(
            "the learning achievement has no title; an Open Badge needs a name",
            pointer="credentialSubject.hasClaim.title",
        )
    description = (
        _text(claim.get("description"), lang) or _text(spec.get("description"), lang) or name
    )
    outcomes = [_node(o) for o in _many(spec.get("learningOutcome")) if _node(o)]
    subjects_areas = [*_many(spec.get("thematicArea")), *_many(spec.get("educationSubject")),
                      *_many(spec.get("ISCEDFCode"))]
    return Achievement(
        id=badge_id or spec.get("id") or claim.get("id") or _missing("an id for the achievement"),
        type=["Achievement"],
        name=name,
        description=description,
        criteria=Criteria(narrative=_criteria(outcomes, spec, lang)),
        alignment=_alignments(spec, outcomes, subjects_areas, lang) or None,
        achievement_type=achievement_type or _achievement_type(credential, spec),
        credits_available=_credits(spec.get("creditPoint")),
        field_of_study=_concept_label(_first(subjects_areas), lang),
        in_language=_language_tag(spec.get("language")),
        creator=_profile(awarding_body, lang) if awarding_body.get("id") else None,
        result_description=None,
    )


def _issuer(credential: Mapping[str, Any], awarding_body: Mapping[str, Any], lang: str
            ) -> Profile:
    """The default badge issuer: the EDC's issuer, else the awarding body."""
    edc_issuer = _node(credential.get("issuer")) or awarding_body
    if not edc_issuer.get("id"):
        raise ConversionError(
            "the EDC names no issuer or awarding body; pass issuer=...", pointer="issuer"
        )
    return _profile(edc_issuer, lang)


def identity_hash(identity: str, salt: str = "") -> str:
    """The OB 3.0 ``IdentityHash`` of *identity*: ``sha256$`` and the lowercase hex SHA-256
    of the UTF-8 *identity* followed by *salt* (``identity_hash("a@example.com", "Kosher")``
    is the specification's example)."""
    digest = hashlib.sha256((identity + salt).encode("utf-8")).hexdigest()
    return f"sha256${digest}"


def _identities(subject: Mapping[str, Any], lang: str, *, hashed: bool, salt: str | None
                ) -> list[IdentityObject]:
    """The recipient as ``IdentityObject`` s: the person's name, then the email address."""
    found: list[tuple[str, str]] = []
    name = _person_name(subject, lang)
    if name:
        found.append(("name", name))
    email = _email(subject)
    if email:
        found.append(("emailAddress", email))
    objects: list[IdentityObject] = []
    for kind, value in found:
        if hashed:
            own_salt = salt if salt is not None else secrets.token_hex(16)
            objects.append(IdentityObject(hashed=True, identity_hash=identity_hash(value, own_salt),
                                          identity_type=kind, salt=own_salt))
        else:
            objects.append(IdentityObject(hashed=False, identity_hash=value, identity_type=kind))
    return objects


def _person_name(subject: Mapping[str, Any], lang: str) -> str:
    full = _text(subject.get("fullName"), lang).strip()
    if full:
        return full
    parts = [_text(subject.get(k), lang).strip() for k in ("givenName", "familyName")]
    return " ".join(p for p in parts if p)


# --------------------------------------------------------------------------- picking


def _pick_claim(subject: Mapping[str, Any], wanted: str | None) -> Mapping[str, Any]:
    claims = [_node(c) for c in _many(subject.get("hasClaim")) if _node(c)]
    if not claims:
        raise ConversionError("the EDC subject has no claim (hasClaim)",
                              pointer="credentialSubject.hasClaim")
    if wanted is not None:
        for claim in _walk_claims(claims):
            if claim.get("id") == wanted:
                return claim
        raise ConversionError(f"no claim with id {wanted!r} in credentialSubject.hasClaim",
                              pointer="credentialSubject.hasClaim")
    for claim in claims:
        if "LearningAchievement" in _many(claim.get("type")):
            return claim
    return claims[0]


def _walk_claims(claims: list[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    for claim in claims:
        yield claim
        yield from _walk_claims([_node(p) for p in _many(claim.get("hasPart")) if _node(p)])


# --------------------------------------------------------------------------- mapping


def _criteria(outcomes: list[Mapping[str, Any]], spec: Mapping[str, Any], lang: str) -> str:
    lines: list[str] = []
    titles = [t for t in (_text(o.get("title"), lang) for o in outcomes) if t]
    if titles:
        lines.append("Learning outcomes:")
        lines.extend(f"- {t}" for t in titles)
    requirement = _text(_node(spec.get("entryRequirement")).get("noteLiteral"), lang)
    if requirement:
        lines.extend(["", f"Entry requirements: {requirement}"] if lines else
                     [f"Entry requirements: {requirement}"])
    if not lines:
        title = _text(spec.get("title"), lang)
        lines.append(f"Awarded for completing {title}." if title else
                     "Awarded as recorded in the European Digital Credential.")
    return "\n".join(lines)


def _alignments(spec: Mapping[str, Any], outcomes: list[Mapping[str, Any]],
                areas: list[Any], lang: str) -> list[Alignment]:
    found: list[Alignment] = []
    seen: set[str] = set()

    def add(concept: Any, framework: str, *, code: str | None = None) -> None:
        node = _node(concept) if isinstance(concept, Mapping) else {"id": concept}
        iri = _iri(node.get("id"))
        if not iri or iri in seen:
            return
        seen.add(iri)
        label = _concept_label(node, lang) or iri
        found.append(Alignment(
            type=["Alignment"],
            target_name=label,
            target_url=iri,
            target_framework=framework,
            target_code=code or iri.rstrip("/").rsplit("/", 1)[-1],
            target_description=_text(node.get("definition"), lang) or None,
        ))

    # ELM 3.2 writes the EQF level as an educationLevel (as the builders do); 3.1 as eqfLevel
    for level in [*_many(spec.get("eqfLevel")), *_many(spec.get("educationLevel"))]:
        add(level, _level_framework(level, lang))
    for level in _many(spec.get("nqfLevel")):
        add(level, _NQF_FRAMEWORK)
    for area in areas:
        add(area, ISCED_F_FRAMEWORK)
    for outcome in outcomes:
        for skill in _many(outcome.get("relatedESCOSkill")):
            add(skill, ESCO_FRAMEWORK)
        for skill in _many(outcome.get("relatedSkill")):
            node = _node(skill)
            scheme = _node(_first(node.get("inScheme")))
            framework = (_text(scheme.get("prefLabel"), lang) or _iri(scheme.get("id"))
                         or "Skills framework")
            add(skill, framework)
    return found


def _level_framework(level: Any, lang: str) -> str:
    """The framework of an education level: EQF or NQF by its IRI, else its scheme."""
    node = _node(level) if isinstance(level, Mapping) else {"id": level}
    iri = _iri(node.get("id")) or ""
    if iri.startswith(_EQF_PREFIX):
        return EQF_FRAMEWORK
    if iri.startswith(_NQF_PREFIX):
        return _NQF_FRAMEWORK
    scheme = _node(_first(node.get("inScheme")))
    return (_text(scheme.get("prefLabel"), lang) or _iri(scheme.get("id"))
            or "Education level")


def _achievement_type(credential: Mapping[str, Any], spec: Mapping[str, Any]) -> str | None:
    """A conservative guess from the EDC's labels; ``None`` rather than a wrong type."""
    labels = " ".join(
        [_text(_node(p).get("prefLabel"), "en").lower()
         for p in [*_many(credential.get("credentialProfiles")), *_many(spec.get("dcType"))]]
        + [_text(_node(d).get("title"), "en").lower()
           for d in _many(credential.get("displayParameter"))]
    )
    if "micro" in labels:
        return "MicroCredential"
    if "degree" in labels:
        return "Degree"
    if "LearningActivitySpecification" in _many(spec.get("type")):
        return "CertificateOfCompletion"
    return None


def _results(claim: Mapping[str, Any], lang: str) -> tuple[list[Result], list[ResultDescription]]:
    results: list[Result] = []
    descriptions: list[ResultDescription] = []
    for assessment in (_node(a) for a in _many(claim.get("provenBy"))):
        grade = _text(_node(assessment.get("grade")).get("noteLiteral"), lang)
        if not grade:
            continue
        spec = _node(assessment.get("specifiedBy"))
        description_id = _iri(spec.get("id")) or _iri(assessment.get("id"))
        title = _text(assessment.get("title"), lang) or _text(spec.get("title"), lang) or "Grade"
        if description_id:
            descriptions.append(ResultDescription(
                id=description_id, type=["ResultDescription"], name=title, result_type="Result",
            ))
        results.append(Result(type=["Result"], result_description=description_id, value=grade))
    return results, descriptions


def _activity_period(claim: Mapping[str, Any]) -> tuple[str | None, str | None]:
    for activity in (_node(a) for a in _many(claim.get("influencedBy"))):
        period = _node(_first(activity.get("temporal")))
        if period:
            return _text(period.get("startDate"), "en"), _text(period.get("endDate"), "en")
    period = _node(_first(claim.get("temporal")))
    return _text(period.get("startDate"), "en"), _text(period.get("endDate"), "en")


def _edc_evidence(credential: Mapping[str, Any], lang: str) -> Evidence:
    title = _text(_node(_first(credential.get("displayParameter"))).get("title"), lang)
    return Evidence(
        id=str(credential.get("id")),
        type=["Evidence"],
        name=title or "European Digital Credential",
        description="The same award as a European Digital Credential (ELM 3).",
        genre="European Digital Credential",
    )


def _profile(organisation: Mapping[str, Any], lang: str) -> Profile:
    name = (_text(organisation.get("legalName"), lang) or _text(organisation.get("prefLabel"), lang)
            or _text(organisation.get("fullName"), lang) or None)
    homepage = _iri(_node(_first(organisation.get("homepage"))).get("contentURL"))
    email = _email(organisation)
    return Profile(id=str(organisation["id"]), type=["Profile"], name=name, url=homepage,
                   email=email)


def _email(node: Mapping[str, Any]) -> str | None:
    for contact in (_node(c) for c in _many(node.get("contactPoint"))):
        for mailbox in _many(contact.get("emailAddress")):
            iri = _iri(_node(mailbox).get("id") if isinstance(mailbox, Mapping) else mailbox)
            if iri and iri.startswith("mailto:"):
                return iri[len("mailto:"):]
    return None


def _credits(value: Any) -> float | None:
    for credit in (_node(c) for c in _many(value)):
        point = credit.get("point")
        try:
            return float(point) if point is not None else None
        except (TypeError, ValueError):
            continue
    return None


def _language_tag(value: Any) -> str | None:
    iri = _iri(_node(_first(value)).get("id")) if value is not None else None
    if iri and iri.startswith(_LANGUAGE_PREFIX):
        return _LANGUAGES.get(iri[len(_LANGUAGE_PREFIX):])
    return None


def _concept_label(concept: Any, lang: str) -> str | None:
    if concept is None:
        return None
    node = _node(concept) if isinstance(concept, Mapping) else {"id": concept}
    label = _text(node.get("prefLabel"), lang)
    if label:
        return label
    iri = _iri(node.get("id"))
    if iri is None:
        return None
    return vocab.label(iri, lang) or vocab.label(iri)


def _date_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None  # not an xsd:dateTime: left out rather than guessed


def _missing(what: str) -> str:
    raise ConversionError(f"the EDC gives no {what}; pass badge_id=...")


# --------------------------------------------------------------------------- JSON-LD helpers


def _many(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _first(value: Any) -> Any:
    items = _many(value)
    return items[0] if items else None


def _node(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _iri(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _text(value: Any, lang: str) -> str:
    """The text of a language map (or plain string) in *lang*, else English, else any."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return next((t for t in (_text(v, lang) for v in value) if t), "")
    if isinstance(value, Mapping):
        if "@value" in value:
            return str(value["@value"])
        for key in (lang, "en", *value.keys()):
            if key in value:
                text = _text(value[key], lang)
                if text:
                    return text
    return ""
