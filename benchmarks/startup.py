"""Start-up times: how long ``import edc_issue``, ``edc-issue --version`` and
``edc-issue --help`` take, each in a fresh process (the median of ``--runs``), against
a bare ``python -c pass``.

Targets: ``import edc_issue`` under 0.2 s, ``--version`` and ``--help`` under 0.3 s. The
heavy dependencies (pydantic, pyld, rdflib/pyshacl, jsonschema, cryptography) are loaded
on first use; the last columns show what each command has loaded when it exits, and
which modules cost the most to import (``python -X importtime``)::

    python benchmarks/startup.py --runs 15
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

HEAVY = ("pydantic", "pyld", "rdflib", "pyshacl", "jsonschema", "cryptography", "joserfc",
         "click")
CASES = {
    "python (bare)": "pass",
    "import edc_issue": "import edc_issue",
    "edc-issue --version": "from edc_issue.cli import main; main(['--version'])",
    "edc-issue --help": "import contextlib, io\n"
                        "with contextlib.redirect_stdout(io.StringIO()):\n"
                        "    from edc_issue.cli import main; main(['--help'])",
    "edc_issue.verify (first use)": "import edc_issue; edc_issue.verify",
}
TARGETS = {"import edc_issue": 0.2, "edc-issue --version": 0.3, "edc-issue --help": 0.3}


def _time(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _loaded(code: str) -> list[str]:
    probe = (f"{code}\nimport sys\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules), "
             "file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True,
                          text=True)
    lines = done.stderr.splitlines()
    return [m for m in (lines[-1] if lines else "").split(",") if m]


def _slowest(code: str, count: int) -> list[tuple[str, int]]:
    """The edc_issue modules with the largest cumulative import time under *code*."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code], check=True,
                          capture_output=True, text=True)
    rows: list[tuple[str, int]] = []
    for line in done.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            name = parts[2].strip()
            if name.startswith("edc_issue"):
                rows.append((name, int(parts[1])))
    return sorted(rows, key=lambda row: -row[1])[:count]


def main() -> None:
    """Print the median start-up time of each case, and whether it meets its target."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9, help="fresh processes per case")
    args = parser.parse_args()
    print(f"{'case':30} {'median s':>9} {'min s':>7} {'target':>7}  loaded at exit")
    for name, code in CASES.items():
        times = [_time(code) for _ in range(args.runs)]
        target = TARGETS.get(name)
        verdict = "" if target is None else ("ok" if statistics.median(times) < target
                                             else "SLOW")
        loaded = ", ".join(_loaded(code)) or "-"
        limit = f"{target:.1f} {verdict}" if target else ""
        print(f"{name:30} {statistics.median(times):9.3f} {min(times):7.3f} {limit:>7}  "
              f"{loaded}")
    print("\nslowest imports of 'import edc_issue' (cumulative microseconds):")
    for module, micros in _slowest("import edc_issue", 5):
        print(f"  {module:40} {micros:8d}")


if __name__ == "__main__":
    main()
