"""``edc-issue bake IMAGE CREDENTIAL -o OUT``: bake an Open Badge into a PNG or SVG image."""

from __future__ import annotations

from typing import cast

import click

from ..._io import atomic_write, read_bytes
from ...formats.baking import BakingError, ImageKind, bake, detect_image_kind
from .._common import handle_errors

__all__ = ["command"]


@click.command("bake")
@click.argument("image", type=click.Path(dir_okay=False))
@click.argument("credential", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False),
              help="Where to write the baked image.")
@click.option("--kind", type=click.Choice(["png", "svg"]), default=None,
              help="Image format (default: from the image's first bytes).")
def command(image: str, credential: str, output: str, kind: str | None) -> None:
    """Bake CREDENTIAL (JSON, or a VC-JWT) into IMAGE (PNG or SVG), as OB 3.0 §5.3 says.

    The credential text is embedded exactly as it is in the file; an existing
    baked credential is replaced.
    """
    with handle_errors():  # ReadError names the file itself
        image_bytes = read_bytes(image)
        raw = read_bytes(credential)
    with handle_errors(file=image):
        image_kind = cast(ImageKind, kind) if kind else detect_image_kind(image_bytes)
    with handle_errors(file=credential):
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BakingError("not UTF-8 text; expected a JSON credential or a VC-JWT",
                              code="bake.invalid_credential") from None
    try:
        baked = bake(image_bytes, text, kind=image_kind)
    except BakingError as exc:
        blame = credential if exc.code == "bake.invalid_credential" else image
        with handle_errors(file=blame):
            raise
    with handle_errors():
        atomic_write(output, baked)
    click.echo(f"baked {credential} into {output} ({image_kind}, {len(baked):,} bytes)")
