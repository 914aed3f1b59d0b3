"""Shared parts of the benchmark scripts (not a benchmark itself: ``make bench`` skips it).

Every figure is a throughput measured in a fresh process: the worker loads what it
needs, makes one warm-up call (contexts, shapes and schemas are parsed once per
process, as in a long-running service or a batch), then times ``n`` calls. The
drivers run each case ``rounds`` times, interleaved with the other cases (and with
vc-js where it is compared), and print the median.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"

#: The same N for every implementation: 200 calls for a small document, 40 for a large.
N_SMALL = 200
N_LARGE = 40

OB3_02 = FIXTURES / "openbadges" / "spec-signed" / "02-sample-openbadgecredential.unsigned.json"
OB3_03 = FIXTURES / "openbadges" / "spec-signed" / "03-complete-openbadgecredential.unsigned.json"
EDC_MC = FIXTURES / "validate" / "edc" / "eu-elm-support" / "AA-Annex1-MC-unsigned.json"
ED25519_KEY = FIXTURES / "vc-di" / "eddsa" / "keyPair.json"
P256_KEY = FIXTURES / "vc-di" / "ecdsa" / "p256KeyPair.json"


def load_credential(path: Path) -> dict[str, Any]:
    """Read a fixture; an EU upload wrapper (``{"credential": ...}``) is unwrapped."""
    from edc_issue.formats.envelopes import unwrap_credential

    document, _container = unwrap_credential(json.loads(path.read_text(encoding="utf-8")))
    return document


def with_issuer(credential: dict[str, Any], issuer_id: str) -> dict[str, Any]:
    """A copy of *credential* whose issuer is *issuer_id* (kept an object if it is one)."""
    out = dict(credential)
    issuer = out.get("issuer")
    out["issuer"] = dict(issuer, id=issuer_id) if isinstance(issuer, dict) else issuer_id
    return out


def time_calls(fn: Callable[[], Any], n: int) -> float:
    """Call *fn* once to warm up, then *n* times; return calls per second."""
    fn()
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return n / (time.perf_counter() - start)


def run_worker(argv: Sequence[str], *, env: dict[str, str] | None = None,
               cwd: Path | None = None) -> dict[str, Any]:
    """Run one measurement in a fresh process; it prints one JSON object last."""
    done = subprocess.run(list(argv), capture_output=True, text=True, check=False,
                          env=env, cwd=cwd, timeout=1800)
    if done.returncode != 0:
        raise SystemExit(f"benchmark worker failed: {' '.join(argv)}\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def python_worker(script: Path, *args: str) -> list[str]:
    """The command line of a Python worker of *script* (this interpreter)."""
    return [sys.executable, str(script), "--worker", *args]


def median(values: Sequence[float]) -> float:
    """The median of *values* (NaN when empty)."""
    return statistics.median(values) if values else float("nan")


def load_average() -> str:
    """``uptime``'s three load averages, as text."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:  # pragma: no cover - not on every platform
        return "unknown"
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def machine() -> str:
    """One line describing the machine and the interpreters."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    node = "-"
    try:
        node = subprocess.run(["node", "--version"], capture_output=True, text=True,
                              check=False, timeout=30).stdout.strip() or "-"
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}; "
            f"Node.js {node}; load average {load_average()}")


def print_json(obj: Any) -> None:
    """Print a worker's answer (one line of JSON)."""
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()
