"""``edc-issue sign``: embed a Data Integrity proof, or write a compact VC-JWT."""

from __future__ import annotations

from pathlib import Path

import click

from ... import sign
from ..._io import read_json_object
from .._common import handle_errors, write_document
from .._secrets import open_key

_SUITES = ["eddsa-rdfc-2022", "ecdsa-rdfc-2019", "vc-jwt"]


@click.command("sign")
@click.argument("input_file", metavar="IN.json", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--key", "key_file", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="Key file: Multikey document, vector key file, JWK or PEM.")
@click.option("--suite", type=click.Choice(_SUITES),
              help="Default: eddsa-rdfc-2022 for Ed25519, ecdsa-rdfc-2019 for P-256/P-384.")
@click.option("--created", metavar="ISO8601", help="The proof's created time (default: now).")
@click.option("--issuer-from-key", is_flag=True,
              help="Set issuer (or issuer.id) to the key's controller, as verifiers require.")
@click.option("--proof-array/--proof-object", "proof_as_list", default=None,
              help="Write proof as an array or a single object (default: array for Open "
                   "Badges and CLR).")
@click.option("--password-env", "password_env", metavar="VAR",
              help="Read the password of an encrypted PEM --key from environment variable "
                   "VAR (default: ask when one is needed).")
@click.option("--no-data-model-check", "no_data_model_check", is_flag=True,
              help="Sign even if the credential breaks the VC Data Model (test vectors "
                   "only; by default it is refused, exit 2, one line per problem).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here (atomically) instead of stdout.")
def command(input_file: Path, key_file: Path, suite: str | None, created: str | None,
            issuer_from_key: bool, proof_as_list: bool | None, password_env: str | None,
            no_data_model_check: bool, output: Path | None) -> None:
    """Sign IN.json with --key and print (or write to -o) the signed credential.

    Signing is strict and offline: every term must be defined by a bundled @context, and
    the credential must follow the W3C VC Data Model (1.1 or 2.0, by its first @context).
    An encrypted PEM key's password comes from --password-env VAR, else a prompt on a
    terminal, else one line of standard input; it is never taken on the command line.
    """
    with handle_errors():
        key = open_key(key_file, password_env)
    with handle_errors(file=str(input_file)):
        credential = read_json_object(input_file)
        signed = sign(credential, key, suite=suite, created=created,
                      issuer_from_key=issuer_from_key, proof_as_list=proof_as_list,
                      check_data_model=not no_data_model_check)
        write_document(signed, output)
