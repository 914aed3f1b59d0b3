"""Bake and unbake Open Badges in PNG and SVG images (see :mod:`edc_issue.formats.baking`).

The implementation lives with the other containers in :mod:`edc_issue.formats`; this module
keeps the documented import path ``edc_issue.baking``.
"""

from __future__ import annotations

from .formats.baking import *  # noqa: F403
from .formats.baking import __all__  # noqa: F401
