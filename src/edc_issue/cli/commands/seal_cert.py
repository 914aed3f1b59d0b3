"""``edc-issue seal-cert --test``: make a TEST-ONLY e-seal certificate to try sealing.

Writes a TEST CA, an e-seal certificate for the organisation given (UTF-8 names,
organizationIdentifier, digitalSignature + nonRepudiation) as PKCS#12, PEM and
PEM-with-chain, its key as encrypted PKCS#8 (to import into a token), and a TEST TSA
certificate (for local test services). Every certificate says TEST in its names. Real
e-seal certificates come from a qualified trust service provider.
"""

from __future__ import annotations

from pathlib import Path

import click

from .._common import handle_errors
from .._secrets import secret_from_env


@click.command("seal-cert")
@click.option("--test", "test_only", is_flag=True, required=True,
              help="Make a TEST certificate (required: real e-seal certificates come from "
                   "a qualified trust service provider).")
@click.option("-o", "--output", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path), help="The folder to write.")
@click.option("--org", default="Universiteti TEST (edc-issue demo)", show_default=True,
              help="The organisation (O); any language and script.")
@click.option("--country", default="AL", show_default=True, help="Its country (C, alpha-2).")
@click.option("--org-id", default="VATAL-TEST00000", show_default=True,
              help="Its organizationIdentifier (ETSI EN 319 412-1).")
@click.option("--key-type", type=click.Choice(["rsa", "p256"]), default="rsa",
              show_default=True, help="The e-seal key: RSA-2048 (RS256) or P-256 (ES256).")
@click.option("--ocsp-url", metavar="URL",
              help="An OCSP responder for the certificate to name (to try --level LT).")
@click.option("--crl-url", metavar="URL", help="A CRL distribution point to name.")
@click.option("--password-env", default="EDC_TEST_SEAL_PASSWORD", show_default=True,
              metavar="VAR", help="The environment variable holding the password that "
                                  "protects the key files.")
def command(test_only: bool, out_dir: Path, org: str, country: str, org_id: str,
            key_type: str, ocsp_url: str | None, crl_url: str | None,
            password_env: str) -> None:
    """Write a TEST-ONLY CA and e-seal certificate into OUT (nobody trusts them).

    \b
    export EDC_TEST_SEAL_PASSWORD=choose-one
    edc-issue seal-cert --test --org "Universiteti i Tiranës" --country AL -o test-pki
    """
    from ...seal.testpki import make_test_pki

    if not test_only:  # pragma: no cover - click enforces the flag
        raise click.UsageError("only TEST certificates can be made (--test)")
    password = secret_from_env(password_env, option="--password-env",
                               what="the password for the key files")
    assert password is not None
    with handle_errors(file=str(out_dir)):
        pki = make_test_pki(organisation=org, country=country, org_id=org_id,
                            key_type=key_type, ocsp_url=ocsp_url, crl_url=crl_url)
        paths = pki.write(out_dir, password)
    click.echo(f"TEST-ONLY e-seal certificate for {org} ({org_id}, {country.upper()}) -> "
               f"{paths['p12']} (also {paths['chain'].name}, {paths['key'].name}); "
               f"trust anchor -> {paths['ca']}")
