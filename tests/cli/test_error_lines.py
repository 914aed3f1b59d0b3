"""Every error line of the CLI ends with its ``[code]`` (docs/errors.md), and only error lines
reach stderr when the input is bad: many bad commands, each run the way a shell runs it
(``edc_issue.cli.main``: click's usage errors become one line too)."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from edc_issue.cli import main

ROOT = Path(__file__).resolve().parents[2]
OB3 = ROOT / "examples" / "data" / "ob3-sample-unsigned.json"
EDC_UPLOAD = ROOT / "examples" / "data" / "edc-CertOfPart-upload.json"
LINE = re.compile(r"^error: .+ \[(?:error|[a-z0-9_]+\.[a-z0-9_]+)\]$")


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("bad")
    assert main(["keygen", "-o", str(d / "key.json")]) == 0
    shutil.copy(OB3, d / "ob3.json")
    shutil.copy(EDC_UPLOAD, d / "edc.json")
    (d / "bad.json").write_text('{"truncated": ', encoding="utf-8")
    (d / "array.json").write_text("[1, 2]", encoding="utf-8")
    (d / "empty.json").write_text("", encoding="utf-8")
    (d / "binary.json").write_bytes(b"\x80\x81\x82")
    deep: object = 1
    for _ in range(400):
        deep = {"x": deep}
    (d / "deep.json").write_text(json.dumps(deep), encoding="utf-8")
    (d / "not-a-key.json").write_text('{"kty": "nope"}', encoding="utf-8")
    (d / "not-an-image.png").write_bytes(b"not a png at all")
    (d / "empty-dir").mkdir()
    (d / "existing").mkdir()
    (d / "existing" / "ob3-badge.json").write_text("{}")
    (d / "rows.csv").write_text("name\nArta\n", encoding="utf-8")
    return d


def _cases(d: Path) -> list[list[str]]:
    key, ob3, edc = str(d / "key.json"), str(d / "ob3.json"), str(d / "edc.json")
    bad = [str(d / n) for n in ("bad.json", "array.json", "empty.json", "binary.json",
                                 "deep.json", "missing.json", "empty-dir")]
    cases: list[list[str]] = []
    for doc in bad:
        cases += [["sign", "--key", key, doc], ["verify", doc], ["canon", doc],
                  ["seal", "--key", key, "--cert", key, doc],
                  ["render", doc, "-o", str(d / "out.pdf")]]
        if not doc.endswith("array.json"):  # JSON, but no credential: a finding (exit 1)
            cases.append(["validate", doc])
    cases += [
        # keys
        ["sign", "--key", str(d / "missing-key.json"), ob3],
        ["sign", "--key", str(d / "not-a-key.json"), ob3],
        ["sign", "--key", str(d / "bad.json"), ob3],
        ["sign", "--key", key, "--password-env", "EDC_TEST_NO_SUCH_VARIABLE", ob3],
        ["sign", "--key", key, "--suite", "no-such-suite", ob3],
        ["sign", "--key", key, "--created", "not a date", ob3],
        ["seal", "--p12", str(d / "missing.p12"), edc],
        ["seal", "--p12", str(d / "bad.json"), "--password-env", "EDC_TEST_NO_SUCH_VARIABLE",
         edc],
        ["seal", edc],  # no signer
        ["verify", "--trust", str(d / "missing.pem"), ob3],
        ["verify", "--status-list", str(d / "missing.json"), ob3],
        # usage
        ["no-such-command"],
        ["sign"],
        ["sign", "--no-such-option", ob3],
        ["validate"],
        ["validate", "--profile", "no-such-profile", ob3],
        ["validate", str(d / "nothing-matches-*.json")],
        ["validate", str(d / "empty-dir")],
        ["keygen"],
        ["keygen", "--type", "dsa", "-o", str(d / "k2.json")],
        ["keygen", "-o", key],  # exists
        ["template", "init", "--edc", "--ob3", "-o", str(d / "both")],
        ["template", "init", "--ob3", "-o", str(d / "existing")],
        ["template", "init", "-o", str(d / "neither")],
        # images
        ["bake", str(d / "not-an-image.png"), ob3, "-o", str(d / "baked.png")],
        ["bake", str(d / "missing.png"), ob3, "-o", str(d / "baked.png")],
        ["unbake", str(d / "not-an-image.png")],
        ["unbake", str(d / "missing.png")],
        # batches
        ["issue", "--template", str(d / "missing.json"), "--data", str(d / "rows.csv"),
         "--key", key, "-o", str(d / "out1")],
        ["issue", "--template", str(d / "bad.json"), "--data", str(d / "rows.csv"),
         "--key", key, "-o", str(d / "out2")],
        ["issue", "--template", ob3, "--data", str(d / "missing.csv"), "--key", key,
         "-o", str(d / "out3")],
        ["issue", "--template", ob3, "--data", str(d / "rows.csv"), "--key", key,
         "--name-from", "no_such_column", "-o", str(d / "out4")],
        ["issue", "--template", ob3, "--data", str(d / "rows.csv"), "-o", str(d / "out5")],
        ["issue", "--template", ob3, "--data", str(d / "rows.csv"), "--key", key,
         "--jobs", "-3", "-o", str(d / "out6")],
        # status lists
        ["status", "show", str(d / "missing.json")],
        ["status", "show", str(d / "bad.json")],
        ["status", "revoke", "--key", key, str(d / "missing.json"), "3"],
        ["status", "revoke", "--key", key, str(d / "bad.json"), "3"],
        ["status", "create", "--key", str(d / "missing-key.json"), "-o", str(d / "list.json")],
        ["extend", "--level", "T", str(d / "bad.json")],
        ["extend", "--level", "T", ob3],
    ]
    return cases


def test_every_error_line_ends_with_its_code(files: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EDC_TEST_NO_SUCH_VARIABLE", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # no terminal, no input
    cases = _cases(files)
    assert len(cases) > 70
    wrong: list[tuple[list[str], int, str]] = []
    for args in cases:
        code = main(args)
        err = capsys.readouterr().err
        lines = [line for line in err.splitlines() if line.strip()]
        if code == 0 or not lines or not all(LINE.match(line) for line in lines) \
                or "Traceback" in err:
            wrong.append((args, code, err))
    assert not wrong, "\n".join(f"{a} -> exit {c}:\n{e}" for a, c, e in wrong)


def test_a_real_process_too() -> None:
    """Outside click's test runner: a usage error and a missing file, each one line."""
    for args in (["sign", "--nope"], ["verify", "/nonexistent/credential.json"]):
        proc = subprocess.run([sys.executable, "-m", "edc_issue", *args], capture_output=True,
                              text=True, timeout=120, stdin=subprocess.DEVNULL)
        assert proc.returncode == 2, proc.stderr
        lines = proc.stderr.splitlines()
        assert len(lines) == 1 and LINE.match(lines[0]), proc.stderr
