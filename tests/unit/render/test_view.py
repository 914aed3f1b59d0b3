"""What a page shows, decided once (render._view): languages, labels, the verification box,
and the forms a credential arrives in. No external tool is needed here."""

from __future__ import annotations

import base64
import json
from types import SimpleNamespace
from typing import Any

import pytest

from edc_issue import render, verify
from edc_issue.errors import InputError, ModelError
from edc_issue.render._i18n import BUNDLED_LANGUAGES, fallback_order, pick, strings_for
from edc_issue.render._view import build_view
from edc_issue.render.pdf import TEMPLATES_DIR
from edc_issue.results import Check, VerificationResult

THEME = render.Theme()


def _view(data: Any, kit: SimpleNamespace, **kw: Any) -> Any:
    kw.setdefault("lang", None)
    kw.setdefault("verification", None)
    return build_view(render.read_source(data), verify_url=kw.pop("verify_url", None),
                      theme=THEME, now=kit.NOW, **kw)


# ---------------------------------------------------------------------------- languages


def test_fallback_order_is_the_documented_one() -> None:
    assert fallback_order("sr-Latn-ME", "sq") == ["sr-Latn-ME", "sr", "cnr", "cnr-Latn",
                                                   "sr-ME", "sq", "en"]
    assert fallback_order("uk") == ["uk", "en"]


def test_pick_keeps_the_language_the_text_was_taken_in() -> None:
    values = {"en": ["Designing MOOCs"], "sq": "Dizajnimi i MOOC-ve"}
    assert pick(values, "sq") == render._i18n.Text("Dizajnimi i MOOC-ve", "sq")
    assert pick(values, "uk") == render._i18n.Text("Designing MOOCs", "en")
    assert pick({"de": "Entwurf"}, "uk", primary="fr") == render._i18n.Text("Entwurf", "de")
    assert pick({"cnr": "Projektovanje"}, "sr-Latn-ME").text == "Projektovanje"
    assert pick({}, "en") is None


def test_page_words_exist_for_every_bundled_language() -> None:
    english = strings_for("en").as_dict()
    for lang in BUNDLED_LANGUAGES:
        words = strings_for(lang)
        assert words.lang == lang
        table = json.loads((TEMPLATES_DIR.parent / "strings" / f"{lang}.json")
                           .read_text("utf-8"))
        assert set(table) == set(english), lang
        for key, text in table.items():  # the same placeholders as the English words
            assert sorted(_placeholders(text)) == sorted(_placeholders(english[key])), (lang,
                                                                                         key)
    assert strings_for("sr-Cyrl-ME").lang == "cnr-Cyrl"
    assert strings_for("de").lang == "en"  # no German words: English around German text


def _placeholders(text: str) -> list[str]:
    import re

    return re.findall(r"\{[a-z]+\}", text)


def test_the_edc_view_in_albanian(kit: SimpleNamespace, sealed_sq: Any) -> None:
    view = _view(sealed_sq.data, kit, lang="sq")
    course = sealed_sq.course
    assert view.template == "edc-microcredential"
    assert view.learner.text == course.learner
    assert view.subtitle.text == course.title and view.subtitle.lang == "sq"
    assert view.awarding_body.text == course.awarding_body
    assert view.awarding_country.text == "Shqipëri"
    assert view.award_date == "27 qershor 2025"
    facts = {f.key: f.value for f in view.facts}
    assert facts["ects"].text == "3"
    assert facts["eqf"].text == "Niveli 6"
    assert facts["isced"].text.startswith("0114 ") and facts["isced"].lang == "en"
    assert facts["grade"].text == course.grade
    assert facts["volume"].text == "90 orë"
    assert [o.text for o in view.outcomes] == list(course.outcomes)


def test_the_primary_language_is_the_default(kit: SimpleNamespace, sealed_uk: Any) -> None:
    assert _view(sealed_uk.data, kit).lang == "uk"  # displayParameter.primaryLanguage UKR


def test_english_page_of_an_albanian_credential_falls_back(kit: SimpleNamespace,
                                                          sealed_sq: Any) -> None:
    view = _view(sealed_sq.data, kit, lang="en")
    assert view.title.text == "Micro-credential: Designing MOOCs"
    assert view.learner == render._i18n.Text(sealed_sq.course.learner, "sq")
    assert view.awarding_body.text == sealed_sq.course.awarding_body_en


def test_transcript_uses_the_diploma_template(kit: SimpleNamespace) -> None:
    view = _view(kit.EU_TRANSCRIPT.read_bytes(), kit)
    assert view.template == "edc-diploma"
    assert len(view.parts) >= 9
    assert all(p.facts for p in view.parts)


# ---------------------------------------------------------------------------- verification


def test_no_result_is_not_verified(kit: SimpleNamespace, sealed_sq: Any) -> None:
    ver = _view(sealed_sq.data, kit, lang="en").verification
    assert ver.state == "unchecked" and ver.headline.startswith("Not verified")
    assert ver.lines == []


def test_an_empty_result_is_not_verified(kit: SimpleNamespace, sealed_sq: Any) -> None:
    ver = _view(sealed_sq.data, kit, lang="en",
                verification=VerificationResult()).verification
    assert ver.state == "unchecked"


def test_a_failing_seal_is_never_verified(kit: SimpleNamespace, sealed_sq: Any) -> None:
    data = kit.tamper(sealed_sq.data, sealed_sq.course.learner_family, "Hoxha")
    result = verify(render.read_source(data).document, trust=[sealed_sq.anchor])
    assert not result.ok
    ver = _view(data, kit, lang="en", verification=result).verification
    assert ver.state == "failed" and ver.headline == "NOT verified"
    assert not any(line.startswith("Sealed by") for line in ver.lines)
    assert any(row.key == "seal" and row.state == "failed" for row in ver.checks)


def test_one_failed_check_among_passes_fails_the_page(kit: SimpleNamespace,
                                                      sealed_sq: Any) -> None:
    result = VerificationResult(checks=[Check("FORMAT", True, "ok"),
                                        Check("SEAL.signature", True, "ok"),
                                        Check("EXPIRY", False, "expired on 2020-01-01")])
    ver = _view(sealed_sq.data, kit, lang="en", verification=result).verification
    assert ver.state == "failed"
    assert [(r.key, r.state) for r in ver.checks] == [("format", "ok"), ("seal", "ok"),
                                                      ("validity", "failed")]


def test_a_verified_seal_names_the_certificate_subject(kit: SimpleNamespace,
                                                       sealed_uk: Any) -> None:
    found = verify(render.read_source(sealed_uk.data).document, trust=[sealed_uk.anchor])
    # the test seal holds no revocation data (baseline B): as if an OCSP response said good
    assert [c.code for c in found.warnings] == ["seal.revocation_unknown"]
    result = VerificationResult(checks=[
        c if c.check != "REVOCATION" else Check("REVOCATION", True, "OCSP: good")
        for c in found.checks])
    ver = _view(sealed_uk.data, kit, lang="uk", verification=result).verification
    assert ver.state == "verified"
    assert ver.lines[0] == ("Скріплено печаткою: " + sealed_uk.course.seal_org
                            + " (NTRUA-00000000, UA)")
    assert ver.lines[1] == "Дата печатки: 27 червня 2025\u202fр."  # CLDR: narrow space


@pytest.mark.parametrize(("code", "reason"), [
    ("seal.no_trust_anchor", "The e-seal's certificate is not on a trusted list given to "
                             "this verifier."),
    ("seal.test_anchor", "The e-seal's certificate comes from a test-only authority, not "
                         "from a trusted list."),
    ("seal.revocation_unknown", "Whether the e-seal's certificate has been revoked could "
                                "not be checked."),
    ("status.list_not_given", "Whether this credential has been revoked could not be "
                              "checked."),
    ("status.fetch_failed", "Whether this credential has been revoked could not be checked."),
    ("proof.key_binding_unconfirmed", "Nothing shows that the signing key belongs to the "
                                      "issuer."),
    (None, "A check could not be completed."),  # a warning nobody classified: fail closed
])
def test_an_undecided_check_is_not_verified(kit: SimpleNamespace, sealed_sq: Any,
                                            code: str | None, reason: str) -> None:
    name = {"seal.no_trust_anchor": "SEAL.chain", "seal.test_anchor": "SEAL.trust",
            "seal.revocation_unknown": "REVOCATION", "proof.key_binding_unconfirmed":
            "proof[0].key_binding", None: "EXPIRY"}.get(code, "status")
    result = VerificationResult(checks=[Check("FORMAT", True, "ok"),
                                        Check("SEAL.signature", True, "ok"),
                                        Check(name, False, "not checked", code=code,
                                              severity="warning")])
    assert result.ok
    ver = _view(sealed_sq.data, kit, lang="en", verification=result).verification
    assert (ver.state, ver.headline) == ("failed", "NOT verified")
    assert ver.lines[0] == reason
    assert not any(line.startswith("Sealed by") for line in ver.lines)
    assert ver.note and ver.note.startswith("Not every check could be made")
    assert "warning" in [r.state for r in ver.checks]


def test_notes_leave_the_page_verified(kit: SimpleNamespace, sealed_sq: Any) -> None:
    result = VerificationResult(checks=[
        Check("FORMAT", True, "ok"), Check("SEAL.signature", True, "ok"),
        Check("REVOCATION", True, "OCSP: good"),
        Check("FORMAT.shacl", False, "SHACL conformance not checked", severity="warning",
              code="validate.no_profile"),
        Check("proof[1].suite", False, "unknown suite; not checked", severity="warning",
              code="proof.unknown_suite")])
    ver = _view(sealed_sq.data, kit, lang="en", verification=result).verification
    assert (ver.state, ver.headline) == ("verified", "Verified, with notes")
    assert [(r.key, r.state) for r in ver.checks] == [
        ("format", "note"), ("seal", "ok"), ("signature", "note"), ("status", "ok")]


def test_a_verified_badge_names_its_signer(kit: SimpleNamespace, badge_lt: Any) -> None:
    badge, data = badge_lt
    ver = _view(data, kit, lang="en", verification=verify(badge)).verification
    assert ver.lines[0] == "Signed by " + badge["issuer"]["id"]


# ---------------------------------------------------------------------------- sources


def test_sources_keep_the_original(kit: SimpleNamespace, sealed_sq: Any) -> None:
    sealed = render.read_source(sealed_sq.data)
    assert (sealed.kind, sealed.container, sealed.original) == ("edc", "jades", sealed_sq.data)
    upload = render.read_source(kit.EU_UPLOAD.read_bytes())
    assert (upload.kind, upload.container) == ("edc", "upload")
    assert upload.credential["@context"][1] == "http://data.europa.eu/snb/model/context/edc-ap"
    jwt = render.read_source(kit.OB3_JWT.read_text())
    assert (jwt.kind, jwt.container, jwt.attachment_name) == ("ob3", "jwt", "credential.jwt")
    assert jwt.document == kit.OB3_JWT.read_text().strip()
    png = render.read_source(kit.OB3_BAKED_PNG.read_bytes())
    assert (png.container, png.document) == ("png", kit.OB3_BAKED_PNG.read_bytes())
    svg = render.read_source(kit.OB3_BAKED_SVG.read_bytes())
    assert svg.container == "svg" and svg.kind == "ob3"
    as_dict = render.read_source(sealed_sq.credential)
    assert json.loads(as_dict.original) == sealed_sq.credential


def test_what_cannot_be_rendered_is_a_clear_error(kit: SimpleNamespace) -> None:
    with pytest.raises(render.RenderError) as caught:
        render.render({"@context": ["https://www.w3.org/ns/credentials/v2"],
                       "type": ["VerifiableCredential"], "credentialSubject": {}})
    assert caught.value.code == "render.unsupported"
    with pytest.raises(render.RenderError) as caught:
        render.render(kit.EU_UPLOAD.read_bytes(), media_type="text/plain")
    assert caught.value.code == "render.media_type"
    with pytest.raises(render.RenderError) as caught:
        render.render(kit.EU_UPLOAD.read_bytes(), verify_url="javascript:alert(1)")
    assert caught.value.code == "render.verify_url"
    with pytest.raises(render.RenderError) as caught:
        render.render(kit.EU_UPLOAD.read_bytes(), lang="12")
    assert caught.value.code == "render.lang"
    with pytest.raises(InputError) as read_error:
        render.render(b"\xff\xfe not a credential")
    assert read_error.value.code == "io.not_json"
    broken = json.loads(kit.EU_UPLOAD.read_bytes())
    del broken["credential"]["credentialSubject"]
    with pytest.raises(ModelError):
        render.render(broken)


def test_remote_badge_images_are_never_fetched(kit: SimpleNamespace, badge_lt: Any) -> None:
    badge, _ = badge_lt
    remote = json.loads(json.dumps(badge))
    remote["credentialSubject"]["achievement"]["image"] = {
        "id": "https://badges.example.org/image.png", "type": "Image"}
    assert "badge" not in _view(remote, kit).images
    assert _view(badge, kit).images["badge"].data.startswith(b"\x89PNG")
    data_url = _view(badge, kit).images["badge"].data_url
    assert base64.b64decode(data_url.split(",", 1)[1]).startswith(b"\x89PNG")


def test_the_views_data_is_what_asdict_makes(kit: SimpleNamespace, sealed_sq: Any,
                                              badge_lt: Any) -> None:
    """to_data walks the view itself (faster than dataclasses.asdict), with the same data."""
    from dataclasses import asdict

    for data in (sealed_sq.data, badge_lt[1], kit.EU_TRANSCRIPT.read_bytes()):
        source = render.read_source(data)
        view = build_view(source, lang=None, verification=verify(source.document),
                          verify_url=kit.VERIFY_URL, theme=render.Theme(), now=kit.NOW)
        expected = asdict(view)
        expected["images"] = {name: {"name": image.name, "media_type": image.media_type,
                                     "alt": image.alt} for name, image in view.images.items()}
        assert view.to_data() == expected
        assert json.loads(view.to_json()) == json.loads(json.dumps(expected, ensure_ascii=False))
