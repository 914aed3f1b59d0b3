#!/usr/bin/env python3
"""Build an EDC transcript of records and write it as JSON.

The CRED4TEACH teacher's record at the University of Tirana: one achievement for the
programme, with a part per course, each with its ECTS credits and assessed grade.

    python examples/build_edc_transcript.py [OUT_DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

from build_edc_microcredential import NOW, teacher, university

from edc_issue import edc
from edc_issue.models.edc import (
    AwardingProcess,
    EuropeanDigitalCredential,
    LearningAchievement,
    LearningAchievementSpecification,
    LearningAssessment,
    Organisation,
)

#: (course, ECTS, grade)
COURSES = [
    ("Designing MOOCs", 3, "9/10"),
    ("Assessment in online learning", 2, "8/10"),
    ("Open educational resources and licensing", 1, "10/10"),
]


def course(awarding: AwardingProcess, title: str, credits: int, grade: str) -> LearningAchievement:
    """One course: its specification (ECTS, ISCED-F, EQF) and its graded assessment."""
    return LearningAchievement(
        id=edc.new_id("learningAchievement"),
        title={"en": title},
        awarded_by=awarding,
        specified_by=LearningAchievementSpecification(
            id=edc.new_id("learningAchievementSpecification"),
            title={"en": title},
            credit_point=[edc.ects(credits)],
            thematic_area=[edc.isced_f("0114")],
            education_level=[edc.eqf_level(6)],
        ),
        proven_by=[
            LearningAssessment(
                id=edc.new_id("learningAssessment"),
                title={"en": f"Assessment: {title}"},
                grade=edc.note(grade),
                awarded_by=awarding,
            )
        ],
    )


def build() -> EuropeanDigitalCredential:
    """The transcript: a programme achievement whose parts are the courses."""
    body: Organisation = university()
    awarding = AwardingProcess(
        id=edc.new_id("awardingProcess"),
        awarding_body=[body],
        awarding_date=datetime(2025, 6, 27, tzinfo=timezone.utc),
    )
    programme = LearningAchievement(
        id=edc.new_id("learningAchievement"),
        title={"en": "CRED4TEACH: digital education for teachers (transcript of records)"},
        awarded_by=awarding,
        has_part=[course(awarding, *row) for row in COURSES],
    )
    return edc.new_credential(
        teacher([programme]),
        display=edc.display_parameter({"en": "Transcript of records"}),
        now=NOW,
    )


def main(argv: list[str] | None = None) -> int:
    """Write ``edc-transcript.json`` into the output folder."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("out", nargs="?", default="demo-out", type=Path)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / "edc-transcript.json"
    text = json.dumps(build().to_jsonld(), indent=2, ensure_ascii=False)
    target.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
