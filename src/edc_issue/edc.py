"""European Digital Credentials: read them from files, build new ones, fill in the issuer.

Read any EDC file (a bare credential, a sealed JAdES envelope, or the EU issuer's upload
wrapper ``{"credential": ..., "deliveryDetails": ...}``)::

    from edc_issue import edc
    credential = edc.load("Sample-CertOfPart-signed.jsonld")     # EuropeanDigitalCredential
    document = edc.load_json("AA-Annex1-MC-unsigned.json")       # its compact JSON-LD dict

Build one for a learner, then seal it as the EU issuer does (the seal certificate fills
in the issuer, the SHACL shapes are checked, then it is sealed)::

    cred = edc.new_credential(person, title={"en": "Micro-credential"})
    sealed = edc.seal_edc(cred.to_jsonld(), signer, level="LTA", tsa=TSA_URL)
    sealed.envelope, sealed.delivery_details       # the EU upload format works too

The helpers (:func:`concept`, :func:`language`, :func:`country`, :func:`eqf_level`,
:func:`isced_f`, :func:`ects`, :func:`note` ...) build the small nodes every EDC repeats,
with labels from the bundled vocabularies (:mod:`edc_issue.vocab`).
"""

from __future__ import annotations

import base64
import copy
import os
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from . import vocab
from ._io import read_json_object
from ._types import JsonObject
from .errors import KeyMaterialError, ModelError
from .formats.envelopes import unwrap_credential
from .models._base import LanguageMap
from .models.edc import (
    Concept,
    ConceptScheme,
    CreditPoint,
    DisplayDetail,
    DisplayParameter,
    EuropeanDigitalCredential,
    IndividualDisplay,
    MediaObject,
    Note,
    Organisation,
    Person,
    ShaclValidator2017,
    WebResource,
)
from .models.vc import CREDENTIALS_V1

__all__ = [
    "EDC_CONTEXT",
    "EDC_CONTEXTS",
    "EDC_GENERIC_FULL",
    "PROFILE_GENERIC",
    "SealedEdc",
    "apply_seal_certificate",
    "concept",
    "country",
    "display_parameter",
    "ects",
    "eqf_level",
    "isced_f",
    "language",
    "load",
    "load_json",
    "new_credential",
    "new_id",
    "note",
    "require_edc",
    "seal_edc",
    "unwrap",
    "unwrap_upload",
    "web_resource",
    "with_display_images",
]

#: The EDC JSON-LD context (ELM 3.2 application profile).
EDC_CONTEXT = "http://data.europa.eu/snb/model/context/edc-ap"
#: The ``@context`` of every EDC, as the EU issuer writes it.
EDC_CONTEXTS: tuple[str, str] = (CREDENTIALS_V1, EDC_CONTEXT)
#: The SHACL profile a generic EDC names in ``credentialSchema``.
EDC_GENERIC_FULL = "http://data.europa.eu/snb/model/ap/edc-generic-full"
#: The credential profile "Generic" (scheme ``vocab.CREDENTIAL``).
PROFILE_GENERIC = "http://data.europa.eu/snb/credential/e34929035b"
#: The content encoding "base64" (scheme ``vocab.ENCODING``).
ENCODING_BASE64 = "http://data.europa.eu/snb/encoding/6146cde7dd"
#: The credit framework "European Credit Transfer System" (scheme ``vocab.EDUCATION_CREDIT``).
ECTS = "http://data.europa.eu/snb/education-credit/6fcec5c5af"

_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
_COUNTRY = "http://publications.europa.eu/resource/authority/country/"
_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
#: A 1x1 white PNG: the page image when the caller gives none (the EU viewer draws its own).
_PLACEHOLDER_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4//8/AAX+Av4N70a4AAAAAElFTkSuQmCC"
)
#: The ``notation`` the EU issuer writes on concepts of these schemes (the scheme's name).
_NOTATIONS = {
    vocab.COUNTRY: "country",
    vocab.LANGUAGE: "language",
    vocab.FILE_TYPE: "file-type",
}


# --------------------------------------------------------------------------- reading


def unwrap(document: Mapping[str, Any]) -> JsonObject:
    """Return the credential inside *document*, as compact JSON-LD (a copy).

    - a JAdES envelope (``{"payload": ..., "signatures": [...]}``): its payload, a JSON
      string (unencoded, ``b64: false``), base64url JSON, or an object;
    - the EU issuer's upload wrapper (``{"credential": ..., "deliveryDetails": ...}``):
      the credential, given the EDC ``@context`` when it has none, as the EU issuer does;
    - anything else: the document itself.

    :raises ReadError: ``io.not_json`` if a JAdES payload is not a JSON object.
    """
    credential, _container = unwrap_credential(dict(document), source="payload")
    return copy.deepcopy(credential)


def load_json(path: str | os.PathLike[str]) -> JsonObject:
    """Read an EDC file and return the credential as compact JSON-LD (see :func:`unwrap`).

    :raises ReadError: the file is missing, not JSON, or not an object.
    """
    return unwrap(read_json_object(path))


def load(path: str | os.PathLike[str]) -> EuropeanDigitalCredential:
    """Read an EDC file (bare, JAdES-sealed or upload wrapper) into the model.

    :raises ReadError: the file cannot be read or parsed.
    :raises ModelError: the credential does not fit the model; ``problems`` name each path.
    """
    document = load_json(path)
    try:
        return EuropeanDigitalCredential.model_validate(document)
    except ModelError as exc:
        exc.pointer = f"{os.fspath(path)}: {exc.pointer}" if exc.pointer else os.fspath(path)
        raise


# --------------------------------------------------------------------------- building


def new_id(kind: str) -> str:
    """A fresh node id in the EU issuer's style: ``urn:epass:<kind>:<uuid4>``."""
    return f"urn:epass:{kind}:{uuid.uuid4()}"


def _now(now: datetime | None) -> datetime:
    value = now if now is not None else datetime.now(timezone.utc)
    if value.tzinfo is None:
        raise ModelError("now must be timezone-aware", problems=[("now", "naive datetime")])
    return value.replace(microsecond=0)


def concept(
    iri: str,
    *,
    label: str | None = None,
    scheme: str | None = None,
    notation: str | None = None,
    lang: str = "en",
) -> Concept:
    """A ``Concept`` node with its scheme and label, as EDCs embed them.

    The label and scheme default to the bundled vocabularies' (:mod:`edc_issue.vocab`).

    :raises ModelError: no scheme given and none known for *iri*.
    """
    scheme = scheme or vocab.scheme_of(iri)
    if scheme is None:
        raise ModelError(f"no bundled vocabulary lists {iri}; pass scheme=",
                         problems=[("inScheme", f"unknown scheme for {iri}")])
    label = label if label is not None else vocab.label(iri)
    return Concept(
        id=iri,
        in_scheme=[ConceptScheme(id=scheme)],
        pref_label={lang: label} if label else None,
        notation=notation if notation is not None else _NOTATIONS.get(scheme),
    )


def language(code: str = "ENG") -> Concept:
    """A language of the EU authority table by its code (``ENG``, ``SQI`` for Albanian)."""
    return concept(_LANGUAGE + code.upper(), scheme=vocab.LANGUAGE)


def country(code: str) -> Concept:
    """A country of the EU authority table by its ISO 3166-1 alpha-3 code (``ALB``)."""
    return concept(_COUNTRY + code.upper(), scheme=vocab.COUNTRY)


def eqf_level(level: int) -> Concept:
    """An EQF level, 1 to 8."""
    if not 1 <= level <= 8:
        raise ModelError("EQF levels are 1 to 8", problems=[("eqfLevel", f"found {level}")])
    return concept(f"http://data.europa.eu/snb/eqf/{level}", scheme=vocab.EQF)


def isced_f(code: str) -> Concept:
    """An ISCED-F 2013 field of education by its code (``0114``: teacher training)."""
    return concept(f"http://data.europa.eu/snb/isced-f/{code}", scheme=vocab.ISCED_F)


def ects(points: int | float | str) -> CreditPoint:
    """A ``CreditPoint`` in ECTS; *points* is written as given (``"3"``)."""
    return CreditPoint(id=new_id("creditPoint"), framework=concept(ECTS), point=str(points))


def note(text: str | LanguageMap, *, lang: str = "en") -> Note:
    """A ``Note`` holding *text* (a string in *lang*, or a language map)."""
    literal: LanguageMap = {lang: text} if isinstance(text, str) else dict(text)
    return Note(id=new_id("note"), note_literal=literal)


def web_resource(url: str, *, title: LanguageMap | None = None) -> WebResource:
    """A ``WebResource`` pointing at *url*."""
    return WebResource(id=new_id("webResource"), content_url=url, title=title)


def _page_images(
    languages: Sequence[str],
    *,
    credential: Mapping[str, Any] | None,
    title: LanguageMap,
    description: LanguageMap | None,
) -> dict[str, bytes] | None:
    """Rendered page images per EU language code, or None without ``edc-issue[render]``."""
    from . import render
    from .errors import ConfigError

    try:
        if credential is not None:
            return render.page_images(credential, languages)
        return render.cover_images(dict(title), languages,
                                   description=dict(description) if description else None)
    except ConfigError:
        return None


def _display_images(
    languages: Sequence[str], images: Mapping[str, bytes] | None
) -> list[tuple[str, str]]:
    """(base64 content, file type) per language; the placeholder where none was rendered."""
    out = []
    for code in languages:
        image = images.get(code) if images else None
        out.append((base64.b64encode(image).decode("ascii"), "PNG") if image
                   else (_PLACEHOLDER_PNG, "PNG"))
    return out


def display_parameter(
    title: LanguageMap,
    *,
    description: LanguageMap | None = None,
    languages: Sequence[str] = ("ENG",),
    image: bytes | None = None,
    image_type: str = "PNG",
    credential: Mapping[str, Any] | None = None,
) -> DisplayParameter:
    """The display details the EDC viewer needs: title, languages, one page image each.

    The page image of each language is, in order: *image* if given (the same for every
    language); else, with ``edc-issue[render]`` installed, the first page of *credential*
    rendered in that language (:func:`edc_issue.render.page_images`), or without a
    credential a page with *title* and *description* in that language; else (the extra is
    not installed) a 1x1 placeholder. :func:`with_display_images` renders the finished
    credential into its display parameter.

    :param languages: EU language codes; the first is the primary language.
    :param image: the page image (PNG or JPEG bytes), used for every language.
    :param image_type: the EU file-type code of *image* (``PNG``, ``JPEG``).
    :param credential: the credential (compact JSON-LD) whose pages to render.
    """
    if not languages:
        raise ModelError("at least one language is needed", problems=[("language", "empty")])
    if image:
        contents = [(base64.b64encode(image).decode("ascii"), image_type.upper())] * len(languages)
    else:
        rendered = _page_images(languages, credential=credential, title=title,
                                description=description)
        contents = _display_images(languages, rendered)
    displays = []
    for code, (content, file_type) in zip(languages, contents, strict=True):
        media = MediaObject(
            id=new_id("mediaObject"),
            content=content,
            content_encoding=concept(ENCODING_BASE64, scheme=vocab.ENCODING),
            content_type=concept(_FILE_TYPE + file_type, scheme=vocab.FILE_TYPE),
        )
        detail = DisplayDetail(id=new_id("displayDetail"), image=media, page=1)
        displays.append(
            IndividualDisplay(
                id=new_id("individualDisplay"), language=language(code), display_detail=[detail]
            )
        )
    return DisplayParameter(
        id=new_id("displayParameter"),
        title=title,
        description=description,
        language=[language(code) for code in languages],
        primary_language=language(languages[0]),
        individual_display=displays,
    )


def with_display_images(document: Mapping[str, Any], *, cover: bool = False) -> JsonObject:
    """A copy of *document* whose display images are its own first page, per language.

    Each ``displayParameter.individualDisplay`` gets one ``displayDetail`` (page 1): a PNG
    of the credential rendered in that display's language. Needs ``edc-issue[render]``;
    without it the document is returned unchanged (a copy). Run it before sealing: the
    images are part of what the seal covers.

    :param cover: render only the display title and description (for a template whose
        placeholders are not filled in yet), not the whole credential.
    """
    copied: JsonObject = copy.deepcopy(dict(document))
    display = copied.get("displayParameter")
    if not isinstance(display, dict):
        return copied
    individual = display.get("individualDisplay")
    items = individual if isinstance(individual, list) else [individual]
    codes = []
    for item in items:
        lang = item.get("language") if isinstance(item, dict) else None
        iri = lang.get("id") if isinstance(lang, dict) else lang
        codes.append(iri.rsplit("/", 1)[-1] if isinstance(iri, str) else "ENG")
    given_title = display.get("title")
    title: LanguageMap = given_title if isinstance(given_title, dict) else {}
    description = display.get("description")
    rendered = _page_images(codes, credential=None if cover else copied, title=title,
                            description=description if isinstance(description, dict) else None)
    if not rendered:
        return copied
    file_type = concept(_FILE_TYPE + "PNG", scheme=vocab.FILE_TYPE).to_jsonld()
    for item, code in zip(items, codes, strict=True):
        if not isinstance(item, dict) or code not in rendered:
            continue
        details = item.get("displayDetail")
        first = details[0] if isinstance(details, list) and details else details
        media = first.get("image") if isinstance(first, dict) else None
        if not isinstance(first, dict) or not isinstance(media, dict):
            continue
        media["content"] = base64.b64encode(rendered[code]).decode("ascii")
        media["contentType"] = copy.deepcopy(file_type)
        first["page"] = 1
        if isinstance(details, list):
            item["displayDetail"] = [first]
    return copied


def new_credential(
    subject: Person,
    *,
    title: LanguageMap | None = None,
    display: DisplayParameter | None = None,
    issuer: Organisation | None = None,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    expiration_date: datetime | None = None,
    profiles: Sequence[str] = (PROFILE_GENERIC,),
    schema: str = EDC_GENERIC_FULL,
    credential_id: str | None = None,
    now: datetime | None = None,
) -> EuropeanDigitalCredential:
    """A new EDC for *subject*, with the envelope the EU issuer writes.

    Defaults: ``@context`` (VC 1.1 + EDC), ``type``, ``id`` ``urn:credential:<uuid4>``,
    ``credentialSchema`` (``ShaclValidator2017`` for ``edc-generic-full``),
    ``credentialProfiles`` (Generic), ``validFrom``, ``issued`` and ``issuanceDate`` (now),
    and a ``displayParameter`` titled *title*. The issuer may be left out:
    :func:`apply_seal_certificate` makes it from the seal certificate.

    :param title: the title the viewer shows (required unless *display* is given).
    :param now: the clock (timezone-aware); default the current UTC time.
    """
    moment = _now(now)
    if display is None:
        if title is None:
            raise ModelError("give title= or display=",
                             problems=[("displayParameter", "required property is missing")])
        display = display_parameter(title)
    return EuropeanDigitalCredential(
        context=list(EDC_CONTEXTS),
        id=credential_id or f"urn:credential:{uuid.uuid4()}",
        credential_profiles=[concept(iri, scheme=vocab.CREDENTIAL) for iri in profiles],
        credential_schema=[ShaclValidator2017(id=schema)],
        display_parameter=display,
        issuer=issuer,
        credential_subject=subject,
        issuance_date=moment,
        issued=moment,
        valid_from=valid_from or moment,
        valid_until=valid_until,
        expiration_date=expiration_date,
    )


# --------------------------------------------------------------------------- sealing


def _alpha3(alpha2: str) -> str:
    """ISO 3166-1 alpha-2 (certificates) to alpha-3 (the EU country table), by label."""
    code = alpha2.upper()
    special = {"EL": "GRC", "UK": "GBR", "XK": "XKX"}
    if code in special:
        return special[code]
    if len(code) == 3:
        return code
    found = _ALPHA2.get(code)
    if found is None:
        raise KeyMaterialError(f"unknown country code {alpha2!r} in the seal certificate",
                               code="key.unsupported")
    return found


#: ISO 3166-1 alpha-2 to alpha-3 for the countries whose organisations seal EDCs
#: (EU/EEA, candidates and neighbours); others raise, naming the code.
_ALPHA2 = {
    "AD": "AND", "AL": "ALB", "AM": "ARM", "AT": "AUT", "AZ": "AZE", "BA": "BIH", "BE": "BEL",
    "BG": "BGR", "BY": "BLR", "CH": "CHE", "CY": "CYP", "CZ": "CZE", "DE": "DEU", "DK": "DNK",
    "EE": "EST", "ES": "ESP", "FI": "FIN", "FR": "FRA", "GB": "GBR", "GE": "GEO", "GR": "GRC",
    "HR": "HRV", "HU": "HUN", "IE": "IRL", "IS": "ISL", "IT": "ITA", "LI": "LIE", "LT": "LTU",
    "LU": "LUX", "LV": "LVA", "MC": "MCO", "MD": "MDA", "ME": "MNE", "MK": "MKD", "MT": "MLT",
    "NL": "NLD", "NO": "NOR", "PL": "POL", "PT": "PRT", "RO": "ROU", "RS": "SRB", "RU": "RUS",
    "SE": "SWE", "SI": "SVN", "SK": "SVK", "SM": "SMR", "TR": "TUR", "UA": "UKR", "VA": "VAT",
    "US": "USA", "CA": "CAN",
}


# sealing, as the EU issuer does (upload format, issuer from the certificate, validation)
from ._edc_sealing import (  # noqa: E402
    SealedEdc,
    apply_seal_certificate,
    require_edc,
    seal_edc,
    unwrap_upload,
)
