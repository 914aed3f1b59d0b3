"""From an EDC (or an Open Badge) to the EUDI Learning Credential's claims.

The EUDI reference issuer (eu-digital-identity-wallet/eudi-srv-pid-issuer,
``adapter/out/learningcredential``) defines the Learning Credential as an SD-JWT VC of
type :data:`LEARNING_VCT`. Its claims, and where an EDC (ELM 3) holds each one:

=================================  ============================================================
Learning Credential                EDC (ELM 3)
=================================  ============================================================
``issuing_authority``              ``issuer.legalName``, else the awarding body's ``legalName``
``issuing_country`` (ISO alpha-2)  that organisation's ``location[].address[].countryCode``
``date_of_issuance`` (YYYY-MM-DD)  ``issued`` / ``issuanceDate`` / ``validFrom``, else awarding date
``date_of_expiry``                 ``expirationDate`` / ``validUntil``
``family_name`` / ``given_name``   ``credentialSubject.familyName`` / ``givenName``
``achievement_title``              the claim's ``title`` (else its specification's)
``achievement_description``        the claim's (or specification's) ``description``
``learning_outcomes`` (array)      specification ``learningOutcome[].title``
``assessment_grade``               ``provenBy[0].grade`` (a Note's text)
``language_of_classes`` (array)    specification ``language[]`` (as BCP 47 tags)
``learner_identification``         ``credentialSubject.identifier[0].notation``
``expected_study_time``            specification ``volumeOfLearning`` (ISO 8601 duration)
``level_of_learning_experience``   specification ``eqfLevel``, or an EQF ``educationLevel``
``types_of_quality_assurance``     ``accreditation`` of the specification or the evidence
``prerequisites_to_enroll``        specification ``entryRequirement``
=================================  ============================================================

``iss``, ``iat``, ``exp``, ``vct`` and ``cnf`` are set when the credential is issued, not
here. Whatever the EDC holds beyond this is returned in :attr:`LearningClaims.unmapped`,
one JSON path per part left out (never dropped silently); the caller decides whether to
issue a Learning Credential without it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .._dates import parse_datetime
from .._types import JsonObject
from .errors import OID4VCIError

__all__ = ["EUDI_MANDATORY", "LEARNING_VCT", "REQUIRED_CLAIMS", "LearningClaims",
           "edc_to_eudi_learning", "ob3_to_eudi_learning"]

#: The ``vct`` of the EUDI Learning Credential.
LEARNING_VCT = "urn:eu.europa.ec.eudi:learning:credential:1"
#: The claims a Learning Credential cannot be issued without.
REQUIRED_CLAIMS = ("issuing_authority", "issuing_country", "date_of_issuance", "family_name",
                   "achievement_title")
#: The claims the EUDI reference issuer marks mandatory (``SdJwtVcClaims``): the above and
#: the micro-credential fields of the Council Recommendation's annex.
EUDI_MANDATORY = (*REQUIRED_CLAIMS, "language_of_classes", "learner_identification",
                  "expected_study_time", "level_of_learning_experience",
                  "types_of_quality_assurance")

#: ISO 3166-1 alpha-3 (the EU country authority's codes) to alpha-2, for Europe and the
#: countries of the Erasmus+ programme and its neighbours.
_COUNTRIES = dict(pair.split(":") for pair in (
    "ALB:AL AND:AD ARM:AM AUT:AT AZE:AZ BEL:BE BGR:BG BIH:BA BLR:BY CHE:CH CYP:CY CZE:CZ "
    "DEU:DE DNK:DK ESP:ES EST:EE FIN:FI FRA:FR FRO:FO GBR:GB GEO:GE GRC:GR HRV:HR HUN:HU "
    "IRL:IE ISL:IS ITA:IT KOS:XK XKX:XK LIE:LI LTU:LT LUX:LU LVA:LV MCO:MC MDA:MD MKD:MK "
    "MLT:MT MNE:ME NLD:NL NOR:NO POL:PL PRT:PT ROU:RO RUS:RU SMR:SM SRB:RS SVK:SK SVN:SI "
    "SWE:SE TUR:TR UKR:UA VAT:VA USA:US CAN:CA AUS:AU NZL:NZ JPN:JP CHN:CN IND:IN BRA:BR "
    "MAR:MA TUN:TN DZA:DZ EGY:EG ISR:IL LBN:LB JOR:JO PSE:PS LBY:LY SYR:SY ZAF:ZA"
).split())
_LANGUAGE = re.compile(r"/language/([A-Z]{3})$")
#: EU authority language codes to BCP 47 tags (as edc_to_ob3 writes ``inLanguage``).
_LANGUAGES = {
    "BUL": "bg", "CES": "cs", "DAN": "da", "DEU": "de", "ELL": "el", "ENG": "en", "EST": "et",
    "FIN": "fi", "FRA": "fr", "GLE": "ga", "HRV": "hr", "HUN": "hu", "ISL": "is", "ITA": "it",
    "LAV": "lv", "LIT": "lt", "MLT": "mt", "NLD": "nl", "NOR": "no", "POL": "pl", "POR": "pt",
    "RON": "ro", "SLK": "sk", "SLV": "sl", "SPA": "es", "SWE": "sv", "TUR": "tr", "UKR": "uk",
    "SQI": "sq", "MKD": "mk", "SRP": "sr", "BOS": "bs", "CAT": "ca", "EUS": "eu", "GLG": "gl",
}
_EQF = re.compile(r"/eqf/([1-8])$")
_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
                       r"(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
_UNITS = ("year", "month", "week", "day", "hour", "minute", "second")
#: Keys that carry no content of their own (structure, not data).
_STRUCTURAL = {"id", "type", "@context", "inScheme", "notation"}


@dataclass
class LearningClaims:
    """The Learning Credential's claims mapped from a credential, and what was left out.

    :param claims: the claims (without ``iss``, ``iat``, ``exp``, ``vct``, ``cnf``).
    :param unmapped: ``(path, what)`` for each part of the source no claim carries.
    :param missing: the :data:`REQUIRED_CLAIMS` the source does not give.
    """

    claims: JsonObject
    unmapped: list[tuple[str, str]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def absent_mandatory(self) -> list[str]:
        """The claims of :data:`EUDI_MANDATORY` the source does not give (a wallet may
        still take the credential; the reference issuer always writes them)."""
        return [name for name in EUDI_MANDATORY if name not in self.claims]

    def require(self) -> JsonObject:
        """Return the claims, or raise when a required one is missing.

        :raises OID4VCIError: ``oid4vci.not_mappable`` naming each missing claim.
        """
        if self.missing:
            raise OID4VCIError(
                f"a Learning Credential needs {', '.join(self.missing)}, which the source "
                "does not give", code="oid4vci.not_mappable", pointer=self.missing[0],
                hint="pass them as overrides")
        return self.claims


class _Reader:
    """Reads values out of a JSON document, remembering which paths it used."""

    def __init__(self, root: Mapping[str, Any], language: str) -> None:
        self.root, self.language = root, language
        self.used: set[str] = set()

    def _walk(self, path: str) -> tuple[Any, str]:
        """The value at *path* and the path as the document spells it: ``[0]`` on an
        object (ELM allows one value where a list may be) is dropped."""
        value: Any = self.root
        spelled = ""
        for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
            if part.startswith("["):
                index = int(part[1:-1])
                if isinstance(value, list):
                    value = value[index] if index < len(value) else None
                    spelled += part
                elif not (index == 0 and isinstance(value, Mapping)):
                    value = None
            else:
                value = value.get(part) if isinstance(value, Mapping) else None
                spelled += f".{part}" if spelled else part
            if value is None:
                return None, spelled
        return value, spelled

    def node(self, path: str) -> Any:
        return self._walk(path)[0]

    def take(self, path: str) -> Any:
        value, spelled = self._walk(path)
        if value is not None:
            self.used.add(spelled)
        return value

    def text(self, path: str) -> str | None:
        found = _text(self.take(path), self.language)
        return found or None

    def many(self, path: str) -> list[str]:
        value = self.node(path)
        count = len(value) if isinstance(value, list) else (1 if value is not None else 0)
        return [f"{path}[{i}]" for i in range(count)]

    def unmapped(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []

        def covered(path: str) -> bool:
            return any(u == path or u.startswith(path + ".") or u.startswith(path + "[")
                       for u in self.used)

        def walk(value: Any, path: str) -> None:
            if path and any(path == u or path.startswith(u + ".") or path.startswith(u + "[")
                            for u in self.used):
                return
            if path and not covered(path):
                if not _empty(value):
                    out.append((path, _summary(value, self.language)))
                return
            if isinstance(value, Mapping):
                for key, member in value.items():
                    if key not in _STRUCTURAL:
                        walk(member, f"{path}.{key}" if path else key)
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    walk(item, f"{path}[{index}]")

        walk(self.root, "")
        return out


def _empty(value: Any) -> bool:
    if isinstance(value, Mapping):
        return all(k in _STRUCTURAL or _empty(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_empty(v) for v in value)
    return value is None or value == ""


def _summary(value: Any, language: str) -> str:
    text = _text(value, language)
    if not text and isinstance(value, Mapping):
        text = _text(value.get("title") or value.get("prefLabel") or value.get("legalName")
                     or value.get("noteLiteral"), language)
    if not text and isinstance(value, Mapping):
        kind = value.get("type")
        text = kind if isinstance(kind, str) else ""
    if not text and isinstance(value, list):
        text = f"{len(value)} item(s)"
    if not text and not isinstance(value, (Mapping, list)):
        text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _text(value: Any, lang: str) -> str:
    """The text of a language map (or plain string) in *lang*, else English, else any."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list):
        return next((t for t in (_text(v, lang) for v in value) if t), "")
    if isinstance(value, Mapping):
        if "@value" in value:
            return str(value["@value"])
        if "noteLiteral" in value:
            return _text(value["noteLiteral"], lang)
        for key in (lang, "en", *value.keys()):
            if key in value and key not in _STRUCTURAL and len(key) <= 8:
                text = _text(value[key], lang)
                if text:
                    return text
    return ""


def _day(value: Any) -> str | None:
    when = parse_datetime(value) if isinstance(value, str) else None
    if when is None:
        return None
    return when.astimezone(timezone.utc).date().isoformat() if when.tzinfo else \
        when.date().isoformat()


def _duration(value: Any) -> str | None:
    """ISO 8601 duration to words: ``PT90H`` -> ``90 hours``, ``P2DT12H`` -> ``2 days 12
    hours``; anything else as given."""
    if not isinstance(value, str) or not value:
        return None
    match = _DURATION.match(value)
    if not match or not any(match.groups()):
        return value
    words = [f"{n} {unit}{'s' if n != '1' else ''}"
             for n, unit in zip(match.groups(), _UNITS, strict=True) if n]
    return " ".join(words)


def _country(uri: Any) -> str | None:
    if isinstance(uri, Mapping):
        uri = uri.get("id")
    if not isinstance(uri, str):
        return None
    code = uri.rsplit("/", 1)[-1].upper()
    if len(code) == 2 and code.isalpha():
        return code
    return _COUNTRIES.get(code)


def _language(concept: Any) -> str | None:
    uri = concept.get("id") if isinstance(concept, Mapping) else concept
    if not isinstance(uri, str):
        return None
    match = _LANGUAGE.search(uri)
    return _LANGUAGES.get(match.group(1)) if match else None


def _pick_claim(reader: _Reader, wanted: str | None) -> str:
    claims = reader.many("credentialSubject.hasClaim")
    if not claims:
        raise OID4VCIError("the EDC has no claim (credentialSubject.hasClaim)",
                           code="oid4vci.not_mappable", pointer="credentialSubject.hasClaim")
    for path in claims:
        node = reader.node(path)
        if wanted is not None and isinstance(node, Mapping) and node.get("id") == wanted:
            return path
    if wanted is not None:
        raise OID4VCIError(f"no claim has the id {wanted}", code="oid4vci.not_mappable",
                           pointer="credentialSubject.hasClaim")
    for path in claims:
        node = reader.node(path)
        if isinstance(node, Mapping) and node.get("type") == "LearningAchievement":
            return path
    return claims[0]


def _organisation(reader: _Reader, claim: str) -> str | None:
    if isinstance(reader.node("issuer.legalName"), (Mapping, str, list)):
        return "issuer"
    bodies = reader.many(f"{claim}.awardedBy.awardingBody")
    return bodies[0] if bodies else None


def _country_of(reader: _Reader, org: str) -> str | None:
    for location in reader.many(f"{org}.location"):
        for address in reader.many(f"{location}.address"):
            code = _country(reader.node(f"{address}.countryCode"))
            if code:
                reader.take(f"{address}.countryCode")
                return code
    return None


def _finish(claims: JsonObject, reader: _Reader, overrides: Mapping[str, Any]) -> LearningClaims:
    claims.update({k: v for k, v in overrides.items() if v is not None})
    claims = {k: v for k, v in claims.items() if v not in (None, [], "")}
    missing = [name for name in REQUIRED_CLAIMS if name not in claims]
    return LearningClaims(claims, reader.unmapped(), missing)


def edc_to_eudi_learning(
    edc: JsonObject,
    *,
    achievement_id: str | None = None,
    language: str = "en",
    clock: Callable[[], datetime] | None = None,
    **overrides: Any,
) -> LearningClaims:
    """Map one award of an EDC to the claims of an EUDI Learning Credential.

    :param edc: an EDC (compact JSON-LD), or the EU issuer's upload payload
        ``{"credential": ...}``.
    :param achievement_id: the claim to map (default the first ``LearningAchievement``).
    :param language: which text of language maps to take (then English, then any).
    :param clock: the date of issuance when the EDC gives none (default today).
    :param overrides: claims to set or replace (``issuing_country="AL"``, ...).
    :returns: the claims, the unmapped parts of the EDC and the required claims missing.
    :raises OID4VCIError: ``oid4vci.not_mappable`` when the EDC has no claim at all.
    """
    if not isinstance(edc, Mapping):
        raise OID4VCIError("expected an EDC as a JSON object", code="oid4vci.not_mappable")
    if "credentialSubject" not in edc and isinstance(edc.get("credential"), Mapping):
        edc = edc["credential"]
    reader = _Reader(edc, language)
    claim = _pick_claim(reader, achievement_id)
    spec = f"{claim}.specifiedBy"
    org = _organisation(reader, claim)
    issued = next((d for d in (_day(reader.node(k)) for k in
                               ("issued", "issuanceDate", "validFrom")) if d), None)
    for key in ("issued", "issuanceDate", "validFrom"):
        reader.take(key)
    if issued is None:
        issued = _day(reader.take(f"{claim}.awardedBy.awardingDate"))
    if issued is None:
        issued = (clock() if clock else datetime.now(timezone.utc)).date().isoformat()
    expiry = _day(reader.take("expirationDate")) or _day(reader.take("validUntil"))
    outcomes = [t for t in (reader.text(f"{o}.title")
                            for o in reader.many(f"{spec}.learningOutcome")) if t]
    grade = None
    for proof in reader.many(f"{claim}.provenBy"):
        grade = reader.text(f"{proof}.grade")
        if grade:
            break
    languages = []
    for path in reader.many(f"{spec}.language"):
        tag = _language(reader.node(path))
        if tag:
            reader.take(path)
            languages.append(tag)
    level = None
    for path in [f"{spec}.eqfLevel", *reader.many(f"{spec}.educationLevel")]:
        concept = reader.node(path)
        uri = concept.get("id") if isinstance(concept, Mapping) else concept
        found = _EQF.search(uri) if isinstance(uri, str) else None
        if found:
            level = int(found.group(1))
            reader.take(path)
            break
    identifiers = reader.many("credentialSubject.identifier")
    learner = reader.text(f"{identifiers[0]}.notation") if identifiers else None
    qa = _quality_assurance(reader, spec)
    claims: JsonObject = {
        "issuing_authority": reader.text(f"{org}.legalName") if org else None,
        "issuing_country": _country_of(reader, org) if org else None,
        "date_of_issuance": issued,
        "date_of_expiry": expiry,
        "family_name": reader.text("credentialSubject.familyName"),
        "given_name": reader.text("credentialSubject.givenName"),
        "achievement_title": reader.text(f"{claim}.title") or reader.text(f"{spec}.title"),
        "achievement_description": reader.text(f"{claim}.description")
        or reader.text(f"{spec}.description"),
        "learning_outcomes": outcomes,
        "assessment_grade": grade,
        "language_of_classes": languages,
        "learner_identification": learner,
        "expected_study_time": _duration(reader.take(f"{spec}.volumeOfLearning")),
        "level_of_learning_experience": level,
        "types_of_quality_assurance": qa,
        "prerequisites_to_enroll": [t for t in [reader.text(f"{spec}.entryRequirement")] if t],
    }
    if reader.node(f"{spec}.title") is not None:
        reader.take(f"{spec}.title")  # the same title as the claim's, when both are given
    return _finish(claims, reader, overrides)


def _quality_assurance(reader: _Reader, spec: str) -> list[str]:
    found: list[str] = []
    places = [*reader.many(f"{spec}.accreditation"),
              *[a for e in reader.many("evidence") for a in reader.many(f"{e}.accreditation")]]
    for path in places:
        label = reader.text(f"{path}.dcType.prefLabel") or reader.text(f"{path}.title") or \
            "Accreditation"
        reader.take(path)
        if label not in found:
            found.append(label)
    return found


def ob3_to_eudi_learning(
    badge: JsonObject,
    *,
    language: str = "en",
    clock: Callable[[], datetime] | None = None,
    **overrides: Any,
) -> LearningClaims:
    """Map an Open Badges 3.0 ``OpenBadgeCredential`` to a Learning Credential's claims.

    ``issuing_authority`` is ``issuer.name``, ``issuing_country`` its
    ``address.addressCountryCode``, ``achievement_title``/``achievement_description``
    the achievement's ``name``/``description``, ``learning_outcomes`` the
    ``alignment[].targetName``, ``assessment_grade`` ``result[0].value``,
    ``level_of_learning_experience`` an EQF alignment, ``language_of_classes``
    ``inLanguage``. An Open Badge rarely names its recipient: pass ``family_name`` and
    ``given_name`` as overrides.
    """
    if not isinstance(badge, Mapping):
        raise OID4VCIError("expected an Open Badge as a JSON object", code="oid4vci.not_mappable")
    reader = _Reader(badge, language)
    subject = "credentialSubject"
    achievement = f"{subject}.achievement"
    issued = next((d for d in (_day(reader.take(k)) for k in
                               ("validFrom", "issuanceDate", f"{subject}.awardedDate")) if d),
                  None)
    if issued is None:
        issued = (clock() if clock else datetime.now(timezone.utc)).date().isoformat()
    outcomes, level = [], None
    for path in reader.many(f"{achievement}.alignment"):
        url = reader.node(f"{path}.targetUrl")
        if isinstance(url, str) and _EQF.search(url):
            level = int(_EQF.search(url).group(1))  # type: ignore[union-attr]
            reader.take(path)
            continue
        name = reader.text(f"{path}.targetName")
        if name:
            reader.take(path)
            outcomes.append(name)
    language_tag = reader.take(f"{achievement}.inLanguage")
    issuer = "issuer"
    name = reader.text(f"{issuer}.name") if isinstance(reader.node(issuer), Mapping) else None
    country = reader.take(f"{issuer}.address.addressCountryCode")
    claims: JsonObject = {
        "issuing_authority": name,
        "issuing_country": country.upper() if isinstance(country, str) else None,
        "date_of_issuance": issued,
        "date_of_expiry": _day(reader.take("validUntil")) or
        _day(reader.take("expirationDate")),
        "family_name": reader.text(f"{subject}.familyName"),
        "given_name": reader.text(f"{subject}.givenName"),
        "achievement_title": reader.text(f"{achievement}.name"),
        "achievement_description": reader.text(f"{achievement}.description"),
        "learning_outcomes": outcomes,
        "assessment_grade": next((t for t in (reader.text(f"{r}.value") for r in
                                              reader.many(f"{subject}.result")) if t), None),
        "language_of_classes": [language_tag] if isinstance(language_tag, str) else [],
        "level_of_learning_experience": level,
    }
    for key in ("name", "description"):
        reader.take(key)  # the credential's own name and description repeat the award's
    return _finish(claims, reader, overrides)

