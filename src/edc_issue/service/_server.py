"""Running the service on uvicorn (what ``edc-issue serve`` calls).

With one worker the application is built here; with several, uvicorn starts worker
processes that each build it from the configuration passed in the environment
(``EDC_ISSUE_SERVICE_CONFIG``, JSON: file paths and hashes, never a secret).
"""

from __future__ import annotations

import inspect
import os
import socket
from typing import Any

from fastapi import FastAPI

from ._app import create_app
from ._http import configure_logging
from .config import ServiceConfig

__all__ = ["CONFIG_ENV", "app_from_environment", "run"]

CONFIG_ENV = "EDC_ISSUE_SERVICE_CONFIG"


def app_from_environment() -> FastAPI:
    """The uvicorn factory of the worker processes."""
    configure_logging()
    return create_app(ServiceConfig.model_validate_json(os.environ[CONFIG_ENV]))


def run(config: ServiceConfig, *, host: str, port: int, workers: int) -> None:
    """Serve *config* on *host*:*port* until interrupted (SIGINT / SIGTERM)."""
    import uvicorn

    configure_logging()
    common = {"host": host, "port": port, "access_log": False, "log_config": None,
              "server_header": False, "proxy_headers": True, "timeout_graceful_shutdown": 20}
    if workers <= 1:
        uvicorn.run(create_app(config), **common)  # type: ignore[arg-type]
        return
    os.environ[CONFIG_ENV] = config.model_dump_json(by_alias=True)
    from uvicorn.supervisors import Multiprocess

    # what uvicorn.run(..., workers=n) does, but with TCP_NODELAY on the listening socket
    # (Linux gives it to each accepted connection). uvicorn's own socket has protocol 0,
    # so asyncio does not set it on the connections, and a response written in two parts
    # (headers, body) waited for the client's delayed ACK: every request after the first
    # on a kept-alive connection took 40 ms more (one worker: 0.5 ms).
    uv_config = uvicorn.Config("edc_issue.service._server:app_from_environment",
                               factory=True, workers=workers, **common)  # type: ignore[arg-type]
    sock = uv_config.bind_socket()
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    extra: dict[str, Any] = {}
    if "target" in inspect.signature(Multiprocess).parameters:  # uvicorn before 0.5x
        extra["target"] = uvicorn.Server(config=uv_config).run
    Multiprocess(uv_config, sockets=[sock], **extra).run()
