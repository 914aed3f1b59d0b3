"""``edc-issue present``: wrap credentials in a verifiable presentation and sign it as
their holder (proof purpose ``authentication``, over the verifier's challenge)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..._io import read_bytes
from ...errors import InputError
from ...formats.detect import load_document
from .._common import handle_errors, write_document
from .._secrets import open_key

_SUITES = ["eddsa-rdfc-2022", "ecdsa-rdfc-2019", "vc-jwt"]


@click.command("present")
@click.argument("credentials", metavar="CRED...", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--key", "key_file", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="The holder's key file (Multikey document, JWK or PEM).")
@click.option("--challenge", required=True,
              help="The verifier's challenge (a nonce), carried by the proof.")
@click.option("--domain", help="The verifier's domain, carried by the proof.")
@click.option("--holder", metavar="URL",
              help="The presentation's holder (default: the key's controller).")
@click.option("--id", "presentation_id", metavar="URL", help="The presentation's id.")
@click.option("--suite", type=click.Choice(_SUITES),
              help="Default from the key type; vc-jwt writes a VP-JWT (typ vp+jwt).")
@click.option("--created", metavar="ISO8601", help="The proof's created time (default: now).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here (atomically) instead of stdout.")
def command(credentials: tuple[Path, ...], key_file: Path, challenge: str,
            domain: str | None, holder: str | None, presentation_id: str | None,
            suite: str | None, created: str | None, output: Path | None) -> None:
    """Present each CRED (a signed credential: JSON, or a VC-JWT) in one presentation,
    signed with --key over --challenge (and --domain).

    A VC-JWT is enveloped (an EnvelopedVerifiableCredential, data:application/vc+jwt).
    Verify it with: edc-issue verify --challenge C [--domain D] VP.json
    """
    from ... import build_presentation, sign_presentation
    from ...keys.signing import signer_controller

    with handle_errors():
        key = open_key(key_file, None)  # an encrypted PEM key: its password asked
    documents: list[Any] = []
    for path in credentials:
        with handle_errors(file=str(path)):
            document = load_document(read_bytes(path), source=str(path))
            if not isinstance(document, (dict, str)):
                raise InputError("expected a credential: a JSON object or a compact VC-JWT",
                                 code="input.invalid")
            documents.append(document)
    with handle_errors(file=str(output) if output else None):
        presentation = build_presentation(documents, holder=holder or signer_controller(key),
                                          presentation_id=presentation_id)
        signed = sign_presentation(presentation, key, challenge=challenge, domain=domain,
                                   suite=suite, created=created)
        write_document(signed, output)
