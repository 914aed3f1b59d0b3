"""The optional dependencies of ``edc-issue[render]``, imported when first needed."""

from __future__ import annotations

import importlib
from types import ModuleType

from ..errors import ConfigError

__all__ = ["require"]

_PACKAGES = {"typst": "typst", "segno": "segno", "jinja2": "jinja2", "babel": "babel"}


def require(module: str) -> ModuleType:
    """Import *module*, or say which extra to install.

    :raises ConfigError: ``config.extra_missing``: ``pip install 'edc-issue[render]'``.
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ConfigError(
            f"rendering needs the {_PACKAGES.get(module, module)} package: "
            "pip install 'edc-issue[render]'",
            code="config.extra_missing",
        ) from None
