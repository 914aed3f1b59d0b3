"""The ``edc-issue`` command line.

The library only raises; this package turns :class:`~edc_issue.EdcIssueError`
into one line on stderr and an exit status (0 ok, 1 invalid or unverified,
2 bad input or usage, 3 a bug). Each command lives in ``commands/<name>.py`` and
exposes a click command named ``command``.

Commands are imported only when run: ``edc-issue --version`` and ``--help`` load click
and nothing of the library's dependencies. ``--help`` lists each command with the
summary in :data:`COMMANDS` (a test keeps it equal to the command's own help); a module
in ``commands/`` missing from that table still works (named like its module), at the cost
of being imported for ``--help``, and a test asks for it to be listed.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Iterator, Sequence
from typing import Any

import click

from .._version import __version__
from ._common import run_cli

__all__ = ["COMMANDS", "cli", "main"]

#: Command name → (its module in ``commands/``, the first paragraph of its help: what
#: ``--help`` shows, shortened).
COMMANDS: dict[str, tuple[str, str]] = {
    "bake": ("bake", "Bake CREDENTIAL (JSON, or a VC-JWT) into IMAGE (PNG or SVG), as OB 3.0 "
                     "§5.3 says."),
    "canon": ("canon", "Print the RDFC-1.0 canonical N-Quads of FILE (JSON-LD, a JAdES envelope "
                       "or N-Quads)."),
    "extend": ("extend", "Extend SEALED.json to JAdES baseline --level (T, LT or LTA)."),
    "issue": ("issue", "Issue one credential per row of --data, filled into --template, signed "
                       "or sealed."),
    "keygen": ("keygen", "Generate a key pair and write it to -o KEY.json."),
    "present": ("present", "Present each CRED (a signed credential: JSON, or a VC-JWT) in one "
                           "presentation, signed with --key over --challenge (and --domain)."),
    "render": ("render", "Render FILE (an EDC, sealed or not, or an Open Badge: JSON, VC-JWT, "
                         "baked PNG/SVG)."),
    "seal": ("seal", "Seal IN.json (an EDC, or the EU issuer's upload format) with an e-seal: a "
                     "JAdES envelope (JWS JSON serialization, unencoded payload) at baseline B, "
                     "T, LT or LTA."),
    "serve": ("serve", "Serve the issuing API over HTTP."),
    "seal-cert": ("seal_cert", "Write a TEST-ONLY CA and e-seal certificate into OUT (nobody "
                               "trusts them)."),
    "sign": ("sign", "Sign IN.json with --key and print (or write to -o) the signed credential."),
    "status": ("status", "Bitstring Status Lists: create, revoke, suspend, show."),
    "template": ("template", "Credential templates for `edc-issue issue`."),
    "unbake": ("unbake", "Print (or write to OUT) the credential baked into IMAGE, exactly as "
                         "it was baked."),
    "validate": ("validate", "Validate each FILE: SHACL for EDC, JSON Schema for Open Badges "
                             "3.0, VC Data Model rules."),
    "verify": ("verify", "Verify each FILE: Data Integrity proofs, a VC-JWT, a JAdES e-seal or "
                         "a baked badge."),
}
_PACKAGE = f"{__name__}.commands"


def _command_modules() -> list[str]:
    """The command modules present (a directory listing; nothing is imported)."""
    from . import commands

    return sorted(m.name for m in pkgutil.iter_modules(commands.__path__)
                  if not m.name.startswith("_"))


def _unlisted() -> dict[str, str]:
    """Command name → module, for the modules :data:`COMMANDS` does not list (a command
    named like its module, ``_`` written ``-``)."""
    listed = {module for module, _ in COMMANDS.values()}
    return {m.replace("_", "-"): m for m in _command_modules() if m not in listed}


class _LazyCommands(dict[str, click.Command]):
    """``Group.commands`` whose entries are imported when first looked up.

    Names (iteration, ``in``, ``len``) come from :data:`COMMANDS` and the modules of
    ``commands/`` without importing them; ``get``, ``[]``, ``values`` and ``items``
    import what they return.
    """

    def _names(self) -> list[str]:
        return sorted({*COMMANDS, *_unlisted(), *dict.keys(self)})

    def _load(self, name: str) -> click.Command | None:
        if dict.__contains__(self, name):
            return dict.__getitem__(self, name)
        module_name = COMMANDS[name][0] if name in COMMANDS else _unlisted().get(name)
        if module_name is None:
            return None
        module = importlib.import_module(f"{_PACKAGE}.{module_name}")
        command = getattr(module, "command", None)
        if not isinstance(command, click.Command):
            return None
        dict.__setitem__(self, name, command)
        return command

    def loaded(self, name: str) -> bool:
        """Whether the command *name* was imported already."""
        return dict.__contains__(self, name)

    def get(self, name: str, default: click.Command | None = None  # type: ignore[override]
            ) -> click.Command | None:
        command = self._load(name)
        return default if command is None else command

    def __getitem__(self, name: str) -> click.Command:
        command = self._load(name)
        if command is None:
            raise KeyError(name)
        return command

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._names()

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    def keys(self) -> list[str]:  # type: ignore[override]
        return self._names()

    def values(self) -> list[click.Command]:  # type: ignore[override]
        return [c for c in (self._load(n) for n in self._names()) if c is not None]

    def items(self) -> list[tuple[str, click.Command]]:  # type: ignore[override]
        return [(n, c) for n in self._names() if (c := self._load(n)) is not None]


class _LazyGroup(click.Group):
    """A group whose commands are imported when one is run or looked up."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _LazyCommands()

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands with their summaries, importing only those not in COMMANDS."""
        commands = self.commands
        assert isinstance(commands, _LazyCommands)
        names = list(commands)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows: list[tuple[str, str]] = []
        for name in names:
            if name in COMMANDS and not commands.loaded(name):
                # shortened as click shortens a command's own help
                summary = COMMANDS[name][1]
                rows.append((name, click.Command(name, help=summary).get_short_help_str(limit)))
                continue
            command = commands.get(name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=_LazyGroup,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="edc-issue")
@click.option("--debug", is_flag=True, help="Show a Python traceback on errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Issue, sign, seal, validate and verify European Digital Credentials and Open Badges 3.0."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with *argv* (default ``sys.argv[1:]``) and return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    return run_cli(cli, args)
