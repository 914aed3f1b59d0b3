"""``edc-issue verify`` over many files: folders and globs, --jobs, a summary line,
--format junit, --quiet; a bad --trust file is named."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from edc_issue import sign
from edc_issue.cli import main
from edc_issue.keys import generate_key


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    key = generate_key("ed25519")
    creds = tmp_path / "creds"
    (creds / "sub").mkdir(parents=True)
    for i in range(4):
        signed = sign({"@context": ["https://www.w3.org/ns/credentials/v2"],
                       "type": ["VerifiableCredential"], "issuer": key.controller,
                       "credentialSubject": {"id": f"did:example:{i}"}}, key)
        if i == 2:
            signed["credentialSubject"]["id"] = "did:example:tampered"
        where = creds / "sub" if i == 3 else creds
        (where / f"c{i}.json").write_text(json.dumps(signed))
    (creds / "notes.txt").write_text("not a credential")
    # what a batch writes beside its credentials
    (creds / "report.json").write_text('{"rows": []}')
    (creds / "c0.deliveryDetails.json").write_text('{"deliveryAddress": ["a@example.org"]}')
    return creds


def test_a_folder_is_searched_and_summed_up(folder: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "verify", folder)
    assert code == 1, err
    assert out.count(": verified") == 3 and out.count(": NOT verified") == 1
    assert "c2.json: NOT verified" in out and "notes.txt" not in out
    assert out.rstrip().splitlines()[-1] == "4 file(s): 3 verified, 1 not verified, 0 unreadable"


def test_a_glob_pattern(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "verify", f"{folder}/**/c[013].json")
    assert code == 0
    assert out.rstrip().splitlines()[-1] == "3 file(s): 3 verified, 0 not verified, 0 unreadable"
    code, _, err = run(capsys, "verify", f"{folder}/*.nothing")
    assert code == 2 and "matches no file" in err


def test_jobs_give_the_same_answer_in_the_same_order(folder: Path,
                                                     capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    one = run(capsys, "verify", "--format", "json", folder)
    two = run(capsys, "verify", "--format", "json", "--jobs", "2", folder)
    assert one[0] == two[0] == 1
    assert json.loads(one[1]) == json.loads(two[1])
    assert json.loads(one[1])["summary"] == {"files": 4, "verified": 3, "notVerified": 1,
                                             "unreadable": 0}


def test_junit(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "verify", "--format", "junit", folder)
    assert code == 1
    suite = ET.fromstring(out).find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("4", "1")
    failed = [c for c in suite.iter("testcase") if c.find("failure") is not None]
    assert [c.get("name", "").endswith("c2.json") for c in failed] == [True]


def test_quiet_prints_only_failures_and_the_summary(folder: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "verify", "--quiet", folder)
    assert code == 1
    heads = [line for line in out.splitlines() if not line.startswith(" ")]
    assert len(heads) == 2 and heads[0].endswith("c2.json: NOT verified")
    assert heads[1].startswith("4 file(s)")


def test_an_unreadable_file_among_many_exits_2(folder: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    (folder / "broken.json").write_text("{")
    code, out, err = run(capsys, "verify", folder)
    assert code == 2
    assert "broken.json" in err and "1 unreadable" in out


def test_a_bad_trust_file_is_named(folder: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "not-a-cert.pem"
    bad.write_text("hello")
    code, out, err = run(capsys, "verify", "--trust", bad, folder / "c0.json")
    assert code == 2, out + err
    assert str(bad) in err and err.rstrip().endswith("]")


def _children_of(pid: int) -> set[int]:
    """The live descendants of *pid*, from /proc (zombies count as gone)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            if fields[0] not in ("Z", "X"):
                parents[int(entry)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {c for c, p in parents.items() if p in frontier} - found
        found |= frontier
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_sigkill_of_verify_jobs_leaves_no_worker(tmp_path: Path) -> None:
    key = generate_key("ed25519")
    creds = tmp_path / "many"
    creds.mkdir()
    for i in range(400):
        (creds / f"c{i:03d}.json").write_text(json.dumps(sign(
            {"@context": ["https://www.w3.org/ns/credentials/v2"],
             "type": ["VerifiableCredential"], "issuer": key.controller,
             "credentialSubject": {"id": f"did:example:{i}"}}, key)))
    process = subprocess.Popen([sys.executable, "-m", "edc_issue", "verify", "--jobs", "2",
                                "--quiet", str(creds)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while time.monotonic() < deadline and len(workers) < 2:
        assert process.poll() is None, "verify ended before its workers were seen"
        workers = _children_of(process.pid)
        time.sleep(0.02)
    assert len(workers) >= 2
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and _alive(workers):
        time.sleep(0.1)
    left = _alive(workers)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"{len(left)} worker(s) outlived verify"


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        if state[state.rindex(")") + 2] not in "ZX":
            alive.add(pid)
    return alive


def test_the_batch_file_names_verify_skips_are_the_batch_s() -> None:
    from edc_issue.batch.planner import DELIVERY_SUFFIX
    from edc_issue.batch.report import REPORT_JSON
    from edc_issue.cli.commands import verify as verify_command

    assert verify_command._BATCH_FILES == {REPORT_JSON}
    assert verify_command._DELIVERY_SUFFIX == DELIVERY_SUFFIX
