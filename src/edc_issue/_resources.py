"""Locate the bundled data (``schemas/``) in a wheel or in a source checkout."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

__all__ = ["schemas_dir"]


@lru_cache(maxsize=1)
def schemas_dir() -> Path:
    """Return the folder holding the bundled contexts, shapes and JSON Schemas.

    An installed wheel carries it as ``edc_issue/schemas``; an editable install
    or a source checkout uses the repository's top-level ``schemas/``.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "schemas", here.parent.parent / "schemas"):
        if (candidate / "contexts" / "index.json").is_file():
            return candidate
    raise FileNotFoundError(
        "edc_issue's bundled schemas are missing; reinstall the package "
        f"(looked in {here / 'schemas'} and {here.parent.parent / 'schemas'})"
    )
