"""``edc-issue status``: Bitstring Status Lists: create one, revoke, suspend, show.

A list is a signed ``BitstringStatusListCredential`` (``LIST.json``) with its allocation
record beside it (``LIST.allocations.json``): keep both, and publish ``LIST.json`` at
its id URL. ``edc-issue issue --status-list LIST.json`` hands out indexes from it.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import click

from ..._io import read_bytes, read_json_object
from ...formats.detect import load_document
from ...keys import load_key
from ...status import (
    MIN_BITSTRING_LENGTH,
    FileStatusListStore,
    StatusList,
    parse_status_list_credential,
)
from .._common import die, echo_json, handle_errors

_LIST_SUITES = ["eddsa-rdfc-2022", "ecdsa-rdfc-2019"]
#: Status errors that are the caller's input (exit 2), and how to fix them here.
_INPUT_CODES = {
    "status.too_small": f"use --size {MIN_BITSTRING_LENGTH} or more (herd privacy)",
    "status.index_out_of_range": None,
    "status.not_allocated": "pass --force to change them anyway",
    "status.not_in_list": None,
    "status.malformed_entry": None,
    "status.list_exists": "choose another output file, or revoke in the existing list",
    "status.wrong_key": "pass --key with the key the list was created with, the one its "
                        "proof names",
}


@click.group("status")
def command() -> None:
    """Bitstring Status Lists: create, revoke, suspend, show."""


@command.command("create")
@click.option("--purpose", type=click.Choice(["revocation", "suspension"]), required=True,
              help="What a set bit means.")
@click.option("--size", type=click.IntRange(min=1), default=MIN_BITSTRING_LENGTH,
              show_default=True, help=f"Number of entries (at least {MIN_BITSTRING_LENGTH:,}).")
@click.option("--key", "key_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The issuer's key file; the list is signed with it.")
@click.option("--id", "list_id", metavar="URL",
              help="The URL the list will be published at (default: a urn:uuid).")
@click.option("--suite", type=click.Choice(_LIST_SUITES), help="Default from the key type.")
@click.option("-o", "--output", "out_file", required=True,
              type=click.Path(dir_okay=False, path_type=Path), help="The list file to write.")
def create(purpose: str, size: int, key_file: Path, list_id: str | None, suite: str | None,
           out_file: Path) -> None:
    """Create and sign a new, empty status list (and its allocation record)."""
    with handle_errors(file=str(key_file)):
        key = load_key(key_file)
    if not key.controller:
        die(f"{key_file}: the key has no controller to name as the list's issuer",
            error="key.malformed")
    store = FileStatusListStore(out_file)
    if out_file.exists() or store.record_path.exists():
        die(f"{out_file}: the list (or its allocation record) already exists; refusing to "
            "replace it, or old indexes could be handed out again", error="io.exists")
    chosen_id = list_id or f"urn:uuid:{uuid.uuid4()}"
    with handle_errors(file=str(out_file), input_codes=_INPUT_CODES):
        StatusList.create(store, list_id=chosen_id, issuer=key.controller, sign=key,
                          suite=suite, purpose=purpose, size=size)
    click.echo(f"created {purpose} list {chosen_id} with {size:,} entries -> {out_file} "
               f"(allocation record: {store.record_path})", err=True)
    if list_id is None:
        click.echo("note: the list's id is a urn:uuid; pass --id URL to name where you will "
                   "publish it, so verifiers can fetch it", err=True)


def _change(list_file: Path, key_file: Path, indexes: tuple[int, ...],
            credential_files: tuple[Path, ...], action: str, force: bool) -> None:
    with handle_errors(file=str(key_file)):
        key = load_key(key_file)
    store = FileStatusListStore(list_file)
    with handle_errors(file=str(list_file), input_codes=_INPUT_CODES):
        status_list = StatusList(store)
    wanted = list(indexes)
    for path in credential_files:
        with handle_errors(file=str(path), input_codes=_INPUT_CODES):
            # JSON, a JAdES envelope, a VC-JWT or a baked PNG/SVG badge
            document = load_document(read_bytes(path), source=str(path))
            wanted += status_list.indexes_of(document)
    if not wanted:
        raise click.UsageError("give the INDEX(es) to change, or --credential FILE")
    wanted = list(dict.fromkeys(wanted))
    change = {"revoke": status_list.revoke, "suspend": status_list.suspend,
              "unsuspend": status_list.reinstate}[action]
    target = 0 if action == "unsuspend" else 1
    with handle_errors(file=str(list_file), input_codes=_INPUT_CODES):
        bits = parse_status_list_credential(store.load_credential(), source=str(list_file)).bits
        already = [i for i in wanted if i < bits.length and bits[i] == target]
        change(wanted, sign=key, only_allocated=not force)
    past = {"revoke": "revoked", "suspend": "suspended", "unsuspend": "reinstated"}[action]
    if already:
        state = "not suspended" if action == "unsuspend" else past
        click.echo(f"already {state}: {', '.join(map(str, already))} (left as it is)",
                   err=True)
    changed = [i for i in wanted if i not in already]
    if changed:
        click.echo(f"{past} {', '.join(map(str, changed))} in {status_list.list_id}; "
                   f"re-signed {list_file} (publish it again)", err=True)
    else:
        click.echo(f"{list_file} is unchanged", err=True)


_INDEXES = click.argument("indexes", metavar="INDEX...", nargs=-1, type=click.IntRange(min=0))
_LIST = click.argument("list_file", metavar="LIST.json",
                       type=click.Path(dir_okay=False, path_type=Path))
_KEY = click.option("--key", "key_file", required=True,
                    type=click.Path(dir_okay=False, path_type=Path),
                    help="The key that signed the list; it is re-signed.")
_CREDENTIAL = click.option("--credential", "credential_files", multiple=True,
                           type=click.Path(dir_okay=False, path_type=Path),
                           help="Take the index from this credential's credentialStatus.")
_FORCE = click.option("--force", is_flag=True, help="Also change indexes never handed out.")


@command.command("revoke")
@_LIST
@_KEY
@_INDEXES
@_CREDENTIAL
@_FORCE
def revoke(list_file: Path, key_file: Path, indexes: tuple[int, ...],
           credential_files: tuple[Path, ...], force: bool) -> None:
    """Revoke credentials: set their bits in LIST.json and re-sign it (cannot be undone)."""
    _change(list_file, key_file, indexes, credential_files, "revoke", force)


@command.command("suspend")
@_LIST
@_KEY
@_INDEXES
@_CREDENTIAL
@_FORCE
def suspend(list_file: Path, key_file: Path, indexes: tuple[int, ...],
            credential_files: tuple[Path, ...], force: bool) -> None:
    """Suspend credentials in a suspension list and re-sign it."""
    _change(list_file, key_file, indexes, credential_files, "suspend", force)


@command.command("unsuspend")
@_LIST
@_KEY
@_INDEXES
@_CREDENTIAL
@_FORCE
def unsuspend(list_file: Path, key_file: Path, indexes: tuple[int, ...],
              credential_files: tuple[Path, ...], force: bool) -> None:
    """Lift suspensions in a suspension list and re-sign it."""
    _change(list_file, key_file, indexes, credential_files, "unsuspend", force)


@command.command("show")
@_LIST
@click.argument("indexes", metavar="[INDEX]...", nargs=-1, type=click.IntRange(min=0))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def show(list_file: Path, indexes: tuple[int, ...], fmt: str) -> None:
    """Show a list: purpose, size, how many indexes are given out and set; or some statuses."""
    store = FileStatusListStore(list_file)
    with handle_errors(file=str(list_file), input_codes=_INPUT_CODES):
        parsed = parse_status_list_credential(read_json_object(list_file), source=str(list_file))
        record = store.load_record()
        statuses = {str(i): parsed.bits[i] for i in indexes}  # status.index_out_of_range
    set_indexes = parsed.bits.set_indexes()
    info: dict[str, Any] = {
        "id": parsed.id,
        "purpose": list(parsed.purposes),
        "size": parsed.bits.length,
        "allocated": record.count if record is not None else None,
        "set": len(set_indexes),
        "statuses": statuses,
    }
    if fmt == "json":
        echo_json(info)
        return
    allocated = "unknown (no allocation record)" if record is None else f"{record.count:,}"
    click.echo(f"{parsed.id}: {', '.join(parsed.purposes)} list of {parsed.bits.length:,} "
               f"entries; {allocated} given out; {len(set_indexes):,} set")
    for index in indexes:
        click.echo(f"{index}: {'set' if parsed.bits[index] else 'not set'}")
