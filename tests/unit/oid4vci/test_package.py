"""The oid4vci package's public names (pinned, as the top-level package's are)."""

from __future__ import annotations

import subprocess
import sys

import edc_issue.oid4vci as package


def test_all_is_sorted_and_resolves() -> None:
    assert package.__all__ == sorted(package.__all__, key=lambda n: (not n.isupper(), n))
    for name in package.__all__:
        assert getattr(package, name).__doc__, name


def test_importing_edc_issue_does_not_load_wallet_delivery() -> None:
    code = ("import sys, edc_issue; "
            "print('edc_issue.oid4vci' in sys.modules, 'segno' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["False", "False"]
