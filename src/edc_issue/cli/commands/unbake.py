"""``edc-issue unbake IMAGE [-o OUT]``: extract the Open Badge baked into a PNG or SVG image."""

from __future__ import annotations

import click

from ..._io import atomic_write, read_bytes
from ...formats.baking import unbake, unbake_text
from .._common import handle_errors

__all__ = ["command"]


@click.command("unbake")
@click.argument("image", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False), default=None,
              help="Write the credential here (default: standard output).")
def command(image: str, output: str | None) -> None:
    """Print (or write to OUT) the credential baked into IMAGE, exactly as it was baked.

    The text is a credential's JSON or a compact JWS (VC-JWT); anything else is
    reported as an error (exit 2).
    """
    with handle_errors():  # ReadError names the file itself
        data = read_bytes(image)
    with handle_errors(file=image):
        text = unbake_text(data)
        unbake(data)  # checks that the text is a JSON object or a compact JWS
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    with handle_errors():
        atomic_write(output, text)
