"""``edc-issue seal``: seal a European Digital Credential with an e-seal certificate (JAdES).

The password of a PKCS#12 file or an encrypted PEM key is read from the environment
variable named by ``--password-env``, or typed at a prompt: never from the command
line, where it would land in shell history and process lists. It is never printed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from ..._io import atomic_write, read_json_object
from ...errors import KeyMaterialError
from ...seal import read_signer_files, seal
from ...seal.chain import describe
from .._common import die, handle_errors


def _password(var: str | None, *, needed_for: str) -> str | None:
    if var is None:
        return None
    value = os.environ.get(var)
    if value is None:
        die(f"--password-env {var}: the environment variable {var} is not set "
            f"(it should hold the password of {needed_for})")
    return value


@click.command("seal")
@click.argument("input_file", metavar="IN.json", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--p12", "p12", type=click.Path(dir_okay=False, path_type=Path),
              help="PKCS#12 file (.p12/.pfx) with the e-seal key and certificate chain.")
@click.option("--password-env", "password_env", metavar="VAR",
              help="Read the PKCS#12 / key password from environment variable VAR "
                   "(default: ask at a prompt when one is needed).")
@click.option("--key", "key_file", type=click.Path(dir_okay=False, path_type=Path),
              help="PEM private key (instead of --p12); needs --cert.")
@click.option("--cert", "cert_file", type=click.Path(dir_okay=False, path_type=Path),
              help="PEM certificate chain, the e-seal certificate first (with --key).")
@click.option("--tsa", metavar="URL",
              help="Add an RFC 3161 time-stamp from this TSA (JAdES baseline T). "
                   "This is the only option that uses the network.")
@click.option("--as-is", "as_is", is_flag=True,
              help="Seal the credential exactly as given, without writing the "
                   "certificate's identity into the issuer.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here (atomically) instead of stdout.")
def command(input_file: Path, p12: Path | None, password_env: str | None,
            key_file: Path | None, cert_file: Path | None, tsa: str | None, as_is: bool,
            output: Path | None) -> None:
    """Seal IN.json with an e-seal certificate: a JAdES envelope (JWS JSON serialization,
    unencoded payload), baseline B, or baseline T with --tsa.

    \b
    edc-issue seal --p12 seal.p12 --password-env SEAL_PW credential.json -o sealed.json
    edc-issue seal --key seal-key.pem --cert seal-chain.pem credential.json
    """
    if p12 is None and key_file is None:
        raise click.UsageError("give --p12 CERT.p12, or --key KEY.pem with --cert CHAIN.pem")
    if p12 is not None and (key_file is not None or cert_file is not None):
        raise click.UsageError("give either --p12, or --key with --cert, not both")
    if key_file is not None and cert_file is None:
        raise click.UsageError("--key needs --cert CHAIN.pem (the e-seal certificate first)")
    if cert_file is not None and key_file is None:
        raise click.UsageError("--cert needs --key KEY.pem")
    source = str(p12 or key_file)
    password = _password(password_env, needed_for=source)
    with handle_errors(file=source):
        try:
            signer = read_signer_files(p12=p12, key=key_file, cert=cert_file, password=password)
        except KeyMaterialError as exc:
            if exc.code != "key.bad_password" or password_env is not None:
                raise
            # no password given and one is needed: ask, without echo
            typed = click.prompt(f"Password for {source}", hide_input=True, err=True,
                                 default="", show_default=False)
            signer = read_signer_files(p12=p12, key=key_file, cert=cert_file, password=typed)
    with handle_errors(file=str(input_file)):
        credential = read_json_object(input_file)
        envelope = seal(credential, signer, tsa=tsa, apply_certificate=not as_is)
        text = json.dumps(envelope, indent=2, ensure_ascii=False)
        level = "T (time-stamped)" if tsa else "B"
        leaf = signer.certificate_chain[0]
        note = (f"sealed {input_file} with '{describe(leaf)}' ({signer.algorithm}, "
                f"JAdES baseline {level})")
        if output is not None:
            atomic_write(output, text + "\n")
            click.echo(f"{note} -> {output}", err=True)
        else:
            click.echo(text)
            click.echo(note, err=True)
