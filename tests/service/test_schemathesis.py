"""Schemathesis against the service's own ``/openapi.json``: no generated request, with a
token or without, ever gets a 5xx. The number of examples is bounded
(``EDC_ISSUE_FUZZ_EXAMPLES``, default 25 per operation) so CI stays quick.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from edc_issue.service import ServiceConfig, create_app  # noqa: E402
from edc_issue.service._setup import prepare_default  # noqa: E402

_DATA = Path(tempfile.mkdtemp(prefix="edc-fuzz-"))
_SETUP = prepare_default(ServiceConfig.model_validate({
    "data_dir": _DATA, "dev": True, "base_url": "http://testserver",
    "limits": {"pool_workers": 0, "max_body_bytes": 256_000}}))
APP = create_app(_SETUP.config)
EXAMPLES = int(os.environ.get("EDC_ISSUE_FUZZ_EXAMPLES", "25"))

schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module")
def running() -> Iterator[None]:
    with TestClient(APP):
        yield


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_server_error(case: Any, running: None) -> None:
    for headers in ({"Authorization": f"Bearer {_SETUP.token}"}, {}):
        response = case.call(headers=headers)
        assert response.status_code < 500, (case.method, case.path, response.text[:500])
