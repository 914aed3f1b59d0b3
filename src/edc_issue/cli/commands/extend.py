"""``edc-issue extend``: take a sealed EDC from JAdES baseline B or T to LT or LTA.

The seal is verified first (a seal that does not verify is not extended); then the
signature time-stamp is added if missing, the validation data fetched (the chain's
OCSP responses or CRLs, and the certificates), and for LTA an archive time-stamp over
all of it. Running ``extend --level LTA`` on an LTA seal adds a new archive time-stamp
(renewal, before the last one's TSA certificate expires).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..._io import atomic_write, read_bytes, read_json_object
from .._common import handle_errors


@click.command("extend")
@click.argument("input_file", metavar="SEALED.json",
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--level", required=True, type=click.Choice(["T", "LT", "LTA"],
                                                          case_sensitive=False),
              help="The JAdES baseline level to reach.")
@click.option("--tsa", required=True, metavar="URL",
              help="The RFC 3161 time-stamping authority (the network is used: the TSA, "
                   "and the certificates' OCSP responders and CRL distribution points).")
@click.option("--trust", type=click.Path(dir_okay=False, path_type=Path), multiple=True,
              help="A trusted certificate (PEM): the seal's chain must reach one; "
                   "repeatable.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here (atomically) instead of stdout.")
def command(input_file: Path, level: str, tsa: str, trust: tuple[Path, ...],
            output: Path | None) -> None:
    """Extend SEALED.json to JAdES baseline --level (T, LT or LTA).

    \b
    edc-issue extend sealed.json --level LTA --tsa https://tsa.example/ -o sealed-lta.json
    """
    from cryptography import x509

    from ...errors import KeyMaterialError
    from ...seal import extend, seal_level

    anchors: list[x509.Certificate] = []
    for path in trust:
        with handle_errors(file=str(path)):
            data = read_bytes(path)
            try:
                anchors.extend(x509.load_pem_x509_certificates(data))
            except ValueError as exc:
                raise KeyMaterialError("not a PEM certificate", pointer=str(path),
                                       code="key.malformed") from exc
    with handle_errors(file=str(input_file)):
        envelope = read_json_object(input_file)
        before = seal_level(envelope)
        extended = extend(envelope, level=level.upper(), tsa=tsa, trust=anchors or None)
        text = json.dumps(extended, indent=2, ensure_ascii=False)
        note = f"extended {input_file} from JAdES baseline {before} to {level.upper()}"
        if extended is envelope:
            note = f"{input_file} is already at JAdES baseline {before}: nothing to add"
        if output is not None:
            atomic_write(output, text + "\n")
            click.echo(f"{note} -> {output}", err=True)
        else:
            click.echo(text)
            click.echo(note, err=True)
