"""Open Badges 3.0 achievements: what was achieved, how it is earned, how it aligns to
frameworks, and the results it may have.

See: <https://www.imsglobal.org/spec/ob/v3p0/#achievement>
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import Field

from .._base import IRI, Number
from ._common import _Open, _type_includes, _types
from .profile import IdentifierEntry, ImageRef, Profile

if TYPE_CHECKING:
    from .credential import EndorsementCredential

__all__ = [
    "Achievement",
    "Alignment",
    "Criteria",
    "Related",
    "Result",
    "ResultDescription",
    "RubricCriterionLevel",
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
