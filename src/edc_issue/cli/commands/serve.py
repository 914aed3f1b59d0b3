"""``edc-issue serve``: run the HTTP service (VC-API, DCC issuer coordinator, EU sealing API).

The service lives in ``edc_issue.service`` behind the ``[service]`` extra; it is imported
only when this command runs, so the rest of the command line starts fast without it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from .._common import die, handle_errors

_MISSING = ("the service needs its extra: pip install 'edc-issue[service]' "
            "(missing: {name})")


def _service() -> Any:
    try:
        import edc_issue.service as service
        from edc_issue.service import _server, _setup
    except ImportError as exc:
        die(_MISSING.format(name=exc.name or exc), error="config.extra_missing")
    return service, _server, _setup


@click.command("serve")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              help="edc-issue.toml: tenants, keys, seals, clients, database, limits.")
@click.option("--dev", is_flag=True,
              help="Development mode: a TEST e-seal certificate for the default tenant.")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Data folder (default ./edc-issue-data): SQLite database, generated keys.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Server processes (each with its own signing pool).")
@click.option("--database", metavar="URL",
              help="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db "
                   "(default: SQLite in the data folder).")
@click.option("--base-url", metavar="URL",
              help="The public URL clients use (status list ids are under it); "
                   "default http://HOST:PORT.")
@click.option("--hash-secret", is_flag=True,
              help="Read a client secret or password on stdin, print its hash for the "
                   "configuration, and exit.")
@click.option("--hash-token", is_flag=True,
              help="Read a bearer token on stdin, print its sha256 form, and exit.")
def command(config_file: Path | None, dev: bool, data_dir: Path | None, host: str, port: int,
            workers: int, database: str | None, base_url: str | None, hash_secret: bool,
            hash_token: bool) -> None:
    """Serve the issuing API over HTTP.

    \b
    edc-issue serve --dev                       # default tenant, TEST seal, SQLite
    edc-issue serve --config edc-issue.toml --workers 4 --host 0.0.0.0
    printf %s "$SECRET" | edc-issue serve --hash-secret

    It prints the base URL, and with no configuration a bearer token on a line of its
    own starting with "token:".
    """
    service, server, setup = _service()
    if hash_secret or hash_token:
        from edc_issue.service._auth import hash_secret as make_hash
        from edc_issue.service._auth import hash_token as make_token_hash

        secret = sys.stdin.readline().rstrip("\r\n")
        if not secret:
            die("nothing on stdin to hash", error="input.invalid")
        click.echo(make_hash(secret) if hash_secret else make_token_hash(secret))
        return
    with handle_errors(file=str(config_file) if config_file else None):
        if config_file is not None:
            config = service.load_config(config_file)
        else:
            config = service.ServiceConfig()
        updates: dict[str, Any] = {}
        if data_dir is not None:
            updates["data_dir"] = data_dir
        if database is not None:
            updates["database"] = database
        if dev:
            updates["dev"] = True
        if base_url is not None:
            updates["base_url"] = base_url
        elif config.base_url is None:
            shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
            updates["base_url"] = f"http://{shown}:{port}"
        if workers > 1 and "pool_workers" not in config.limits.model_fields_set:
            # each server process gets its share of the cores for its signing pool
            share = max(1, (os.cpu_count() or 1) // workers)
            updates["limits"] = config.limits.model_copy(update={"pool_workers": share})
        config = config.model_copy(update=updates)
        prepared = setup.prepare_default(config)
        config = prepared.config
        click.echo(f"edc-issue serve: {config.base_url} ({len(config.tenants)} tenant(s), "
                   f"database {_safe_url(config.database_url())}, {workers} worker(s))")
        click.echo(f"base URL: {config.base_url}")
        if prepared.token is not None:
            click.echo(f"token: {prepared.token}")
        if prepared.trust_anchor is not None:
            click.echo(f"TEST seal trust anchor (dev only): {prepared.trust_anchor}")
        sys.stdout.flush()
        server.run(config, host=host, port=port, workers=workers)


def _safe_url(url: str) -> str:
    """A database URL without its password."""
    if "://" in url and "@" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in credentials else url
    return url
