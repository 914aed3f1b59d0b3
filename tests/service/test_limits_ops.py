"""Limits (413, JSON depth, timeout), problem documents for every error, operations routes
(health, readiness, metrics, OpenAPI, the offline reference page), and the work pool:
one slow signing request does not hold up the others."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from svc_helpers import App, badge_02, issue_body, make_app

from edc_issue.service import ServiceConfig, create_app
from edc_issue.service._setup import prepare_default

CONTRACT_PATHS = [
    "/credentials/issue", "/credentials/verify", "/credentials/status", "/challenges",
    "/status-lists", "/status-lists/{id}", "/instance/{tenant}/credentials/issue",
    "/instance/{tenant}/credentials/sign", "/instance/{tenant}/credentials/status",
    "/europass2/edci-issuer/api/v2/public/credentials/seal",
    "/api/v1/public/credentials/seal", "/oauth2/token", "/healthz", "/readyz", "/metrics",
]


def test_body_cap_is_413(tmp_path: Path) -> None:
    for app in make_app(tmp_path / "d", limits={"pool_workers": 0, "max_body_bytes": 2048}):
        big = issue_body(app)
        big["credential"]["name"] = "x" * 4096
        response = app.client.post("/credentials/issue", json=big, headers=app.auth())
        assert response.status_code == 413, response.text
        assert response.json()["code"] == "service.body_too_large"

        def chunks() -> Any:  # no Content-Length: the cap counts the streamed bytes
            for _ in range(10):
                yield b" " * 1024

        streamed = app.client.post("/credentials/verify", content=chunks(),
                                   headers={"Content-Type": "application/json"})
        assert streamed.status_code == 413


def test_json_depth_and_syntax_are_400(app: App) -> None:
    deep = "[" * 200 + "]" * 200
    cases = {deep: "io.too_deep", "[" * 100_000: "io.too_deep",
             '{"credential": ' + "{\"a\":" * 70 + "1" + "}" * 71: "io.too_deep",
             "{nope": "service.malformed_json", "": "service.malformed_json"}
    for raw, code in cases.items():
        for path in ("/credentials/issue", "/credentials/verify"):
            response = app.client.post(path, content=raw.encode(),
                                       headers={**app.auth(), "Content-Type": "application/json"})
            assert response.status_code in (400, 413), response.text
            assert response.json()["code"] in (code, "service.body_too_large"), response.text


def test_the_json_depth_limit_is_the_library_one(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from edc_issue._io import MAX_JSON_DEPTH

    ServiceConfig.model_validate({"data_dir": tmp_path, "limits": {
        "max_json_depth": MAX_JSON_DEPTH}})
    with pytest.raises(ValidationError):
        ServiceConfig.model_validate({"data_dir": tmp_path, "limits": {
            "max_json_depth": MAX_JSON_DEPTH + 1}})


def test_timeout_is_503(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from edc_issue.service import _core

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(1.5)
        raise AssertionError("unreachable")

    for app in make_app(tmp_path / "d", limits={"pool_workers": 0, "request_timeout": 0.5}):
        monkeypatch.setattr(_core, "sign_credential", slow)
        response = app.client.post("/credentials/issue", json=issue_body(app),
                                   headers=app.auth())
        assert response.status_code == 503 and response.json()["code"] == "service.timeout"
        assert response.headers["retry-after"] == "5"


def test_every_error_is_a_problem_document(app: App) -> None:
    unknown = app.client.get("/no/such/route")
    assert unknown.status_code == 404 and unknown.json()["code"] == "service.not_found"
    method = app.client.get("/credentials/issue")
    assert method.status_code == 405 and method.json()["code"] == "service.method_not_allowed"
    for response in (unknown, method):
        assert response.headers["content-type"] == "application/problem+json"
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
        assert response.json()["requestId"] == response.headers["x-request-id"]


def test_request_id_is_taken_from_the_client(app: App) -> None:
    response = app.client.get("/healthz", headers={"X-Request-ID": "moodle-42"})
    assert response.headers["x-request-id"] == "moodle-42"
    odd = app.client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert odd.headers["x-request-id"] != "bad id\twith spaces"


def test_health_ready_metrics(app: App) -> None:
    assert app.client.get("/healthz").json() == {"status": "ok"}
    assert app.client.get("/readyz").json() == {"status": "ready"}
    app.client.post("/credentials/issue", json=issue_body(app), headers=app.auth())
    text = app.client.get("/metrics").text
    assert 'edc_issue_http_requests_total{method="POST",route="/credentials/issue",' \
           'status="201"} 1' in text
    assert 'edc_issue_credentials_issued_total{tenant="default"} 1' in text
    assert re.search(r'edc_issue_http_request_duration_seconds_bucket\{route="/credentials/'
                     r'issue",le="\+Inf"\} 1', text)


def test_readyz_is_503_when_the_database_is_gone(app: App, monkeypatch: pytest.MonkeyPatch
                                                 ) -> None:
    from sqlalchemy import create_engine

    monkeypatch.setattr(app.service, "read_engine",
                        create_engine("sqlite:////nonexistent-folder/x/y.db"))
    response = app.client.get("/readyz")
    assert response.status_code == 503 and response.json()["code"] == "service.unavailable"


def test_openapi_names_every_route_of_the_contract(app: App) -> None:
    paths = app.client.get("/openapi.json").json()["paths"]
    missing = [p for p in CONTRACT_PATHS if p not in paths]
    assert not missing


def test_reference_page_works_offline(app: App) -> None:
    page = app.client.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)=['"]?https?://""", html)
    for path in ("/credentials/issue", "/europass2/edci-issuer/api/v2/public/credentials/seal"):
        assert path in html
    assert app.client.get("/redoc").status_code == 404


def test_a_slow_request_does_not_block_the_others(tmp_path: Path) -> None:
    """With worker processes, a credential that takes a while to sign leaves the event
    loop free: small issuances answer meanwhile, each in a fraction of the large one's time.

    Nothing here depends on how fast the machine is: the small requests must all have
    answered while the large one was still being signed."""
    setup = prepare_default(ServiceConfig.model_validate({
        "data_dir": tmp_path / "d", "base_url": "http://testserver",
        "limits": {"pool_workers": 2}}))
    app = create_app(setup.config)
    big = badge_02()
    big["credentialSubject"]["achievement"]["alignment"] = [
        {"type": ["Alignment"], "targetName": f"Skill {i}", "targetUrl": f"https://e.x/s/{i}"}
        for i in range(30000)]

    async def scenario() -> tuple[float, list[float], bool]:
        async with app.router.lifespan_context(app):
            service = app.state.service
            issuer = service.tenants["default"].issuer
            big["issuer"] = dict(big["issuer"], id=issuer)
            headers = {"Authorization": f"Bearer {setup.token}"}
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver",
                                         timeout=120) as client:
                started = time.perf_counter()
                slow = asyncio.create_task(client.post(
                    "/credentials/issue", json={"credential": big}, headers=headers))
                await asyncio.sleep(0.2)
                quick = []
                for _ in range(5):
                    t0 = time.perf_counter()
                    small = dict(badge_02(), issuer=dict(badge_02()["issuer"], id=issuer))
                    response = await client.post("/credentials/issue",
                                                 json={"credential": small}, headers=headers)
                    assert response.status_code == 201
                    quick.append(time.perf_counter() - t0)
                pending_after_quick = not slow.done()
                response = await slow
                assert response.status_code == 201, response.text[:300]
                return time.perf_counter() - started, quick, pending_after_quick

    total, quick, pending_after_quick = asyncio.run(scenario())
    assert pending_after_quick, ("the small issuances waited for the large one", total, quick)
    assert sum(quick) < total, (total, quick)


def test_small_work_takes_one_lane_at_a_time(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Small issuances run on a thread of the server, one lane at a time
    (``_pool.INLINE_THREADS``): 12 concurrent requests never sign side by side."""
    import threading

    from edc_issue.service import _core, _pool

    setup = prepare_default(ServiceConfig.model_validate({
        "data_dir": tmp_path / "d", "base_url": "http://testserver",
        "limits": {"pool_workers": 2}}))
    app = create_app(setup.config)
    running, most, lock = [0], [0], threading.Lock()
    sign = _core.sign_credential

    def counted(*args: Any, **kwargs: Any) -> Any:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            time.sleep(0.02)  # long enough for the others to pile up
            return sign(*args, **kwargs)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(_core, "sign_credential", counted)

    async def scenario() -> list[int]:
        async with app.router.lifespan_context(app):
            issuer = app.state.service.tenants["default"].issuer
            headers = {"Authorization": f"Bearer {setup.token}"}
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver",
                                         timeout=60) as client:
                async def one(i: int) -> int:
                    small = dict(badge_02(), id=f"urn:uuid:lane-{i}",
                                 issuer=dict(badge_02()["issuer"], id=issuer))
                    response = await client.post("/credentials/issue",
                                                 json={"credential": small}, headers=headers)
                    return response.status_code
                return list(await asyncio.gather(*(one(i) for i in range(12))))

    assert asyncio.run(scenario()) == [201] * 12
    assert most[0] == _pool.INLINE_THREADS == 1
