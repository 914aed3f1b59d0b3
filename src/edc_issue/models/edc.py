"""European Digital Credentials: the ELM 3.2 classes as the EDC application profile uses them.

Read a credential, inspect it, write it back::

    from edc_issue.models.edc import EuropeanDigitalCredential
    edc = EuropeanDigitalCredential.model_validate(payload)      # ModelError names the path
    edc.credential_subject.has_claim[0].title                    # {"en": ["..."]}
    edc.to_jsonld()                                              # same RDF, same JSON

The classes are generated from the EDC shapes into :mod:`edc_issue.models.elm` (one
module per area) and re-exported here.
"""

from __future__ import annotations

from .elm import *  # noqa: F403
from .elm import __all__ as _elm_all

#: The name the EDC issue and the docs use for the ``ShaclValidator2017`` class.
ShaclValidator = ShaclValidator2017  # noqa: F405

__all__ = sorted([*_elm_all, "ShaclValidator"])
