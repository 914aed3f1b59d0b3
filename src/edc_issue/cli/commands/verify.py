"""``edc-issue verify``: check every proof, JWT or seal in each file, and the dates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ... import Verifier
from ..._io import read_bytes, read_json_object
from ...errors import EdcIssueError, InputError
from ...formats.detect import load_document
from ...results import Check, VerificationResult
from .._common import EXIT_FAILED, EXIT_INPUT, EXIT_OK, echo_json, error_line, handle_errors
from .._hints import for_cli

_MARK = {"error": "FAIL", "warning": "WARN", "info": "info"}


def _read_document(path: Path) -> Any:
    return load_document(read_bytes(path), source=str(path))


@click.command("verify")
@click.argument("files", metavar="FILE...", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--trust", type=click.Path(dir_okay=False, path_type=Path), multiple=True,
              help="A trusted certificate (PEM) for sealed documents; repeatable.")
@click.option("--controller", "controllers", type=click.Path(dir_okay=False, path_type=Path),
              multiple=True,
              help="A controller or DID document (did.json) you trust; repeatable.")
@click.option("--allow-network", is_flag=True,
              help="Fetch did:web and https controller documents (off by default).")
@click.option("--require-key-binding", is_flag=True,
              help="Fail, instead of warn, when a key's binding to the issuer is unconfirmed.")
@click.option("--challenge", help="The challenge a presentation's proof must carry (a "
              "presentation verified without one fails: it could be replayed).")
@click.option("--domain", help="The domain a presentation's proof must name.")
@click.option("--status-list", "status_lists", metavar="[URL=]FILE", multiple=True,
              help="A status list credential to check credentialStatus against (matched by "
              "its id, or by URL in the URL=FILE form); repeatable.")
def command(files: tuple[Path, ...], fmt: str, trust: tuple[Path, ...],
            controllers: tuple[Path, ...], allow_network: bool,
            require_key_binding: bool, challenge: str | None, domain: str | None,
            status_lists: tuple[str, ...]) -> None:
    """Verify each FILE: Data Integrity proofs, a VC-JWT, a JAdES e-seal or a baked badge.

    A presentation (JSON-LD, or a VP-JWT) is checked with --challenge and --domain, and
    every credential inside it too.

    A sealed EDC is checked by name: FORMAT, SEAL (signature, certificate, chain to
    --trust anchors, timestamps), EXPIRY and REVOCATION (embedded data only).
    A credentialStatus entry is checked against the --status-list files given
    (fetched only with --allow-network).

    Exit status: 0 all verified, 1 some file failed, 2 some file could not be read.
    Warnings (say, a key binding that could not be confirmed offline) are listed but
    do not fail a file unless --require-key-binding.
    """
    with handle_errors():
        controller_docs = [read_json_object(p) for p in controllers]
        anchors = [read_bytes(p) for p in trust]
        lists = _read_status_lists(status_lists)
        # one verifier for every file: trust anchors and status lists are read once
        verifier = Verifier(trust=anchors, controllers=controller_docs,
                            allow_network=allow_network,
                            require_key_binding=require_key_binding, status_lists=lists,
                            challenge=challenge, domain=domain)
    results: list[dict[str, Any]] = []
    status = EXIT_OK
    for path in files:
        try:
            document = _read_document(path)
            result = verifier.verify(document)
        except EdcIssueError as exc:
            click.echo(error_line(exc, file=str(path)), err=True)
            status = EXIT_INPUT if isinstance(exc, InputError) or status == EXIT_INPUT \
                else EXIT_FAILED
            result = VerificationResult()
            result.add(Check("read", False, str(exc), code=exc.code))
        result.file = str(path)
        if not result.ok and status == EXIT_OK:
            status = EXIT_FAILED
        entry = result.to_json()
        for check in entry["checks"]:
            check["message"] = for_cli(check["message"])
        results.append(entry)
        if fmt == "text":
            _print_text(result)
    if fmt == "json":
        echo_json({"results": results})
    raise SystemExit(status)


def _read_status_lists(values: tuple[str, ...]) -> list[Any] | dict[str, Any] | None:
    """Read ``FILE`` or ``URL=FILE`` values: a list of lists, or a URL mapping."""
    if not values:
        return None
    mapped = [v.partition("=") for v in values if v.startswith(("https://", "http://"))
              and "=" in v]
    if mapped and len(mapped) != len(values):
        raise click.UsageError("--status-list: use either FILE for every list or URL=FILE "
                               "for every list, not both")
    if mapped:
        return {url: _read_document(Path(path)) for url, _sep, path in mapped}
    return [_read_document(Path(v)) for v in values]


def _print_text(result: VerificationResult) -> None:
    warnings = len(result.warnings)
    if result.ok:
        verdict = "verified" + (f", with {warnings} warning(s)" if warnings else "")
    else:
        verdict = "NOT verified"
    click.echo(f"{result.file}: {verdict}")
    for check in result.checks:
        mark = "ok" if check.ok else _MARK.get(check.severity, "FAIL")
        click.echo(f"  {mark:<4}  {check.check}: {for_cli(check.message)}")
