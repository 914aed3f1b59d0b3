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

The classes live by area, as the ELM models do: ``profile`` (Profile, Image, Address ...),
``achievement`` (Achievement, Alignment, Result ...), ``credential`` (the credentials,
their subjects and VC-level entries), ``builders`` (the ``new_*`` functions); every name
is imported from here.
"""

from __future__ import annotations

from ..vc import CREDENTIALS_V2, Proof
from ._common import (
    ACHIEVEMENT_CREDENTIAL_SCHEMA,
    ACHIEVEMENT_TYPES,
    ALIGNMENT_TARGET_TYPES,
    ENDORSEMENT_CREDENTIAL_SCHEMA,
    IDENTIFIER_TYPES,
    JSON_SCHEMA_VALIDATOR_2019,
    OB3_CONTEXT,
    OB3_EXTENSIONS_CONTEXT,
    RESULT_STATUSES,
    RESULT_TYPES,
)
from .achievement import (
    Achievement,
    Alignment,
    Criteria,
    Related,
    Result,
    ResultDescription,
    RubricCriterionLevel,
)
from .builders import new_achievement_credential, new_endorsement_credential
from .credential import (
    AchievementCredential,
    AchievementSubject,
    CredentialSchema,
    CredentialStatus,
    CredentialStatuses,
    EndorsementCredential,
    EndorsementSubject,
    Evidence,
    OpenBadgeCredential,
    RefreshService,
    TermsOfUse,
)
from .profile import (
    Address,
    GeoCoordinates,
    IdentifierEntry,
    IdentityObject,
    Image,
    ImageRef,
    Profile,
    ProfileRef,
)

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
