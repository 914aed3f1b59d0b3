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

from ..._api import sign
from ..._io import read_json_object
from ..._types import JsonObject
from ...errors import InputError
from ...keys import Key, load_key
from ...status import (
    MIN_BITSTRING_LENGTH,
    FileStatusListStore,
    StatusList,
    parse_status_list_credential,
)
from .._common import die, echo_json, handle_errors

_LIST_SUITES = ["eddsa-rdfc-2022", "ecdsa-rdfc-2019"]


def _signer(key: Key, suite: str | None) -> Any:
    def sign_list(credential: JsonObject) -> JsonObject:
        signed = sign(credential, key, suite=suite)
        if not isinstance(signed, dict):  # pragma: no cover - DI suites return objects
            raise InputError("a status list must be signed with a Data Integrity suite",
                             code="status.bad_suite")
        return signed

    return sign_list


def _indexes_from(list_id: str, credential_files: tuple[Path, ...]) -> list[int]:
    from ...formats.envelopes import unwrap_credential

    found: list[int] = []
    for path in credential_files:
        with handle_errors(file=str(path)):
            credential, _kind = unwrap_credential(read_json_object(path), source=str(path))
            status = credential.get("credentialStatus")
            entries = status if isinstance(status, list) else [status]
            mine = [e for e in entries if isinstance(e, dict)
                    and e.get("statusListCredential") == list_id]
            if not mine:
                die(f"{path}: credentialStatus names no entry in the list {list_id}")
            for entry in mine:
                try:
                    found.append(int(str(entry.get("statusListIndex"))))
                except (TypeError, ValueError):
                    die(f"{path}: credentialStatus.statusListIndex is not an integer")
    return found


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
        die(f"{key_file}: the key has no controller to name as the list's issuer")
    if size < MIN_BITSTRING_LENGTH:
        die(f"--size {size}: a status list needs at least {MIN_BITSTRING_LENGTH:,} entries "
            "so that one credential hides among many [status.too_small]")
    store = FileStatusListStore(out_file)
    if out_file.exists() or store.record_path.exists():
        die(f"{out_file}: the list (or its allocation record) already exists; refusing to "
            "replace it, or old indexes could be handed out again")
    chosen_id = list_id or f"urn:uuid:{uuid.uuid4()}"
    with handle_errors(file=str(out_file)):
        StatusList.create(store, list_id=chosen_id, issuer=key.controller,
                          sign=_signer(key, suite), purpose=purpose, size=size)
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
    with handle_errors(file=str(list_file)):
        status_list = StatusList(store)
        wanted = list(indexes) + _indexes_from(status_list.list_id, credential_files)
        if not wanted:
            raise click.UsageError("give the INDEX(es) to change, or --credential FILE")
        outside = [i for i in wanted if not 0 <= i < status_list.size]
        if outside:
            die(f"{list_file}: index {outside[0]} is outside the list (0 to "
                f"{status_list.size - 1}) [status.index_out_of_range]")
        record = store.load_record()
        never = [i for i in wanted if record is not None and not record.allocated[i]]
        if never and not force:
            die(f"{list_file}: index(es) {', '.join(map(str, never))} were never given to a "
                "credential (a typo?); pass --force to change them anyway")
        signer = _signer(key, None)
        if action == "revoke":
            status_list.revoke(wanted, sign=signer)
        elif action == "suspend":
            status_list.suspend(wanted, sign=signer)
        else:
            status_list.reinstate(wanted, sign=signer)
    past = {"revoke": "revoked", "suspend": "suspended", "unsuspend": "reinstated"}[action]
    click.echo(f"{past} {', '.join(map(str, wanted))} in {status_list.list_id}; re-signed "
               f"{list_file} (publish it again)", err=True)


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
    with handle_errors(file=str(list_file)):
        parsed = parse_status_list_credential(read_json_object(list_file), source=str(list_file))
        record = store.load_record()
        outside = [i for i in indexes if i >= parsed.bits.length]
        if outside:
            die(f"{list_file}: index {outside[0]} is outside the list (0 to "
                f"{parsed.bits.length - 1}) [status.index_out_of_range]")
    set_indexes = parsed.bits.set_indexes()
    info: dict[str, Any] = {
        "id": parsed.id,
        "purpose": list(parsed.purposes),
        "size": parsed.bits.length,
        "allocated": record.count if record is not None else None,
        "set": len(set_indexes),
        "statuses": {str(i): parsed.bits[i] for i in indexes},
    }
    if fmt == "json":
        echo_json(info)
        return
    allocated = "unknown (no allocation record)" if record is None else f"{record.count:,}"
    click.echo(f"{parsed.id}: {', '.join(parsed.purposes)} list of {parsed.bits.length:,} "
               f"entries; {allocated} given out; {len(set_indexes):,} set")
    for index in indexes:
        click.echo(f"{index}: {'set' if parsed.bits[index] else 'not set'}")
