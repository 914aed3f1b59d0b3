#!/usr/bin/env python3
"""Build an EDC micro-credential (CRED4TEACH style) and write it as JSON.

A teacher completes a 90-hour MOOC on designing MOOCs, awarded by a university in
Albania: EQF level 6, ISCED-F 0114 (teacher training), 3 ECTS, three learning outcomes,
an assessment with a grade, and the display parameters the EDC viewer needs.

    python examples/build_edc_microcredential.py [OUT_DIR] [--certificate SEAL.pem]

Without ``--certificate`` the credential has no issuer yet, like an upload payload of
the EU issuer: sealing fills it in from the seal certificate. With it, the issuer is
filled in here (``edc.apply_seal_certificate``) and the result is ready to validate.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

from edc_issue import edc
from edc_issue.models.edc import (
    Address,
    AwardingProcess,
    EuropeanDigitalCredential,
    GradingScheme,
    LearningAchievement,
    LearningAchievementSpecification,
    LearningActivity,
    LearningAssessment,
    LearningAssessmentSpecification,
    LearningOutcome,
    Location,
    Organisation,
    Person,
)

#: A fixed clock keeps the example's output stable from run to run (apart from ids).
NOW = datetime(2025, 6, 30, 12, 0, 0, tzinfo=timezone.utc)


def university() -> Organisation:
    """The awarding body: a university in Tirana, Albania."""
    return Organisation(
        id=edc.new_id("org"),
        legal_name={"en": "University of Tirana", "sq": "Universiteti i Tiranës"},
        alt_label={"en": "UT"},
        location=[
            Location(
                id=edc.new_id("location"),
                address=[
                    Address(
                        id=edc.new_id("address"),
                        country_code=edc.country("ALB"),
                        full_address=edc.note("Sheshi Nënë Tereza, 1001 Tirana, Albania"),
                    )
                ],
            )
        ],
        homepage=[edc.web_resource("https://unitir.edu.al")],
    )


def teacher(claims: Sequence[LearningAchievement | LearningActivity]) -> Person:
    """The learner: a secondary-school teacher."""
    return Person(
        id=edc.new_id("person"),
        given_name={"en": "Arta"},
        family_name={"en": "Hoxha"},
        full_name={"en": "Arta Hoxha"},
        has_claim=list(claims),
    )


def designing_moocs(awarding_body: Organisation) -> LearningAchievement:
    """The achievement: 'Designing MOOCs', with its specification and assessment."""
    awarding = AwardingProcess(
        id=edc.new_id("awardingProcess"),
        awarding_body=[awarding_body],
        awarding_date=datetime(2025, 6, 27, tzinfo=timezone.utc),
    )
    outcomes = [
        LearningOutcome(id=edc.new_id("learningOutcome"), title={"en": text})
        for text in (
            "Design the structure and learning path of a MOOC for teachers",
            "Produce accessible video, quiz and forum activities for online learners",
            "Evaluate a MOOC with learning analytics and participant feedback",
        )
    ]
    specification = LearningAchievementSpecification(
        id=edc.new_id("learningAchievementSpecification"),
        title={"en": "Designing MOOCs (CRED4TEACH micro-credential)"},
        description={"en": "A 90-hour online course for teachers on designing MOOCs."},
        volume_of_learning="PT90H",
        education_level=[edc.eqf_level(6)],
        thematic_area=[edc.isced_f("0114")],
        credit_point=[edc.ects(3)],
        language=[edc.language("ENG")],
        # mode "Online" and learning setting "non-formal learning" (bundled vocabularies)
        mode=[edc.concept("http://data.europa.eu/snb/learning-assessment/920fbb3cbe")],
        learning_setting=edc.concept("http://data.europa.eu/snb/learning-setting/e207a81fc7"),
        learning_outcome=outcomes,
    )
    assessment = LearningAssessment(
        id=edc.new_id("learningAssessment"),
        title={"en": "Final project: a MOOC design"},
        grade=edc.note("9/10 (very good)"),
        awarded_by=awarding,
        specified_by=LearningAssessmentSpecification(
            id=edc.new_id("learningAssessmentSpecification"),
            title={"en": "Project work, peer reviewed"},
            dc_type=edc.concept("http://data.europa.eu/snb/assessment/795dac4096"),
            grading_scheme=GradingScheme(
                id=edc.new_id("gradingScheme"),
                title={"en": "0-10 points"},
                description={"en": "10 is the best grade; 6 is needed to pass."},
            ),
        ),
    )
    return LearningAchievement(
        id=edc.new_id("learningAchievement"),
        title={"en": "Designing MOOCs"},
        awarded_by=awarding,
        specified_by=specification,
        proven_by=[assessment],
    )


def build() -> EuropeanDigitalCredential:
    """The whole micro-credential, envelope defaults included."""
    body = university()
    return edc.new_credential(
        teacher([designing_moocs(body)]),
        display=edc.display_parameter(
            {"en": "Micro-credential: Designing MOOCs"},
            description={"en": "CRED4TEACH micro-credential awarded by the University of Tirana"},
        ),
        now=NOW,
    )


def main(argv: list[str] | None = None) -> int:
    """Write ``edc-microcredential.json`` into the output folder."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("out", nargs="?", default="demo-out", type=Path)
    parser.add_argument("--certificate", type=Path, help="seal certificate (PEM) for the issuer")
    args = parser.parse_args(argv)
    document = build().to_jsonld()
    if args.certificate is not None:
        from cryptography import x509

        certificate = x509.load_pem_x509_certificate(args.certificate.read_bytes())
        document = edc.apply_seal_certificate(document, certificate, now=NOW)
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / "edc-microcredential.json"
    target.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
