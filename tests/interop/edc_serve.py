"""A real ``edc-issue serve`` on 127.0.0.1 and a free port, for the wallet interop tests.

The server runs in its own process (``python -m edc_issue serve``) with no configuration
beyond a one-worker signing pool: the default tenant, its generated Ed25519 key
(did:key) and its bearer token, SQLite in a temporary data folder. It is ready when its
log says so (the lifespan's ``ready`` line), so nothing here opens a socket: the tests,
marked ``enable_socket``, do.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edc_issue.keys import Key, load_key


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    """What the tests need of the running server."""

    url: str
    token: str
    key: Key
    data: Path

    @property
    def issuer(self) -> str:
        """The default tenant's Credential Issuer Identifier."""
        return f"{self.url}/instance/default"

    def auth(self) -> dict[str, str]:
        """The tenant's bearer token as a header."""
        return {"Authorization": f"Bearer {self.token}"}

    def offer(self, content: Any, configuration: str, **extra: Any) -> dict[str, Any]:
        """Make an offer as an LMS does (``POST /instance/default/offers``)."""
        import httpx

        response = httpx.post(f"{self.issuer}/offers", headers=self.auth(), timeout=60,
                              json={"credential": content, "configuration": configuration,
                                    **extra})
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    def offer_state(self, offer_id: str) -> str:
        """An offer's state, as the service reports it."""
        import httpx

        response = httpx.get(f"{self.issuer}/offers/{offer_id}", headers=self.auth(),
                             timeout=30)
        assert response.status_code == 200, response.text
        return str(response.json()["state"])

    def get_json(self, url: str) -> Any:
        """GET a JSON document from the server (a status list)."""
        import httpx

        response = httpx.get(url, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()


@contextmanager
def edc_serve(folder: Path) -> Iterator[Served]:
    """Start ``edc-issue serve`` in *folder*; stop it (SIGTERM, then SIGKILL) after."""
    folder.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    config = folder / "edc-issue.toml"
    config.write_text("[limits]\npool_workers = 1\n")
    data = folder / "data"
    log, out = folder / "server.log", folder / "server.out"
    command = [sys.executable, "-m", "edc_issue", "serve", "--config", str(config),
               "--host", "127.0.0.1", "--port", str(port), "--data", str(data)]
    with log.open("ab") as err_fh, out.open("ab") as out_fh:
        proc = subprocess.Popen(command, stdout=out_fh, stderr=err_fh,
                                start_new_session=True, env=dict(os.environ))
    try:
        deadline = time.monotonic() + 120
        while '"ready"' not in log.read_text(errors="replace"):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"edc-issue serve did not start: "
                                   f"{log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)
        time.sleep(0.3)  # uvicorn binds the socket right after the lifespan's start
        token = next(line.split(" ", 1)[1].strip() for line in out.read_text().splitlines()
                     if line.startswith("token: "))
        key = load_key(json.loads((data / "keys" / "default.json").read_text()))
        yield Served(f"http://127.0.0.1:{port}", token, key, data)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
