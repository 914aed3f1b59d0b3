"""``edc-issue seal``: seal a European Digital Credential with an e-seal (JAdES).

As the EU issuer does: the upload format ``{"credential", "deliveryDetails"}`` is read
(the ``deliveryDetails`` are written beside the sealed file), what is not an EDC is
refused, the certificate fills in the issuer, the EDC SHACL shapes are checked (exit 1
with every finding when they fail; ``--no-validate`` skips it), then it is sealed at
``--level`` B, T, LT or LTA.

The key is a PKCS#12 file, a PEM key and chain, a PKCS#11 token (``--pkcs11``) or a
credential at a QTSP (``--csc``). Passwords, PINs and client secrets are read from the
environment variables named by ``--password-env``, ``--pin-env`` and
``--csc-secret-env``, or typed at a prompt: never from the command line. They are never
printed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..._io import atomic_write, read_json_object
from ...seal import read_signer_files
from ...seal.chain import describe
from .._common import handle_errors
from .._secrets import ask_secret, secret_from_env, with_password

LEVELS = ["B", "T", "LT", "LTA"]


def delivery_details_path(output: Path) -> Path:
    """Where the upload's ``deliveryDetails`` go: ``OUT.deliveryDetails.json`` beside *output*."""
    return output.with_name(f"{output.stem}.deliveryDetails.json")


def _load_certificates(path: Path | None) -> list[Any] | None:
    if path is None:
        return None
    from cryptography import x509

    from ..._io import read_bytes
    from ...errors import KeyMaterialError

    data = read_bytes(path)
    try:
        return list(x509.load_pem_x509_certificates(data)) if b"-----BEGIN" in data else [
            x509.load_der_x509_certificate(data)]
    except ValueError as exc:
        raise KeyMaterialError("no X.509 certificate could be read (expected PEM "
                               "'BEGIN CERTIFICATE' blocks)", pointer=str(path),
                               code="key.malformed") from exc


def open_signer(*, p12: Path | None, key_file: Path | None, cert_file: Path | None,
                password_env: str | None, pkcs11: str | None, token: str | None,
                key_label: str | None, pin_env: str | None, csc: str | None,
                csc_client_id: str | None, csc_secret_env: str | None,
                csc_credential: str | None) -> Any:
    """The seal signer the options name (a file, a PKCS#11 token, a CSC credential)."""
    kinds = [name for name, given in (("--p12", p12), ("--key", key_file),
                                      ("--pkcs11", pkcs11), ("--csc", csc)) if given]
    if not kinds:
        raise click.UsageError("give --p12 CERT.p12, --key KEY.pem with --cert CHAIN.pem, "
                               "--pkcs11 MODULE or --csc URL")
    if len(kinds) > 1:
        raise click.UsageError(f"give one key, not {' and '.join(kinds)}")
    if pkcs11 is not None:
        if not token or not key_label:
            raise click.UsageError("--pkcs11 needs --token LABEL and --key-label LABEL")
        from ...seal.pkcs11 import Pkcs11Signer

        pin = secret_from_env(pin_env, option="--pin-env", what=f"the PIN of token {token}")
        if pin is None:
            pin = ask_secret(f"PIN for token {token}", option="--pin-env")
        with handle_errors(file=pkcs11):
            return Pkcs11Signer(pkcs11, token=token, key_label=key_label, pin=pin,
                                certificates=_load_certificates(cert_file))
    if csc is not None:
        if not csc_client_id or not csc_secret_env:
            raise click.UsageError("--csc needs --csc-client-id ID and --csc-secret-env VAR")
        from ...seal.csc import CscSigner

        secret = secret_from_env(csc_secret_env, option="--csc-secret-env",
                                 what="the OAuth 2.0 client secret")
        assert secret is not None
        pin = secret_from_env(pin_env, option="--pin-env", what="the credential's PIN")
        with handle_errors(file=csc):
            return CscSigner(csc, client_id=csc_client_id, client_secret=secret,
                             credential_id=csc_credential, pin=pin)
    if key_file is not None and cert_file is None:
        raise click.UsageError("--key needs --cert CHAIN.pem (the e-seal certificate first)")
    if cert_file is not None and key_file is None:
        raise click.UsageError("--cert needs --key KEY.pem (or --pkcs11)")
    source = str(p12 or key_file)
    with handle_errors(file=source):
        return with_password(
            lambda pw: read_signer_files(p12=p12, key=key_file, cert=cert_file, password=pw),
            var=password_env, source=source)


def key_options(command: Any) -> Any:
    """The options that choose the seal's key (shared by ``seal`` and ``issue``-like commands)."""
    options = [
        click.option("--p12", "p12", type=click.Path(dir_okay=False, path_type=Path),
                     help="PKCS#12 file (.p12/.pfx) with the e-seal key and certificate chain."),
        click.option("--password-env", "password_env", metavar="VAR",
                     help="Read the PKCS#12 / key password from environment variable VAR "
                          "(default: ask at a prompt when one is needed)."),
        click.option("--key", "key_file", type=click.Path(dir_okay=False, path_type=Path),
                     help="PEM private key (instead of --p12); needs --cert."),
        click.option("--cert", "cert_file", type=click.Path(dir_okay=False, path_type=Path),
                     help="PEM certificate chain, the e-seal certificate first (with --key, "
                          "or with --pkcs11 when the token holds no certificate)."),
        click.option("--pkcs11", metavar="MODULE.so",
                     help="Seal with a key on a PKCS#11 token (HSM, QSCD, SoftHSM): the "
                          "module's path."),
        click.option("--token", metavar="LABEL", help="With --pkcs11: the token label."),
        click.option("--key-label", metavar="LABEL",
                     help="With --pkcs11: the private key's label."),
        click.option("--pin-env", metavar="VAR",
                     help="Read the PKCS#11 or CSC PIN from environment variable VAR "
                          "(default: ask at a prompt for --pkcs11)."),
        click.option("--csc", metavar="URL",
                     help="Seal at a QTSP over the Cloud Signature Consortium API v2: its "
                          "base URL (https://.../csc/v2)."),
        click.option("--csc-client-id", metavar="ID", help="With --csc: the OAuth 2.0 client."),
        click.option("--csc-secret-env", metavar="VAR",
                     help="With --csc: the environment variable holding the client secret."),
        click.option("--csc-credential", metavar="ID",
                     help="With --csc: the credential (default: the only one listed)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.command("seal")
@click.argument("input_file", metavar="IN.json", type=click.Path(dir_okay=False, path_type=Path))
@key_options
@click.option("--level", type=click.Choice(LEVELS, case_sensitive=False),
              help="JAdES baseline level: B (default), T, LT or LTA (T and up need --tsa; "
                   "LT and LTA fetch OCSP responses or CRLs).")
@click.option("--tsa", metavar="URL",
              help="The RFC 3161 time-stamping authority (baseline T without --level). "
                   "With --level LT/LTA, the certificates' OCSP responders and CRLs are "
                   "asked too: the network is used only with --tsa.")
@click.option("--no-validate", is_flag=True,
              help="Do not check the EDC SHACL shapes before sealing.")
@click.option("--as-is", "as_is", is_flag=True,
              help="Seal the credential's issuer as given, without writing the "
                   "certificate's identity into it.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here (atomically) instead of stdout; the upload's deliveryDetails "
                   "go to OUT.deliveryDetails.json beside it.")
def command(input_file: Path, output: Path | None, level: str | None, tsa: str | None,
            no_validate: bool, as_is: bool, **keys: Any) -> None:
    """Seal IN.json (an EDC, or the EU issuer's upload format) with an e-seal: a JAdES
    envelope (JWS JSON serialization, unencoded payload) at baseline B, T, LT or LTA.

    \b
    edc-issue seal --p12 seal.p12 --password-env SEAL_PW credential.json -o sealed.json
    edc-issue seal --p12 seal.p12 --level LTA --tsa https://tsa.example/ in.json -o out.json
    edc-issue seal --pkcs11 /usr/lib/softhsm/libsofthsm2.so --token edc --key-label seal \\
        --pin-env HSM_PIN credential.json -o sealed.json
    """
    if level is not None and level.upper() != "B" and tsa is None:
        raise click.UsageError(f"--level {level.upper()} needs --tsa URL")
    signer = open_signer(**keys)
    try:
        _seal(signer, input_file, output, level, tsa, no_validate, as_is)
    finally:
        close = getattr(signer, "close", None)
        if callable(close):
            close()


def _seal(signer: Any, input_file: Path, output: Path | None, level: str | None,
          tsa: str | None, no_validate: bool, as_is: bool) -> None:
    from ...edc import seal_edc

    with handle_errors(file=str(input_file)):
        document = read_json_object(input_file)
        sealed = seal_edc(document, signer, level=level, tsa=tsa, validate=not no_validate,
                          apply_certificate=not as_is)
        for warning in sealed.warnings:
            click.echo(f"warning: {input_file}: {warning}", err=True)
        text = json.dumps(sealed.envelope, indent=2, ensure_ascii=False)
        chosen = (level or ("T" if tsa else "B")).upper()
        leaf = signer.certificate_chain[0]
        note = (f"sealed {input_file} with '{describe(leaf)}' ({signer.algorithm}, "
                f"JAdES baseline {chosen})")
        if sealed.report is not None:
            note += f", conforming to {sealed.report.profile}"
        if output is not None:
            atomic_write(output, text + "\n")
            click.echo(f"{note} -> {output}", err=True)
            if sealed.delivery_details is not None:
                path = delivery_details_path(output)
                atomic_write(path, json.dumps(sealed.delivery_details, indent=2,
                                              ensure_ascii=False) + "\n")
                click.echo(f"deliveryDetails -> {path}", err=True)
        else:
            click.echo(text)
            click.echo(note, err=True)
            if sealed.delivery_details is not None:
                click.echo(f"warning: {input_file}: the upload's deliveryDetails are not "
                           "written (give -o to write them beside the sealed file)", err=True)
