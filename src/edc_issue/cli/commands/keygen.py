"""``edc-issue keygen``: a new key pair as a key file, and its issuer and method ids."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..._io import atomic_write
from ...errors import IOFailure
from ...keys import KEY_KINDS, did_web_key, did_web_url, generate_key
from .._common import echo_json, handle_errors


@click.command("keygen")
@click.option("--type", "kind", type=click.Choice(KEY_KINDS), default="ed25519",
              show_default=True, help="Key type (rsa keys sign VC-JWT only).")
@click.option("--did-web", "did_web", metavar="DOMAIN",
              help="Use did:web:DOMAIN as controller and also write the did.json to publish.")
@click.option("--did-document", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write did.json with --did-web (default: beside the key file).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The key file to write (it holds the secret key: keep it private).")
@click.option("--force", is_flag=True, help="Overwrite an existing key file.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def command(kind: str, did_web: str | None, did_document: Path | None, output: Path,
            force: bool, fmt: str) -> None:
    """Generate a key pair and write it to -o KEY.json.

    Ed25519, P-256 and P-384 keys are written as a Multikey document (controller:
    their did:key, or did:web:DOMAIN); RSA keys as a private JWK with kid. Prints the
    issuer id and the verification-method id; the secret key is never printed.
    """
    with handle_errors(file=str(output), input_codes={"io.exists": None}):
        if output.exists() and not force:
            raise IOFailure("the key file exists; pass --force to replace it",
                            code="io.exists")
        key = generate_key(kind)
        did_doc = None
        if did_web:
            key, did_doc = did_web_key(key, did_web)
        secret = key.to_jwk(include_secret=True) if kind == "rsa" else \
            key.to_multikey(include_secret=True)
        atomic_write(output, json.dumps(secret, indent=2) + "\n")
        did_path = None
        if did_doc is not None:
            did_path = did_document or output.with_name("did.json")
            atomic_write(did_path, json.dumps(did_doc, indent=2) + "\n")
        issuer = key.controller
        if fmt == "json":
            echo_json({"issuer": issuer, "verificationMethod": key.id, "type": kind,
                       "keyFile": str(output),
                       "didDocument": str(did_path) if did_path else None,
                       "publishAt": did_web_url(issuer) if did_path and issuer else None})
            return
        click.echo(f"issuer: {issuer}" if issuer else
                   "issuer: none (an RSA key has no DID; use --did-web DOMAIN or set the "
                   "credential's issuer yourself)")
        click.echo(f"verification method: {key.id}")
        click.echo(f"wrote {output} ({kind} key; it holds the secret key: keep it private)")
        if did_path is not None and issuer:
            click.echo(f"wrote {did_path}: publish it at {did_web_url(issuer)}")
