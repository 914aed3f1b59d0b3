"""Open Badges 3.0: the data model of an OpenBadgeCredential (``AchievementCredential``).

See: <https://www.imsglobal.org/spec/ob/v3p0/#data-model>

Each class is the spec's class of the same name. Properties are snake_case in
Python and the spec's term in JSON (``valid_from`` ↔ ``validFrom``). Reading
(``AchievementCredential.model_validate(data)``) and writing (``.to_jsonld()``)
are lossless: key order, one-value-versus-list forms and the lexical form of
dates are written back as they were read (see :mod:`edc_issue.models._base`).

Classes that the official JSON Schema leaves open (``additionalProperties: true``,
the spec's extension mechanism, §Extending the Data Model) are open here too
(``extra="allow"``): extension properties are kept, written back and listed by
``unknown_properties()``. ``Image``, ``IdentityObject`` and ``IdentifierEntry`` are
closed in the schema and here (``extra="forbid"``, with a did-you-mean).

Reading checks what the data model makes structural (each node's ``type``
includes its class, required properties are present, enumerations hold, the
first ``@context`` is a VC context) and raises :class:`~edc_issue.errors.ModelError`
with a JSON path per problem. Signatures, dates against a clock and JSON Schema
conformance are :func:`edc_issue.verify` and :func:`edc_issue.validate`'s job.

New credentials: :func:`new_achievement_credential` fills in the defaults
(contexts, a ``urn:uuid`` id, ``validFrom``, optionally ``credentialSchema``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, Discriminator, Field, Tag, field_validator
from pydantic_core import PydanticCustomError

from edc_issue._types import Clock, JsonObject

from ._base import (
    IRI,
    JsonLdModel,
    Number,
    XsdDate,
    XsdDateTime,
    _is_list_annotation,
    node_or_iri,
)
from .vc import CREDENTIALS_V1, CREDENTIALS_V2, Context, Proof, VerifiableCredential

__all__ = [
    "ACHIEVEMENT_CREDENTIAL_SCHEMA",
    "ACHIEVEMENT_TYPES",
    "ALIGNMENT_TARGET_TYPES",
    "CREDENTIALS_V2",
    "ENDORSEMENT_CREDENTIAL_SCHEMA",
    "IDENTIFIER_TYPES",
    "JSON_SCHEMA_VALIDATOR_2019",
    "OB3_CONTEXT",
    "OB3_EXTENSIONS_CONTEXT",
    "RESULT_STATUSES",
    "RESULT_TYPES",
    "Achievement",
    "AchievementCredential",
    "AchievementSubject",
    "Address",
    "Alignment",
    "CredentialSchema",
    "CredentialStatus",
    "CredentialStatuses",
    "Criteria",
    "EndorsementCredential",
    "EndorsementSubject",
    "Evidence",
    "GeoCoordinates",
    "IdentifierEntry",
    "IdentityObject",
    "Image",
    "ImageRef",
    "OpenBadgeCredential",
    "Profile",
    "ProfileRef",
    "Proof",
    "RefreshService",
    "Related",
    "Result",
    "ResultDescription",
    "RubricCriterionLevel",
    "TermsOfUse",
    "new_achievement_credential",
    "new_endorsement_credential",
]

#: The Open Badges 3.0 JSON-LD context (version 3.0.3), second in every OB 3.0 ``@context``.
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
#: The OB 3.0 extensions context: defines ``1EdTechJsonSchemaValidator2019`` (and
#: ``1EdTechRevocationList``, ``1EdTechCredentialRefresh``), which the base contexts do not.
OB3_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
#: The ``credentialSchema`` type of the 1EdTech JSON Schemas.
JSON_SCHEMA_VALIDATOR_2019 = "1EdTechJsonSchemaValidator2019"
#: The official JSON Schema of an AchievementCredential / OpenBadgeCredential.
ACHIEVEMENT_CREDENTIAL_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
#: The official JSON Schema of an EndorsementCredential.
ENDORSEMENT_CREDENTIAL_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json"
)

_OB3_CONTEXT_RE = re.compile(r"^https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d\.\d)*\.json$")

# --------------------------------------------------------------------------- value checks


def _type_includes(*names: str) -> AfterValidator:
    """A ``type`` list must include one of *names* (the spec: "one of the items MUST be ...")."""
    wanted = " or ".join(repr(n) for n in names)

    def check(value: list[str]) -> list[str]:
        if not any(name in value for name in names):
            raise PydanticCustomError(
                "ob3_type",
                "type must include {wanted}, found {found}",
                {"wanted": wanted, "found": value},
            )
        return value

    return AfterValidator(check)


def _type_is(name: str) -> AfterValidator:
    """A single-valued ``type`` must be exactly *name*."""

    def check(value: str) -> str:
        if value != name:
            raise PydanticCustomError(
                "ob3_type", "type must be {wanted}, found '{found}'",
                {"wanted": repr(name), "found": value},
            )
        return value

    return AfterValidator(check)


def _types(name: str) -> Any:
    """The default of a list-valued ``type``: ``[name]`` (written only for new nodes)."""
    return Field(default_factory=lambda: [name])


#: Identifier types (IdentifierTypeEnum, extensible).
IDENTIFIER_TYPES = (
    "name", "sourcedId", "systemId", "productId", "userName", "accountId", "emailAddress",
    "nationalIdentityNumber", "isbn", "issn", "lisSourcedId", "oneRosterSourcedId",
    "sisSourcedId", "ltiContextId", "ltiDeploymentId", "ltiToolId", "ltiPlatformId",
    "ltiUserId", "identifier",
)
#: Achievement types (AchievementType, extensible).
ACHIEVEMENT_TYPES = (
    "Achievement", "ApprenticeshipCertificate", "Assessment", "Assignment",
    "AssociateDegree", "Award", "Badge", "BachelorDegree", "Certificate",
    "CertificateOfCompletion", "Certification", "CommunityService", "Competency", "Course",
    "CoCurricular", "Degree", "Diploma", "DoctoralDegree", "Fieldwork",
    "GeneralEducationDevelopment", "JourneymanCertificate", "LearningProgram", "License",
    "Membership", "ProfessionalDoctorate", "QualityAssuranceCredential", "MasterCertificate",
    "MasterDegree", "MicroCredential", "ResearchDoctorate", "SecondarySchoolDiploma",
)
#: Alignment target types (AlignmentTargetType, extensible).
ALIGNMENT_TARGET_TYPES = (
    "ceasn:Competency", "ceterms:Credential", "CFItem", "CFRubric", "CFRubricCriterion",
    "CFRubricCriterionLevel", "CTDL",
)
#: Result types (ResultType, extensible).
RESULT_TYPES = (
    "GradePointAverage", "LetterGrade", "Percent", "PerformanceLevel", "PredictedScore",
    "RawScore", "Result", "RubricCriterion", "RubricCriterionLevel", "RubricScore",
    "ScaledScore", "Status",
)
#: Result statuses (ResultStatusType, closed).
RESULT_STATUSES = (
    "Completed", "Enrolled", "Failed", "InProgress", "OnHold", "Provisional", "Withdrew",
)


# --------------------------------------------------------------------------- small classes


class _Open(JsonLdModel):
    """An OB 3.0 class the official JSON Schema leaves open (``additionalProperties: true``)."""

    model_config = ConfigDict(extra="allow")


class Image(JsonLdModel):
    """An image: its IRI (often a ``data:`` URL) and a caption.

    See: <https://www.imsglobal.org/spec/ob/v3p0/#image>
    """

    id: IRI
    type: Annotated[str, _type_is("Image")] = "Image"
    caption: str | None = None


#: An image as an :class:`Image` node or a bare IRI.
ImageRef = Annotated[
    Annotated[Image, Tag("node")] | Annotated[IRI, Tag("iri")], Discriminator(node_or_iri)
]


class Criteria(_Open):
    """How the achievement is earned: a narrative and/or a URL.

    See: <https://www.imsglobal.org/spec/ob/v3p0/#criteria>
    """

    id: IRI | None = None
    narrative: str | None = None


class Alignment(_Open):
    """An alignment to a node in an external framework (CASE, CTDL, ESCO, EQF ...).

    See: <https://www.imsglobal.org/spec/ob/v3p0/#alignment>
    """

    type: Annotated[list[str], _type_includes("Alignment")] = _types("Alignment")
    target_code: str | None = Field(default=None, alias="targetCode")
    target_description: str | None = Field(default=None, alias="targetDescription")
    target_name: str = Field(alias="targetName")
    target_framework: str | None = Field(default=None, alias="targetFramework")
    target_type: str | None = Field(default=None, alias="targetType")
    target_url: IRI = Field(alias="targetUrl")


class IdentifierEntry(JsonLdModel):
    """Another identifier of a profile or achievement (closed in the schema).

    See: <https://www.imsglobal.org/spec/ob/v3p0/#identifierentry>
    """

    type: Annotated[str, _type_is("IdentifierEntry")] = "IdentifierEntry"
    identifier: str
    identifier_type: str = Field(alias="identifierType")


class IdentityObject(JsonLdModel):
    """An identifier of the recipient, possibly hashed (closed in the schema).

    See: <https://www.imsglobal.org/spec/ob/v3p0/#identityobject>
    """

    type: Annotated[str, _type_is("IdentityObject")] = "IdentityObject"
    hashed: bool
    identity_hash: str = Field(alias="identityHash")
    identity_type: str = Field(alias="identityType")
    salt: str | None = None


class GeoCoordinates(_Open):
    """A latitude and longitude (WGS 84).

    See: <https://www.imsglobal.org/spec/ob/v3p0/#geocoordinates>
    """

    type: Annotated[str, _type_is("GeoCoordinates")] = "GeoCoordinates"
    latitude: Number
    longitude: Number


class Address(_Open):
    """A postal address.

    See: <https://www.imsglobal.org/spec/ob/v3p0/#address>
    """

    type: Annotated[list[str], _type_includes("Address")] = _types("Address")
    address_country: str | None = Field(default=None, alias="addressCountry")
    address_country_code: str | None = Field(default=None, alias="addressCountryCode")
    address_region: str | None = Field(default=None, alias="addressRegion")
    address_locality: str | None = Field(default=None, alias="addressLocality")
    street_address: str | None = Field(default=None, alias="streetAddress")
    post_office_box_number: str | None = Field(default=None, alias="postOfficeBoxNumber")
    postal_code: str | None = Field(default=None, alias="postalCode")
    geo: GeoCoordinates | None = None


class Related(_Open):
    """Another version of the same achievement (a translation, an older version).

    See: <https://www.imsglobal.org/spec/ob/v3p0/#related>
    """

    id: IRI
    type: Annotated[list[str], _type_includes("Related")] = _types("Related")
    in_language: str | None = Field(default=None, alias="inLanguage")
    version: str | None = None


class RubricCriterionLevel(_Open):
    """A level of a rubric criterion.

    See: <https://www.imsglobal.org/spec/ob/v3p0/#rubriccriterionlevel>
    """

    id: IRI
    type: Annotated[list[str], _type_includes("RubricCriterionLevel")] = _types(
        "RubricCriterionLevel"
    )
    alignment: list[Alignment] | None = None
    description: str | None = None
    level: str | None = None
    name: str
    points: str | None = None


class ResultDescription(_Open):
    """Describes a possible result of the achievement (a grade, a rubric, a status).

    See: <https://www.imsglobal.org/spec/ob/v3p0/#resultdescription>
    """

    id: IRI
    type: Annotated[list[str], _type_includes("ResultDescription")] = _types("ResultDescription")
    alignment: list[Alignment] | None = None
    allowed_value: list[str] | None = Field(default=None, alias="allowedValue")
    name: str
    required_level: IRI | None = Field(default=None, alias="requiredLevel")
    required_value: str | None = Field(default=None, alias="requiredValue")
    result_type: str = Field(alias="resultType")
    rubric_criterion_level: list[RubricCriterionLevel] | None = Field(
        default=None, alias="rubricCriterionLevel"
    )
    value_max: str | None = Field(default=None, alias="valueMax")
    value_min: str | None = Field(default=None, alias="valueMin")


class Result(_Open):
    """A result the recipient earned (a grade, a level, a status).

    See: <https://www.imsglobal.org/spec/ob/v3p0/#result>
    """

    type: Annotated[list[str], _type_includes("Result")] = _types("Result")
    achieved_level: IRI | None = Field(default=None, alias="achievedLevel")
    alignment: list[Alignment] | None = None
    result_description: IRI | None = Field(default=None, alias="resultDescription")
    status: str | None = None
    value: str | None = None


class Evidence(_Open):
    """Evidence of the achievement: a URL and/or a narrative.

    See: <https://www.imsglobal.org/spec/ob/v3p0/#evidence>
    """

    id: IRI | None = None
    type: Annotated[list[str], _type_includes("Evidence")] = _types("Evidence")
    narrative: str | None = None
    name: str | None = None
    description: str | None = None
    genre: str | None = None
    audience: str | None = None


class CredentialSchema(_Open):
    """A schema the credential conforms to (``1EdTechJsonSchemaValidator2019``).

    See: <https://www.imsglobal.org/spec/ob/v3p0/#credentialschema>
    """

    id: IRI
    type: str


class CredentialStatus(_Open):
    """Where to check whether the credential was revoked (``BitstringStatusListEntry`` ...).

    See: <https://www.imsglobal.org/spec/ob/v3p0/#credentialstatus>
    """

    id: IRI | None = None
    type: str | list[str]


class RefreshService(_Open):
    """Where to get a refreshed copy of the credential.

    See: <https://www.imsglobal.org/spec/ob/v3p0/#refreshservice>
    """

    id: IRI
    type: str | list[str]


class TermsOfUse(_Open):
    """Terms of use attached to the credential by its issuer.

    See: <https://www.imsglobal.org/spec/ob/v3p0/#termsofuse>
    """

    id: IRI | None = None
    type: str | list[str]


# --------------------------------------------------------------------------- profile, achievement


class Profile(_Open):
    """A person or organisation: the issuer, a creator, an endorser, a source.

    See: <https://www.imsglobal.org/spec/ob/v3p0/#profile>
    """

    id: IRI
    type: Annotated[list[str], _type_includes("Profile")] = _types("Profile")
    name: str | None = None
    url: IRI | None = None
    phone: str | None = None
    description: str | None = None
    endorsement: list[EndorsementCredential] | None = None
    endorsement_jwt: list[str] | None = Field(default=None, alias="endorsementJwt")
    image: ImageRef | None = None
    email: str | None = None
    address: Address | None = None
    other_identifier: list[IdentifierEntry] | None = Field(default=None, alias="otherIdentifier")
    official: str | None = None
    parent_org: Profile | None = Field(default=None, alias="parentOrg")
    family_name: str | None = Field(default=None, alias="familyName")
    given_name: str | None = Field(default=None, alias="givenName")
    additional_name: str | None = Field(default=None, alias="additionalName")
    patronymic_name: str | None = Field(default=None, alias="patronymicName")
    honorific_prefix: str | None = Field(default=None, alias="honorificPrefix")
    honorific_suffix: str | None = Field(default=None, alias="honorificSuffix")
    family_name_prefix: str | None = Field(default=None, alias="familyNamePrefix")
    date_of_birth: XsdDate | None = Field(default=None, alias="dateOfBirth")


#: A profile as a :class:`Profile` node or a bare IRI (``ProfileRef`` in the schema).
ProfileRef = Annotated[
    Annotated[Profile, Tag("node")] | Annotated[IRI, Tag("iri")], Discriminator(node_or_iri)
]


class Achievement(_Open):
    """What the recipient achieved: a badge, a course, a competency, a degree.

    See: <https://www.imsglobal.org/spec/ob/v3p0/#achievement>
    """

    id: IRI
    type: Annotated[list[str], _type_includes("Achievement")] = _types("Achievement")
    alignment: list[Alignment] | None = None
    achievement_type: str | None = Field(default=None, alias="achievementType")
    creator: Profile | None = None
    credits_available: Number | None = Field(default=None, alias="creditsAvailable")
    criteria: Criteria
    description: str
    endorsement: list[EndorsementCredential] | None = None
    endorsement_jwt: list[str] | None = Field(default=None, alias="endorsementJwt")
    field_of_study: str | None = Field(default=None, alias="fieldOfStudy")
    human_code: str | None = Field(default=None, alias="humanCode")
    image: ImageRef | None = None
    in_language: str | None = Field(default=None, alias="inLanguage")
    name: str
    other_identifier: list[IdentifierEntry] | None = Field(default=None, alias="otherIdentifier")
    related: list[Related] | None = None
    result_description: list[ResultDescription] | None = Field(
        default=None, alias="resultDescription"
    )
    specialization: str | None = None
    tag: list[str] | None = None
    version: str | None = None


class AchievementSubject(_Open):
    """The recipient and what they achieved (``credentialSubject`` of an OpenBadgeCredential).

    See: <https://www.imsglobal.org/spec/ob/v3p0/#achievementsubject>
    """

    id: IRI | None = None
    type: Annotated[list[str], _type_includes("AchievementSubject")] = _types("AchievementSubject")
    activity_end_date: XsdDateTime | None = Field(default=None, alias="activityEndDate")
    activity_start_date: XsdDateTime | None = Field(default=None, alias="activityStartDate")
    credits_earned: Number | None = Field(default=None, alias="creditsEarned")
    #: Required by the spec; optional here, as some of the spec's own examples omit it.
    achievement: Achievement | None = None
    identifier: list[IdentityObject] | None = None
    image: ImageRef | None = None
    license_number: str | None = Field(default=None, alias="licenseNumber")
    narrative: str | None = None
    result: list[Result] | None = None
    role: str | None = None
    source: Profile | None = None
    term: str | None = None


class EndorsementSubject(_Open):
    """What an endorsement endorses (an issuer, an achievement, a credential) and a comment.

    See: <https://www.imsglobal.org/spec/ob/v3p0/#endorsementsubject>
    """

    id: IRI
    type: Annotated[list[str], _type_includes("EndorsementSubject")] = _types("EndorsementSubject")
    endorsement_comment: str | None = Field(default=None, alias="endorsementComment")


# --------------------------------------------------------------------------- credentials


def _check_context(value: Any) -> Any:
    first = value[0] if isinstance(value, list) and value else value
    if first not in (CREDENTIALS_V2, CREDENTIALS_V1):
        raise PydanticCustomError(
            "ob3_context",
            "the first @context must be {v2} (or, for VC 1.1, {v1}), found '{found}'",
            {"v2": CREDENTIALS_V2, "v1": CREDENTIALS_V1, "found": first},
        )
    return value


#: One or more credential status entries (VC 2.0 allows several, e.g. revocation + suspension).
CredentialStatuses = CredentialStatus | list[CredentialStatus]


class _OpenBadgesCredential(VerifiableCredential):
    """The properties every OB 3.0 / CLR 2.0 credential shares (VC 2.0, or VC 1.1 when read)."""

    model_config = ConfigDict(extra="allow")

    context: Annotated[Context, AfterValidator(_check_context)] = Field(alias="@context")
    id: IRI | None = None
    name: str | None = None
    description: str | None = None
    image: ImageRef | None = None
    awarded_date: XsdDateTime | None = Field(default=None, alias="awardedDate")
    endorsement: list[EndorsementCredential] | None = None
    endorsement_jwt: list[str] | None = Field(default=None, alias="endorsementJwt")
    evidence: list[Evidence] | None = None
    issuer: ProfileRef
    valid_from: XsdDateTime | None = Field(default=None, alias="validFrom")
    valid_until: XsdDateTime | None = Field(default=None, alias="validUntil")
    #: VC 1.1 (``credentials/v1``) documents say ``issuanceDate`` instead of ``validFrom``.
    issuance_date: XsdDateTime | None = Field(default=None, alias="issuanceDate")
    #: VC 1.1 documents say ``expirationDate`` instead of ``validUntil``.
    expiration_date: XsdDateTime | None = Field(default=None, alias="expirationDate")
    proof: list[Proof] | None = None
    credential_schema: list[CredentialSchema] | None = Field(default=None, alias="credentialSchema")
    credential_status: CredentialStatuses | None = Field(default=None, alias="credentialStatus")
    refresh_service: RefreshService | None = Field(default=None, alias="refreshService")
    terms_of_use: list[TermsOfUse] | None = Field(default=None, alias="termsOfUse")

    @field_validator("type", mode="after")
    @classmethod
    def _type_includes_vc(cls, value: str | list[str]) -> str | list[str]:
        types = [value] if isinstance(value, str) else value
        if "VerifiableCredential" not in types:
            raise PydanticCustomError(
                "ob3_type", "type must include 'VerifiableCredential', found {found}",
                {"found": types},
            )
        wanted = cls._credential_types()
        if not any(t in types for t in wanted):
            raise PydanticCustomError(
                "ob3_type", "type must include {wanted}, found {found}",
                {"wanted": " or ".join(repr(w) for w in wanted), "found": types},
            )
        return value

    @classmethod
    def _credential_types(cls) -> tuple[str, ...]:
        return ("VerifiableCredential",)

    def to_jsonld(self) -> JsonObject:
        """Write the credential as compact JSON-LD (``@context`` first, as read)."""
        return super().to_jsonld()


class EndorsementCredential(_OpenBadgesCredential):
    """A third party's endorsement of an issuer, an achievement or a credential.

    See: <https://www.imsglobal.org/spec/ob/v3p0/#endorsementcredential>
    """

    type: str | list[str] = Field(
        default_factory=lambda: ["VerifiableCredential", "EndorsementCredential"]
    )
    credential_subject: EndorsementSubject = Field(alias="credentialSubject")

    @classmethod
    def _credential_types(cls) -> tuple[str, ...]:
        return ("EndorsementCredential",)


class AchievementCredential(_OpenBadgesCredential):
    """An Open Badge: a verifiable credential that someone achieved something.

    ``OpenBadgeCredential`` is the same class: the spec treats the two type names
    as aliases, and a credential may carry either.

    See: <https://www.imsglobal.org/spec/ob/v3p0/#achievementcredential>
    """

    type: str | list[str] = Field(
        default_factory=lambda: ["VerifiableCredential", "OpenBadgeCredential"]
    )
    credential_subject: AchievementSubject = Field(alias="credentialSubject")

    @classmethod
    def _credential_types(cls) -> tuple[str, ...]:
        return ("AchievementCredential", "OpenBadgeCredential")


#: The spec's other name for :class:`AchievementCredential` (the same class).
OpenBadgeCredential = AchievementCredential



def _rebuild(*models: type[JsonLdModel]) -> None:
    """Resolve the forward references of the mutually recursive classes.

    ``JsonLdModel`` records which fields hold lists when a class is created; a field
    whose type was still a forward reference then is only known after the rebuild.
    """
    for model in models:
        model.model_rebuild(force=True)
        fields = model.model_fields.items()
        list_fields = frozenset(n for n, i in fields if _is_list_annotation(i.annotation))
        setattr(model, "_list_fields", list_fields)  # noqa: B010 (a ClassVar of the base)


_rebuild(Profile, Achievement, _OpenBadgesCredential, EndorsementCredential, AchievementCredential)


# --------------------------------------------------------------------------- new credentials


def _contexts(with_schema: bool) -> list[str | dict[str, Any]]:
    return [CREDENTIALS_V2, OB3_CONTEXT, *([OB3_EXTENSIONS_CONTEXT] if with_schema else [])]


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _as(model: type[Any], value: Any) -> Any:
    """*value* as a *model* node for a new credential; an IRI string stays a string.

    A node read from JSON would be written back as it was read (no ``type`` if it had
    none, one value where the schema wants a list); a new credential gets the
    defaults and the schema's list forms instead, in every nested node.
    """
    if isinstance(value, str):
        return value
    node = value if isinstance(value, model) else model.model_validate(value)
    _as_new(node)
    return node


def _as_new(node: JsonLdModel) -> None:
    node._absent_defaults = frozenset()
    node._list_forms = {}
    node._key_order = ()
    for name in type(node).model_fields:
        value = getattr(node, name)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, JsonLdModel):
                _as_new(item)


def new_achievement_credential(
    *,
    issuer: Profile | JsonObject | str,
    achievement: Achievement | JsonObject,
    recipient: str | None = None,
    identifier: Sequence[IdentityObject | JsonObject] | None = None,
    name: str | None = None,
    description: str | None = None,
    image: Image | JsonObject | str | None = None,
    result: Sequence[Result | JsonObject] | None = None,
    evidence: Sequence[Evidence | JsonObject] | None = None,
    credits_earned: float | None = None,
    credential_id: str | None = None,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    with_schema: bool = False,
    clock: Clock | Callable[[], datetime] | None = None,
) -> AchievementCredential:
    """Build a new, unsigned OpenBadgeCredential with the spec's defaults.

    - ``@context``: ``credentials/v2`` and the OB 3.0.3 context;
    - ``type``: ``VerifiableCredential`` and ``OpenBadgeCredential``;
    - ``id``: a new ``urn:uuid:``; ``validFrom``: now (from *clock*), to the second;
    - ``name``: the achievement's name unless given;
    - ``credentialSchema``: the official JSON Schema (``1EdTechJsonSchemaValidator2019``)
      when *with_schema* is true, with the OB 3.0 extensions context that defines that
      type (without it, the type would be dropped from the signed RDF).

    Sign the result's :meth:`~AchievementCredential.to_jsonld` with
    :func:`edc_issue.sign`; the proof is then written as an array, as the schema requires.

    :param issuer: a :class:`Profile` (or its JSON) or the issuer's IRI (a DID).
    :param recipient: the recipient's IRI (``did:...``, ``mailto:...``); give
        *identifier* instead (or as well) to name them by an :class:`IdentityObject`.
    :param clock: returns the current time (timezone-aware); tests pass a fixed one.
    :raises ModelError: a value does not fit the data model.
    """
    now = (clock or _utc_now)()
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    achievement_node: Achievement = _as(Achievement, achievement)
    subject = AchievementSubject(
        id=recipient,
        achievement=achievement_node,
        identifier=[_as(IdentityObject, i) for i in identifier] if identifier else None,
        result=[_as(Result, r) for r in result] if result else None,
        credits_earned=credits_earned,
    )
    return AchievementCredential(
        context=_contexts(with_schema),
        id=credential_id or f"urn:uuid:{uuid.uuid4()}",
        type=["VerifiableCredential", "OpenBadgeCredential"],
        name=name or achievement_node.name,
        description=description,
        image=_as(Image, image) if image is not None else None,
        credential_subject=subject,
        issuer=_as(Profile, issuer),
        valid_from=(valid_from or now).replace(microsecond=0),
        valid_until=valid_until,
        evidence=[_as(Evidence, e) for e in evidence] if evidence else None,
        credential_schema=(
            [CredentialSchema(id=ACHIEVEMENT_CREDENTIAL_SCHEMA, type=JSON_SCHEMA_VALIDATOR_2019)]
            if with_schema else None
        ),
    )


def new_endorsement_credential(
    *,
    issuer: Profile | JsonObject | str,
    endorsed: str,
    comment: str | None = None,
    name: str,
    credential_id: str | None = None,
    valid_from: datetime | None = None,
    with_schema: bool = False,
    clock: Clock | Callable[[], datetime] | None = None,
) -> EndorsementCredential:
    """Build a new, unsigned EndorsementCredential of *endorsed* (an issuer, achievement or
    credential IRI), with the same defaults as :func:`new_achievement_credential`.
    """
    now = (clock or _utc_now)()
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return EndorsementCredential(
        context=_contexts(with_schema),
        id=credential_id or f"urn:uuid:{uuid.uuid4()}",
        type=["VerifiableCredential", "EndorsementCredential"],
        name=name,
        credential_subject=EndorsementSubject(id=endorsed, endorsement_comment=comment),
        issuer=_as(Profile, issuer),
        valid_from=(valid_from or now).replace(microsecond=0),
        credential_schema=(
            [CredentialSchema(id=ENDORSEMENT_CREDENTIAL_SCHEMA, type=JSON_SCHEMA_VALIDATOR_2019)]
            if with_schema else None
        ),
    )
