"""Credentials to render: CRED4TEACH-style EDC micro-credentials in Albanian and Ukrainian,
built with the EDC builders, sealed with a TEST-ONLY PKI made at run time; the EU samples
and the Open Badges vectors; helpers for the Debian tools the rendering tests use
(pdftotext, pdfdetach, pdftoppm from poppler-utils, zbarimg from zbar-tools, chromium).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from edc_issue import edc
from edc_issue.models.edc import (
    Address,
    AwardingProcess,
    LearningAchievement,
    LearningAchievementSpecification,
    LearningAssessment,
    LearningOutcome,
    Location,
    Organisation,
    Person,
)
from edc_issue.seal import LocalSigner

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures"
#: The render time of every test page (the "checked on" date), so pages compare exactly.
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
SEALED_AT = datetime(2025, 6, 27, 14, 0, tzinfo=timezone.utc)
#: Fixed credential ids, so that the pages (which print the id) compare with the references.
CREDENTIAL_IDS = {"sq": "0b5c6f4e-2d7a-4c1b-8f3e-9a1d2c3b4a50",
                  "uk": "7e1d2c3b-4a5f-4e6d-9c8b-1a2b3c4d5e6f",
                  "lt": "3a4b5c6d-7e8f-4a1b-9c2d-3e4f5a6b7c8d"}
VERIFY_URL = "https://verify.example.edu/credentials/5f0c1a2b-77d3-4c1e-9a61-3b2f0e9d8c47"


@dataclass(frozen=True)
class Course:
    """One language version of the CRED4TEACH-style micro-credential."""

    lang: str
    eu_code: str
    country: str
    learner_given: str
    learner_family: str
    title: str
    display_title: str
    awarding_body: str
    awarding_body_en: str
    outcomes: tuple[str, ...]
    grade: str
    seal_org: str

    @property
    def learner(self) -> str:
        return f"{self.learner_given} {self.learner_family}"


ALBANIAN = Course(
    lang="sq", eu_code="SQI", country="ALB",
    learner_given="Blerina", learner_family="Çekrezi-Dushku",
    title="Dizajnimi i MOOC-ve për mësuesit",
    display_title="Mikrokredencial: Dizajnimi i MOOC-ve",
    awarding_body="Universiteti i Vlorës «Ismail Qemali»",
    awarding_body_en="University of Vlora \"Ismail Qemali\"",
    outcomes=("Harton strukturën dhe rrugën e të nxënit të një MOOC-u për mësuesit",
              "Prodhon video, kuize dhe forume të aksesueshme për nxënësit në linjë",
              "Vlerëson një MOOC me analitikë të të nxënit dhe komentet e pjesëmarrësve"),
    grade="9/10 (shumë mirë)",
    seal_org="Universiteti i Vlorës «Ismail Qemali»",
)
UKRAINIAN = Course(
    lang="uk", eu_code="UKR", country="UKR",
    learner_given="Євгенія", learner_family="Ґалаґан-Їжак",
    title="Проєктування масових відкритих онлайн-курсів для вчителів",
    display_title="Мікрокваліфікація: проєктування МВОК",
    awarding_body="Київський столичний університет імені Бориса Грінченка",
    awarding_body_en="Borys Grinchenko Kyiv Metropolitan University",
    outcomes=("Розробляє структуру та освітню траєкторію МВОК для вчителів",
              "Створює доступні відео, тести та форуми для онлайн-учнів",
              "Оцінює МВОК за допомогою навчальної аналітики та відгуків учасників"),
    grade="9/10 (дуже добре)",
    seal_org="Київський столичний університет імені Бориса Грінченка",
)


def build_microcredential(course: Course) -> dict[str, Any]:
    """The micro-credential of *course*, in its language and English (compact JSON-LD)."""
    body = Organisation(
        id=edc.new_id("org"),
        legal_name={course.lang: course.awarding_body, "en": course.awarding_body_en},
        location=[Location(id=edc.new_id("location"), address=[
            Address(id=edc.new_id("address"), country_code=edc.country(course.country))])],
    )
    awarding = AwardingProcess(id=edc.new_id("awardingProcess"), awarding_body=[body],
                               awarding_date=datetime(2025, 6, 27, tzinfo=timezone.utc))
    outcomes = [LearningOutcome(id=edc.new_id("learningOutcome"), title={course.lang: text})
                for text in course.outcomes]
    spec = LearningAchievementSpecification(
        id=edc.new_id("learningAchievementSpecification"),
        title={course.lang: course.title, "en": "Designing MOOCs for teachers"},
        volume_of_learning="PT90H",
        education_level=[edc.eqf_level(6)],
        thematic_area=[edc.isced_f("0114")],
        credit_point=[edc.ects(3)],
        language=[edc.language(course.eu_code)],
        learning_outcome=outcomes,
    )
    assessment = LearningAssessment(
        id=edc.new_id("learningAssessment"), title={course.lang: "Projekt", "en": "Project"},
        grade=edc.note(course.grade, lang=course.lang), awarded_by=awarding)
    achievement = LearningAchievement(
        id=edc.new_id("learningAchievement"),
        title={course.lang: course.title, "en": "Designing MOOCs for teachers"},
        awarded_by=awarding, specified_by=spec, proven_by=[assessment])
    person = Person(
        id=edc.new_id("person"), given_name={course.lang: course.learner_given},
        family_name={course.lang: course.learner_family},
        full_name={course.lang: course.learner}, has_claim=[achievement])
    display = edc.display_parameter({course.lang: course.display_title,
                                     "en": "Micro-credential: Designing MOOCs"},
                                    languages=(course.eu_code, "ENG"), image=b"\x89PNG-test")
    return edc.new_credential(
        person, display=display, now=SEALED_AT,
        credential_id=f"urn:credential:{CREDENTIAL_IDS[course.lang]}").to_jsonld()


def _certificate(org: str, country: str, org_id: str,
                 issuer: tuple[Any, x509.Certificate] | None) -> tuple[Any, x509.Certificate]:
    key = rsa.generate_private_key(65537, 2048)
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, country),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                      x509.NameAttribute(NameOID.COMMON_NAME, "edc-issue TEST SEAL (test only)"),
                      x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, org_id)])
    issuer_key, issuer_cert = issuer if issuer else (key, None)
    builder = (x509.CertificateBuilder().subject_name(name)
               .issuer_name(issuer_cert.subject if issuer_cert else name)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(datetime(2024, 1, 1, tzinfo=timezone.utc))
               .not_valid_after(datetime(2036, 1, 1, tzinfo=timezone.utc))
               .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None),
                              critical=True)
               .add_extension(x509.KeyUsage(
                   digital_signature=issuer is not None, content_commitment=issuer is not None,
                   key_encipherment=False, data_encipherment=False, key_agreement=False,
                   key_cert_sign=issuer is None, crl_sign=issuer is None, encipher_only=False,
                   decipher_only=False), critical=True))
    return key, builder.sign(issuer_key, hashes.SHA256())


@dataclass
class Sealed:
    """A sealed credential file and the trust anchor (PEM) that verifies it."""

    course: Course
    credential: dict[str, Any]
    data: bytes
    anchor: bytes


def _seal(course: Course, ca: tuple[Any, x509.Certificate]) -> Sealed:
    from cryptography.hazmat.primitives import serialization

    org_id = {"ALB": "VATAL-L00000000A", "UKR": "NTRUA-00000000"}[course.country]
    alpha2 = {"ALB": "AL", "UKR": "UA", "LTU": "LT"}[course.country]
    key, cert = _certificate(course.seal_org, alpha2, org_id, ca)
    credential = build_microcredential(course)
    envelope = edc.seal_edc(credential, LocalSigner(key, [cert, ca[1]]), now=SEALED_AT).envelope
    data = (json.dumps(envelope, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    return Sealed(course, credential, data, ca[1].public_bytes(serialization.Encoding.PEM))


@pytest.fixture(scope="session")
def test_ca() -> tuple[Any, x509.Certificate]:
    """A TEST-ONLY CA, generated for this test session."""
    return _certificate("edc-issue TEST CA (test only)", "AL", "VATAL-TESTCA000", None)


@pytest.fixture(scope="session")
def sealed_sq(test_ca: tuple[Any, x509.Certificate]) -> Sealed:
    """The Albanian micro-credential, sealed."""
    return _seal(ALBANIAN, test_ca)


@pytest.fixture(scope="session")
def sealed_uk(test_ca: tuple[Any, x509.Certificate]) -> Sealed:
    """The Ukrainian micro-credential, sealed."""
    return _seal(UKRAINIAN, test_ca)


def tamper(data: bytes, old: str, new: str) -> bytes:
    """A sealed envelope whose payload says *new* where it said *old* (the seal breaks)."""
    envelope = json.loads(data)
    assert old in envelope["payload"]
    envelope["payload"] = envelope["payload"].replace(old, new)
    return json.dumps(envelope, indent=2, ensure_ascii=False).encode("utf-8")


OB3_SIGNED = FIXTURES / "openbadges" / "spec-signed" / (
    "01-sample-openbadgecredential-file-contents.eddsa-rdfc-2022.json")
OB3_JWT = FIXTURES / "openbadges" / "spec-signed" / (
    "01-sample-openbadgecredential-file-contents.vc-jwt.txt")
OB3_BAKED_PNG = FIXTURES / "openbadges" / "ob30" / "simple-json.png"
OB3_BAKED_SVG = FIXTURES / "openbadges" / "ob30" / "simple-json.svg"
EU_SEALED = FIXTURES / "edc-sealed" / "eu-elm-support" / "AA-Annex1-MC-signed.jsonld"
EU_UPLOAD = FIXTURES / "edc-samples" / "eu-elm-support" / "AA-Annex1-MC-unsigned.json"
EU_TRANSCRIPT = FIXTURES / "edc-sealed" / "eu-elm-support" / (
    "Sample-TranscriptOfRecords-signed.jsonld")


def tool(name: str, package: str) -> str:
    """The path of a Debian tool, or skip the test saying which package installs it."""
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (apt-get install {package}; .ci/run installs it)")
    return path


def artifacts_dir() -> Path:
    """Where rendering tests keep what they made (EDC_ISSUE_ARTIFACTS, else test-artifacts/)."""
    folder = Path(os.environ.get("EDC_ISSUE_ARTIFACTS", ROOT / "test-artifacts")) / "render"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


REFERENCES = FIXTURES / "render"


def compare_with_reference(actual: Path, name: str, *, mean_limit: float = 0.004,
                           changed_limit: float = 0.01, may_update: bool = True) -> None:
    """Compare a rendered PNG with ``tests/fixtures/render/<name>`` within a tolerance.

    The mean grey-level difference must stay under *mean_limit* (of full scale) and the
    share of pixels that differ by more than a fifth of full scale under *changed_limit*.
    ``EDC_ISSUE_UPDATE_REFERENCES=1`` writes *actual* as the new reference (and its
    sha256 into PROVENANCE.json) instead: look at the pictures before committing them.
    """
    import hashlib

    from PIL import Image, ImageChops

    reference = REFERENCES / name
    if may_update:
        shutil.copyfile(actual, artifacts_dir() / name)
    if may_update and os.environ.get("EDC_ISSUE_UPDATE_REFERENCES"):
        REFERENCES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(actual, reference)
        record = REFERENCES / "PROVENANCE.json"
        files = json.loads(record.read_text())["files"] if record.exists() else {}
        files[name] = {
            "source": "made by this project: tests/unit/render (EDC_ISSUE_UPDATE_REFERENCES=1)",
            "licence": "EUPL-1.2", "sha256": hashlib.sha256(reference.read_bytes()).hexdigest()}
        record.write_text(json.dumps({"files": dict(sorted(files.items()))}, indent=2) + "\n")
        return
    assert reference.exists(), f"no reference image {reference}; run with " \
        "EDC_ISSUE_UPDATE_REFERENCES=1 once and look at it"
    with Image.open(actual) as a, Image.open(reference) as b:
        got, want = a.convert("L"), b.convert("L")
        assert got.size == want.size, f"{name}: {got.size} != reference {want.size}"
        histogram = ImageChops.difference(got, want).histogram()
    pixels = got.size[0] * got.size[1]
    mean = sum(level * count for level, count in enumerate(histogram)) / (255 * pixels)
    changed = sum(histogram[51:]) / pixels
    assert mean <= mean_limit and changed <= changed_limit, (
        f"{name} differs from its reference: mean {mean:.4f} (limit {mean_limit}), "
        f"{changed:.2%} of pixels changed (limit {changed_limit:.0%}); see "
        f"{artifacts_dir() / name}")


@pytest.fixture(scope="session")
def kit() -> SimpleNamespace:
    """The constants and helpers above, for the test modules (conftest is not importable)."""
    return SimpleNamespace(
        NOW=NOW, SEALED_AT=SEALED_AT, VERIFY_URL=VERIFY_URL, ALBANIAN=ALBANIAN,
        UKRAINIAN=UKRAINIAN, OB3_SIGNED=OB3_SIGNED, OB3_JWT=OB3_JWT,
        OB3_BAKED_PNG=OB3_BAKED_PNG, OB3_BAKED_SVG=OB3_BAKED_SVG, EU_SEALED=EU_SEALED,
        EU_UPLOAD=EU_UPLOAD, EU_TRANSCRIPT=EU_TRANSCRIPT, FIXTURES=FIXTURES, ROOT=ROOT,
        build=build_microcredential, tamper=tamper, tool=tool, artifacts=artifacts_dir,
        compare=compare_with_reference,
    )


@pytest.fixture(scope="session")
def badge_lt() -> tuple[dict[str, Any], bytes]:
    """An Open Badge in Lithuanian from an EDC (edc_to_ob3): learner named, a badge image
    (data: URL), alignments (ISCED-F); signed eddsa-rdfc-2022 with the W3C vectors' key.
    Returns the signed badge and its file's bytes."""
    import base64

    from edc_issue import load_key, sign
    from edc_issue.ob3 import edc_to_ob3

    course = Course(
        lang="lt", eu_code="LIT", country="LTU", learner_given="Rasa",
        learner_family="Kazlauskienė", title="Atvirųjų internetinių kursų kūrimas mokytojams",
        display_title="Mikrokredencialas: MOOC kūrimas",
        awarding_body="Vilniaus universitetas", awarding_body_en="Vilnius University",
        outcomes=("Sukuria MOOC struktūrą",), grade="9/10", seal_org="Vilniaus universitetas")
    key = load_key(FIXTURES / "vc-di" / "eddsa" / "keyPair.json")
    issuer = {"id": key.controller, "type": ["Profile"], "name": "Vilniaus universitetas",
              "address": {"type": ["Address"], "addressCountryCode": "LTU"}}
    badge = edc_to_ob3(build_microcredential(course), issuer=issuer, language="lt",
                       recipient="mailto:rasa.kazlauskiene@example.org",
                       valid_from=SEALED_AT,
                       credential_id="urn:uuid:1c9e3a40-5b0f-4c8e-9d2a-6f7b8c9d0e1f")
    image = (ROOT / "src" / "edc_issue" / "templates" / "ob3-badge.png").read_bytes()
    badge["credentialSubject"]["achievement"]["image"] = {
        "id": "data:image/png;base64," + base64.b64encode(image).decode("ascii"),
        "type": "Image", "caption": "MOOC"}
    # the learner's name comes from the EDC (edc_to_ob3 names the recipient)
    assert {"type": "IdentityObject", "identityType": "name", "hashed": False,
            "identityHash": course.learner} in badge["credentialSubject"]["identifier"]
    signed = sign(badge, key, created="2025-06-27T14:00:00Z")
    assert isinstance(signed, dict)
    return signed, (json.dumps(signed, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
