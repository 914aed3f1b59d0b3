"""ELM 3.1 profiles read the credential with the ELM 3.1 EDC context (same URL, other terms)."""

from __future__ import annotations

from edc_issue import to_nquads
from edc_issue.validate.edc import elm31_loader

ELM = "http://data.europa.eu/snb/model/elm/"
DOC = {
    "@context": ["https://www.w3.org/2018/credentials/v1",
                 "http://data.europa.eu/snb/model/context/edc-ap"],
    "id": "urn:epass:person:1",
    "type": "Person",
    "nationalID": {"id": "urn:epass:identifier:1", "type": "LegalIdentifier",
                   "notation": "A1"},
}


def test_the_31_context_maps_national_id_as_published_in_31() -> None:
    assert f"<{ELM}nationalID>" in to_nquads(DOC, loader=elm31_loader())
    assert f"<{ELM}nationalId>" in to_nquads(DOC)  # the 3.2 context (the default)
