"""Pydantic models of the credentials edc_issue issues and reads.

- :mod:`edc_issue.models._base`: :class:`JsonLdModel`, the shared base (aliases,
  lossless round trips, errors with JSON paths) and the literal types.
- :mod:`edc_issue.models.vc`: parts of the W3C VC envelope shared by EDC and OB3.
- :mod:`edc_issue.models.edc`: the European Learning Model as the EDC profile uses it.

Models import only pydantic, :mod:`edc_issue.errors` and :mod:`edc_issue._types`.
"""

from __future__ import annotations

from ._base import JsonLdModel

__all__ = ["JsonLdModel"]
