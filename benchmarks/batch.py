"""Batch issuance throughput and peak memory.

Prints credentials per second and peak resident memory for:

- Open Badges 3.0 signed with Ed25519 (eddsa-rdfc-2022), ``--badges`` rows (10,000);
- EDCs sealed with a TEST-ONLY P-256 e-seal certificate (JAdES), ``--edcs`` rows (1,000);

each with every ``--jobs`` value (1 and 2), with the CPU time per credential of all
processes together. Then how much of a badge's time is outside ``sign()``: the same
batch with a step that does no cryptography (the pipeline: rows, templates, model
validation, JSON, files, journal, report), beside ``sign()`` alone on the same
credentials. Last, the memory of the pipeline at ``--flat`` row counts (10,000 and
100,000) to show it stays flat: rows are streamed from a CSV file and never all held
in memory.

Each measurement runs in a fresh process; peak memory is that process's maximum RSS,
plus ``jobs`` times its largest worker's (an upper bound). On a machine shared with
other work, wall-clock times vary with the load; the CPU times vary far less. Run small
first::

    python benchmarks/batch.py --badges 200 --edcs 50 --flat 1000,5000
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "src" / "edc_issue" / "templates"
COLUMNS = ["student_id", "given_name", "family_name", "email", "date_of_birth",
           "completion_date", "grade"]


def _write_rows(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        for i in range(count):
            writer.writerow([f"UT-{i:07d}", f"Learner{i}", "Hoxha", f"learner{i}@example.org",
                             "1988-03-14", "2025-06-27", "9/10"])


def _test_p12(folder: Path) -> Path:
    """A TEST-ONLY e-seal certificate under a TEST-ONLY CA (never use outside benchmarks)."""
    from datetime import datetime, timezone

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import NoEncryption, pkcs12
    from cryptography.x509.oid import NameOID

    def name(cn: str, org_id: str | None = None) -> x509.Name:
        attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "AL"),
                 x509.NameAttribute(NameOID.ORGANIZATION_NAME, "edc-issue BENCHMARK university"),
                 x509.NameAttribute(NameOID.COMMON_NAME, cn)]
        if org_id:
            attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, org_id))
        return x509.Name(attrs)

    def usage(ca: bool) -> x509.KeyUsage:
        return x509.KeyUsage(digital_signature=not ca, content_commitment=not ca,
                             key_encipherment=False, data_encipherment=False, key_agreement=False,
                             key_cert_sign=ca, crl_sign=ca, encipher_only=False,
                             decipher_only=False)

    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    end = datetime(2031, 1, 1, tzinfo=timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("BENCH CA")).issuer_name(name("BENCH CA"))
          .public_key(ca_key.public_key()).serial_number(1).not_valid_before(start)
          .not_valid_after(end)
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(usage(True), critical=True).sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder().subject_name(name("BENCH seal", "VATAL-BENCH0001"))
            .issuer_name(ca.subject).public_key(leaf_key.public_key()).serial_number(2)
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage(False), critical=True).sign(ca_key, hashes.SHA256()))
    path = folder / "bench-seal.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(b"bench", leaf_key, leaf, [ca],
                                                           NoEncryption()))
    return path


def _no_crypto(credential: dict[str, Any]) -> dict[str, Any]:
    return dict(credential, proof={"type": "BenchmarkOnly"})


def run_one(kind: str, rows: int, jobs: int) -> dict[str, Any]:
    """Issue *rows* credentials of *kind* in this process; return the measurements."""
    from edc_issue.batch import FunctionStep, SealStep, SignStep, issue_batch, open_rows
    from edc_issue.keys import generate_key

    with tempfile.TemporaryDirectory(prefix="edc-issue-bench-") as tmp:
        folder = Path(tmp)
        data = folder / "rows.csv"
        _write_rows(data, rows)
        signer: Any
        template = TEMPLATES / "ob3-badge.json"
        if kind == "badges":
            key = generate_key("ed25519")
            signer = SignStep(key)
        elif kind == "edcs":
            signer = SealStep(_test_p12(folder))
            template = TEMPLATES / "edc-microcredential.json"
        else:
            signer = FunctionStep(_no_crypto, issuer_id="did:example:bench")
        before, parent_before = _cpu(), _cpu(children=False)
        started = time.perf_counter()
        report = issue_batch(template, open_rows(data), signer, folder / "out", jobs=jobs)
        elapsed = time.perf_counter() - started
        cpu, parent_cpu = _cpu() - before, _cpu(children=False) - parent_before
        # read the peaks before the clean-up, which lists every output file
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    return {"kind": kind, "rows": rows, "jobs": jobs, "issued": report.issued,
            "failed": report.failed, "seconds": elapsed, "per_second": report.issued / elapsed,
            "cpu_seconds": cpu, "cpu_ms_per_row": cpu / rows * 1000,
            "parent_cpu_ms_per_row": parent_cpu / rows * 1000,
            "peak_mb": (own + jobs * children if jobs > 1 else own) * scale / 1e6,
            "parent_mb": own * scale / 1e6}


def _cpu(*, children: bool = True) -> float:
    """CPU seconds (user + system) of this process and of its children that have ended."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    total = own.ru_utime + own.ru_stime
    if children:
        ended = resource.getrusage(resource.RUSAGE_CHILDREN)
        total += ended.ru_utime + ended.ru_stime
    return total


def sign_alone(rows: int) -> dict[str, Any]:
    """``edc_issue.sign()`` on *rows* filled-in badges, in this process: CPU ms each."""
    from datetime import datetime, timezone

    from edc_issue import sign
    from edc_issue.batch import RenderContext, load_template
    from edc_issue.keys import generate_key

    key = generate_key("ed25519")
    template = load_template(TEMPLATES / "ob3-badge.json")
    now = datetime.now(timezone.utc)
    credentials = []
    for i in range(rows):
        values = dict(zip(COLUMNS, [f"UT-{i:07d}", f"Learner{i}", "Hoxha",
                                    f"learner{i}@example.org", "1988-03-14", "2025-06-27",
                                    "9/10"], strict=True))
        context = RenderContext(id=f"urn:uuid:{i:08d}-0000-4000-8000-000000000000", row=i + 2,
                                now=now, issuer=key.controller)
        credentials.append(template.render(i + 2, values, context).credential)
    sign(credentials[0], key)  # warm: contexts, suites
    before = _cpu(children=False)
    for credential in credentials:
        sign(credential, key)
    cpu = _cpu(children=False) - before
    return {"rows": rows, "cpu_ms_per_row": cpu / rows * 1000}


def _measure(kind: str, rows: int, jobs: int) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--one", kind, str(rows), str(jobs)],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"benchmark {kind} rows={rows} jobs={jobs} failed")
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _line(label: str, m: dict[str, Any]) -> str:
    return (f"{label:<22} {m['rows']:>8,} rows  jobs={m['jobs']}  {m['seconds']:6.1f} s "
            f"{m['per_second']:8.1f} credentials/s  CPU {m['cpu_ms_per_row']:5.2f} ms/row  "
            f"peak {m['peak_mb']:7.1f} MB (main process {m['parent_mb']:.1f} MB)"
            + (f"  FAILED {m['failed']}" if m["failed"] else ""))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks chosen by the flags."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--badges", type=int, default=10_000, help="Open Badges to sign (0: skip)")
    parser.add_argument("--edcs", type=int, default=1_000, help="EDCs to seal (0: skip)")
    parser.add_argument("--jobs", default="1,2", help="comma-separated --jobs values")
    parser.add_argument("--flat", default="10000,100000",
                        help="row counts for the memory-flatness check ('' to skip)")
    parser.add_argument("--one", nargs=3, metavar=("KIND", "ROWS", "JOBS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        kind, rows, jobs = args.one
        result = sign_alone(int(rows)) if kind == "sign" else run_one(kind, int(rows), int(jobs))
        print(json.dumps(result))
        return 0
    jobs_values = [int(j) for j in args.jobs.split(",") if j]
    badges: dict[int, dict[str, Any]] = {}
    for kind, rows, label in (("badges", args.badges, "Open Badges (Ed25519)"),
                              ("edcs", args.edcs, "EDCs (JAdES seal)")):
        if rows > 0:
            for jobs in jobs_values:
                measured = _measure(kind, rows, jobs)
                if kind == "badges":
                    badges[jobs] = measured
                print(_line(label, measured), flush=True)
    if badges:
        jobs = max(badges)
        total = badges[jobs]
        around = _measure("pipeline", total["rows"], jobs)
        print(_line("pipeline (no crypto)", around), flush=True)
        alone = _measure("sign", min(total["rows"], 2000), 1)
        print(f"of {total['seconds']:.1f} s for {total['rows']:,} badges at jobs={jobs}: "
              f"the batch around sign() takes {around['seconds']:.1f} s alone "
              f"({around['cpu_ms_per_row']:.2f} ms CPU a badge); sign() itself costs "
              f"{alone['cpu_ms_per_row']:.2f} ms CPU a badge "
              f"(x{total['rows']:,} / {jobs} cores = "
              f"{alone['cpu_ms_per_row'] * total['rows'] / jobs / 1000:.1f} s at best)",
              flush=True)
    sizes = [int(n) for n in args.flat.split(",") if n]
    results = [_measure("pipeline", n, 1) for n in sizes]
    for m in results:
        print(_line("pipeline (no crypto)", m), flush=True)
    if len(results) >= 2:
        growth = results[-1]["parent_mb"] - results[0]["parent_mb"]
        ratio = results[-1]["rows"] / results[0]["rows"]
        print(f"memory from {results[0]['rows']:,} to {results[-1]['rows']:,} rows "
              f"(x{ratio:.0f}): main process {growth:+.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
