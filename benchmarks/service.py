"""Throughput and latency of ``edc-issue serve`` against the library in-process.

Starts a real server on 127.0.0.1 (``--workers 2``, ``--dev``, SQLite in a temporary
folder, a status entry allocated on every issue), then N concurrent clients for T seconds
each on ``POST /credentials/issue`` (the Open Badges 3.0 spec example 02), on
``POST /credentials/verify`` (a badge it issued) and on the EU issuer's
``POST /api/v1/public/credentials/seal`` (the EU's 172 KiB sample upload, sealed with the
TEST e-seal after the EDC shapes are checked). It prints requests per second,
p50/p95/p99 latency and errors (which must be 0), and beside them the rate of the
library's own ``sign``/``verify``/``seal_edc`` in this process: the service should reach
at least 70% of it per worker.

More figures say where a request's time goes, since the clients run on the same
cores as the server: ``GET /healthz`` with the same clients (a route that does nothing:
the floor of the service's HTTP stack and of this client); ``bare ASGI``, the same
clients against the smallest ASGI application on uvicorn with the same workers (no
framework, no middleware: the floor of any Python service on uvicorn); and the CPU the
server's processes and the client used per request (``/proc``; ``per core`` is the
library's time per operation over the server's CPU time per request, the best
per-worker ratio the server could reach if it had its cores to itself, and ``ceiling``
the library's time over itself plus the bare floor: what a service that did nothing but
the library's operation on uvicorn would reach).

    python benchmarks/service.py [--clients 16] [--seconds 10] [--workers 2]

Traffic goes only to 127.0.0.1; the run stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BADGE = ROOT / "tests" / "fixtures" / "openbadges" / "spec-signed" / \
    "02-sample-openbadgecredential.unsigned.json"
#: The EU's sample upload ({credential, deliveryDetails}, 172 KiB): sealed with the EDC
#: shapes checked, as the EU issuer's sealing API does (work for the process pool).
EDC_UPLOAD = ROOT / "tests" / "fixtures" / "edc-samples" / "eu-elm-support" / \
    "Sample-CertOfPart-unsigned.json"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _library_rate(seconds: float, signed: Any, status_list: Any, data: Path
                  ) -> tuple[float, float, float]:
    """sign() of the same badge, verify() of the service's badge with its status list (as
    the service checks it: the list's own proof too), and seal_edc() of the EU upload with
    the service's TEST seal (the EDC shapes checked)."""
    from edc_issue import generate_key, sign, verify
    from edc_issue.edc import seal_edc
    from edc_issue.seal import load_pkcs12_signer

    key = generate_key("ed25519")
    badge = json.loads(BADGE.read_text())
    badge["issuer"] = dict(badge["issuer"], id=key.controller)
    upload = json.loads(EDC_UPLOAD.read_text())
    signer = load_pkcs12_signer((data / "dev-pki" / "test-eseal.p12").read_bytes(),
                                (data / "dev-pki" / "password").read_text().strip())
    rates = []
    for work in (lambda: sign(badge, key), lambda: verify(signed, status_lists=[status_list]),
                 lambda: seal_edc(upload, signer)):
        work()
        count, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            work()
            count += 1
        rates.append(count / (time.perf_counter() - started))
    return rates[0], rates[1], rates[2]


async def _load(url: str, clients: int, seconds: float, make: Any) -> dict[str, Any]:
    import httpx

    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        async def worker(n: int) -> None:
            nonlocal errors
            i = 0
            while time.perf_counter() < deadline:
                path, body, headers, expected = make(n, i)
                t0 = time.perf_counter()
                try:
                    response = await (client.get(path, headers=headers) if body is None else
                                      client.post(path, json=body, headers=headers))
                    ok = response.status_code == expected
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - t0)
                errors += not ok
                i += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker(n) for n in range(clients)))
        elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {"rate": len(latencies) / elapsed, "p50": pct(0.50), "p95": pct(0.95),
            "p99": pct(0.99), "errors": errors, "count": len(latencies),
            "mean": statistics.fmean(latencies) * 1000 if latencies else 0.0}


def _measure(args: argparse.Namespace, url: str, pgid: int, make: Any) -> dict[str, Any]:
    """Load *url* with *make*'s requests; the result with the server's and the client's CPU
    milliseconds per request."""
    import resource

    server_cpu, client_cpu = _group_cpu(pgid), time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    if args.client == "wrk":
        r = _wrk(url, args.clients, args.seconds, make)
    else:
        r = asyncio.run(_load(url, args.clients, args.seconds, make))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = (time.process_time() - client_cpu + after.ru_utime - children.ru_utime
            + after.ru_stime - children.ru_stime)
    r["server_ms"] = (_group_cpu(pgid) - server_cpu) / max(r["count"], 1) * 1000
    r["client_ms"] = used / max(r["count"], 1) * 1000
    return r


_WRK_SCRIPT = """
local body = %(body)s
local counter = 0
local next_id = 1
wrk.method = "%(method)s"
%(headers)s
function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
end
function request()
  counter = counter + 1
  local b = nil
  if body then b = (body:gsub("__N__", tid .. "-" .. counter)) end
  return wrk.format(nil, "%(path)s", nil, b)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"count":%%d,"us":%%d,"status":%%d,"socket":%%d,' ..
    '"p50":%%f,"p95":%%f,"p99":%%f,"mean":%%f}\\n', summary.requests, summary.duration,
    e.status, e.connect + e.read + e.write + e.timeout, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.mean / 1000))
end
"""


def _wrk(url: str, clients: int, seconds: float, make: Any) -> dict[str, Any]:
    """*clients* connections of Debian's wrk for *seconds*; every request is *make*'s,
    with ``__N__`` in its body replaced by a number of its own (unique credential ids).

    wrk counts answers of 400 and above as errors (``summary.errors.status``)."""
    path, body, headers, _expected = make(0, "__N__")
    text = "nil" if body is None else "[==[" + json.dumps(body) + "]==]"
    lines = [f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items()]
    if body is not None:
        lines.append('wrk.headers["Content-Type"] = "application/json"')
    script = _WRK_SCRIPT % {"body": text, "method": "GET" if body is None else "POST",
                            "headers": "\n".join(lines), "path": path}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(script)
    try:
        done = subprocess.run(["wrk", "-t1", f"-c{clients}", f"-d{max(1, round(seconds))}s",
                               "-s", fh.name, url], capture_output=True, text=True, check=True)
    finally:
        os.unlink(fh.name)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return {"rate": found["count"] / (found["us"] / 1e6), "p50": found["p50"],
            "p95": found["p95"], "p99": found["p99"], "mean": found["mean"],
            "errors": found["status"] + found["socket"], "count": found["count"]}


def _group_cpu(pgid: int) -> float:
    """CPU seconds (user + system) used so far by the live processes of group *pgid*."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the name: state ppid pgrp ...
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--client", choices=("wrk", "httpx"),
                        default="wrk" if shutil.which("wrk") else "httpx",
                        help="the load generator: wrk (C, Debian's wrk; the default where it "
                             "is installed: it leaves the cores to the server) or httpx "
                             "clients in this process")
    args = parser.parse_args()
    import httpx

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="edc-bench-") as tmp:
        log = Path(tmp) / "server.log"
        out = Path(tmp) / "server.out"
        env = dict(os.environ)
        with log.open("wb") as err, out.open("wb") as std:
            server = subprocess.Popen(
                [sys.executable, "-m", "edc_issue", "serve", "--dev", "--data", f"{tmp}/data",
                 "--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers)],
                stdout=std, stderr=err, env=env, start_new_session=True)
            try:
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline:
                    try:
                        if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                            break
                    except httpx.HTTPError:
                        time.sleep(0.3)
                else:
                    print(log.read_text()[-2000:], file=sys.stderr)
                    return 1
                time.sleep(2)  # every worker process warmed up
                token = next(line.split(" ", 1)[1] for line in out.read_text().splitlines()
                             if line.startswith("token: "))
                headers = {"Authorization": f"Bearer {token}"}
                issuer = json.loads((Path(tmp) / "data" / "keys" /
                                     "default.json").read_text())["controller"]
                badge = json.loads(BADGE.read_text())
                badge["issuer"] = dict(badge["issuer"], id=issuer)
                first = httpx.post(f"{url}/credentials/issue", json={"credential": badge},
                                   headers=headers, timeout=60)
                signed = first.json()["verifiableCredential"]
                status_list = httpx.get(signed["credentialStatus"]["statusListCredential"],
                                        timeout=30).json()

                def issue(n: int, i: int) -> Any:
                    return ("/credentials/issue", {"credential": dict(
                        badge, id=f"urn:uuid:bench-{n}-{i}")}, headers, 201)

                def verify(n: int, i: int) -> Any:
                    return ("/credentials/verify", {"verifiableCredential": signed}, {}, 200)

                def healthz(n: int, i: int) -> Any:
                    return ("/healthz", None, {}, 200)

                upload = json.loads(EDC_UPLOAD.read_text())

                def seal(n: int, i: int) -> Any:
                    return ("/api/v1/public/credentials/seal", upload, headers, 200)

                results = {}
                for name, make in (("issue", issue), ("verify", verify), ("seal EDC", seal),
                                   ("healthz", healthz)):
                    results[name] = _measure(args, url, server.pid, make)
                lib = _library_rate(min(args.seconds, 5.0), signed, status_list,
                                    Path(tmp) / "data")
            finally:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=30)
    results["bare ASGI"] = _bare(args)
    lib_sign, lib_verify, lib_seal = lib
    cores = os.cpu_count() or 1
    print(f"edc-issue serve --workers {args.workers}, {args.clients} {args.client} clients x "
          f"{args.seconds:g} s, {cores} cores (shared: figures vary with the machine's load)")
    print(f"{'route':<9} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} "
          f"{'library/s':>10} {'per worker':>11} {'server CPU':>11} {'client CPU':>11} "
          f"{'per core':>9}")
    for name, library in (("issue", lib_sign), ("verify", lib_verify), ("seal EDC", lib_seal),
                          ("healthz", None), ("bare ASGI", None)):
        r = results[name]
        per_worker = f"{r['rate'] / min(args.workers, cores) / library:.0%}" if library else "-"
        per_core = f"{1000 / library / r['server_ms']:.0%}" if library else "-"
        print(f"{name:<9} {r['rate']:>7.1f} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['p99']:>8.1f} "
              f"{r['errors']:>7} {library or 0:>10.1f} {per_worker:>11} "
              f"{r['server_ms']:>8.2f} ms {r['client_ms']:>8.2f} ms {per_core:>9}")
    floor = results["bare ASGI"]["server_ms"]
    for name, library in (("issue", lib_sign), ("verify", lib_verify), ("seal EDC", lib_seal)):
        own = 1000 / library
        print(f"ceiling for {name}: {own / (own + floor):.0%} per core (the library's "
              f"{own:.3f} ms over itself plus uvicorn's bare {floor:.3f} ms)")
    return 0 if all(r["errors"] == 0 for r in results.values()) else 1


def _bare(args: argparse.Namespace) -> dict[str, Any]:
    """The same clients against :mod:`_bare_asgi` on uvicorn (as many workers)."""
    import httpx

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "_bare_asgi:app", "--app-dir", str(ROOT / "benchmarks"),
         "--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers),
         "--no-access-log", "--log-level", "warning"],
        start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        time.sleep(1)
        return _measure(args, url, server.pid, lambda n, i: ("/", None, {}, 200))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
