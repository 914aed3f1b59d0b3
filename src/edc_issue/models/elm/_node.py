"""ElmNode: the base of every ELM class (hand-written; the generated modules build on it)."""

from __future__ import annotations

from pydantic import ConfigDict

from .._base import JsonLdModel

__all__ = ["ElmNode"]


class ElmNode(JsonLdModel):
    """An ELM node: an ``id`` (an IRI such as ``urn:epass:person:1``) and a ``type``.

    Open (``extra="allow"``), unlike the JsonLdModel default: the EDC shapes are not
    closed (no ``sh:closed``), so a credential may carry properties the profile does not
    list (the EU samples put ``prefLabel`` on ``Evidence``; third parties add
    ``studentNumber`` to ``Person``). Reading keeps them, :meth:`to_jsonld` writes them
    back, and :meth:`unknown_properties` reports them, so nothing is lost silently.
    Building from keyword arguments still rejects unknown names, with a did-you-mean.
    """

    model_config = ConfigDict(extra="allow")

    id: str | None = None
    type: str | list[str] = "ElmNode"
