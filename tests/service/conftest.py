"""Fixtures of the service's tests: an in-process app (SQLite), a real PostgreSQL server
started from the machine's binaries in a temporary folder, and real ``edc-issue serve``
processes on 127.0.0.1.

Tests that talk to 127.0.0.1 enable that narrowly with ``pytest.mark.allow_hosts``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the [service] extra is not installed")

from starlette.testclient import TestClient

from edc_issue.service import ServiceConfig, create_app
from edc_issue.service._setup import prepare_default

# test modules import these helpers with `from svc_helpers import ...`
sys.modules.setdefault("svc_helpers", sys.modules[__name__])

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures"
ROOT = HERE.parent.parent
LOCAL = ["127.0.0.1"]


def load(*parts: str) -> Any:
    """A JSON fixture."""
    return json.loads(FIXTURES.joinpath(*parts).read_text(encoding="utf-8"))


def badge_02() -> dict[str, Any]:
    """The Open Badges 3.0 spec example 02, unsigned."""
    return load("openbadges", "spec-signed", "02-sample-openbadgecredential.unsigned.json")


def eu_upload() -> dict[str, Any]:
    """An EU sample as uploaded to the EU issuer: {credential, deliveryDetails}."""
    return load("edc-samples", "eu-elm-support", "Sample-CertOfPart-unsigned.json")


class App:
    """An in-process service: a TestClient, its token and the running service."""

    def __init__(self, client: TestClient, token: str | None, data: Path) -> None:
        self.client = client
        self.token = token
        self.data = data

    @property
    def service(self) -> Any:
        return self.client.app.state.service  # type: ignore[attr-defined]

    @property
    def issuer(self) -> str:
        service = self.service
        return str(service.tenants[service.config.default_tenant].issuer)

    def auth(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.token}"}


def make_app(tmp: Path, **overrides: Any) -> Iterator[App]:
    """Start an in-process service on a fresh SQLite database (dev mode, TEST seal)."""
    raw: dict[str, Any] = {"data_dir": tmp, "dev": True, "base_url": "http://testserver",
                           "limits": {"pool_workers": 0}}
    raw.update(overrides)
    setup = prepare_default(ServiceConfig.model_validate(raw))
    app = create_app(setup.config)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield App(client, setup.token, tmp)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    """An in-process service (SQLite, work in threads, dev mode)."""
    yield from make_app(tmp_path / "data")


def issue_body(app: App, credential: dict[str, Any] | None = None,
               options: dict[str, Any] | None = None) -> dict[str, Any]:
    """A VC-API issue request for the default tenant (the issuer test suite's shape)."""
    vc = credential if credential is not None else badge_02()
    vc = dict(vc)
    issuer = vc.get("issuer")
    vc["issuer"] = dict(issuer, id=app.issuer) if isinstance(issuer, dict) else app.issuer
    body: dict[str, Any] = {"credential": vc}
    if options is not None:
        body["options"] = options
    return body


# ---- PostgreSQL ---------------------------------------------------------------------------


def not_verified(response: Any) -> dict[str, Any]:
    """Assert *response* is a verify route's failed verification and return its body: 400,
    an RFC 9457 problem (``service.not_verified``) that also carries the VCALM result."""
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "service.not_verified" and body["status"] == 400
    assert body["type"] == "urn:edc-issue:error:service.not_verified"
    assert body["verified"] is False and isinstance(body["results"], dict)
    errors = [p for p in body["problemDetails"] if p["severity"] == "error"]
    assert errors, body
    assert body["detail"].startswith(f"{errors[0]['detail']} [{errors[0]['title']}]")
    return dict(body)


def _pg_bin() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists():
            return candidate
    return None


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (the socket is bound and closed at once)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """A throw-away PostgreSQL cluster in a temporary folder (unix socket + 127.0.0.1)."""

    def __init__(self, folder: Path) -> None:
        self.bin = _pg_bin()
        assert self.bin is not None
        self.folder = folder
        self.data = folder / "data"
        self.port = 0
        self.user = None if os.geteuid() != 0 else "postgres"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        kwargs: dict[str, Any] = {}
        if self.user is not None:
            kwargs["user"] = self.user
        return subprocess.run(args, capture_output=True, text=True, timeout=120, check=False,
                              **kwargs)

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.user is not None:
            shutil.chown(self.folder, self.user)
        done = self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "edc",
                         "--auth=trust", "-E", "UTF8", "--no-instructions")
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed: {done.stderr[-500:]}")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("\nfsync = off\nsynchronous_commit = off\nmax_connections = 300\n"
                       "shared_buffers = 64MB\n")
        self.port = free_port()
        done = self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-t", "60",
                         "-l", str(self.folder / "log.txt"), "-o",
                         f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1",
                         "start")
        if done.returncode != 0:
            raise RuntimeError(f"pg_ctl start failed: {done.stderr[-500:]} "
                               f"{(self.folder / 'log.txt').read_text()[-500:]}")

    def create_database(self, name: str) -> str:
        done = self._run(str(self.bin / "createdb"), "-h", str(self.folder), "-p",
                         str(self.port), "-U", "edc", name)
        if done.returncode != 0:
            raise RuntimeError(f"createdb failed: {done.stderr[-300:]}")
        return f"postgresql+psycopg://edc@/{name}?host={self.folder}&port={self.port}"

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    """A PostgreSQL server for the whole run; skipped where there are no server binaries."""
    if _pg_bin() is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) on this machine; "
                    ".ci/run installs Debian's postgresql")
    folder = Path("/tmp") / f"edc-pg-{os.getpid()}"
    if folder.exists():
        shutil.rmtree(folder)
    server = PostgresServer(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


_db_counter = [0]


@pytest.fixture
def pg_url(postgres: PostgresServer) -> str:
    """A fresh database on the session's PostgreSQL server."""
    _db_counter[0] += 1
    return postgres.create_database(f"edc_test_{os.getpid()}_{_db_counter[0]}")


# ---- real servers ---------------------------------------------------------------------------


class ServerProcess:
    """``edc-issue serve`` in a subprocess on 127.0.0.1 and a free port."""

    def __init__(self, args: list[str], data: Path, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data = data
        self.log_path = data.parent / f"server-{self.port}.log"
        self.out_path = data.parent / f"server-{self.port}.out"
        command = [sys.executable, "-m", "edc_issue", "serve", "--host", "127.0.0.1",
                   "--port", str(self.port), "--data", str(data), *args]
        self._env = dict(os.environ, **(env or {}))
        self._log = self.log_path.open("ab")
        self._out = self.out_path.open("ab")
        self.proc = subprocess.Popen(command, stdout=self._out, stderr=self._log,
                                     env=self._env, start_new_session=True)
        self.token: str | None = None

    def wait_ready(self, timeout: float = 90) -> ServerProcess:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited: {self.logs()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError(f"the server did not start: {self.logs()[-2000:]}")
        for line in self.out_path.read_text().splitlines():
            if line.startswith("token: "):
                self.token = line.split(" ", 1)[1].strip()
        return self

    def logs(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stdout(self) -> str:
        return self.out_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        if not self._log.closed:
            self._log.close()
            self._out.close()


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[Any]:
    """Start ``edc-issue serve`` processes; they are stopped after the test."""
    started: list[ServerProcess] = []

    def start(*args: str, data: Path | None = None, env: dict[str, str] | None = None
              ) -> ServerProcess:
        server = ServerProcess(list(args), data or tmp_path / "data", env)
        started.append(server)
        return server.wait_ready()

    yield start
    for server in started:
        server.stop()
