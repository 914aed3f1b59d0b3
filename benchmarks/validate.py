"""Throughput of ``edc-issue validate``: EDC and Open Badges 3.0 files per second.

EDC: the EU sample ``AA-Annex1-MC`` (sealed, edc-generic-full), with --jobs 1 and 2.
OB 3.0: the spec's sample OpenBadgeCredential. Each is compared with a naive baseline
that parses the shapes / compiles the schemas again for every file.

Usage: python benchmarks/validate.py [--edc N] [--ob N]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from edc_issue.validate import jsonschema_ob3, shacl, validate_file, validate_files

FIX = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "validate"
EDC = FIX / "edc" / "eu-elm-support" / "AA-Annex1-MC-signed.jsonld"
OB = FIX / "ob3" / "spec" / "02-sample-openbadgecredential.unsigned.json"


def copies(src: Path, n: int, folder: Path) -> list[str]:
    out = []
    for i in range(n):
        dst = folder / f"{src.stem}-{i:05d}{src.suffix}"
        shutil.copyfile(src, dst)
        out.append(str(dst))
    return out


def rate(label: str, n: int, seconds: float) -> None:
    print(f"{label:<44} {n:>5} files {seconds:7.2f} s {n / seconds:8.1f} files/s")


def run(paths: list[str], jobs: int) -> float:
    start = time.perf_counter()
    reports = [r for r, _ in validate_files(paths, jobs=jobs)]
    elapsed = time.perf_counter() - start
    assert all(r.ok for r in reports), "the benchmark inputs must be valid"
    return elapsed


def naive(paths: list[str]) -> float:
    start = time.perf_counter()
    for path in paths:
        shacl._SHAPES.clear()  # parse the shapes again, as a one-file-at-a-time tool would
        jsonschema_ob3._VALIDATORS.clear()
        assert validate_file(path).ok
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--edc", type=int, default=40, help="EDC files (default 40)")
    parser.add_argument("--ob", type=int, default=200, help="OB 3.0 files (default 200)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        edc = copies(EDC, args.edc, folder)
        ob = copies(OB, args.ob, folder)
        start = time.perf_counter()
        validate_file(edc[0])
        validate_file(ob[0])
        print(f"first file (parses shapes and schemas): {time.perf_counter() - start:.2f} s")
        rate("EDC AA-Annex1-MC, naive (shapes per file)", len(edc), naive(edc))
        rate("EDC AA-Annex1-MC, --jobs 1", len(edc), run(edc, 1))
        rate("EDC AA-Annex1-MC, --jobs 2", len(edc), run(edc, 2))
        rate("OB 3.0 sample, naive (schema per file)", len(ob), naive(ob))
        rate("OB 3.0 sample, --jobs 1", len(ob), run(ob, 1))
        rate("OB 3.0 sample, --jobs 2", len(ob), run(ob, 2))


if __name__ == "__main__":
    main()
