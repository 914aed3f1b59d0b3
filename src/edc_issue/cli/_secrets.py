"""Passwords and PINs at the command line: from an environment variable or a prompt.

Never from the command line itself, where they would land in shell history and process
lists, and never printed. ``--password-env VAR`` / ``--pin-env VAR`` name the variable;
without one, a terminal gets a prompt that does not echo. Without a terminal, one line
read from standard input is used (``printf '%s\\n' "$PW" | edc-issue seal ...``); when
there is none either, the command stops with one line and exit status 2.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..errors import KeyMaterialError
from ._common import die

__all__ = ["ask_secret", "secret_from_env", "with_password"]

T = TypeVar("T")

#: the codes of key material that a (right) password would open
_NEEDS_PASSWORD = frozenset({"key.bad_password", "key.password_required"})


def secret_from_env(var: str | None, *, option: str, what: str) -> str | None:
    """The value of the environment variable *var*, or ``None`` when no *var* is given.

    Exits 2 with one line when *var* is given but not set.
    """
    if var is None:
        return None
    value = os.environ.get(var)
    if value is None:
        die(f"{option} {var}: the environment variable {var} is not set "
            f"(it should hold {what})", error="input.usage")
    return value


def _stdin_is_terminal() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def ask_secret(prompt: str, *, option: str) -> str:
    """Ask for a secret: a hidden prompt on a terminal, else one line of standard input.

    Exits 2 with one line naming *option* when neither gives one.
    """
    if _stdin_is_terminal():
        value: str = click.prompt(prompt, hide_input=True, err=True, default="",
                                  show_default=False)
        return value
    try:
        line = sys.stdin.readline() if sys.stdin is not None else ""
    except (OSError, ValueError):
        line = ""
    if not line:
        die(f"{prompt} is needed and there is no terminal to ask for it: "
            f"set {option} VAR to the name of an environment variable that holds it",
            error="key.password_required")
    return str(line).rstrip("\r\n")


def with_password(
    load: Callable[[str | None], T],
    *,
    var: str | None,
    source: str,
    option: str = "--password-env",
) -> T:
    """Call ``load(password)``; when it needs a password and none was given, ask once.

    :param load: reads the key material; raises ``KeyMaterialError`` ``key.bad_password``
        when the password is wrong or missing (or ``key.password_required`` when missing).
    :param var: the environment variable named by *option*, if any.
    :param source: the file the password is for (shown in the prompt and errors).
    """
    password = secret_from_env(var, option=option, what=f"the password of {source}")
    try:
        return load(password)
    except KeyMaterialError as exc:
        if exc.code not in _NEEDS_PASSWORD:
            raise
        if var is not None:
            exc.hint = f"check the password in the environment variable {var}"
            raise
    typed = ask_secret(f"Password for {source}", option=option)
    try:
        return load(typed)
    except KeyMaterialError as exc:
        if exc.code in _NEEDS_PASSWORD:
            exc.hint = "the password typed is wrong"
        raise



def open_key(key_file: os.PathLike[str] | str, password_env: str | None) -> Any:
    """Load a signing key file; an encrypted PEM key's password comes from the environment
    variable *password_env*, else a prompt (see :func:`with_password`)."""
    from ..keys import load_key

    return with_password(
        lambda pw: load_key(key_file, password=None if pw is None else pw.encode()),
        var=password_env, source=os.fspath(key_file))
