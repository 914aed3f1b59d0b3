"""End to end: 300 learners from an XLSX (Albanian and Cyrillic names) become 300 sealed
EDCs and 300 baked badges sharing one status list; two learners are revoked (both their
EDC and their badge: 4 credentials), so ``verify --require-status`` on the 600 files fails
exactly those 4; a revoke with another key is refused and leaves the list's bytes as they
were.

Run time: about 19 s on a shared 2-core machine (issuing 600 credentials about 11 s,
verifying the 600 files twice about 5 s each, with --jobs 2), hence ``slow``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from edc_issue.baking import unbake
from edc_issue.cli import main

pytestmark = pytest.mark.slow

NAMES = [("Ëndrit", "Çela"), ("Xhensila", "Gjoçi"), ("Љубица", "Јовановић"),
         ("Ѓорѓи", "Ќосевски")]
LIST_URL = "https://example.edu/status/e2e"
REVOKED = ["UT-00007", "UT-00222"]


def _run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _xlsx(path: Path) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["student_id", "given_name", "family_name", "email", "date_of_birth",
                  "completion_date", "grade"])
    for i in range(300):
        given, family = NAMES[i % len(NAMES)]
        sheet.append([f"UT-{i:05d}", given, family, f"learner{i}@example.org", "1990-01-02",
                      "2025-06-27", "9/10"])
    book.save(path)
    return path


def test_300_learners_revoke_two_verify_600(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EDC_TEST_SEAL_PASSWORD", "test-only-password")
    data = _xlsx(tmp_path / "learners.xlsx")
    for args in (["seal-cert", "--test", "--org", "Universiteti i Tiranës", "-o", "pki"],
                 ["keygen", "--type", "ed25519", "-o", "key.json"],
                 ["keygen", "--type", "ed25519", "-o", "other-key.json"],
                 ["template", "init", "--edc", "-o", "edc"],
                 ["template", "init", "--ob3", "-o", "ob3"],
                 ["status", "create", "--purpose", "revocation", "--key", "key.json",
                  "--id", LIST_URL, "-o", "list.json"]):
        code, out, err = _run(capsys, *args)
        assert code == 0, (args, out, err)
    common = ["--data", data, "--status-list", "list.json", "--key-column", "student_id",
              "--name-from", "student_id", "--jobs", "2", "--quiet"]
    code, out, err = _run(capsys, "issue", "--template", "edc/edc-microcredential.json",
                          "--p12", "pki/test-eseal.p12", "--password-env",
                          "EDC_TEST_SEAL_PASSWORD", "-o", "sealed", *common)
    assert code == 0, out + err
    code, out, err = _run(capsys, "issue", "--template", "ob3/ob3-badge.json", "--key",
                          "key.json", "--bake", "ob3/badge.png", "-o", "badges", *common)
    assert code == 0, out + err
    edcs = sorted((tmp_path / "sealed").glob("UT-*.json"))
    badges = sorted((tmp_path / "badges").glob("UT-*.png"))
    assert len(edcs) == len(badges) == 300

    # the names came through as written, in the seal's payload and in the baked badge
    payload = json.loads(json.loads(edcs[2].read_text(encoding="utf-8"))["payload"])
    assert "Љубица" in json.dumps(payload, ensure_ascii=False)
    baked = unbake((tmp_path / "badges" / "UT-00001.png").read_bytes())
    assert "Xhensila" in json.dumps(baked, ensure_ascii=False)
    assert "Gjoçi" in json.dumps(baked, ensure_ascii=False)

    verify_all = ["verify", "--require-status", "--trust", "pki/test-ca.pem",
                  "--status-list", "list.json", "--jobs", "2", "--quiet", "sealed/",
                  "badges/*.png"]
    code, out, err = _run(capsys, *verify_all)
    assert code == 0, out[-3000:] + err
    assert out.rstrip().splitlines()[-1] == \
        "600 file(s): 600 verified, 0 not verified, 0 unreadable"

    # revoke two learners: each one's EDC and badge (4 credentials, 4 status entries)
    chosen = [p for name in REVOKED
              for p in (Path("sealed") / f"{name}.json", Path("badges") / f"{name}.png")]
    revoke = ["status", "revoke", "list.json", "--key", "key.json"]
    for path in chosen:
        revoke += ["--credential", str(path)]
    code, _, err = _run(capsys, *revoke)
    assert code == 0, err
    assert re.search(r"revoked \d+, \d+, \d+, \d+ in ", err), err

    # a revoke with another key is refused, and the list's bytes stay as they are
    before = (tmp_path / "list.json").read_bytes()
    code, _, err = _run(capsys, "status", "revoke", "list.json", "--key", "other-key.json",
                        "--credential", "sealed/UT-00001.json")
    assert code == 2 and "[status.wrong_key]" in err, err
    assert (tmp_path / "list.json").read_bytes() == before

    code, out, err = _run(capsys, *verify_all)
    assert code == 1, err
    assert out.rstrip().splitlines()[-1] == \
        "600 file(s): 596 verified, 4 not verified, 0 unreadable"
    failed = sorted(line.split(": NOT verified")[0] for line in out.splitlines()
                    if line.endswith(": NOT verified"))
    assert failed == sorted(str(p) for p in chosen)
    assert out.count("FAIL  status: revoked") == 4
