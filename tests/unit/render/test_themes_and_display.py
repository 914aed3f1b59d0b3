"""Themes (an institution's logo, colours, layout, words, templates, without code), the EDC
display image (display_parameter, with_display_images, template init --edc), the command
line, and the package's data (fonts with their sha256, the public names)."""

from __future__ import annotations

import base64
import hashlib
import json
import struct
import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner

from edc_issue import edc, render
from edc_issue.cli import cli
from edc_issue.render.pdf import FONTS_DIR


def _png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _theme(tmp_path: Path, **data: Any) -> Path:
    folder = tmp_path / "theme"
    folder.mkdir(exist_ok=True)
    logo = (Path(edc.__file__).parent / "templates" / "ob3-badge.png").read_bytes()
    (folder / "logo.png").write_bytes(logo)
    (folder / "theme.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return folder


# ---------------------------------------------------------------------------- themes


def test_a_theme_brings_logo_colours_layout_words_and_footer(kit: SimpleNamespace,
                                                             sealed_sq: Any,
                                                             tmp_path: Path) -> None:
    folder = _theme(tmp_path, name="Universiteti i Vlorës", logo="logo.png",
                    colors={"primary": "#7a1f2b", "accent": "#8a6d1c"},
                    layout={"orientation": "landscape", "title_font": "sans",
                            "sections": ["outcomes", "facts"]},
                    footer={"sq": "Zyra e regjistrit, Vlorë", "en": "Registrar, Vlora"},
                    strings={"sq": {"heading.microcredential": "Mikrokredencial universitar"}})
    theme = render.load_theme(folder)
    page = render.render(sealed_sq.data, media_type="text/html", lang="sq", theme=theme,
                         now=kit.NOW).decode("utf-8")
    assert "--primary: #7a1f2b" in page
    assert "Mikrokredencial universitar" in page and "Zyra e regjistrit, Vlorë" in page
    assert 'alt="Logoja: Universiteti i Vlorës"' in page
    assert page.index("Rezultatet e të nxënit") < page.index("Kreditë ECTS")
    pdf = tmp_path / "themed.pdf"
    pdf.write_bytes(render.render(sealed_sq.data, lang="sq", theme=theme, now=kit.NOW))
    info = subprocess.run([kit.tool("pdfinfo", "poppler-utils"), str(pdf)],
                          capture_output=True, text=True, check=True).stdout
    assert "841.89 x 595.276 pts (A4)" in info  # landscape


def test_a_theme_template_replaces_the_default(kit: SimpleNamespace, sealed_uk: Any,
                                               tmp_path: Path) -> None:
    folder = _theme(tmp_path, templates={"edc-microcredential": "mine.typ",
                                         "html": "mine.html.j2"})
    (folder / "mine.typ").write_text(
        '#let view = json(bytes(sys.inputs.view))\n#set document(title: view.title.text)\n'
        '#set text(font: "Noto Sans", lang: "uk")\n'
        '= #view.title.text\n#view.learner.text — #view.verification.headline\n', "utf-8")
    (folder / "mine.html.j2").write_text(
        "<!DOCTYPE html><html lang=\"{{ view.lang }}\"><title>{{ view.title.text }}</title>"
        "<p>{{ view.learner.text }}</p></html>", "utf-8")
    theme = render.load_theme(folder / "theme.json")
    html = render.render(sealed_uk.data, media_type="text/html", theme=theme, now=kit.NOW)
    assert b"\xd0\x84\xd0\xb2\xd0\xb3\xd0\xb5\xd0\xbd\xd1\x96\xd1\x8f" in html  # Євгенія
    pdf = tmp_path / "mine.pdf"
    pdf.write_bytes(render.render(sealed_uk.data, theme=theme, now=kit.NOW))
    text = subprocess.run([kit.tool("pdftotext", "poppler-utils"), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert sealed_uk.course.learner in text and "Не перевірено" in text
    for broken, reason in (("#let x = (", "unclosed delimiter"),
                           ('#set text(font: "Noto Sans")\nno title', "missing document title")):
        (folder / "mine.typ").write_text(broken, "utf-8")  # PDF/UA-1 needs a title
        with pytest.raises(render.RenderError) as caught:
            render.render(sealed_uk.data, theme=render.load_theme(folder), now=kit.NOW)
        assert caught.value.code == "render.template" and reason in str(caught.value)


@pytest.mark.parametrize(("data", "key"), [
    ({"colors": {"primary": "#ffdd00"}}, "colors.primary"),  # 1.4:1 on white
    ({"colors": {"primary": "blue"}}, "colors.primary"),
    ({"colour": {}}, "colour"),
    ({"logo": "../etc/passwd"}, "logo"),
    ({"layout": {"sections": ["verification"]}}, "layout.sections"),
    ({"templates": {"edc-microcredential": "missing.typ"}}, "templates.edc-microcredential"),
])
def test_a_bad_theme_is_refused_naming_the_key(tmp_path: Path, data: dict[str, Any],
                                               key: str) -> None:
    with pytest.raises(render.RenderError) as caught:
        render.load_theme(_theme(tmp_path, **data))
    assert caught.value.code == "render.theme"
    assert str(caught.value.pointer).endswith(f"theme.json: {key}")


def test_contrast_ratio() -> None:
    from edc_issue.render.themes import DEFAULT_COLORS, contrast_ratio

    assert round(contrast_ratio("#000000"), 1) == 21.0
    assert all(contrast_ratio(DEFAULT_COLORS[k]) >= 4.5
               for k in ("primary", "text", "verified", "failed", "unchecked"))


# ---------------------------------------------------------------------------- display


def test_display_parameter_renders_a_page_per_language() -> None:
    display = edc.display_parameter({"sq": "Mikrokredencial", "uk": "Мікрокваліфікація"},
                                    languages=("SQI", "UKR"))
    images = [d.display_detail[0].image for d in display.individual_display]
    assert [i.content_type.id.rsplit("/", 1)[-1] for i in images] == ["PNG", "PNG"]
    pages = [base64.b64decode(i.content) for i in images]
    assert pages[0] != pages[1]
    assert all(_png_size(page) == (794, 1123) for page in pages)  # A4 at 96 ppi, as the EU's


def test_with_display_images_renders_the_whole_credential(kit: SimpleNamespace,
                                                          tmp_path: Path) -> None:
    credential = kit.build(kit.UKRAINIAN)
    filled = edc.with_display_images(credential)
    assert credential["displayParameter"] != filled["displayParameter"]
    displays = filled["displayParameter"]["individualDisplay"]
    assert [d["language"]["id"][-3:] for d in displays] == ["UKR", "ENG"]
    pages = []
    for display in displays:
        detail = display["displayDetail"]
        image = (detail[0] if isinstance(detail, list) else detail)["image"]
        assert image["contentType"]["id"].endswith("/PNG")
        pages.append(base64.b64decode(image["content"]))
        assert _png_size(pages[-1]) == (794, 1123)
    assert pages[0] != pages[1]  # Ukrainian, then English
    page = tmp_path / "uk.png"
    page.write_bytes(pages[0])
    out = subprocess.run([kit.tool("zbarimg", "zbar-tools"), "-q", str(page)],
                         capture_output=True, check=False)
    assert out.returncode != 0  # no QR code and no verification box on a display image
    kit.compare(page, "display-uk.png")
    from edc_issue.models.edc import EuropeanDigitalCredential

    EuropeanDigitalCredential.model_validate(filled)


def test_template_init_edc_writes_a_real_page_image(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["template", "init", "--edc", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    template = json.loads((tmp_path / "edc-microcredential.json").read_text("utf-8"))
    content = template["displayParameter"]["individualDisplay"]["displayDetail"]["image"][
        "content"]
    assert _png_size(base64.b64decode(content)) == (794, 1123)
    assert template["credentialSubject"]["fullName"] == {"en": "{{given_name}} {{family_name}}"}


# ---------------------------------------------------------------------------- command line


def test_cli_render_verified_and_not(kit: SimpleNamespace, sealed_sq: Any,
                                     badge_lt: Any, tmp_path: Path) -> None:
    runner = CliRunner()
    verified = tmp_path / "badge.json"
    verified.write_bytes(badge_lt[1])
    out = tmp_path / "out.pdf"
    result = runner.invoke(cli, ["render", str(verified), "--verify-url", kit.VERIFY_URL,
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"{verified}: verified; wrote" in result.output
    assert out.read_bytes().startswith(b"%PDF")
    good = tmp_path / "sealed.json"
    good.write_bytes(sealed_sq.data)
    anchor = tmp_path / "ca.pem"
    anchor.write_bytes(sealed_sq.anchor)
    # trusted, but a baseline B seal holds no revocation data: the page reads NOT verified
    result = runner.invoke(cli, ["render", str(good), "--lang", "sq", "--verify-url",
                                 kit.VERIFY_URL, "--trust", str(anchor), "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert f"{good}: NOT verified; wrote" in result.output
    assert out.read_bytes().startswith(b"%PDF")
    bad = tmp_path / "tampered.json"
    bad.write_bytes(kit.tamper(sealed_sq.data, sealed_sq.course.grade, "10/10"))
    result = runner.invoke(cli, ["render", str(bad), "--trust", str(anchor), "-o",
                                 str(tmp_path / "bad.html")])
    assert result.exit_code == 1
    assert "NOT verified" in result.output
    assert "I PAVERIFIKUAR" in (tmp_path / "bad.html").read_text("utf-8")  # primary: sq
    result = runner.invoke(cli, ["render", str(good), "--no-verify", "--format", "png",
                                 "-o", str(tmp_path / "draft.bin")])
    assert result.exit_code == 0 and (tmp_path / "draft.bin").read_bytes()[:4] == b"\x89PNG"


def test_cli_render_exit_status_is_what_the_page_says(kit: SimpleNamespace, sealed_sq: Any,
                                                      tmp_path: Path) -> None:
    """A seal with no trust anchor verifies (verify() is ok, with a warning) but the page
    reads NOT verified (fail closed): the command says so too, and exits 1."""
    good = tmp_path / "sealed.json"
    good.write_bytes(sealed_sq.data)
    out = tmp_path / "untrusted.html"
    result = CliRunner().invoke(cli, ["render", str(good), "--lang", "en", "-o", str(out)])
    words = render._i18n.strings_for("en")
    assert words["not_verified"] in out.read_text("utf-8")
    assert result.exit_code == 1, result.output
    assert "NOT verified" in result.output


def test_cli_render_bad_input_is_one_line_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    junk = tmp_path / "junk.json"
    junk.write_text('{"type": ["VerifiableCredential"]}')
    result = runner.invoke(cli, ["render", str(junk), "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "[render.unsupported]" in lines[0] and str(junk) in lines[0]
    assert "Traceback" not in result.output
    result = runner.invoke(cli, ["render", str(junk), "--verify-url", "ftp://x", "-o",
                                 str(tmp_path / "x.pdf")])
    assert result.exit_code == 2 and not (tmp_path / "x.pdf").exists()


def test_verify_and_render(kit: SimpleNamespace, sealed_uk: Any) -> None:
    from functools import partial

    from edc_issue import verify
    from edc_issue.rendering import verify_and_render

    out = verify_and_render(sealed_uk.data, media_type="text/html", lang="uk",
                            verifier=partial(verify, trust=[sealed_uk.anchor]), now=kit.NOW)
    assert out.verification.ok and b"state-verified" in out.content
    assert verify_and_render(kit.tamper(sealed_uk.data, "Ґалаґан", "Ґ"), media_type="text/html",
                             verifier=partial(verify, trust=[sealed_uk.anchor])
                             ).verification.ok is False


# ---------------------------------------------------------------------------- package data


def test_bundled_fonts_match_their_recorded_sha256() -> None:
    record = json.loads((FONTS_DIR / "PROVENANCE.json").read_text())["files"]
    files = {p.name for p in FONTS_DIR.iterdir() if p.name != "PROVENANCE.json"}
    assert files == set(record)
    for name, entry in record.items():
        assert hashlib.sha256((FONTS_DIR / name).read_bytes()).hexdigest() == entry["sha256"]
        assert entry["licence"].startswith("OFL-1.1")
    assert "SIL OPEN FONT LICENSE Version 1.1" in (FONTS_DIR / "OFL.txt").read_text()


def test_public_names() -> None:
    import inspect

    for name in render.__all__:  # every public name exists and says what it is
        value = getattr(render, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert inspect.getdoc(value), name
    defined = {name for name, value in vars(render).items()
               if not name.startswith("_") and (inspect.isclass(value) or inspect.isfunction(value))
               and value.__module__.startswith("edc_issue.render")}
    assert defined <= set(render.__all__), defined - set(render.__all__)
