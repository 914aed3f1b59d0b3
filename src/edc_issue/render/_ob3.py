"""The view of an Open Badge 3.0 (an ``OpenBadgeCredential``), read through the model.

What it takes: the learner (``credentialSubject.name``, else an unhashed ``identifier``
of ``identityType`` ``name``, else the words "the holder of this credential"); the
achievement's name, description, criteria narrative, image (a ``data:`` URL only: nothing
is fetched) and alignments; the issuer's name and address country; ``awardedDate`` (else
``validFrom``); credits earned or available; the result of ``result[]``. Open Badges carry
one language, so their text keeps ``inLanguage`` (else no language mark).
"""

from __future__ import annotations

import base64
import binascii
import re
import urllib.parse
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..models.ob3 import AchievementCredential, Profile
from ..models.ob3 import Image as BadgeImage
from ._i18n import Text, country_name, format_date, pick, strings_for
from ._source import Source
from ._view import Fact, Image, Item, View, verification_view

if TYPE_CHECKING:
    from ..results import VerificationResult
    from .themes import Theme

__all__ = ["ob3_view"]

_DATA_URL = re.compile(r"data:(?P<type>image/(?:png|jpeg|svg\+xml|gif))(?P<b64>;base64)?,"
                       r"(?P<data>.*)\Z", re.S)


def _image(ref: Any) -> tuple[bytes, str] | None:
    iri = ref.id if isinstance(ref, BadgeImage) else ref
    if not isinstance(iri, str):
        return None
    match = _DATA_URL.match(iri)
    if match is None:
        return None
    try:
        data = (base64.b64decode(match["data"]) if match["b64"]
                else urllib.parse.unquote_to_bytes(match["data"]))
    except (binascii.Error, ValueError):
        return None
    return data, match["type"]


def _learner(model: AchievementCredential) -> str | None:
    subject = model.credential_subject
    extra = subject.model_extra or {}
    name = extra.get("name")
    if isinstance(name, str) and name.strip():
        return name.strip()
    for identity in subject.identifier or []:
        if identity.identity_type == "name" and not identity.hashed:
            return identity.identity_hash
    return None


def _alpha3(profile: Profile | None) -> str | None:
    address = profile.address if profile is not None else None
    code = getattr(address, "address_country_code", None)
    if isinstance(code, str) and len(code) == 3:
        return code.upper()
    return None


def ob3_view(source: Source, *, lang: str | None, verification: VerificationResult | None,
             verify_url: str | None, theme: Theme, now: datetime) -> View:
    """The :class:`View` of an Open Badge (see the module's docstring).

    :raises ModelError: the credential does not fit the OB 3.0 model.
    """
    model = AchievementCredential.model_validate(source.credential)
    achievement = model.credential_subject.achievement
    text_lang = achievement.in_language if achievement and achievement.in_language else None
    page_lang = lang or text_lang or "en"
    strings = strings_for(page_lang, theme.strings)

    def text(value: str | None) -> Text | None:
        return Text(value, text_lang) if value else None

    issuer = model.issuer if isinstance(model.issuer, Profile) else None
    issuer_name = text(issuer.name if issuer else None) or text(
        model.issuer if isinstance(model.issuer, str) else None)
    learner = _learner(model)
    images: dict[str, Image] = {}
    name = achievement.name if achievement else (model.name or "")
    for candidate in ((achievement.image if achievement else None), model.image):
        found = _image(candidate)
        if found is not None:
            images["badge"] = Image("badge", found[1], found[0],
                                    strings.format("badge_image_alt", name=name))
            break
    if theme.logo is not None:
        images["logo"] = Image("logo", theme.logo[1], theme.logo[0],
                               strings.format("logo_alt", name=theme.name or ""))

    facts: list[Fact] = []
    credits = model.credential_subject.credits_earned
    if credits is None and achievement is not None:
        credits = achievement.credits_available
    if credits is not None:
        facts.append(Fact("credits", strings["credits"], Text(str(credits), None)))
    for result in model.credential_subject.result or []:
        value = getattr(result, "value", None)
        if isinstance(value, str) and value:
            facts.append(Fact("grade", strings["grade"], Text(value, text_lang)))
            break
    narrative = model.credential_subject.narrative
    if narrative:
        facts.append(Fact("narrative", "", Text(narrative, text_lang)))
    alignments: list[Item] = []
    for alignment in (achievement.alignment or []) if achievement else []:
        details = [Fact(key, "", Text(value, text_lang if key == "framework" else None))
                   for key, value in (("framework", alignment.target_framework),
                                      ("code", alignment.target_code)) if value]
        alignments.append(Item(title=Text(alignment.target_name, text_lang), facts=details,
                               url=alignment.target_url))
    awarded = model.awarded_date or model.valid_from or model.issuance_date
    alpha3 = _alpha3(issuer)
    criteria = achievement.criteria.narrative if achievement else None
    return View(
        template="badge",
        lang=page_lang,
        strings=strings.as_dict(),
        heading=strings["heading.badge"],
        title=Text(name, text_lang),
        subtitle=None,
        description=text(achievement.description if achievement else model.description),
        learner=Text(learner, text_lang) if learner else Text(strings["holder"], strings.lang),
        awarding_body=issuer_name,
        awarding_country=Text(country_name(alpha3, page_lang) or alpha3, page_lang)
        if alpha3 else None,
        award_date=format_date(awarded, page_lang),
        facts=facts,
        outcomes=[],
        parts=[],
        criteria=text(criteria) or (text(achievement.criteria.id) if achievement else None),
        alignments=alignments,
        issued=format_date(model.issuance_date or model.valid_from, page_lang),
        valid_from=format_date(model.valid_from, page_lang),
        valid_until=format_date(model.valid_until or model.expiration_date, page_lang),
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
