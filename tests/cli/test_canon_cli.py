"""``edc-issue canon``: canonical output, and one clear line (exit 2) for bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from edc_issue.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert "edc-issue, version" in capsys.readouterr().out


def test_canon_of_the_open_badges_vector(capsys: pytest.CaptureFixture[str]) -> None:
    src = FIXTURES / "jsonld" / "obv3p0-unsigned.json"
    assert main(["canon", str(src)]) == 0
    expected = (FIXTURES / "jsonld" / "obv3p0-document-canon.nq").read_text()
    assert capsys.readouterr().out == expected


def test_canon_of_nquads_input_and_output_file(tmp_path: Path) -> None:
    src = tmp_path / "in.nq"
    src.write_text('_:x <http://example.org/p> "v" .\n_:y <http://example.org/q> _:x .\n')
    out = tmp_path / "out.nq"
    assert main(["canon", str(src), "--hash", "sha384", "-o", str(out)]) == 0
    assert out.read_text().count("_:c14n") == 3


def test_canon_of_an_eu_upload_payload_adds_the_edc_context(
    capsys: pytest.CaptureFixture[str],
) -> None:
    src = FIXTURES / "canon-oracle" / "docs" / "edc-Sample-CertOfPart-unsigned.json"
    assert main(["canon", str(src)]) == 0
    expected = (FIXTURES / "canon-oracle" / "edc-Sample-CertOfPart-unsigned.nq").read_text()
    assert capsys.readouterr().out == expected


def _bad_inputs(tmp_path: Path) -> dict[str, Path]:
    cases = {
        "missing": tmp_path / "does-not-exist.json",
        "invalid-json": tmp_path / "bad.json",
        "array": tmp_path / "array.json",
        "binary": tmp_path / "garbage.json",
        "empty": tmp_path / "empty.json",
        "folder": tmp_path,
        "undefined-term": tmp_path / "undefined.json",
        "unknown-context": tmp_path / "ctx.json",
        "bad-nquads": tmp_path / "bad.nq",
    }
    cases["invalid-json"].write_text('{"@context": [}')
    cases["array"].write_text('[{"@id": "urn:x"}]')
    cases["binary"].write_bytes(bytes(range(256)) * 4)
    cases["empty"].write_text("")
    cases["undefined-term"].write_text(json.dumps({"@context": {"a": "urn:a"}, "b": 1}))
    cases["unknown-context"].write_text(json.dumps({"@context": "https://example.com/x", "a": 1}))
    cases["bad-nquads"].write_text("<a> <b> .\n")
    return cases


@pytest.mark.parametrize(
    "case",
    ["missing", "invalid-json", "array", "binary", "empty", "folder", "undefined-term",
     "unknown-context", "bad-nquads"],
)
def test_bad_input_gives_exit_2_and_one_line(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _bad_inputs(tmp_path)[case]
    assert main(["canon", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("error: ")
    assert str(path) in lines[0]
    assert "Traceback" not in captured.err


def test_no_traceback_from_a_real_process(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2")
    proc = subprocess.run(
        [sys.executable, "-m", "edc_issue", "canon", str(bad)],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_debug_shows_the_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2")
    assert main(["--debug", "canon", str(bad)]) == 2
    assert "Traceback" in capsys.readouterr().err
