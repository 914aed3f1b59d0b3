"""``edc-issue serve``: an issuing service for any LMS (install ``edc-issue[service]``).

It speaks the W3C VC-API (VCALM), the Digital Credentials Consortium issuer
coordinator's API and the EU issuer's sealing API, on the library's core::

    from edc_issue.service import create_app, load_config
    app = create_app(load_config("edc-issue.toml"))      # a FastAPI (ASGI) application

There is no module-level application: build one per configuration. See ``docs/serve.md``.
"""

from __future__ import annotations

from ._app import create_app
from ._errors import ServiceError
from .config import ServiceConfig, TenantConfig, load_config

__all__ = ["ServiceConfig", "ServiceError", "TenantConfig", "create_app", "load_config"]


def __dir__() -> list[str]:
    return __all__
