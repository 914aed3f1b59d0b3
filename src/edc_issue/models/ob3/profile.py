"""Open Badges 3.0 profiles: the people and organisations in a credential (issuer,
creator, endorser, source), with their images, identifiers and addresses.

See: <https://www.imsglobal.org/spec/ob/v3p0/#profile>
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import Discriminator, Field, Tag

from .._base import IRI, JsonLdModel, Number, XsdDate, node_or_iri
from ._common import _Open, _type_includes, _type_is, _types

if TYPE_CHECKING:
    from .credential import EndorsementCredential

__all__ = [
    "Address",
    "GeoCoordinates",
    "IdentifierEntry",
    "IdentityObject",
    "Image",
    "ImageRef",
    "Profile",
    "ProfileRef",
]


class Image(JsonLdModel):
    """An image: its IRI (often a ``data:`` URL) and a caption.

    See: <https://www.imsglobal.org/spec/ob/v3p0/#image>
    """

    id: IRI
    type: Annotated[str, _type_is("Image")] = "Image"
    caption: str | None = None


#: An image as an :class:`Image` node or a bare IRI.
ImageRef = Annotated[
    Annotated[Image, Tag("node")] | Annotated[IRI, Tag("iri")], Discriminator(node_or_iri)
]


class IdentifierEntry(JsonLdModel):
    """Another identifier of a profile or achievement (closed in the schema).

    See: <https://www.imsglobal.org/spec/ob/v3p0/#identifierentry>
    """

    type: Annotated[str, _type_is("IdentifierEntry")] = "IdentifierEntry"
    identifier: str
    identifier_type: str = Field(alias="identifierType")


class IdentityObject(JsonLdModel):
    """An identifier of the recipient, possibly hashed (closed in the schema).

    See: <https://www.imsglobal.org/spec/ob/v3p0/#identityobject>
    """

    type: Annotated[str, _type_is("IdentityObject")] = "IdentityObject"
    hashed: bool
    identity_hash: str = Field(alias="identityHash")
    identity_type: str = Field(alias="identityType")
    salt: str | None = None


class GeoCoordinates(_Open):
    """A latitude and longitude (WGS 84).

    See: <https://www.imsglobal.org/spec/ob/v3p0/#geocoordinates>
    """

    type: Annotated[str, _type_is("GeoCoordinates")] = "GeoCoordinates"
    latitude: Number
    longitude: Number


class Address(_Open):
    """A postal address.

    See: <https://www.imsglobal.org/spec/ob/v3p0/#address>
    """

    type: Annotated[list[str], _type_includes("Address")] = _types("Address")
    address_country: str | None = Field(default=None, alias="addressCountry")
    address_country_code: str | None = Field(default=None, alias="addressCountryCode")
    address_region: str | None = Field(default=None, alias="addressRegion")
    address_locality: str | None = Field(default=None, alias="addressLocality")
    street_address: str | None = Field(default=None, alias="streetAddress")
    post_office_box_number: str | None = Field(default=None, alias="postOfficeBoxNumber")
    postal_code: str | None = Field(default=None, alias="postalCode")
    geo: GeoCoordinates | None = None


class Profile(_Open):
    """A person or organisation: the issuer, a creator, an endorser, a source.

    See: <https://www.imsglobal.org/spec/ob/v3p0/#profile>
    """

    id: IRI
    type: Annotated[list[str], _type_includes("Profile")] = _types("Profile")
    name: str | None = None
    url: IRI | None = None
    phone: str | None = None
    description: str | None = None
    endorsement: list[EndorsementCredential] | None = None
    endorsement_jwt: list[str] | None = Field(default=None, alias="endorsementJwt")
    image: ImageRef | None = None
    email: str | None = None
    address: Address | None = None
    other_identifier: list[IdentifierEntry] | None = Field(default=None, alias="otherIdentifier")
    official: str | None = None
    parent_org: Profile | None = Field(default=None, alias="parentOrg")
    family_name: str | None = Field(default=None, alias="familyName")
    given_name: str | None = Field(default=None, alias="givenName")
    additional_name: str | None = Field(default=None, alias="additionalName")
    patronymic_name: str | None = Field(default=None, alias="patronymicName")
    honorific_prefix: str | None = Field(default=None, alias="honorificPrefix")
    honorific_suffix: str | None = Field(default=None, alias="honorificSuffix")
    family_name_prefix: str | None = Field(default=None, alias="familyNamePrefix")
    date_of_birth: XsdDate | None = Field(default=None, alias="dateOfBirth")


#: A profile as a :class:`Profile` node or a bare IRI (``ProfileRef`` in the schema).
ProfileRef = Annotated[
    Annotated[Profile, Tag("node")] | Annotated[IRI, Tag("iri")], Discriminator(node_or_iri)
]
