#!/usr/bin/env python3
"""Build an EDC certificate of participation and write it as JSON.

The CRED4TEACH teacher took part in a two-day workshop on MOOC design at the University
of Tirana: a learning activity with its period, workload and specification.

    python examples/build_edc_certificate_of_participation.py [OUT_DIR]
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
    LearningActivity,
    LearningActivitySpecification,
    PeriodOfTime,
)


def build() -> EuropeanDigitalCredential:
    """The certificate: one learning activity, awarded by the university."""
    awarding = AwardingProcess(
        id=edc.new_id("awardingProcess"),
        awarding_body=[university()],
        awarding_date=datetime(2025, 5, 16, tzinfo=timezone.utc),
    )
    activity = LearningActivity(
        id=edc.new_id("learningActivity"),
        title={"en": "Workshop: designing MOOCs for teachers"},
        description={"en": "Two days of hands-on MOOC design, in Tirana."},
        awarded_by=awarding,
        workload="PT16H",
        temporal=[
            PeriodOfTime(
                id=edc.new_id("periodOfTime"),
                start_date=datetime(2025, 5, 15, 9, tzinfo=timezone.utc),
                end_date=datetime(2025, 5, 16, 17, tzinfo=timezone.utc),
            )
        ],
        specified_by=LearningActivitySpecification(
            id=edc.new_id("learningActivitySpecification"),
            title={"en": "Workshop: designing MOOCs for teachers"},
            volume_of_learning="PT16H",
            language=[edc.language("ENG"), edc.language("SQI")],
            # mode "Presential" (bundled vocabulary)
            mode=[edc.concept("http://data.europa.eu/snb/learning-assessment/9191af2ed9")],
        ),
    )
    return edc.new_credential(
        teacher([activity]),
        display=edc.display_parameter({"en": "Certificate of participation"}),
        now=NOW,
    )


def main(argv: list[str] | None = None) -> int:
    """Write ``edc-certificate-of-participation.json`` into the output folder."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("out", nargs="?", default="demo-out", type=Path)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / "edc-certificate-of-participation.json"
    text = json.dumps(build().to_jsonld(), indent=2, ensure_ascii=False)
    target.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
