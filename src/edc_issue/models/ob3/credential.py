"""Open Badges 3.0 credentials: AchievementCredential (OpenBadgeCredential) and
EndorsementCredential, their subjects, and the VC-level entries they carry (evidence,
schemas, status, refresh, terms of use).

See: <https://www.imsglobal.org/spec/ob/v3p0/#achievementcredential>
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from edc_issue._types import JsonObject

from .._base import IRI, JsonLdModel, Number, XsdDateTime, _is_list_annotation
from ..vc import CREDENTIALS_V1, CREDENTIALS_V2, Context, Proof, VerifiableCredential
from ._common import _Open, _type_includes, _types
from .achievement import Achievement, Result
from .profile import IdentityObject, ImageRef, Profile, ProfileRef

__all__ = [
    "AchievementCredential",
    "AchievementSubject",
    "CredentialSchema",
    "CredentialStatus",
    "CredentialStatuses",
    "EndorsementCredential",
    "EndorsementSubject",
    "Evidence",
    "OpenBadgeCredential",
    "RefreshService",
    "TermsOfUse",
]


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
    """Resolve the forward references of the mutually recursive classes (a profile or an
    achievement holds endorsements, which hold profiles), across the package's modules.

    ``JsonLdModel`` records which fields hold lists when a class is created; a field
    whose type was still a forward reference then is only known after the rebuild.
    """
    namespace = {"EndorsementCredential": EndorsementCredential, "Profile": Profile,
                 "Achievement": Achievement}
    for model in models:
        model.model_rebuild(force=True, _types_namespace=namespace)
        fields = model.model_fields.items()
        list_fields = frozenset(n for n, i in fields if _is_list_annotation(i.annotation))
        setattr(model, "_list_fields", list_fields)  # noqa: B010 (a ClassVar of the base)


_rebuild(Profile, Achievement, AchievementSubject, _OpenBadgesCredential, EndorsementCredential,
         AchievementCredential)
