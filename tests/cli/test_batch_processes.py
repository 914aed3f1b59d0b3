"""``edc-issue issue --jobs N`` leaves no process behind, and one output folder has one writer.

- SIGTERM of the command is handled like Ctrl-C: the workers stop, the report is written,
  and the run can be resumed; SIGKILL of the command (no chance to clean up) still leaves
  no worker: each worker watches its parent and exits when it is gone.
- Two runs into the same ``-o`` folder at once: the second is refused (exit 2, naming the
  folder), and no learner is issued twice.

These run the real command in subprocesses and look for its descendants in ``/proc``.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KEY_FILE = ROOT / "tests" / "fixtures" / "vc-di" / "eddsa" / "keyPair.json"
TEMPLATE = ROOT / "src" / "edc_issue" / "templates" / "ob3-badge.json"
COLUMNS = ["student_id", "given_name", "family_name", "email", "date_of_birth",
           "completion_date", "grade"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                       reason="finding a process's descendants needs Linux /proc"),
]


def _learners(path: Path, count: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        for i in range(count):
            writer.writerow([f"UT-{i:05d}", f"Learner{i}", "Hoxha", f"l{i}@example.org",
                             "1988-03-14", "2025-06-27", "9/10"])
    return path


def _parents() -> dict[int, int]:
    """Every live process's parent, from /proc (zombies count as gone)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] in ("Z", "X"):
            continue
        parents[int(entry)] = int(fields[1])
    return parents


def _descendants(pid: int) -> set[int]:
    parents = _parents()
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        children = {child for child, parent in parents.items() if parent in frontier}
        frontier = children - found
        found |= children
    return found


def _alive(pids: set[int]) -> set[int]:
    return pids & set(_parents())


def _start(args: list[str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "edc_issue", *args], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait_for_workers(process: subprocess.Popen[bytes], jobs: int, out: Path) -> set[int]:
    """Wait until the run has *jobs* workers and has issued something; return its descendants."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        workers = _descendants(process.pid)
        if len(workers) >= jobs and any(out.glob("*.json")):
            return workers
        time.sleep(0.05)
    process.kill()
    pytest.fail("the run never started its workers")


def _issue_args(data: Path, out: Path, jobs: int) -> list[str]:
    return ["issue", "--template", str(TEMPLATE), "--data", str(data), "--key", "key.json",
            "--key-column", "student_id", "-o", str(out), "--jobs", str(jobs), "--quiet"]


def _wait_for_exit(process: subprocess.Popen[bytes]) -> None:
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        for pid in _alive(_descendants(process.pid)):
            os.kill(pid, signal.SIGKILL)
        process.kill()
        raise


def _assert_all_gone(pids: set[int], within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while _alive(pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = _alive(pids)
    for pid in left:  # do not leave them to the next test
        os.kill(pid, signal.SIGKILL)
    assert not left, f"{len(left)} process(es) outlived the command: {sorted(left)}"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "key.json").write_text(KEY_FILE.read_text())
    return tmp_path


def test_sigterm_stops_the_workers_and_keeps_the_report(workdir: Path) -> None:
    data = _learners(workdir / "learners.csv", 3000)
    out = workdir / "out"
    process = _start(_issue_args(data, out, 2), workdir)
    workers = _wait_for_workers(process, 2, out)
    process.send_signal(signal.SIGTERM)
    _wait_for_exit(process)
    _assert_all_gone(workers)
    _, err = process.communicate(timeout=60)  # orphans would hold the pipes open
    assert process.returncode == 128 + signal.SIGTERM, err
    text = err.decode()
    assert "Traceback" not in text and "terminated" in text and "again" in text
    # what was issued before the signal is in the report, and a re-run finishes the rest
    with (out / "report.csv").open(encoding="utf-8", newline="") as fh:
        issued = [r for r in csv.DictReader(fh) if r["status"] == "issued"]
    assert issued and len(issued) < 3000
    for row in issued:
        assert (out / row["file"]).is_file()
    again = subprocess.run([sys.executable, "-m", "edc_issue", *_issue_args(data, out, 1)],
                           cwd=workdir, capture_output=True, timeout=600)
    assert again.returncode == 0, again.stderr.decode()
    credentials = [p for p in out.glob("*.json") if p.name != "report.json"]
    assert len(credentials) == 3000
    ids = {json.loads(p.read_text())["credentialSubject"]["identifier"][2]["identityHash"]
           for p in credentials}
    assert len(ids) == 3000  # every learner once


def test_sigkill_leaves_no_worker(workdir: Path) -> None:
    data = _learners(workdir / "learners.csv", 3000)
    out = workdir / "out"
    process = _start(_issue_args(data, out, 2), workdir)
    workers = _wait_for_workers(process, 2, out)
    process.send_signal(signal.SIGKILL)
    _wait_for_exit(process)
    _assert_all_gone(workers)
    process.communicate(timeout=60)


def test_a_second_run_into_the_same_folder_is_refused(workdir: Path) -> None:
    first_data = _learners(workdir / "learners.csv", 1500)
    second_data = _learners(workdir / "learners-copy.csv", 1500)  # the same learners
    out = workdir / "out"
    first = _start(_issue_args(first_data, out, 1), workdir)
    try:
        _wait_for_workers(first, 0, out)
        second = subprocess.run(
            [sys.executable, "-m", "edc_issue", *_issue_args(second_data, out, 1)],
            cwd=workdir, capture_output=True, timeout=600)
        err = second.stderr.decode()
        assert first.poll() is None, "the first run ended before the second started"
        assert second.returncode == 2, err
        assert str(out) in err and "another" in err and "Traceback" not in err
        assert err.count("\n") == 1 and "[batch.output_locked]" in err
        _, first_err = first.communicate(timeout=600)
        assert first.returncode == 0, first_err.decode()
    finally:
        if first.poll() is None:
            first.kill()
    credentials = [p for p in out.glob("*.json") if p.name != "report.json"]
    assert len(credentials) == 1500
    # and once the folder is free, a run goes ahead (and finds nothing left to issue)
    third = subprocess.run([sys.executable, "-m", "edc_issue",
                            *_issue_args(second_data, out, 1)],
                           cwd=workdir, capture_output=True, timeout=600)
    assert third.returncode == 0, third.stderr.decode()
    assert b"0 issued, 1500 already issued" in third.stdout
