"""``edc-issue issue --render pdf|html``: a page a person reads beside each credential.

Checked with independent tools (poppler's pdftotext and pdfdetach, zbarimg): each PDF holds
the learner's name, says what verifying its own credential found, carries that credential
byte for byte, and its QR code decodes to the row's verification URL. A seal whose
certificate the verifier cannot chain to a trust anchor shows its e-seal check as "could not
be confirmed" (never as passed); with the CA given (``--trust``), the e-seal check passes. A
verifier that fails renders "NOT verified".
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest

from edc_issue.cli import main

from .test_batch_cli import (  # noqa: F401
    COLUMNS,
    KEY_FILE,
    _csv,
    _eseal_p12,
    _learner,
    _report,
    workdir,
)

pytest.importorskip("typst", reason="rendering needs the [render] extra")

URL = "https://verify.example.edu/c/{id}"


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (Debian: poppler-utils, zbar-tools)")
    return found


def _text(pdf: Path) -> str:
    out = subprocess.run([_tool("pdftotext"), str(pdf), "-"], check=True, capture_output=True)
    return " ".join(out.stdout.decode("utf-8").split())


def _check_line(pdf: Path, label: str) -> str:
    out = subprocess.run([_tool("pdftotext"), "-layout", str(pdf), "-"], check=True,
                         capture_output=True)
    [line] = [line for line in out.stdout.decode("utf-8").splitlines()
              if line.strip().startswith(label)]
    return " ".join(line.split()[1:])


def _qr(pdf: Path, tmp: Path) -> list[str]:
    subprocess.run([_tool("pdftoppm"), "-r", "150", "-png", "-f", "1", "-l", "1", str(pdf),
                    str(tmp / "page")], check=True, capture_output=True)
    [page] = tmp.glob("page*.png")
    out = subprocess.run([_tool("zbarimg"), "-q", "--raw", str(page)], capture_output=True)
    page.unlink()
    return out.stdout.decode("utf-8").split()


def _attached(pdf: Path, tmp: Path) -> bytes:
    target = tmp / "attached"
    target.mkdir(exist_ok=True)
    subprocess.run([_tool("pdfdetach"), "-saveall", "-o", str(target), str(pdf)], check=True,
                   capture_output=True)
    [file] = list(target.iterdir())
    data = file.read_bytes()
    file.unlink()
    return data


def test_a_pdf_beside_each_badge(workdir: Path, tmp_path: Path) -> None:  # noqa: F811
    data = _csv(workdir / "learners.csv", [COLUMNS] + [_learner(i) for i in range(3)])
    assert main(["issue", "--template", "ob3/ob3-badge.json", "--data", str(data),
                 "--key", "key.json", "--issuer-from-key", "-o", "out", "--quiet",
                 "--render", "pdf", "--verify-url", URL, "--name-from", "student_id"]) == 0
    rows = _report(workdir / "out")
    assert len(rows) == 3
    report = json.loads((workdir / "out" / "report.json").read_text())
    for i, (row, entry) in enumerate(zip(rows, report["rows"], strict=True)):
        stem = f"UT-{i:05d}"
        assert entry["files"] == [f"{stem}.json", f"{stem}.pdf"]
        pdf = workdir / "out" / f"{stem}.pdf"
        text = _text(pdf)
        assert f"Learner{i} Hoxha" in text
        assert "Verified" in text and "NOT verified" not in text
        credential = (workdir / "out" / f"{stem}.json").read_bytes()
        assert _attached(pdf, tmp_path) == credential
        assert _qr(pdf, tmp_path) == [URL.replace("{id}", quote(row["id"], safe=""))]


def test_html_pages(workdir: Path) -> None:  # noqa: F811
    data = _csv(workdir / "learners.csv", [COLUMNS, _learner(1)])
    assert main(["issue", "--template", "ob3/ob3-badge.json", "--data", str(data),
                 "--key", "key.json", "--issuer-from-key", "-o", "out", "--quiet",
                 "--render", "html", "--render-lang", "sq"]) == 0
    [page] = (workdir / "out").glob("*.html")
    html = page.read_text(encoding="utf-8")
    assert "Learner1 Hoxha" in html and 'lang="sq"' in html
    assert "<script" not in html


def test_a_seal_not_trusted_is_not_shown_as_passed_and_trusted_is(
        workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    from cryptography.hazmat.primitives.serialization import Encoding

    p12, ca = _eseal_p12(workdir, "pw")
    monkeypatch.setenv("SEAL_PW", "pw")
    (workdir / "ca.pem").write_bytes(ca.public_bytes(Encoding.PEM))
    base = ["issue", "--template", "edc/edc-microcredential.json", "--data",
            "edc/learners.csv", "--p12", str(p12), "--password-env", "SEAL_PW", "--quiet",
            "--render", "pdf"]
    assert main([*base, "-o", "untrusted"]) == 0
    assert main([*base, "--trust", "ca.pem", "-o", "trusted"]) == 0
    [untrusted] = (workdir / "untrusted").glob("*.pdf")
    [trusted] = (workdir / "trusted").glob("*.pdf")
    assert _check_line(untrusted, "E-seal") == "could not be confirmed"
    untrusted_text = " ".join(_text(untrusted).split())
    assert "NOT verified" in untrusted_text
    assert "the e-seal's certificate is not on a trusted list" in untrusted_text.lower()
    assert _check_line(trusted, "E-seal") == "passed"
    trusted_text = " ".join(_text(trusted).split())
    assert "not on a trusted list" not in trusted_text
    # a baseline B seal holds no revocation data: that one stays undecided, and says so
    assert "NOT verified" in trusted_text
    assert "whether the e-seal's certificate has been revoked" in trusted_text.lower()


def failing_verifier(document: object) -> object:
    """A verifier whose signature check fails (module level: it reaches worker processes)."""
    from edc_issue.results import Check, VerificationResult

    return VerificationResult(checks=[Check("proof[0].signature", False, "signature mismatch")])


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_failed_verification_renders_not_verified(tmp_path: Path, jobs: int) -> None:
    from edc_issue.batch import RenderStep, SignStep, issue_batch

    template = json.loads((Path(__file__).resolve().parents[2] / "src" / "edc_issue"
                           / "templates" / "ob3-badge.json").read_text())
    rows = [dict(zip(COLUMNS, _learner(i), strict=True)) for i in range(3)]
    step = RenderStep(SignStep(KEY_FILE, issuer_from_key=True), "pdf",
                      verifier=failing_verifier)
    report = issue_batch(template, rows, step, tmp_path / "out", jobs=jobs)
    assert report.issued == 3
    pdfs = sorted((tmp_path / "out").glob("*.pdf"))
    assert len(pdfs) == 3
    for pdf in pdfs:
        assert "NOT verified" in _text(pdf)


def test_render_options_need_render(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    assert main(["issue", "--template", "ob3/ob3-badge.json", "--data", "ob3/learners.csv",
                 "--key", "key.json", "-o", "out", "--verify-url", URL]) == 2
    assert "--verify-url" in capsys.readouterr().err


def test_a_bad_verify_url_is_refused_before_any_row(workdir: Path,  # noqa: F811
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["issue", "--template", "ob3/ob3-badge.json", "--data", "ob3/learners.csv",
                 "--key", "key.json", "-o", "out", "--render", "pdf",
                 "--verify-url", "ftp://x/{id}"]) == 2
    err = capsys.readouterr().err
    assert "[render.verify_url]" in err and "Traceback" not in err
    assert not (workdir / "out").exists()


def test_without_the_render_extra(workdir: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
                                  capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "typst", None)  # import typst raises ImportError
    assert main(["issue", "--template", "ob3/ob3-badge.json", "--data", "ob3/learners.csv",
                 "--key", "key.json", "-o", "out", "--render", "pdf"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'edc-issue[render]'" in err and "[config.extra_missing]" in err
    assert "Traceback" not in err


def test_report_csv_lists_the_credential_first(workdir: Path) -> None:  # noqa: F811
    data = _csv(workdir / "learners.csv", [COLUMNS, _learner(1)])
    assert main(["issue", "--template", "ob3/ob3-badge.json", "--data", str(data),
                 "--key", "key.json", "-o", "out", "--quiet", "--render", "pdf"]) == 0
    with (workdir / "out" / "report.csv").open(encoding="utf-8", newline="") as fh:
        [row] = list(csv.DictReader(fh))
    assert row["file"].endswith(".json")
