"""``edc-issue canon``: RDFC-1.0 canonical N-Quads of a JSON-LD document or an N-Quads file."""

from __future__ import annotations

from pathlib import Path

import click

from ..._io import atomic_write, parse_json_text, read_bytes
from ...errors import ReadError
from ...formats.envelopes import unwrap_credential
from ...jsonld import OfflineLoader, canonicalize_nquads, default_loader, to_nquads
from .._common import handle_errors

_NQUADS_SUFFIXES = (".nq", ".nquads", ".nt")


@click.command("canon")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--hash", "hash_algorithm", type=click.Choice(["sha256", "sha384"]),
              default="sha256", show_default=True,
              help="Hash used inside RDFC-1.0 (sha384 for ecdsa-rdfc-2019 with P-384).")
@click.option("--lenient", is_flag=True,
              help="Drop terms no context defines, as jsonld.js does, instead of refusing them.")
@click.option("--allow-network", is_flag=True,
              help="Fetch contexts that are not bundled (off by default).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (atomically) instead of stdout.")
def command(file: Path, hash_algorithm: str, lenient: bool, allow_network: bool,
            output: Path | None) -> None:
    """Print the RDFC-1.0 canonical N-Quads of FILE (JSON-LD, a JAdES envelope or N-Quads).

    Contexts come from the bundled, pinned set; an unknown context is an error
    naming its URL unless --allow-network is given. Strict by default: a term
    that no context defines is an error naming its JSON path.
    """
    with handle_errors(file=str(file)):
        raw = read_bytes(file)
        if file.suffix.lower() in _NQUADS_SUFFIXES:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise ReadError("not UTF-8 text; expected N-Quads", code="io.unreadable") from None
            result = canonicalize_nquads(text, hash_algorithm=hash_algorithm)
        else:
            document, _kind = unwrap_credential(parse_json_text(raw, source=str(file)))
            loader = OfflineLoader(allow_network=True) if allow_network else default_loader()
            nquads = to_nquads(document, strict=not lenient, loader=loader)
            result = canonicalize_nquads(nquads, hash_algorithm=hash_algorithm)
        if output is not None:
            atomic_write(output, result)
        else:
            click.echo(result, nl=False)
