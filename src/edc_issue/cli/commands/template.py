"""``edc-issue template init``: a starter credential template and a sample spreadsheet.

The files work together as they are: ``edc-issue issue`` accepts them unchanged.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import click

from ... import edc
from ..._io import atomic_write
from .._common import die, handle_errors

#: For each kind: the files written (name in the package, name in DIR), and the command.
_STARTERS: dict[str, tuple[tuple[tuple[str, str], ...], str]] = {
    "edc": (
        (("edc-microcredential.json", "edc-microcredential.json"),
         ("edc-learners.csv", "learners.csv")),
        "edc-issue issue --template {d}/edc-microcredential.json --data {d}/learners.csv "
        "--p12 SEAL.p12 --password-env SEAL_PASSWORD -o {d}/out",
    ),
    "ob3": (
        (("ob3-badge.json", "ob3-badge.json"), ("ob3-learners.csv", "learners.csv"),
         ("ob3-badge.png", "badge.png")),
        "edc-issue issue --template {d}/ob3-badge.json --data {d}/learners.csv "
        "--key KEY.json --bake {d}/badge.png -o {d}/out",
    ),
}


def _starter_bytes(name: str) -> bytes:
    data = resources.files("edc_issue").joinpath("templates").joinpath(name).read_bytes()
    if name == "edc-microcredential.json":
        # a rendered page per display language (with edc-issue[render]), not a blank image
        document = edc.with_display_images(json.loads(data), cover=True)
        data = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    return data


@click.group("template")
def command() -> None:
    """Credential templates for `edc-issue issue`."""


@command.command("init")
@click.option("--edc", is_flag=True,
              help="A European Digital Credential (micro-credential), to seal with --p12.")
@click.option("--ob3", is_flag=True,
              help="An Open Badges 3.0 badge, to sign with --key (and bake).")
@click.option("-o", "--output", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="The folder to write the template and sample spreadsheet into.")
@click.option("--force", is_flag=True, help="Replace files that already exist.")
def init(edc: bool, ob3: bool, out_dir: Path, force: bool) -> None:
    """Write a starter template (DIR/*.json) and a one-row sample spreadsheet (DIR/*.csv).

    Placeholders such as {{given_name}} or {{completion_date|datetime}} name the
    spreadsheet's columns; edit both to fit your course.
    """
    if edc == ob3:
        raise click.UsageError("choose one of --edc or --ob3" if not edc
                               else "choose --edc or --ob3, not both (one kind per folder)")
    kind = "edc" if edc else "ob3"
    files, next_step = _STARTERS[kind]
    targets = [(source, out_dir / name) for source, name in files]
    existing = [str(t) for _, t in targets if t.exists()]
    if existing and not force:
        die(f"{', '.join(existing)} already exist(s); pass --force to replace",
            error="io.exists")
    with handle_errors(file=str(out_dir)):
        for source, target in targets:
            atomic_write(target, _starter_bytes(source))
            click.echo(f"wrote {target}", err=True)
    click.echo("next: " + next_step.format(d=out_dir), err=True)
