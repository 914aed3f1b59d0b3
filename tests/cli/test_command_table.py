"""The command line loads its commands lazily: --version and --help import none of them,
and the summaries --help shows are each command's own."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from edc_issue.cli import COMMANDS, cli
from edc_issue.cli import _command_modules as command_modules


def test_every_command_module_is_in_the_table() -> None:
    listed = {module for module, _ in COMMANDS.values()}
    assert listed == set(command_modules()), "add the command to cli.COMMANDS"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_summary_is_the_commands_own(name: str) -> None:
    command = cli.commands[name]
    assert isinstance(command, click.Command) and command.name == name
    for limit in (30, 45, 60, 80, 120):
        listed = click.Command(name, help=COMMANDS[name][1]).get_short_help_str(limit)
        assert listed == command.get_short_help_str(limit), (name, limit)


@pytest.mark.parametrize("args", [["--version"], ["--help"]])
def test_version_and_help_import_no_command(args: list[str]) -> None:
    code = (f"import sys; from edc_issue.cli import main; status = main({args!r}); "
            "heavy = ('edc_issue.cli.commands.verify', 'edc_issue.keys', 'pydantic', 'pyld', "
            "'rdflib', 'cryptography', 'jsonschema'); "
            "print(status, sorted(m for m in heavy if m in sys.modules), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stderr.strip().splitlines()[-1] == "0 []", done.stderr
    if args == ["--help"]:
        assert all(name in done.stdout for name in COMMANDS)
