"""New Open Badges 3.0 credentials with the spec's defaults (contexts, a ``urn:uuid`` id,
``validFrom``, optionally ``credentialSchema``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any

from edc_issue._types import Clock, JsonObject

from .._base import JsonLdModel
from ..vc import CREDENTIALS_V2
from ._common import (
    ACHIEVEMENT_CREDENTIAL_SCHEMA,
    ENDORSEMENT_CREDENTIAL_SCHEMA,
    JSON_SCHEMA_VALIDATOR_2019,
    OB3_CONTEXT,
    OB3_EXTENSIONS_CONTEXT,
)
from .achievement import Achievement, Result
from .credential import (
    AchievementCredential,
    AchievementSubject,
    CredentialSchema,
    EndorsementCredential,
    EndorsementSubject,
    Evidence,
)
from .profile import IdentityObject, Image, Profile

__all__ = ["new_achievement_credential", "new_endorsement_credential"]


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
