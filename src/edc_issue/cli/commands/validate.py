"""``edc-issue validate``: schema conformance of credential files, for people and for CI."""

from __future__ import annotations

import os
from collections.abc import Iterator

import click

from ...results import ValidationReport
from ...validate import all_profile_names, expand_inputs, parse_profile, validate_files
from ...validate.reports import FORMATS, renderer
from .._common import EXIT_FAILED, EXIT_INPUT, EXIT_OK, handle_errors

_PROFILE_HELP = ("auto (from credentialSchema and type), or one of: "
                 + ", ".join(n for n in all_profile_names() if "@" not in n)
                 + "; add @3.1 for the ELM 3.1 shapes (edc-generic-full@3.1).")


def _fails(report: ValidationReport, fail_on: str) -> bool:
    if not report.ok:
        return True
    return fail_on == "warning" and any(f.severity == "warning" for f in report.findings)


@click.command("validate")
@click.argument("inputs", metavar="FILE...", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text for people, json (the contract's shape), junit for CI dashboards.")
@click.option("--profile", default="auto", show_default=True, metavar="auto|NAME",
              help=_PROFILE_HELP)
@click.option("--fail-on", type=click.Choice(["warning", "error"]), default="error",
              show_default=True, help="The least severe finding that fails a file.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=1, show_default=True,
              help="Validate in N processes (0: one per CPU); output keeps the input order.")
@click.option("--verbose", "-v", is_flag=True, help="Also list info findings (text format).")
def command(inputs: tuple[str, ...], fmt: str, profile: str, fail_on: str, jobs: int,
            verbose: bool) -> None:
    """Validate each FILE: SHACL for EDC, JSON Schema for Open Badges 3.0, VC Data Model rules.

    FILE may be a file, a folder (searched for .json, .jsonld, .jwt, .png and .svg) or a
    glob pattern (quote it: 'credentials/**/*.json'). EDCs may be bare, sealed (JAdES) or
    EU upload payloads; Open Badges may be JSON, VC-JWT or baked PNG/SVG. In an output
    folder of `edc-issue issue`, the batch's own report.json and *.deliveryDetails.json
    are skipped (a note on stderr says so).

    Exit status: 0 every file valid, 1 some file invalid (see --fail-on),
    2 some file could not be read, or a usage error.
    """
    with handle_errors():
        if profile != "auto":
            parse_profile(profile)
    workers = jobs or (os.cpu_count() or 1)
    status = EXIT_OK

    def skipped(path: str) -> None:
        click.echo(f"note: skipped {path}: written by a batch run (edc-issue issue) beside "
                   "its credentials, not a credential", err=True)

    def paths() -> Iterator[str]:
        nonlocal status
        for path, problem in expand_inputs(inputs, on_skip=skipped):
            if problem:
                click.echo(f"error: {path}: {problem} [io.unreadable]", err=True)
                status = EXIT_INPUT
            else:
                yield path

    out = renderer(fmt, verbose=verbose)
    head = out.start()
    if head:
        click.echo(head)
    with handle_errors():
        for report, unreadable in validate_files(paths(), profile=profile, jobs=workers):
            if unreadable:
                finding = report.findings[0]
                click.echo(f"error: {report.file}: {finding.message} [{finding.code}]", err=True)
                status = EXIT_INPUT
            elif _fails(report, fail_on) and status == EXIT_OK:
                status = EXIT_FAILED
            text = out.add(report)
            if text:
                click.echo(text)
    click.echo(out.finish())
    raise SystemExit(status)
