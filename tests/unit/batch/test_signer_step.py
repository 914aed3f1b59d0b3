"""A sign step takes any Signer, not only a Key: here one that wraps a key and counts calls,
as an HSM or KMS client stands in front of a key it never shows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from edc_issue import Key, Signer, generate_key, verify
from edc_issue.batch import BakeStep, SignStep, issue_batch
from edc_issue.errors import KeyMaterialError, ProofFormatError

from .conftest import TEMPLATES, learner


class CountingSigner:
    """Only ``id``, ``controller``, ``algorithm`` and ``sign`` are visible; it is no Key."""

    def __init__(self, key: Key) -> None:
        self._key = key
        self.id = key.id
        self.controller = key.controller
        self.algorithm = key.algorithm
        self.calls = 0

    def sign(self, data: bytes) -> bytes:
        self.calls += 1
        return self._key.sign(data)


@pytest.mark.parametrize(("kind", "suite"), [("ed25519", "eddsa-rdfc-2022"),
                                             ("p256", "ecdsa-rdfc-2019")])
def test_a_batch_signed_by_a_signer_that_is_not_a_key(tmp_path: Path, kind: str, suite: str,
                                                      ob3_template: dict[str, Any]) -> None:
    signer = CountingSigner(generate_key(kind))
    assert isinstance(signer, Signer) and not isinstance(signer, Key)
    step = SignStep(signer)
    assert step.issuer_id == signer.controller  # {{$issuer}}
    report = issue_batch(ob3_template, [learner(i) for i in range(5)], step, tmp_path)
    assert report.issued == 5, report.failures
    assert signer.calls == 5  # one signature a row
    for path in sorted(tmp_path.glob("*-*.json")):
        document = json.loads(path.read_text())
        assert document["issuer"]["id"] == signer.controller
        assert document["proof"][0]["verificationMethod"] == signer.id
        assert document["proof"][0]["cryptosuite"] == suite
        result = verify(document)
        assert result.ok, [c for c in result.checks if not c.ok]


def test_a_vc_jwt_and_a_baked_badge_through_a_signer(tmp_path: Path,
                                                      ob3_template: dict[str, Any]) -> None:
    signer = CountingSigner(generate_key("p256"))
    image = (TEMPLATES / "ob3-badge.png").read_bytes()
    step = BakeStep(SignStep(signer, suite="vc-jwt"), image)
    report = issue_batch(ob3_template, [learner(1)], step, tmp_path)
    assert report.issued == 1 and signer.calls == 1
    [token] = tmp_path.glob("*.jwt")
    assert verify(token.read_text().strip()).ok
    from edc_issue.baking import unbake

    [png] = tmp_path.glob("*.png")
    assert unbake(png.read_bytes()) == token.read_text().strip()


def test_a_signer_or_suite_that_cannot_work_is_refused_before_any_row() -> None:
    wrong = CountingSigner(generate_key("ed25519"))
    wrong.algorithm = "HS256"  # no suite signs with it
    with pytest.raises(KeyMaterialError) as info:
        SignStep(wrong)
    assert info.value.code == "key.unsupported"
    with pytest.raises(ProofFormatError) as suite:
        SignStep(CountingSigner(generate_key("ed25519")), suite="eddsa-rdfc-2099")
    assert suite.value.code == "proof.unknown_suite"
    assert wrong.calls == 0


def test_a_row_that_is_not_the_vc_data_model_fails_with_its_path(
        tmp_path: Path, ob3_template: dict[str, Any]) -> None:
    template = dict(ob3_template, validFrom="2024-01-01T00:00:00")  # no time zone
    key = generate_key("ed25519")
    report = issue_batch(template, [learner(1), learner(2)], SignStep(key), tmp_path / "on")
    assert report.issued == 0 and len(report.failures) == 2
    text = str(report.failures[0])
    assert "validFrom" in text and "vcdm.date_without_timezone" in text, text
    unchecked = issue_batch(template, [learner(1)], SignStep(key, check_data_model=False),
                            tmp_path / "off")
    assert unchecked.issued == 1, unchecked.failures
