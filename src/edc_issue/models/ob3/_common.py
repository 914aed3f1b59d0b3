"""What the Open Badges 3.0 classes share: the spec's constants, its enumerations, and
the checks of ``type`` values.

See: <https://www.imsglobal.org/spec/ob/v3p0/#data-model>
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import AfterValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from .._base import JsonLdModel

__all__ = [
    "ACHIEVEMENT_CREDENTIAL_SCHEMA",
    "ACHIEVEMENT_TYPES",
    "ALIGNMENT_TARGET_TYPES",
    "ENDORSEMENT_CREDENTIAL_SCHEMA",
    "IDENTIFIER_TYPES",
    "JSON_SCHEMA_VALIDATOR_2019",
    "OB3_CONTEXT",
    "OB3_EXTENSIONS_CONTEXT",
    "RESULT_STATUSES",
    "RESULT_TYPES",
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


class _Open(JsonLdModel):
    """An OB 3.0 class the official JSON Schema leaves open (``additionalProperties: true``)."""

    model_config = ConfigDict(extra="allow")
