"""Verify, then render: the layer above :mod:`edc_issue.render` that joins the two.

``render()`` never verifies (it imports nothing that checks a seal or a proof); it shows
the result it is given. This module runs ``edc_issue.verify`` (or the verifier you pass,
such as a configured ``Verifier.verify``) on the same document and renders the outcome::

    from functools import partial
    from edc_issue import verify
    from edc_issue.rendering import verify_and_render
    out = verify_and_render(data, media_type="application/pdf", lang="uk",
                            verify_url="https://verify.example.edu/c/42",
                            verifier=partial(verify, trust=[root_pem]))
    out.content          # the PDF's bytes
    out.verification.ok  # what verifying found
    out.verified         # what the page says (fail closed: an undecided check is NOT verified)

The command line (``edc-issue render``), batch issuance and the HTTP service call this.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ._api import verify
from .render import Source, Theme, read_source, render
from .results import VerificationResult

__all__ = ["Rendered", "verify_and_render"]


@dataclass(frozen=True)
class Rendered:
    """What :func:`verify_and_render` made: the bytes, the result they show, the input."""

    content: bytes
    media_type: str
    verification: VerificationResult
    source: Source

    @property
    def verified(self) -> bool:
        """True when the page reads verified: the result verified and no warning left a
        seal, key or status undecided (fail closed; see :mod:`edc_issue.render._view`)."""
        from .render._view import verdict

        return verdict(self.verification) == "verified"


def verify_and_render(
    document: Mapping[str, Any] | str | bytes | Source,
    *,
    media_type: str = "application/pdf",
    lang: str | None = None,
    verify_url: str | None = None,
    theme: Theme | None = None,
    now: datetime | None = None,
    verifier: Callable[[Any], VerificationResult] | None = None,
) -> Rendered:
    """Verify *document*, then render it with the result (see :func:`edc_issue.render.render`).

    :param verifier: called with what ``verify`` takes for this input (the envelope, the
        JWT, the baked image); default :func:`edc_issue.verify` with its defaults (offline).
    :raises RenderError: as :func:`~edc_issue.render.render`.
    """
    source = read_source(document)
    result = (verifier or verify)(source.document)
    content = render(source, media_type=media_type, lang=lang, verify_url=verify_url,
                     verification=result, theme=theme, now=now)
    return Rendered(content=content, media_type=media_type, verification=result,
                    source=source)
