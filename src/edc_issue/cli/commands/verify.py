"""``edc-issue verify``: check every proof, JWT or seal in each file, the dates and statuses.

FILE may be a file, a folder or a glob, as ``validate`` takes them; ``--jobs N`` verifies
in N processes (each builds the same verifier once), the output keeping the input order.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import click

from ... import Verifier
from ..._io import read_bytes, read_json_object
from ...errors import EdcIssueError, InputError
from ...formats.detect import load_document
from ...results import Check, VerificationResult
from .._common import EXIT_FAILED, EXIT_INPUT, EXIT_OK, echo_json, error_line, handle_errors
from .._hints import for_cli

_MARK = {"error": "FAIL", "warning": "WARN", "info": "info"}
#: What a batch run writes beside the credentials: not credentials, skipped in a folder
#: (``batch.report.REPORT_JSON``, ``batch.planner.DELIVERY_SUFFIX``; not imported, so that
#: ``verify`` does not load the batch package: a test pins them).
_BATCH_FILES = frozenset({"report.json"})
_DELIVERY_SUFFIX = ".deliveryDetails.json"


def _read_document(path: Path) -> Any:
    return load_document(read_bytes(path), source=str(path))


@click.command("verify")
@click.argument("inputs", metavar="FILE...", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "junit"]), default="text",
              show_default=True,
              help="text for people, json (the contract's shape), junit for CI dashboards.")
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
@click.option("--require-status", is_flag=True,
              help="Fail, instead of warn, a credential whose status could not be checked "
              "(its list not given, not fetched, or of an unsupported type).")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=1, show_default=True,
              help="Verify in N processes (0: one per CPU); output keeps the input order.")
@click.option("--quiet", "-q", is_flag=True,
              help="Text format: list only the files that do not verify, and the summary.")
def command(inputs: tuple[str, ...], fmt: str, trust: tuple[Path, ...],
            controllers: tuple[Path, ...], allow_network: bool,
            require_key_binding: bool, challenge: str | None, domain: str | None,
            status_lists: tuple[str, ...], require_status: bool, jobs: int,
            quiet: bool) -> None:
    """Verify each FILE: Data Integrity proofs, a VC-JWT, a JAdES e-seal or a baked badge.

    A presentation (JSON-LD, or a VP-JWT) is checked with --challenge and --domain, and
    every credential inside it too.

    FILE may be a file, a folder (searched for .json, .jsonld, .jwt, .png and .svg; a
    batch's report.json and *.deliveryDetails.json are skipped) or a glob pattern (quote
    it: 'out/**/*.json').

    A sealed EDC is checked by name: FORMAT, SEAL (signature, certificate, chain to
    --trust anchors, timestamps), EXPIRY and REVOCATION (embedded data only).
    A credentialStatus entry is checked against the --status-list files given
    (fetched only with --allow-network); a list given that cannot be read is an
    error, and a list that is not the one a credential points to fails it.

    Exit status: 0 all verified, 1 some file failed, 2 some file (or list, or trust
    anchor) could not be read. Warnings (say, a key binding that could not be confirmed
    offline, a status list not given) are listed but do not fail a file unless
    --require-key-binding or --require-status.
    """
    settings = _settings(trust, controllers, allow_network, require_key_binding,
                         status_lists, require_status)
    settings.update(challenge=challenge, domain=domain)
    status = EXIT_OK

    def paths() -> Iterator[str]:
        nonlocal status
        from ...validate import expand_inputs

        for path, problem in expand_inputs(inputs):
            if problem:
                click.echo(f"error: {path}: {problem} [io.unreadable]", err=True)
                status = EXIT_INPUT
            elif path not in inputs and (Path(path).name in _BATCH_FILES
                                         or path.endswith(_DELIVERY_SUFFIX)):
                continue
            else:
                yield path

    out = _Output(fmt, quiet)
    workers = jobs or (os.cpu_count() or 1)
    with handle_errors():
        for path, result, error, unreadable in _verify_all(paths(), settings, workers):
            if error is not None:
                click.echo(error, err=True)
            if unreadable:
                status = EXIT_INPUT
            elif not result.ok and status == EXIT_OK:
                status = EXIT_FAILED
            result.file = path
            out.add(result, unreadable=unreadable)
    out.finish()
    raise SystemExit(status)


# ---- the verifier's settings, read once (and named when they cannot be) -------------------


def _settings(trust: tuple[Path, ...], controllers: tuple[Path, ...], allow_network: bool,
              require_key_binding: bool, status_lists: tuple[str, ...],
              require_status: bool) -> dict[str, Any]:
    """Read every file the verifier needs, naming the one that cannot be read; the
    settings are plain data, so that worker processes can build the same verifier."""
    from ...keys.x509 import load_certificates

    controller_docs = []
    for p in controllers:
        with handle_errors(file=str(p)):
            controller_docs.append(read_json_object(p))
    anchors = []
    for p in trust:
        with handle_errors(file=str(p)):
            raw = read_bytes(p)
            load_certificates([raw])  # key.malformed, named here rather than at first use
            anchors.append(raw)
    settings: dict[str, Any] = {
        "trust": anchors, "controllers": controller_docs, "allow_network": allow_network,
        "require_key_binding": require_key_binding, "require_status": require_status,
        # each read here, so that one that is no status list is named
        "status_lists": _read_status_lists(status_lists),
    }
    return settings


def _read_status_lists(values: tuple[str, ...]) -> list[Any] | dict[str, Any] | None:
    """Read ``FILE`` or ``URL=FILE`` values: a list of lists, or a URL mapping."""
    from ...status.check import read_status_list

    if not values:
        return None
    mapped = [v.partition("=") for v in values if v.startswith(("https://", "http://"))
              and "=" in v]
    if mapped and len(mapped) != len(values):
        raise click.UsageError("--status-list: use either FILE for every list or URL=FILE "
                               "for every list, not both")

    def read(path: str) -> Any:
        with handle_errors(file=path):
            return read_status_list(Path(path))[1]

    if mapped:
        return {url: read(path) for url, _sep, path in mapped}
    return [read(v) for v in values]


# ---- verifying, in this process or in a pool ----------------------------------------------

_worker_verifier: Verifier | None = None


def _init_worker(settings: dict[str, Any]) -> None:
    global _worker_verifier
    _worker_verifier = Verifier(**settings)


def _watch_parent() -> None:
    """Exit this worker as soon as its parent is gone (killed, crashed): none outlives it."""
    import multiprocessing

    parent = multiprocessing.parent_process()
    if parent is not None:
        parent.join()  # returns when the parent has exited
        os._exit(1)


def _init_pool_worker(settings: dict[str, Any]) -> None:
    import signal
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    threading.Thread(target=_watch_parent, name="edc-issue-parent-watch", daemon=True).start()
    _init_worker(settings)


#: What verifying one file gives: its path, the result, the error line when it could not
#: be verified at all, and whether that was because it could not be read (exit 2).
_Outcome = tuple[str, VerificationResult, "str | None", bool]


def _verify_path(path: str) -> _Outcome:
    """Verify one file with this process's verifier."""
    assert _worker_verifier is not None
    try:
        return path, _worker_verifier.verify(_read_document(Path(path))), None, False
    except EdcIssueError as exc:
        result = VerificationResult()
        result.add(Check("read", False, for_cli(str(exc)), code=exc.code))
        return path, result, error_line(exc, file=path), isinstance(exc, InputError)


def _verify_all(paths: Iterable[str], settings: dict[str, Any], jobs: int
                ) -> Iterator[_Outcome]:
    if jobs <= 1:
        _init_worker(settings)
        for path in paths:
            yield _verify_path(path)
        return
    from concurrent.futures import ProcessPoolExecutor

    window: deque[Future[_Outcome]] = deque()
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_pool_worker,
                             initargs=(settings,)) as pool:
        for path in paths:
            window.append(pool.submit(_verify_path, path))
            if len(window) >= 4 * jobs:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()


# ---- output -------------------------------------------------------------------------------


class _Output:
    """Text, JSON or JUnit output, and the summary."""

    def __init__(self, fmt: str, quiet: bool) -> None:
        self.fmt = fmt
        self.quiet = quiet
        self.results: list[dict[str, Any]] = []
        self.cases: list[str] = []
        self.files = self.verified = self.unreadable = 0

    def add(self, result: VerificationResult, *, unreadable: bool) -> None:
        self.files += 1
        if unreadable:
            self.unreadable += 1
        elif result.ok:
            self.verified += 1
        if self.fmt == "text":
            if not (self.quiet and result.ok):
                _print_text(result)
        elif self.fmt == "json":
            entry = result.to_json()
            for check in entry["checks"]:
                check["message"] = for_cli(check["message"])
            self.results.append(entry)
        else:
            self.cases.append(_junit_case(result, unreadable))

    def summary(self) -> dict[str, int]:
        return {"files": self.files, "verified": self.verified,
                "notVerified": self.files - self.verified - self.unreadable,
                "unreadable": self.unreadable}

    def finish(self) -> None:
        counts = self.summary()
        if self.fmt == "json":
            echo_json({"results": self.results, "summary": counts})
        elif self.fmt == "junit":
            failed = counts["notVerified"]
            click.echo(f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n  <testsuite '
                       f'name="edc-issue verify" tests="{self.files}" failures="{failed}" '
                       f'errors="{self.unreadable}">')
            for case in self.cases:
                click.echo(case)
            click.echo("  </testsuite>\n</testsuites>")
        else:
            click.echo(f"{counts['files']} file(s): {counts['verified']} verified, "
                       f"{counts['notVerified']} not verified, {counts['unreadable']} "
                       "unreadable")


def _junit_case(result: VerificationResult, unreadable: bool) -> str:
    attrs = (f"classname={quoteattr(result.format or 'credential')} "
             f"name={quoteattr(result.file or '<document>')}")
    failed = [c for c in result.checks if not c.ok and c.severity == "error"]
    warned = [c for c in result.checks if not c.ok and c.severity == "warning"]
    body = ""
    if failed:
        kind = "error" if unreadable else "failure"
        text = "\n".join(f"{c.check}: {for_cli(c.message)} [{c.code}]" for c in failed)
        body += (f"<{kind} message={quoteattr(for_cli(failed[0].message)[:200])} "
                 f"type={quoteattr(failed[0].code or 'verification')}>{escape(text)}</{kind}>")
    if warned:
        text = "\n".join(f"warning {c.check}: {for_cli(c.message)}" for c in warned)
        body += f"<system-out>{escape(text)}</system-out>"
    return f"    <testcase {attrs}>{body}</testcase>" if body else f"    <testcase {attrs}/>"


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
