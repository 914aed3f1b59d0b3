"""Bundled TEST-ONLY trust anchor for the EU sample credentials' e-seal.

The EU sample EDCs (ELM-support and European-Learning-Model repositories) are
sealed with an ANF *test* e-seal certificate ("TEST SEAL", "ORGANIZACION TEST",
organizationIdentifier VATES-A00000000) issued by "ANF AC Qualified Certificates for
eSeal". That issuing CA certificate is bundled here so the samples' chains can be
checked offline. It is used only when the caller gives no trust anchors, and every
result that relies on it says so (check ``SEAL.trust``, severity warning): it is
not a production trust decision. Pass real anchors (``trust=``/``--trust``) to decide trust.

Source: the ``xVals`` of ``Sample-CertOfPart-signed.jsonld``,
code.europa.eu/qualifications-courses-and-credentials/ELM-support@b9dcfa8efea435181222f7a65585c8cf8d40f427
(via conform-ed/conform-ed@714798ca8a5caa20191f3c24bde2f0dfbbadfe31). A public CA certificate
(no private key). SHA-256 (DER):
3431292a66fb3ea53f8b706ea4d980381cb865df6c99f0524536545b58cf9fff
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography import x509

__all__ = ["EU_SAMPLES_TEST_ANCHOR_SHA256", "eu_samples_test_anchors"]

EU_SAMPLES_TEST_ANCHOR_SHA256 = "3431292a66fb3ea53f8b706ea4d980381cb865df6c99f0524536545b58cf9fff"

_ANF_AC_QUALIFIED_ESEAL_CA = (
    "MIIH/zCCBeegAwIBAgIMA0dvgaD9QCIB2thdMA0GCSqGSIb3DQEBCwUAMIGAMRIwEAYDVQQFEwlHNjMyODc1MTAx"
    "GzAZBgNVBAMMEkFORiBHbG9iYWwgUm9vdCBDQTELMAkGA1UEBhMCRVMxFzAVBgNVBAsMDkFORiBDbGFzZSAxIENB"
    "MScwJQYDVQQKDB5BTkYgQXV0b3JpZGFkIGRlIENlcnRpZmljYWNpb24wHhcNMjIxMTExMTMwMTM2WhcNMzUxMTA4"
    "MTMwMTM2WjCBuzELMAkGA1UEBhMCRVMxJzAlBgNVBAoTHkFORiBBdXRvcmlkYWQgZGUgQ2VydGlmaWNhY2lvbjEY"
    "MBYGA1UEYRMPVkFURVMtRzYzMjg3NTEwMTcwNQYDVQQLEy5DZXJ0aWZpY2Fkb3MgQ3VhbGlmaWNhZG9zIGRlIFNl"
    "bGxvIEVsZWN0cm9uaWNvMTAwLgYDVQQDEydBTkYgQUMgUXVhbGlmaWVkIENlcnRpZmljYXRlcyBmb3IgZVNlYWww"
    "ggIiMA0GCSqGSIb3DQEBAQUAA4ICDwAwggIKAoICAQDov+Xg8xLfmxscbjXR8xbqe0QYE5Xvd5RuzPLtscYxo1OY"
    "iCBiRZumq8DF+5bWd/g8z+534ccYm3uRjDOwCVY2oPkXCmEixLQGAjZDR9OjD+FbEo1XTGiFfCv6lw2hmsuMW6jh"
    "VL9hTKX+HHPfQASIKMCNZr3SHVRJ+16wkYKJB2IxcG6MOJgtVizSgg0jZJm3cTwxBXEtPQR/5j3lZYaw+HUkUk2u"
    "iBXmViYHhDlhUgI0EJb2PBhXmhYOCpn+zlHTt7OkK2PNsABv9PlXP4ZUnvoPWpc1lRcCy0al1TViQvto/0iWn9hP"
    "P2W9kunQxQ9JnIBILWd8M1A6QJaCpu4dWq0b/Arv0s4fC6Ial8G74prmGlYomGmnOEMKTcQaNIcGLHTWnkNshoT/"
    "jH62yxkiOq4e907e0H38fWlZAOgyp1SOnOyS8/oWjoUK8L8xo+MCLz7usLfXsPTf+WOCaVhYE7RvPQ9Fd6C+Hjfs"
    "3gjZ6jFrkuvL6PlBZWyLUGP0XFhDwo8eUcV15tbCk1XwP0FlhptHbG6C5kqXVXdJEpCmnzDdHUuS+8S2056hea6z"
    "93rRFmYJOORjAkjHefM50uIelpHfxfI8VGV6HqlC5SOGUcRpDTnSFa6Ei13BXE8tIc98V1QdG8DN1TaInymuyicB"
    "yuOkygPf/LZY+mpLLP9uRQIDAQABo4ICOjCCAjYwHwYDVR0jBBgwFoAUh/qe31J2dexJSiBvW3CWj53vuxcwHQYD"
    "VR0OBBYEFHzTrFujTcnxMAJ33U6x1V1h5MqMMA4GA1UdDwEB/wQEAwIBBjBGBgNVHR8EPzA9MDugOaA3hjVodHRw"
    "Oi8vY3JsLmFuZi5lcy9jcmwvQU5GX0dsb2JhbF9Sb290X0NBXzIwMzZfYXJsLmNybDCB9gYDVR0gBIHuMIHrMIHo"
    "BgRVHSAAMIHfMC0GCCsGAQUFBwIBFiFodHRwczovL2FuZi5lcy9yZXBvc2l0b3Jpby1sZWdhbC8wga0GCCsGAQUF"
    "BwICMIGgDIGdQ2VydGlmaWNhZG8gZGUgQXV0b3JpZGFkIGRlIENlcnRpZmljYWNpw7NuIEludGVybWVkaWEuIFN1"
    "amV0byBhIGxhcyBjb25kaWNpb25lcyBkZSB1c28gZXhwdWVzdGFzIGVuIGxhIERlY2xhcmFjacOzbiBkZSBQcsOh"
    "Y3RpY2FzIGRlIENlcnRpZmljYWNpw7NuIGRlIEFORiBBQzCBkQYIKwYBBQUHAQEEgYQwgYEwJwYIKwYBBQUHMAGG"
    "G2h0dHA6Ly9vY3NwLmFuZi5lcy9zcGFpbi9BVjBWBggrBgEFBQcwAoZKaHR0cDovL2NybC5hbmYuZXMvY2VydGlm"
    "aWNhdGVzX2Rvd25sb2FkL0FORl9HbG9iYWxfUm9vdF9DQV9TSEEyNTZfMjAzNi5jZXIwDwYDVR0TAQH/BAUwAwEB"
    "/zANBgkqhkiG9w0BAQsFAAOCAgEAID/Qsb2zyAezFsJ7wwZ27myWspdf13y+hVAWeVo0D37Z5siq7vIUbERMSLui"
    "OPD4KPzgp2UvAnFPmXcw+Z9m/9CS7xAwok/SpdBRASyDcaEPcNiRvBDip3uO/TpvvjNiawuDxTSq9DxGLo9b8WOI"
    "RpFPeE9nggYoWJ8Zr0KQFWF0fZExH69OnUF9s5egyb3RJxyROre107LfGXQo4qwc5vgEu5wmsNJe0K4xeHlDgR6i"
    "4S/qD2BU5979GKadc2Bvwu7fHUM0FKpfWcWdXZmVX8+QxHaA6GJb/cvE+9iUS+/p1hqxOy8lf+n4lWYvN6J0VBsT"
    "8boJK4K9xuceSX/sKbux/w9xawlBB+LTMd3bUOj1OfymfdzmMctltr0ftM0jCr9J3WyYBPNLbspUkNILnsGuJkJ3"
    "neqd36q6oH26n+YvbHXM7AsUgUnvlqfimCc6RKK4eHKXMibQmlQWAD7Mp+jSfuQKLkfFGS3eMxcHe9/ugWfCeGcV"
    "QDeqWj4q9jHbsqTH/EhEpT2M0fGQ9TRNxjHyE4AApQhDUcAZ1alqu/hMQA2irw4z2wTBpNDv8hYc+oAnycqIWNRv"
    "lOF2A3CPprbpuf+PN0qU6VpSkI3viXXU5RfIN06d022a7SpE8FaIn3CKc3W8Ic/F4ATtzPVRQF1inlXhiYEFTuxv"
    "LyXseGc="
)


@lru_cache(maxsize=1)
def eu_samples_test_anchors() -> tuple[x509.Certificate, ...]:
    """Return the TEST-ONLY anchors for the EU sample seals (see the module docstring)."""
    return (x509.load_der_x509_certificate(base64.b64decode(_ANF_AC_QUALIFIED_ESEAL_CA)),)
