"""The view of a European Digital Credential (ELM 3), read through the models.

What it takes from the credential:

- the learner: ``credentialSubject.fullName`` (else given and family names);
- the title: ``displayParameter.title`` (else the first claim's title), and its description;
- the first learning achievement (else the first claim): its awarding body (legal name and
  the country of its address), awarding date, specification (ECTS ``creditPoint``, EQF level,
  ISCED-F ``thematicArea``, volume of learning, language, learning outcomes) and the grade of
  its first assessment (``provenBy[].grade``);
- its parts (``hasPart``), each with credits and grade: a credential with parts, or with more
  than one claim, uses the diploma/transcript template.

Concept labels: the credential's own label in the language asked for, else (EQF) the
level's number in the page's words, (countries, languages) CLDR's name in that language,
(ISCED-F) the bundled vocabulary's English label, else the credential's label in the
fallback order of :mod:`._i18n`.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from .. import vocab
from ..models.edc import (
    Address,
    AwardingProcess,
    Concept,
    CreditPoint,
    ElmNode,
    EuropeanDigitalCredential,
    LearningAchievement,
    LearningAchievementSpecification,
    LearningAssessment,
    LearningOutcome,
    Location,
    MediaObject,
    Note,
    Organisation,
    Person,
    Qualification,
)
from ._i18n import Strings, Text, country_name, format_date, language_tag, pick, strings_for
from ._source import Source
from ._view import Fact, Image, Item, Template, View, verification_view

if TYPE_CHECKING:
    from ..results import VerificationResult
    from .themes import Theme

__all__ = ["edc_view"]

_N = TypeVar("_N", bound=ElmNode)
_EQF = "http://data.europa.eu/snb/eqf/"
_ISCED = "http://data.europa.eu/snb/isced-f/"
_COUNTRY = "http://publications.europa.eu/resource/authority/country/"
_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
_ECTS = "http://data.europa.eu/snb/education-credit/6fcec5c5af"
_HOURS = re.compile(r"P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?)?\Z")
_IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "JPG": "image/jpeg",
                "SVG": "image/svg+xml", "GIF": "image/gif"}


class _Index:
    """Every identified node of the credential, so that references (IRIs) resolve."""

    def __init__(self, root: Any) -> None:
        self.nodes: dict[str, ElmNode] = {}
        self._walk(root)

    def _walk(self, value: Any) -> None:
        if isinstance(value, (ElmNode, EuropeanDigitalCredential)):
            if isinstance(value, ElmNode) and value.id and value.id not in self.nodes:
                self.nodes[value.id] = value
            for name in type(value).model_fields:
                self._walk(getattr(value, name))
        elif isinstance(value, list):
            for item in value:
                self._walk(item)

    def get(self, ref: Any, kind: type[_N]) -> _N | None:
        """The node *ref* is or names, if it is a *kind*."""
        node = self.nodes.get(ref) if isinstance(ref, str) else ref
        return node if isinstance(node, kind) else None

    def all(self, refs: Iterable[Any] | Any | None, kind: type[_N]) -> list[_N]:
        """The nodes of *refs* (a list or one value) that are *kind*s."""
        if refs is None:
            return []
        items = refs if isinstance(refs, list) else [refs]
        return [n for n in (self.get(r, kind) for r in items) if n is not None]


class _Reader:
    """Reads one credential in one language."""

    def __init__(self, model: EuropeanDigitalCredential, lang: str | None, strings: Strings,
                 primary: str | None) -> None:
        self.model = model
        self.index = _Index(model)
        self.lang = lang or primary or "en"
        self.primary = primary
        self.strings = strings

    def text(self, values: Any) -> Text | None:
        return pick(values if isinstance(values, dict) else None, self.lang,
                    primary=self.primary)

    def note(self, ref: Any) -> Text | None:
        node = self.index.get(ref, Note)
        return self.text(node.note_literal) if node else None

    def concept_label(self, concept: Concept) -> Text | None:
        """The concept's label, in the page's language when anything offers it."""
        own = self.text(concept.pref_label)
        iri = concept.id or ""
        if own is not None and own.lang and own.lang.lower() == self.lang.lower():
            return own
        if iri.startswith(_EQF) and vocab.is_in_scheme(iri, vocab.EQF):
            level = iri.rsplit("/", 1)[-1]
            return Text(self.strings.format("eqf.level", level=level), self.strings.lang)
        if iri.startswith(_COUNTRY):
            name = country_name(iri.rsplit("/", 1)[-1], self.lang)
            if name:
                return Text(name, self.lang)
        if iri.startswith(_LANGUAGE):
            name = _language_name(language_tag(iri), self.lang)
            if name:
                return Text(name, self.lang)
        if own is not None:
            return own
        english = vocab.label(iri)
        return Text(english, "en") if english else None

    # ------------------------------------------------------------------ the parts

    def learner(self) -> Text:
        subject = self.model.credential_subject
        person = subject if isinstance(subject, Person) else None
        if person is not None:
            full = self.text(person.full_name)
            if full:
                return full
            given, family = self.text(person.given_name), self.text(person.family_name)
            if given or family:
                parts = [t for t in (given, family) if t]
                return Text(" ".join(t.text for t in parts), parts[0].lang)
        return Text(self.strings["holder"], self.strings.lang)

    def claims(self) -> list[Any]:
        subject = self.model.credential_subject
        return list(subject.has_claim or []) if isinstance(subject, Person) else []

    def achievements(self) -> list[LearningAchievement]:
        return self.index.all(self.claims(), LearningAchievement)

    def specification(self, achievement: LearningAchievement) -> Any:
        spec = achievement.specified_by
        node = self.index.get(spec, LearningAchievementSpecification) or self.index.get(
            spec, Qualification)
        return node

    def awarding(self, claim: Any) -> AwardingProcess | None:
        return self.index.get(getattr(claim, "awarded_by", None), AwardingProcess)

    def awarding_body(self, process: AwardingProcess | None) -> Organisation | None:
        if process is None:
            return None
        bodies = self.index.all(process.awarding_body, Organisation)
        if bodies:
            return bodies[0]
        return self.index.get(self.model.issuer, Organisation)

    def country(self, organisation: Organisation | None) -> Text | None:
        if organisation is None:
            return None
        for location in self.index.all(organisation.location, Location):
            for address in self.index.all(location.address, Address):
                concept = self.index.get(address.country_code, Concept)
                if concept is not None:
                    return self.concept_label(concept)
        return None

    def grade(self, claim: Any) -> Text | None:
        for assessment in self.index.all(getattr(claim, "proven_by", None), LearningAssessment):
            text = self.note(assessment.grade)
            if text:
                return text
        return None

    def credits(self, claim: Any, spec: Any) -> Fact | None:
        points = self.index.all(getattr(claim, "credit_received", None), CreditPoint) or \
            self.index.all(getattr(spec, "credit_point", None), CreditPoint)
        for point in points:
            framework = self.index.get(point.framework, Concept)
            ects = framework is None or framework.id == _ECTS
            label = self.strings["ects"] if ects else self.strings["credits"]
            return Fact("ects" if ects else "credits", label, Text(point.point, None))
        return None

    def concepts(self, refs: Any) -> list[Concept]:
        return self.index.all(refs, Concept)

    def facts(self, claim: Any, spec: Any) -> list[Fact]:
        facts: list[Fact] = []
        credit = self.credits(claim, spec)
        if credit:
            facts.append(credit)
        eqf = [c for c in self.concepts(getattr(spec, "eqf_level", None))
               + self.concepts(getattr(spec, "education_level", None))
               if (c.id or "").startswith(_EQF)]
        if eqf:
            label = self.concept_label(eqf[0])
            if label:
                facts.append(Fact("eqf", self.strings["eqf"], label))
        for concept in [c for c in self.concepts(getattr(spec, "thematic_area", None))
                        if (c.id or "").startswith(_ISCED)][:1]:
            label = self.concept_label(concept)
            code = (concept.id or "").rsplit("/", 1)[-1]
            if label:
                facts.append(Fact("isced", self.strings["isced"],
                                  Text(f"{code} {label.text}", label.lang)))
        grade = self.grade(claim)
        if grade:
            facts.append(Fact("grade", self.strings["grade"], grade))
        volume = getattr(spec, "volume_of_learning", None)
        if isinstance(volume, str) and volume:
            text = _hours(volume, self.strings)
            facts.append(Fact("volume", self.strings["volume"], Text(text, self.strings.lang)))
        languages = [t for t in (self.concept_label(c) for c in
                                 self.concepts(getattr(spec, "language", None))) if t]
        if languages:
            facts.append(Fact("language", self.strings["language"],
                              Text(", ".join(t.text for t in languages), languages[0].lang)))
        return facts

    def outcomes(self, spec: Any) -> list[Text]:
        nodes = self.index.all(getattr(spec, "learning_outcome", None), LearningOutcome)
        return [t for t in (self.text(o.title) for o in nodes) if t]

    def parts(self, achievement: LearningAchievement) -> list[Item]:
        items: list[Item] = []
        for part in self.index.all(achievement.has_part, LearningAchievement):
            title = self.text(part.title)
            if title is None:
                continue
            spec = self.specification(part)
            facts = [f for f in (self.credits(part, spec),) if f]
            grade = self.grade(part)
            if grade:
                facts.append(Fact("grade", self.strings["grade"], grade))
            items.append(Item(title=title, facts=facts))
        return items

    def logo(self, organisation: Organisation | None) -> Image | None:
        media = self.index.get(organisation.logo, MediaObject) if organisation else None
        if media is None or not media.content:
            return None
        kind = self.index.get(media.content_type, Concept)
        code = ((kind.id or "") if kind else "").rsplit("/", 1)[-1].upper()
        media_type = _IMAGE_TYPES.get(code)
        if media_type is None:
            return None
        try:
            data = base64.b64decode(media.content, validate=False)
        except (binascii.Error, ValueError):
            return None
        return Image("logo", media_type, data, "")


def _hours(duration: str, strings: Strings) -> str:
    """A learning volume in hours (``PT90H``, ``P2DT12H``: 24-hour days), else as written."""
    match = _HOURS.match(duration)
    if match is None or not any(match.groupdict().values()):
        return duration
    minutes = (int(match["d"] or 0) * 24 + int(match["h"] or 0)) * 60 + int(match["m"] or 0)
    hours = f"{minutes // 60}" if minutes % 60 == 0 else f"{minutes / 60:.1f}"
    return strings.format("hours", hours=hours)


def _language_name(tag: str, lang: str) -> str | None:
    from ._i18n import _locale

    name = _locale(lang).languages.get(tag.replace("-", "_")) or _locale(lang).languages.get(
        tag.split("-", 1)[0])
    return str(name) if name else None


def _first_of(items: Sequence[Any]) -> Any:
    return items[0] if items else None


def _moment(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) else None


def _iter_claims(reader: _Reader) -> Iterator[Any]:
    yield from reader.achievements()
    for claim in reader.claims():
        if not isinstance(claim, str):
            yield claim


def edc_view(source: Source, *, lang: str | None, verification: VerificationResult | None,
             verify_url: str | None, theme: Theme, now: datetime) -> View:
    """The :class:`View` of an EDC (see the module's docstring).

    :raises ModelError: the credential does not fit the EDC model.
    """
    model = EuropeanDigitalCredential.model_validate(source.credential)
    display = model.display_parameter if not isinstance(model.display_parameter, str) else None
    primary = None
    if display is not None and not isinstance(display.primary_language, str):
        primary = language_tag(display.primary_language.id or "") or None
    page_lang = lang or primary or "en"
    strings = strings_for(page_lang, theme.strings)
    reader = _Reader(model, page_lang, strings, primary)

    claim = _first_of(list(_iter_claims(reader)))
    spec = reader.specification(claim) if isinstance(claim, LearningAchievement) else None
    process = reader.awarding(claim) if claim is not None else None
    body = reader.awarding_body(process)
    title = (reader.text(display.title) if display else None) or (
        reader.text(getattr(claim, "title", None))) or Text(strings["heading.edc"], strings.lang)
    claim_title = reader.text(getattr(claim, "title", None))
    subtitle = claim_title if claim_title and claim_title.text != title.text else None
    description = (reader.text(display.description) if display else None) or (
        reader.text(getattr(spec, "description", None)))
    parts = reader.parts(claim) if isinstance(claim, LearningAchievement) else []
    for other in reader.achievements()[1:]:
        other_title = reader.text(other.title)
        if other_title:
            other_spec = reader.specification(other)
            parts.append(Item(title=other_title, facts=reader.facts(other, other_spec)[:2]))
    template: Template = "edc-diploma" if parts else "edc-microcredential"
    heading = strings["heading.diploma" if parts else "heading.microcredential"]
    award_date = _moment(process.awarding_date) if process else None

    images: dict[str, Image] = {}
    organisation_name = reader.text(body.legal_name) if body else None
    if theme.logo is not None:
        data, media_type = theme.logo
        images["logo"] = Image("logo", media_type, data, "")
    else:
        logo = reader.logo(body)
        if logo is not None:
            images["logo"] = logo
    if "logo" in images:
        name = theme.name or (organisation_name.text if organisation_name else "")
        images["logo"].alt = strings.format("logo_alt", name=name)

    return View(
        template=template,
        lang=page_lang,
        strings=strings.as_dict(),
        heading=heading,
        title=title,
        subtitle=subtitle,
        description=description,
        learner=reader.learner(),
        awarding_body=organisation_name,
        awarding_country=reader.country(body),
        award_date=format_date(award_date, page_lang),
        facts=reader.facts(claim, spec) if claim is not None else [],
        outcomes=reader.outcomes(spec),
        parts=parts,
        criteria=None,
        alignments=[],
        issued=format_date(_moment(model.issued) or _moment(model.issuance_date), page_lang),
        valid_from=format_date(_moment(model.valid_from), page_lang),
        valid_until=format_date(_moment(model.valid_until) or _moment(model.expiration_date),
                                page_lang),
        credential_id=model.id,
        verification=verification_view(verification, source, strings, page_lang, now),
        verify_url=verify_url,
        attachment_name=source.attachment_name,
        attachment_type=source.attachment_type,
        colors=dict(theme.colors),
        layout=theme.layout(),
        footer=pick(theme.footer, page_lang) if theme.footer else None,
        images=images,
    )
