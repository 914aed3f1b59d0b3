"""The ``edc-issue`` command line.

The library only raises; this package turns :class:`~edc_issue.EdcIssueError`
into one line on stderr and an exit status (0 ok, 1 invalid or unverified,
2 bad input or usage, 3 a bug). Each command lives in ``commands/<name>.py``
and exposes a click command named ``command``; they are found at start-up.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Sequence

import click

from .._version import __version__
from . import commands as _commands_pkg
from ._common import run_cli

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="edc-issue")
@click.option("--debug", is_flag=True, help="Show a Python traceback on errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Issue, sign, seal, validate and verify European Digital Credentials and Open Badges 3.0."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def _register_commands() -> None:
    for info in sorted(pkgutil.iter_modules(_commands_pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{_commands_pkg.__name__}.{info.name}")
        command = getattr(module, "command", None)
        if isinstance(command, click.Command):
            cli.add_command(command)


_register_commands()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with *argv* (default ``sys.argv[1:]``) and return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    return run_cli(cli, args)
