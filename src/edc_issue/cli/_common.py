"""Shared plumbing of the CLI: error handling, exit codes, output."""

from __future__ import annotations

import json
import re
import sys
import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, NoReturn

import click

from ..errors import EdcIssueError, InputError
from ._hints import for_cli

__all__ = [
    "EXIT_BUG",
    "EXIT_FAILED",
    "EXIT_INPUT",
    "EXIT_OK",
    "INTERNAL",
    "USAGE",
    "die",
    "echo_json",
    "handle_errors",
    "run_cli",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INPUT = 2
EXIT_BUG = 3


def _debug_enabled() -> bool:
    ctx = click.get_current_context(silent=True)
    while ctx is not None:
        if isinstance(ctx.obj, dict) and ctx.obj.get("debug"):
            return True
        ctx = ctx.parent
    return "--debug" in sys.argv


_OWN_CODE = re.compile(r"\[[a-z0-9]+\.[a-z0-9_]+\]$")


def error_line(exc: BaseException, *, file: str | None = None, hint: str | None = None) -> str:
    """Format one error as the single line the CLI prints: ``error: FILE: PATH: message [code]``.

    Parameters the library names become the flags that set them; *hint* replaces the
    error's own hint.
    """
    if isinstance(exc, EdcIssueError):
        text = exc.message
        if exc.pointer:
            text = f"{exc.pointer}: {text}"
        if hint or exc.hint:
            text = f"{text} ({hint or exc.hint})"
        if file and not (exc.pointer or "").startswith(file):
            text = f"{file}: {text}"
        return f"error: {for_cli(text)} [{exc.code}]"
    return f"error: {file + ': ' if file else ''}{exc} [{INTERNAL}]"


#: the code of a line that reports a bug (exit 3), not bad input
INTERNAL = "error"
#: a command line that click cannot parse: an unknown option, a missing argument...
USAGE = "input.usage"


def die(message: str, code: int = EXIT_INPUT, *, error: str = "input.invalid") -> NoReturn:
    """Print ``error: message [error]`` to stderr and exit with *code*.

    :param error: the line's stable code (``area.reason``, listed in docs/errors.md).
    """
    click.echo(f"error: {message} [{error}]", err=True)
    raise SystemExit(code)


@contextmanager
def handle_errors(*, file: str | None = None,
                  input_codes: Mapping[str, str | None] | None = None) -> Iterator[None]:
    """Turn library errors into one line on stderr and the contract's exit status.

    ``InputError`` exits 2; other ``EdcIssueError`` exit 1; anything else is a
    bug (exit 3), with a traceback only under ``--debug``.

    :param input_codes: codes of errors that are this command's input problems (exit 2)
        though their class is not an ``InputError`` (a status index out of range), each
        with the hint to print instead of the library's (or None to keep it).
    """
    try:
        yield
    except (SystemExit, click.exceptions.Exit, click.ClickException, click.Abort):
        raise
    except EdcIssueError as exc:
        if _debug_enabled():
            traceback.print_exc()
        codes = input_codes or {}
        click.echo(error_line(exc, file=file, hint=codes.get(exc.code)), err=True)
        for path, message in exc.problems[1:]:
            # a problem that carries its own code (DataModelError's) keeps it
            tail = "" if _OWN_CODE.search(message) else f" [{exc.code}]"
            click.echo(f"error: {file + ': ' if file else ''}{path}: {message}{tail}",
                       err=True)
        is_input = isinstance(exc, InputError) or exc.code in codes
        raise SystemExit(EXIT_INPUT if is_input else EXIT_FAILED) from None
    except KeyboardInterrupt:
        click.echo("error: interrupted [input.aborted]", err=True)
        raise SystemExit(130) from None
    except Exception as exc:  # a bug: say so, briefly
        if _debug_enabled():
            traceback.print_exc()
        click.echo(
            f"error: internal error ({type(exc).__name__}: {exc}); "
            f"run with --debug for a traceback and please report it [{INTERNAL}]",
            err=True,
        )
        raise SystemExit(EXIT_BUG) from None


def write_document(document: Any, output: Any) -> None:
    """Write a signed document (a JSON object, or JWT text) to the file *output*
    (atomically), or to standard output when *output* is None."""
    from .._io import atomic_write

    text = document if isinstance(document, str) else json.dumps(document, indent=2,
                                                                 ensure_ascii=False)
    if output is not None:
        atomic_write(output, text + "\n")
    else:
        click.echo(text)


def echo_json(value: Any) -> None:
    """Print *value* as one JSON document on stdout."""
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def run_cli(group: click.Group, args: list[str]) -> int:
    """Run *group* on *args* and return the exit status, without a traceback."""
    try:
        with handle_errors():
            group.main(args=args, prog_name="edc-issue", standalone_mode=False)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else EXIT_INPUT)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.UsageError as exc:
        # one line, like every other error; the usage text is one --help away
        command = exc.ctx.command_path if exc.ctx is not None else "edc-issue"
        click.echo(f"error: {_one_line(exc.format_message())} (see '{command} --help') "
                   f"[{USAGE}]", err=True)
        return EXIT_INPUT
    except click.ClickException as exc:
        click.echo(f"error: {_one_line(exc.format_message())} [{USAGE}]", err=True)
        return exc.exit_code
    except click.Abort:
        click.echo("error: aborted [input.aborted]", err=True)
        return EXIT_FAILED
    return EXIT_OK
