"""A batch sealed at a remote signer (CSC API v2) costs one authorisation per chunk, not per row.

Against the CSC v2.0 stand-in of ``examples/local_trust_services.py`` on 127.0.0.1 (a
stand-in written for the tests, following the specification's request and response
shapes; it counts the calls it serves).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from edc_issue import verify
from edc_issue.batch import SealStep, issue_batch

from .conftest import TEMPLATES, learner

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def _services_module() -> Any:
    name = "edc_issue_examples_local_trust_services"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, EXAMPLES / "local_trust_services.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture
def services() -> Iterator[Any]:
    from edc_issue.seal.testpki import make_test_pki

    running = _services_module().TrustServices().start()
    pki = make_test_pki(organisation="Universiteti TEST — Tiranë")
    running.use(pki)
    running.pki = pki
    try:
        yield running
    finally:
        running.stop()


def _signer(services: Any) -> Any:
    from edc_issue.seal import CscSigner

    return CscSigner(f"{services.url}/csc/v2", client_id=services.csc.client_id,
                     client_secret=services.csc.client_secret)


def test_two_hundred_edcs_one_authorisation(tmp_path: Path, services: Any) -> None:
    template = json.loads((TEMPLATES / "edc-microcredential.json").read_text(encoding="utf-8"))
    rows = [learner(i) for i in range(200)]
    report = issue_batch(template, rows, SealStep(_signer(services)), tmp_path,
                         chunk_size=200)
    assert report.issued == 200, report.failures[:3]
    assert services.counts["authorize"] == 1 == services.counts["signHash"]
    assert len(services.authorized) == 1 and len(services.authorized[0]) == 200
    envelopes = [json.loads(p.read_text()) for p in sorted(tmp_path.glob("*-*.json"))]
    assert len(envelopes) == 200
    for envelope in envelopes[:: 50]:
        result = verify(envelope, trust=[services.pki.ca])
        assert result.ok, [c for c in result.checks if not c.ok]
        payload = json.loads(envelope["payload"])
        assert payload["issuer"]["legalName"]  # the certificate's organisation filled in
    # by default a run hands the signer one chunk at a time: one authorisation each
    again = tmp_path / "again"
    before = services.counts["authorize"]
    assert issue_batch(template, rows, SealStep(_signer(services)), again).issued == 200
    assert services.counts["authorize"] - before == 2  # chunks of 128 rows


def test_a_failed_remote_call_fails_only_its_chunk_and_a_rerun_resumes(
        tmp_path: Path, services: Any) -> None:
    """The QTSP answers 503 to the second signHash: that chunk's rows fail (each with its
    reason), the others are sealed; a second run into the same folder seals only the failed
    rows, with one more authorisation, and no learner gets two credentials."""
    from edc_issue._net import UrllibFetcher
    from edc_issue.errors import ReadError
    from edc_issue.seal import CscSigner

    class FailSecondSignHash(UrllibFetcher):
        calls = 0

        def fetch(self, url: str, **kw: Any) -> Any:
            if url.endswith("/signatures/signHash"):
                FailSecondSignHash.calls += 1
                if FailSecondSignHash.calls == 2:
                    raise ReadError(f"HTTP 503 from {url}", pointer=url, code="io.fetch_failed")
            return super().fetch(url, **kw)

    template = json.loads((TEMPLATES / "edc-microcredential.json").read_text(encoding="utf-8"))
    rows = [learner(i) for i in range(30)]
    flaky = CscSigner(f"{services.url}/csc/v2", client_id=services.csc.client_id,
                      client_secret=services.csc.client_secret, fetcher=FailSecondSignHash())
    first = issue_batch(template, rows, SealStep(flaky), tmp_path, chunk_size=10)
    assert (first.issued, first.failed) == (20, 10)
    assert len(first.failures) == 10
    assert all("503" in r.reason for r in first.failures), first.failures[0].reason
    before = services.counts["authorize"]
    second = issue_batch(template, rows, SealStep(_signer(services)), tmp_path, chunk_size=10)
    assert (second.issued, second.skipped, second.failed) == (10, 20, 0)
    assert services.counts["authorize"] - before == 1
    envelopes = sorted(tmp_path.glob("*-*.json"))
    envelopes = [p for p in envelopes if not p.name.endswith(".deliveryDetails.json")]
    assert len(envelopes) == 30
    for path in envelopes[::7]:
        assert verify(json.loads(path.read_text()), trust=[services.pki.ca]).ok
