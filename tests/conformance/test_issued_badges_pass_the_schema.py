"""A badge we issue and sign, with eddsa-rdfc-2022 and as a VC-JWT, passes the official schema.

The OB 3.0 AchievementCredential JSON Schema (draft 2019-09) is the 1EdTech certification's
form check; among other things it requires ``proof`` to be an array.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from jsonschema import Draft201909Validator

import edc_issue as edc
from edc_issue.models.ob3 import new_achievement_credential

SCHEMA = (Path(__file__).resolve().parents[2] / "schemas" / "jsonschema" /
          "ob_v3p0_achievementcredential_schema.json")


def _badge(issuer: str) -> dict[str, object]:
    badge = new_achievement_credential(
        issuer={"id": issuer, "type": ["Profile"], "name": "Universiteti TEST"},
        achievement={
            "id": "https://example.edu/achievements/designing-moocs",
            "type": ["Achievement"],
            "name": "Designing MOOCs",
            "description": "A 90-hour MOOC for teachers on designing MOOCs.",
            "criteria": {"narrative": "Complete the course and its final project."},
        },
        recipient="did:example:teacher-1",
        with_schema=True,
        clock=lambda: datetime(2026, 1, 1, tzinfo=timezone.utc),
    )
    return badge.to_jsonld() if hasattr(badge, "to_jsonld") else badge


@pytest.mark.parametrize("kind", ["ed25519", "p256"])
def test_signed_badge_passes_the_official_schema(kind: str) -> None:
    key = edc.generate_key(kind)
    signed = edc.sign(_badge(key.controller), key)
    assert isinstance(signed, dict)
    assert isinstance(signed["proof"], list)
    validator = Draft201909Validator(json.loads(SCHEMA.read_text()))
    assert not sorted(validator.iter_errors(signed), key=str)
    assert edc.validate(signed).ok
    assert edc.verify(signed).ok


def test_vc_jwt_badge_payload_passes_the_official_schema() -> None:
    key = edc.generate_key("ed25519")
    token = edc.sign(_badge(key.controller), key, suite="vc-jwt")
    assert isinstance(token, str) and token.count(".") == 2
    part = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    credential = claims.get("vc", claims)
    validator = Draft201909Validator(json.loads(SCHEMA.read_text()))
    assert not sorted(validator.iter_errors(credential), key=str)
    assert edc.validate(token).ok
    assert edc.verify(token).ok
