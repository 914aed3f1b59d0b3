"""Parts of the W3C Verifiable Credentials envelope shared by EDC and Open Badges models.

See: <https://www.w3.org/TR/vc-data-model/> (1.1, used by EDC) and
<https://www.w3.org/TR/vc-data-model-2.0/> (2.0, used by Open Badges 3.0).
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from ._base import JsonLdModel

__all__ = [
    "CREDENTIALS_V1",
    "CREDENTIALS_V2",
    "Context",
    "Proof",
    "VerifiableCredential",
    "VerifiablePresentation",
]

#: The VC Data Model 1.1 context (EDC credentials use it).
CREDENTIALS_V1 = "https://www.w3.org/2018/credentials/v1"
#: The VC Data Model 2.0 context (Open Badges 3.0 use it).
CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"

#: An ``@context`` value: a URL, an inline context, or a list of them.
Context = str | dict[str, Any] | list[str | dict[str, Any]]


class Proof(JsonLdModel):
    """An embedded proof (Data Integrity, or a legacy linked-data signature).

    Open (``extra="allow"``): each cryptosuite defines its own properties, and a proof
    must be written back byte for byte or it no longer verifies.
    See: <https://www.w3.org/TR/vc-data-integrity/#proofs>
    """

    model_config = ConfigDict(extra="allow")

    id: str | None = None
    type: str | list[str] | None = None
    cryptosuite: str | None = None
    created: str | None = None
    expires: str | None = None
    verification_method: str | None = Field(default=None, alias="verificationMethod")
    proof_purpose: str | None = Field(default=None, alias="proofPurpose")
    proof_value: str | None = Field(default=None, alias="proofValue")
    jws: str | None = None
    challenge: str | None = None
    domain: str | list[str] | None = None
    nonce: str | None = None
    previous_proof: str | list[str] | None = Field(default=None, alias="previousProof")


class VerifiableCredential(JsonLdModel):
    """The envelope every credential shares: ``@context``, ``id`` and ``type``.

    Open (``extra="allow"``): the VC Data Model lets a credential carry any property its
    contexts define (third parties add ``cnf``, ``status``, ...). What a subclass does
    not model is kept, written back, and listed by ``unknown_properties()``.
    """

    model_config = ConfigDict(extra="allow")

    context: Context | None = Field(default=None, alias="@context")
    id: str | None = None
    type: str | list[str] = Field(default_factory=lambda: ["VerifiableCredential"])


class VerifiablePresentation(JsonLdModel):
    """The envelope of a presentation: ``@context``, ``id`` and ``type`` (open, as above)."""

    model_config = ConfigDict(extra="allow")

    context: Context | None = Field(default=None, alias="@context")
    id: str | None = None
    type: str | list[str] = Field(default_factory=lambda: ["VerifiablePresentation"])
