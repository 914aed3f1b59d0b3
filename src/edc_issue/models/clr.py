"""Comprehensive Learner Record (CLR) 2.0: a credential that bundles Open Badges.

See: <https://www.imsglobal.org/spec/clr/v2p0/#data-model>

A ``ClrCredential`` is issued by an institution about one learner. Its
``credentialSubject`` (a :class:`ClrSubject`) carries the learner's signed
:class:`~edc_issue.models.ob3.AchievementCredential` s (``verifiableCredential``),
the achievements they are about, and :class:`Association` s between those
achievements (``isParentOf``, ``precedes`` ...). Every other class (``Profile``,
``Achievement``, ``Result`` ...) is the Open Badges 3.0 class: CLR 2.0 reuses them.

Reading and writing are lossless, as for :mod:`edc_issue.models.ob3`; each embedded
credential keeps its own proof exactly as it was read, so it still verifies.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Discriminator, Field, Tag

from ._base import IRI, JsonLdModel, by_type
from .ob3 import Achievement, AchievementCredential, EndorsementCredential, IdentityObject
from .ob3._common import _type_includes, _type_is, _types
from .ob3.credential import _OpenBadgesCredential
from .vc import VerifiableCredential

__all__ = [
    "ASSOCIATION_TYPES",
    "CLR2_CONTEXT",
    "CLR_CREDENTIAL_SCHEMA",
    "Association",
    "ClrCredential",
    "ClrSubject",
]

#: The CLR 2.0 JSON-LD context (version 2.0.1), before the OB 3.0 context in ``@context``.
CLR2_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
#: The official JSON Schema of a ClrCredential.
CLR_CREDENTIAL_SCHEMA = (
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
)
#: How two achievements of a CLR relate (AssociationType).
ASSOCIATION_TYPES = (
    "exactMatchOf", "isChildOf", "isParentOf", "isPartOf", "isPeerOf", "isRelatedTo",
    "precedes", "replacedBy",
)


class Association(JsonLdModel):
    """A relation between two achievements of the record (``sourceId`` → ``targetId``).

    See: <https://www.imsglobal.org/spec/clr/v2p0/#association>
    """

    model_config = ConfigDict(extra="allow")

    type: Annotated[str, _type_is("Association")] = "Association"
    association_type: str = Field(alias="associationType")
    source_id: IRI = Field(alias="sourceId")
    target_id: IRI = Field(alias="targetId")


#: A credential inside a CLR: an OpenBadgeCredential, an EndorsementCredential, another
#: VC (kept as read), or a compact JWS string (a VC-JWT).
EmbeddedCredential = Annotated[
    Annotated[AchievementCredential, Tag("AchievementCredential")]
    | Annotated[EndorsementCredential, Tag("EndorsementCredential")]
    | Annotated[VerifiableCredential, Tag("VerifiableCredential")]
    | Annotated[str, Tag("iri")],
    Discriminator(
        by_type(
            # tags are class names: format_loc drops tags from error paths, and a tag
            # spelled like a property ("achievement") would hide that property
            {
                "AchievementCredential": "AchievementCredential",
                "OpenBadgeCredential": "AchievementCredential",
                "EndorsementCredential": "EndorsementCredential",
            },
            default="VerifiableCredential",
        )
    ),
]


class ClrSubject(JsonLdModel):
    """The learner and their record: credentials, achievements and associations.

    See: <https://www.imsglobal.org/spec/clr/v2p0/#clrsubject>
    """

    model_config = ConfigDict(extra="allow")

    id: IRI | None = None
    type: Annotated[list[str], _type_includes("ClrSubject")] = _types("ClrSubject")
    identifier: list[IdentityObject] | None = None
    achievement: list[Achievement] | None = None
    verifiable_credential: list[EmbeddedCredential] = Field(alias="verifiableCredential")
    association: list[Association] | None = None


class ClrCredential(_OpenBadgesCredential):
    """A Comprehensive Learner Record: one issuer's signed record of a learner's achievements.

    See: <https://www.imsglobal.org/spec/clr/v2p0/#clrcredential>
    """

    type: str | list[str] = Field(
        default_factory=lambda: ["VerifiableCredential", "ClrCredential"]
    )
    partial: bool | None = None
    credential_subject: ClrSubject = Field(alias="credentialSubject")

    @classmethod
    def _credential_types(cls) -> tuple[str, ...]:
        return ("ClrCredential",)
