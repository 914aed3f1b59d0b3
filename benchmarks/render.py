"""Rendering throughput, and what a PDF per credential adds to a batch.

Prints:

- PDFs, HTML pages and PNG page images per second (one process, the typst compiler warm),
  for an Open Badge and a sealed EDC micro-credential, each render a different learner (so
  that typst's caches cannot answer from an earlier page);
- the cost of one render beside one ``sign`` (eddsa-rdfc-2022) and one ``seal`` (JAdES);
- a batch: ``edc-issue issue`` of ``--rows`` badges (300), timed as a user runs it, then the
  same command with ``--render pdf --verify-url ...`` (a PDF beside each credential, each
  verified first), and what the PDFs add (the budget is 50%); then the same credentials
  verified and rendered to PDF in one loop, for comparison.

    python benchmarks/render.py [--rows 300] [--repeat 100]

Figures vary with the machine's load (other jobs on the 2 cores): run it twice.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EDC_SAMPLE = ROOT / "tests" / "fixtures" / "edc-samples" / "eu-elm-support" / (
    "AA-Annex1-MC-unsigned.json")


def _rate(label: str, count: int, seconds: float) -> None:
    print(f"{label:<46} {count / seconds:8.1f} /s   {1000 * seconds / count:7.2f} ms each")


CPU: dict[str, float] = {}


def _url(i: int) -> str:
    """A different verification URL for every page, as a batch has (no QR code is reused)."""
    return f"https://verify.example.edu/credentials/5f0c1a2b-77d3-4c1e-9a61-{i:012d}"


def _time(fn: Callable[[int], Any], count: int, label: str | None = None) -> float:
    """Wall seconds for *count* calls; the CPU seconds go to ``CPU[label]``."""
    fn(0)  # warm: imports, the compiler, fonts
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(count):
        fn(i + 1)
    if label:
        CPU[label] = (time.process_time() - cpu) / count * 1000
    return time.perf_counter() - start


def _children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes so far."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _seal_material() -> tuple[Any, Any, Any]:
    """A TEST-ONLY e-seal key, its certificate and its CA (RSA-2048), for the timings."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    def cert(subject: x509.Name, key: Any, issuer: tuple[Any, x509.Name], ca: bool) -> Any:
        return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer[1])
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(datetime(2025, 1, 1, tzinfo=timezone.utc))
                .not_valid_after(datetime(2031, 1, 1, tzinfo=timezone.utc))
                .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(
                    digital_signature=not ca, content_commitment=not ca,
                    key_encipherment=False, data_encipherment=False, key_agreement=False,
                    key_cert_sign=ca, crl_sign=ca, encipher_only=False, decipher_only=False),
                    critical=True)
                .sign(issuer[0], hashes.SHA256()))

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "AL"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "edc-issue BENCHMARK"),
                          x509.NameAttribute(NameOID.COMMON_NAME, cn),
                          x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, "VATAL-BENCH000")])

    ca_key, leaf_key = rsa.generate_private_key(65537, 2048), rsa.generate_private_key(65537, 2048)
    ca = cert(name("BENCH CA"), ca_key, (ca_key, name("BENCH CA")), True)
    leaf = cert(name("BENCH SEAL"), leaf_key, (ca_key, ca.subject), False)
    return leaf_key, leaf, ca


def per_credential(repeat: int) -> dict[str, float]:
    """ms per operation for one badge and one EDC."""
    from edc_issue import edc, generate_key, render, sign, verify

    key = generate_key("ed25519")
    badge = json.loads((ROOT / "src" / "edc_issue" / "templates" / "ob3-badge.json").read_text())
    badge = json.loads(json.dumps(badge).replace("{{$issuer}}", key.controller)
                       .replace("{{$id}}", "urn:uuid:3f1c7c1e-0000-4000-8000-000000000000")
                       .replace("{{$now}}", "2025-06-27T00:00:00Z")
                       .replace("{{completion_date|datetime}}", "2025-06-27T00:00:00Z"))

    def named(document: dict[str, Any], i: int) -> dict[str, Any]:
        text = json.dumps(document).replace("{{given_name}}", f"Learner{i}")
        return dict(json.loads(text.replace("{{family_name}}", "Hoxha")
                               .replace("{{email}}", f"l{i}@example.org")
                               .replace("{{student_id}}", f"UT-{i}")
                               .replace("{{grade}}", "9/10")))

    signed = [sign(named(badge, i), key) for i in range(repeat + 1)]
    results = [verify(doc) for doc in signed[:1]]
    from edc_issue.seal import LocalSigner

    seal_key, leaf, ca = _seal_material()
    signer = LocalSigner(seal_key, [leaf, ca])
    upload = edc.load_json(EDC_SAMPLE)

    def edc_for(i: int) -> dict[str, Any]:
        doc = json.loads(json.dumps(upload))
        doc["credentialSubject"]["fullName"] = {"en": f"Ana Andromeda {i}"}
        return dict(doc)

    sealed = [edc.seal_edc(edc_for(i), signer, validate=False).envelope
              for i in range(repeat + 1)]
    sealed_result = verify(sealed[0])
    ms: dict[str, float] = {}
    ms["sign (eddsa-rdfc-2022, badge)"] = _time(lambda i: sign(named(badge, i), key),
                                                repeat, "sign") / repeat * 1000
    ms["seal (JAdES, EDC)"] = _time(
        lambda i: edc.seal_edc(edc_for(i), signer, validate=False), repeat, "seal") / repeat * 1000
    ms["verify (badge)"] = _time(lambda i: verify(signed[i]), repeat) / repeat * 1000
    for k, (media, label) in enumerate((("application/pdf", "PDF"), ("text/html", "HTML"),
                                        ("image/png", "PNG page"))):
        seconds = _time(lambda i, m=media, k=k: render.render(
            signed[i], media_type=m, verification=results[0], verify_url=_url(1000 * k + i)),
            repeat, f"render {label}")
        _rate(f"render {label}, Open Badge", repeat, seconds)
        ms[f"render {label} (badge)"] = seconds / repeat * 1000
    seconds = _time(lambda i: render.render(sealed[i], verification=sealed_result,
                                            verify_url=_url(5000 + i)), repeat,
                    "render PDF EDC")
    _rate("render PDF, sealed EDC micro-credential", repeat, seconds)
    ms["render PDF (sealed EDC)"] = seconds / repeat * 1000
    return ms


def _write_rows(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student_id", "given_name", "family_name", "email", "date_of_birth",
                         "completion_date", "grade"])
        for i in range(rows):
            writer.writerow([f"UT-{i:06d}", f"Learner{i}", "Hoxha", f"l{i}@example.org",
                             "1988-03-14", "2025-06-27", "9/10"])


def batch(kind: str, rows: int) -> tuple[float, float, float, float]:
    """(batch seconds, batch with ``--render pdf`` seconds, verify+render seconds,
    render-only seconds) for *rows* credentials.

    *kind* ``ob3``: badges signed with an Ed25519 key; ``edc``: EDCs sealed with a TEST-ONLY
    certificate (each validated through the model, as the batch does by default).
    """
    import os

    from cryptography.hazmat.primitives.serialization import NoEncryption, pkcs12

    from edc_issue import render, verify

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        exe = str(Path(sys.executable).parent / "edc-issue")
        subprocess.run([exe, "template", "init", f"--{kind}", "-o", str(folder / "t")],
                       check=True, capture_output=True)
        _write_rows(folder / "t" / "learners.csv", rows)
        template = folder / "t" / ("ob3-badge.json" if kind == "ob3" else
                                   "edc-microcredential.json")
        command = [exe, "issue", "--template", str(template), "--data",
                   str(folder / "t" / "learners.csv"), "--jobs", "1", "--quiet",
                   "-o", str(folder / "out")]
        env = dict(os.environ)
        anchors: list[bytes] = []
        if kind == "ob3":
            subprocess.run([exe, "keygen", "--type", "ed25519", "-o", str(folder / "key.json")],
                           check=True, capture_output=True)
            command += ["--key", str(folder / "key.json"), "--issuer-from-key"]
        else:
            from cryptography.hazmat.primitives.serialization import Encoding

            seal_key, leaf, ca = _seal_material()
            (folder / "seal.p12").write_bytes(pkcs12.serialize_key_and_certificates(
                b"bench", seal_key, leaf, [ca], NoEncryption()))
            env["BENCH_SEAL_PASSWORD"] = ""
            command += ["--p12", str(folder / "seal.p12"), "--password-env",
                        "BENCH_SEAL_PASSWORD"]
            anchors = [ca.public_bytes(Encoding.PEM)]
        start, cpu = time.perf_counter(), _children_cpu()
        subprocess.run(command, check=True, capture_output=True, env=env)
        batch_seconds = time.perf_counter() - start
        CPU[f"batch {kind}"] = _children_cpu() - cpu
        rendering = [str(folder / "rendered") if part == str(folder / "out") else part
                     for part in command] + ["--render", "pdf",
                     "--verify-url", "https://verify.example.edu/c/{id}"]
        for anchor in anchors:
            (folder / "ca.pem").write_bytes(anchor)
            rendering += ["--trust", str(folder / "ca.pem")]
        start, cpu = time.perf_counter(), _children_cpu()
        subprocess.run(rendering, check=True, capture_output=True, env=env)
        with_render = time.perf_counter() - start
        CPU[f"batch {kind} --render pdf"] = _children_cpu() - cpu
        assert len(list((folder / "rendered").glob("*.pdf"))) == rows
        files = sorted(p for p in (folder / "out").glob("*.json") if p.name != "report.json")
        assert len(files) == rows, (len(files), rows)
        render.render(files[0].read_bytes())  # warm the compiler, as a batch step would be
        start = time.perf_counter()
        for i, path in enumerate(files):
            data = path.read_bytes()
            result = verify(render.read_source(data).document, trust=anchors)
            assert result.ok, [c for c in result.checks if not c.ok][:1]
            render.render(data, verification=result, verify_url=_url(i))
        verify_render = time.perf_counter() - start
        start = time.perf_counter()
        for i, path in enumerate(files):
            render.render(path.read_bytes(), verify_url=_url(rows + i))
        render_only = time.perf_counter() - start
    return batch_seconds, with_render, verify_render, render_only


def overlapped(rows: int) -> tuple[float, float, float]:
    """(sign only, sign then render in line, sign with the render on a worker thread), seconds.

    The model of the batch's render step: typst compiles without the GIL, so a PDF can be
    made on a thread while the next row is filled and signed.
    """
    from concurrent.futures import ThreadPoolExecutor

    from edc_issue import generate_key, render, sign
    from edc_issue.results import Check, VerificationResult

    key = generate_key("ed25519")
    template = (ROOT / "src" / "edc_issue" / "templates" / "ob3-badge.json").read_text()
    template = (template.replace("{{$issuer}}", key.controller)
                .replace("{{$now}}", "2025-06-27T00:00:00Z")
                .replace("{{completion_date|datetime}}", "2025-06-27T00:00:00Z"))

    def row(i: int) -> dict[str, Any]:
        text = (template.replace("{{$id}}", f"urn:uuid:3f1c7c1e-0000-4000-8000-{i:012d}")
                .replace("{{given_name}}", f"Learner{i}").replace("{{family_name}}", "Hoxha")
                .replace("{{email}}", f"l{i}@example.org").replace("{{student_id}}", f"UT-{i}")
                .replace("{{grade}}", "9/10"))
        return dict(json.loads(text))

    # what the batch knows of a credential it has just signed: its own checks
    issued = VerificationResult(checks=[Check("proof[0].signature", True, "signed here")])
    render.render(sign(row(0), key), verification=issued)  # warm
    start = time.perf_counter()
    for i in range(rows):
        sign(row(i), key)
    sign_only = time.perf_counter() - start
    start = time.perf_counter()
    for i in range(rows):
        render.render(sign(row(i), key), verification=issued, verify_url=_url(i))
    in_line = time.perf_counter() - start
    start = time.perf_counter()
    with ThreadPoolExecutor(1) as pool:
        futures = [pool.submit(render.render, sign(row(i), key), verification=issued,
                               verify_url=_url(rows + i)) for i in range(rows)]
        for future in futures:
            future.result()
    threaded = time.perf_counter() - start
    return sign_only, in_line, threaded


def main() -> int:
    """Run the measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--only-batch", action="store_true",
                        help="only the batches (issue, then issue --render pdf)")
    args = parser.parse_args()
    if args.only_batch:
        _batches(args.rows)
        return 0
    print("== per credential (one process, warm)")
    ms = per_credential(args.repeat)
    for label, value in ms.items():
        print(f"{label:<46} {value:8.2f} ms")
    print("CPU time (all threads; steadier than wall time on a loaded machine):")
    for label, value in CPU.items():
        print(f"  {label:<44} {value:8.2f} ms")
    ratio = CPU["render PDF"] / CPU["sign"]
    print(f"  {'render PDF / sign, CPU':<44} {ratio:8.2f} x")
    print(f"render PDF / sign (badge)                      "
          f"{ms['render PDF (badge)'] / ms['sign (eddsa-rdfc-2022, badge)']:8.2f} x")
    print(f"render PDF / seal (EDC)                        "
          f"{ms['render PDF (sealed EDC)'] / ms['seal (JAdES, EDC)']:8.2f} x")
    print(f"== {args.rows} badges signed, then a PDF each (one process)")
    sign_only, in_line, threaded = overlapped(args.rows)
    _rate("sign only", args.rows, sign_only)
    _rate("sign, then render PDF in line", args.rows, in_line)
    _rate("sign, render PDF on a worker thread", args.rows, threaded)
    print(f"PDFs add {in_line / sign_only - 1:.0%} in line, {threaded / sign_only - 1:.0%} "
          "on a worker thread (budget: 50%)")
    _batches(args.rows)
    return 0


def _batches(rows: int) -> None:
    """The batches of Open Badges and of sealed EDCs, with and without ``--render pdf``."""
    import os

    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for kind, label in (("ob3", "Open Badges"), ("edc", "sealed EDCs")):
        print(f"== a batch of {rows} {label} (edc-issue issue --jobs 1), then PDFs")
        batch_seconds, with_render, verify_render, render_only = batch(kind, rows)
        _rate("batch issue (fill, validate, sign/seal, write)", rows, batch_seconds)
        _rate("batch issue --render pdf", rows, with_render)
        plain, rendered = CPU[f"batch {kind}"], CPU[f"batch {kind} --render pdf"]
        print(f"issue --render pdf adds {with_render / batch_seconds - 1:.0%} to the batch's "
              f"time, {rendered / plain - 1:.0%} to its CPU time ({plain:.2f} s -> "
              f"{rendered:.2f} s; budget: 50%)")
        _rate("verify + render PDF", rows, verify_render)
        _rate("render PDF only", rows, render_only)
        print(f"PDFs add {render_only / batch_seconds:.0%} to the batch's time rendered "
              f"in line, {verify_render / batch_seconds:.0%} if each is verified again "
              f"first (budget: 50%)")


if __name__ == "__main__":
    raise SystemExit(main())
