"""What the VC Data Model check costs sign() and verify().

Plain script: ``python benchmarks/data_model.py``. For the Open Badges 3.0 ``02-sample``
and ``03-complete`` and the EU sample EDC ``AA-Annex1-MC``: the check alone
(``require_data_model`` as ``sign()`` runs it, ``data_model_checks`` as ``verify()`` does),
in microseconds a call, and ``sign()`` / ``verify()`` per second with the check on and off
(``check_data_model=False``), interleaved over 7 rounds, medians printed.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from _common import ED25519_KEY, EDC_MC, OB3_02, OB3_03, load_credential, with_issuer


def _per_call(fn: Callable[[], Any], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def main() -> None:
    """Print one line a document."""
    from edc_issue._api import sign, verify
    from edc_issue._data_model import data_model_checks, require_data_model
    from edc_issue.keys import load_key

    key = load_key(ED25519_KEY)
    for name, path, n in (("OB 3.0 02-sample", OB3_02, 300), ("OB 3.0 03-complete", OB3_03, 40),
                          ("EDC AA-Annex1-MC", EDC_MC, 40)):
        cred = with_issuer(load_credential(path), key.controller)
        signed = sign(cred, key)
        assert isinstance(signed, dict)
        cases: dict[str, Callable[[], Any]] = {
            "sign on": lambda c=cred: sign(c, key),
            "sign off": lambda c=cred: sign(c, key, check_data_model=False),
            "verify on": lambda s=signed: verify(s),
            "verify off": lambda s=signed: verify(s, check_data_model=False),
        }
        for fn in cases.values():
            fn()  # warm-up
        times: dict[str, list[float]] = {k: [] for k in cases}
        for _ in range(7):
            for label, fn in cases.items():
                times[label].append(_per_call(fn, n))
        rate = {k: 1 / statistics.median(v) for k, v in times.items()}
        check = _per_call(lambda c=cred: require_data_model(c), n * 10) * 1e6
        vcheck = _per_call(lambda s=signed: data_model_checks(s, "data-integrity"),
                           n * 10) * 1e6
        print(f"{name}: check {check:.1f} us (sign), {vcheck:.1f} us (verify); "
              f"sign {rate['sign on']:.0f}/s on, {rate['sign off']:.0f}/s off; "
              f"verify {rate['verify on']:.0f}/s on, {rate['verify off']:.0f}/s off")


if __name__ == "__main__":
    main()
