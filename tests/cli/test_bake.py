"""``edc-issue bake`` and ``edc-issue unbake``: exit codes, one-line errors, exact round trip."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from edc_issue.cli import cli, main

OB30 = Path(__file__).resolve().parents[1] / "fixtures" / "openbadges" / "ob30"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("image", ["simple-jwt.png", "simple-jwt.svg"])
@pytest.mark.parametrize("credential", ["simple.json", "simple.jwt"])
def test_bake_then_unbake_gives_the_same_bytes(tmp_path: Path, image: str, credential: str) -> None:
    out = tmp_path / f"baked{Path(image).suffix}"
    code, stdout, stderr = _run("bake", str(OB30 / image), str(OB30 / credential), "-o", str(out))
    assert code == 0, stderr
    assert "baked" in stdout
    extracted = tmp_path / "extracted"
    code, _, stderr = _run("unbake", str(out), "-o", str(extracted))
    assert code == 0, stderr
    expected = (OB30 / credential).read_bytes()
    if credential.endswith(".jwt"):
        expected = expected.strip()  # a token has no surrounding whitespace
    assert extracted.read_bytes() == expected


def test_baked_png_opens_as_an_image(tmp_path: Path) -> None:
    out = tmp_path / "badge.png"
    code, _, _ = _run("bake", str(OB30 / "simple-jwt.png"), str(OB30 / "simple.json"),
                      "-o", str(out))
    assert code == 0
    with Image.open(io.BytesIO(out.read_bytes())) as im:
        im.load()
        assert im.format == "PNG"


@pytest.mark.parametrize(
    "name", ["simple-json.png", "simple-json.svg", "simple-jwt.png", "simple-jwt_v1.svg"]
)
def test_unbake_fixture_to_stdout(name: str) -> None:
    code, stdout, _ = _run("unbake", str(OB30 / name))
    assert code == 0
    if "json" in name:
        assert json.loads(stdout)["id"] == "http://example.com/credentials/3527"
    else:
        assert stdout.strip().count(".") == 2


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["unbake", "{ob30}/simple.json"], "[bake.unknown_format]"),
        (["unbake", "{tmp}/missing.png"], "[io.unreadable]"),
        (["bake", "{ob30}/simple-jwt.png", "{ob30}/simple-jwt.png", "-o", "{tmp}/x.png"],
         "simple-jwt.png: not UTF-8 text"),
        (["bake", "{ob30}/simple-jwt.png", "{tmp}/prose.txt", "-o", "{tmp}/x.png"],
         "prose.txt: the credential text is neither JSON nor a compact JWS"),
        (["bake", "{ob30}/simple.json", "{ob30}/simple.json", "-o", "{tmp}/x.png"],
         "[bake.unknown_format]"),
        (["bake", "{ob30}/simple-jwt.svg", "{ob30}/simple.json", "--kind", "png", "-o",
          "{tmp}/x.png"], "[bake.not_png]"),
        (["unbake", "{tmp}/plain.png"], "[bake.no_credential]"),
        (["unbake", "{tmp}/laughs.svg"], "[bake.unsafe_xml]"),
    ],
    ids=["not-an-image", "missing", "binary-credential", "prose-credential", "json-as-image",
         "svg-as-png", "no-credential", "entities"],
)
def test_bad_input_exits_2_with_one_line(tmp_path: Path, args: list[str], needle: str) -> None:
    (tmp_path / "prose.txt").write_text("hello world\n")
    buf = io.BytesIO()
    Image.new("L", (2, 2)).save(buf, format="PNG")
    (tmp_path / "plain.png").write_bytes(buf.getvalue())
    (tmp_path / "laughs.svg").write_bytes(
        b'<!DOCTYPE svg [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg">&b;</svg>'
    )
    argv = [a.format(ob30=OB30, tmp=tmp_path) for a in args]
    code, _, stderr = _run(*argv)
    assert code == 2
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    assert needle in lines[0]
    assert "Traceback" not in stderr
    assert not (tmp_path / "x.png").exists()


def test_bake_requires_an_output(tmp_path: Path) -> None:
    assert main(["bake", str(OB30 / "simple-jwt.png"), str(OB30 / "simple.json")]) == 2


def test_main_returns_the_exit_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "b.svg"
    argv = ["bake", str(OB30 / "simple-json.svg"), str(OB30 / "simple.jwt"), "-o", str(out)]
    assert main(argv) == 0
    assert main(["unbake", str(out)]) == 0
    assert capsys.readouterr().out.splitlines()[-1].count(".") == 2
