"""The public names of edc_issue.status and edc_issue.batch are pinned (style guide D2)."""

from __future__ import annotations

import edc_issue.batch
import edc_issue.status


def _public(module: object) -> list[str]:
    return sorted(n for n in vars(module) if not n.startswith("_")
                  and not isinstance(getattr(module, n), type(edc_issue))
                  and n != "annotations")


def test_status_exports() -> None:
    assert edc_issue.status.__all__ == sorted(edc_issue.status.__all__,
                                              key=lambda n: (not n.isupper(), n))
    assert set(edc_issue.status.__all__) == set(_public(edc_issue.status))
    assert dir(edc_issue.status) == sorted(edc_issue.status.__all__)


def test_batch_exports() -> None:
    assert edc_issue.batch.__all__ == sorted(edc_issue.batch.__all__,
                                             key=lambda n: (not n.isupper(), n))
    assert set(edc_issue.batch.__all__) == set(_public(edc_issue.batch))
    assert dir(edc_issue.batch) == sorted(edc_issue.batch.__all__)
