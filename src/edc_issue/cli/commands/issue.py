"""``edc-issue issue``: one credential per row of a CSV, XLSX or JSONL file, from a template.

Exit status: 0 every row issued (now or by an earlier run), 1 some row failed (the good
rows are still issued, and every failure is in the report), 2 the template, data, key or
status list cannot be used, or another run is writing to the output folder (nothing is
issued). Ctrl-C exits 130 and SIGTERM 143, after the running rows are finished and the
report is written: the same command resumes.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import click

from ..._io import read_bytes
from ...batch import (
    BakeStep,
    BatchReport,
    OfferStep,
    OutputStep,
    RenderStep,
    SealStep,
    SignStep,
    auto_progress,
    issue_batch,
    load_template,
    open_rows,
)
from ...status import FileStatusListStore, StatusList
from .._common import EXIT_FAILED, EXIT_OK, die, echo_json, handle_errors
from .._secrets import open_key, with_password

_SUITES = ["eddsa-rdfc-2022", "ecdsa-rdfc-2019", "vc-jwt"]
_SHOWN_FAILURES = 20


def _seal_signer(p12: Path, password_env: str | None, tsa: str | None) -> SealStep:
    with handle_errors(file=str(p12)):
        return with_password(lambda pw: SealStep(p12, pw, tsa=tsa), var=password_env,
                             source=str(p12))


def _render_step(outputs: OutputStep, render_format: str, lang: str | None,
                 verify_url: str | None, trust_files: tuple[Path, ...]) -> RenderStep:
    from functools import partial

    from ...batch.outputs import verify_for_page

    anchors: list[bytes] = []
    for path in trust_files:
        with handle_errors(file=str(path)):
            anchors.append(read_bytes(path, max_bytes=1024 * 1024))
    verifier = partial(verify_for_page, trust=anchors) if anchors else None
    # a missing extra is a set-up problem like a bad flag: exit 2, nothing issued
    with handle_errors(input_codes={"config.extra_missing": None}):
        return RenderStep(outputs, render_format, lang=lang, verify_url=verify_url,
                          verifier=verifier)


#: The mail-merge file of a batch with --offer: each row's columns, its link, QR and code.
OFFERS_CSV = "offers.csv"


def _offer_step(outputs: OutputStep | None, url: str, token_env: str,
                configuration: str | None, issuer: str | None, tx_code: bool) -> OfferStep:
    import os

    from ...oid4vci.offers import ServiceOffers

    token = os.environ.get(token_env)
    if not token:
        die(f"--offer needs the tenant's bearer token in the environment variable {token_env} "
            "(see --offer-token-env)", error="config.invalid")
    with handle_errors():
        return OfferStep(ServiceOffers(url, token, configuration=configuration,
                                       tx_code=tx_code), outputs, issuer_id=issuer)


def _write_offers_csv(report: BatchReport, data_file: Path, sheet: str | None,
                      delimiter: str | None) -> None:
    """``offers.csv``: the data's columns for each row of this run, then its offer link, the
    QR code's file and the transaction code (a row issued by an earlier run keeps its offer)."""
    import csv
    import json

    from ..._io import atomic_write

    assert report.report_json is not None
    document = json.loads(report.report_json.read_text(encoding="utf-8"))
    by_id: dict[str, dict[str, object]] = {}
    latest: dict[int, dict[str, object]] = {}
    for entry in document["rows"]:
        if entry.get("offer") and entry.get("id"):
            by_id[entry["id"]] = entry
        if entry.get("run") == report.run:
            latest[int(entry["row"])] = entry
    rows = open_rows(data_file, sheet=sheet, delimiter=delimiter)
    import io

    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow([*rows.columns, "offer", "qr", "tx_code"])
    for row in rows:
        entry = latest.get(row.number)
        offered = by_id.get(str(entry.get("id"))) if entry else None
        if offered is None:
            continue
        files = [str(f) for f in offered.get("files") or []]  # type: ignore[attr-defined]
        qr = next((f for f in files if f.endswith(".offer.png")), "")
        values = ["" if row.values.get(c) is None else str(row.values.get(c))
                  for c in rows.columns]
        writer.writerow([*(("'" + v) if v[:1] in "=+-@" else v for v in values),
                         offered["offer"], qr, offered.get("txCode") or ""])
    atomic_write(report.out_dir / OFFERS_CSV, text.getvalue().encode("utf-8"))


class _Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is: stop planning, finish what runs, write the report."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise _Terminated()


@contextlib.contextmanager
def _stop_on_sigterm() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set in the main thread
        return
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    except _Terminated:
        click.echo("error: terminated (SIGTERM); the rows finished so far are in the report; "
                   "run the same command again to resume [input.aborted]", err=True)
        raise SystemExit(128 + signal.SIGTERM) from None
    except KeyboardInterrupt:
        click.echo("error: interrupted; the rows finished so far are in the report; "
                   "run the same command again to resume [input.aborted]", err=True)
        raise SystemExit(130) from None
    finally:
        signal.signal(signal.SIGTERM, previous)


def _print_report(report: BatchReport, data: Path, fmt: str) -> None:
    if fmt == "json":
        echo_json({"summary": report.summary(),
                   "failures": [f.to_json() for f in report.failures],
                   "report": {"csv": str(report.report_csv), "json": str(report.report_json)}})
    for failure in report.failures[:_SHOWN_FAILURES]:
        for error in failure.errors:
            column = f", column {error.column!r}" if error.column else ""
            click.echo(f"error: {data}: row {error.row}{column}: {error.reason} [{error.code}]",
                       err=True)
    if len(report.failures) > _SHOWN_FAILURES:
        click.echo(f"error: ... and {len(report.failures) - _SHOWN_FAILURES} more failed rows "
                   f"(see {report.report_csv}) [batch.invalid_row]", err=True)
    if fmt == "text":
        click.echo(f"{report.issued} issued, {report.skipped} already issued (skipped), "
                   f"{report.failed} failed, of {report.total} rows in {report.elapsed:.1f} s "
                   f"-> {report.out_dir} (report: {report.report_csv})")


@click.command("issue")
@click.option("--template", "template_file", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="The credential template (JSON with {{column}} placeholders).")
@click.option("--data", "data_file", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="The rows: .csv (any delimiter, UTF-8), .xlsx or .jsonl.")
@click.option("--key", "key_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Sign with this key file (Data Integrity, or VC-JWT with --suite vc-jwt).")
@click.option("--p12", type=click.Path(dir_okay=False, path_type=Path),
              help="Seal with this PKCS#12 e-seal certificate (JAdES; for EDCs).")
@click.option("--password-env", metavar="VAR",
              help="Read the password of the --p12 file, or of an encrypted PEM --key, from "
                   "environment variable VAR (default: ask when one is needed).")
@click.option("--suite", type=click.Choice(_SUITES),
              help="Signature suite with --key (default from the key type).")
@click.option("--issuer-from-key", is_flag=True,
              help="Set each credential's issuer to the key's controller.")
@click.option("--tsa", metavar="URL",
              help="With --p12: time-stamp each seal at this TSA (uses the network).")
@click.option("--status-list", "status_list_file",
              type=click.Path(dir_okay=False, path_type=Path),
              help="Give each credential an entry in this status list (from `status create`).")
@click.option("-o", "--output", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="The folder for the credentials, report.csv and report.json.")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes for signing.")
@click.option("--bake", "bake_image", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write each badge baked into this PNG or SVG image (Open Badges).")
@click.option("--render", "render_format", type=click.Choice(["pdf", "html"]),
              help="Also write a page a person reads beside each credential (PDF or HTML; "
                   "needs edc-issue[render]); it shows the result of verifying the credential.")
@click.option("--render-lang", metavar="LANG",
              help="With --render: the pages' language (BCP 47; default each credential's).")
@click.option("--verify-url", metavar="URL",
              help="With --render: where each page's QR code points; {id} stands for the "
                   "credential's id, e.g. https://verify.example.edu/c/{id}.")
@click.option("--trust", "trust_files", multiple=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="With --render: a trust anchor (PEM or DER certificate) for verifying the "
                   "sealed credentials the pages show (repeatable).")
@click.option("--offer", "offer_url", metavar="URL",
              help="Also offer each credential to a wallet (OpenID4VCI) through this "
                   "edc-issue serve tenant (https://issuer.example/instance/NAME): writes the "
                   "offer link and QR code per row and offers.csv for a mail merge; without "
                   "--key/--p12, only the offer (the service signs when the wallet collects).")
@click.option("--offer-token-env", metavar="VAR", default="EDC_ISSUE_TOKEN",
              show_default=True,
              help="With --offer: the environment variable holding the tenant's bearer token "
                   "(scope write:/offers).")
@click.option("--offer-configuration", metavar="NAME",
              help="With --offer: the service's credential configuration (default: its "
                   "default, the Open Badge as ldp_vc).")
@click.option("--offer-issuer", metavar="ID",
              help="With --offer alone: the issuer id {{$issuer}} stands for (the tenant's "
                   "DID), as there is no key or certificate to take it from.")
@click.option("--tx-code", is_flag=True,
              help="With --offer: each offer asks for a transaction code (in offers.csv: "
                   "send it another way than the link).")
@click.option("--key-column", metavar="COLUMN",
              help="The column identifying a learner: ids derive from it (UUIDv5) and "
                   "re-runs recognise rows by it.")
@click.option("--name-from", "name_column", metavar="COLUMN",
              help="Name output files from this column (default: from the credential id).")
@click.option("--sheet", metavar="NAME", help="The .xlsx sheet to read (default: the first).")
@click.option("--delimiter", metavar="CHAR", help="The CSV delimiter (default: detected).")
@click.option("--no-validate", is_flag=True,
              help="Do not read each credential through its data model before signing.")
@click.option("--quiet", is_flag=True, help="No progress output.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Summary on stdout as text or one JSON document.")
def command(template_file: Path, data_file: Path, key_file: Path | None, p12: Path | None,
            password_env: str | None, suite: str | None, issuer_from_key: bool,
            tsa: str | None, status_list_file: Path | None, out_dir: Path, jobs: int,
            bake_image: Path | None, render_format: str | None, render_lang: str | None,
            verify_url: str | None, trust_files: tuple[Path, ...], offer_url: str | None,
            offer_token_env: str, offer_configuration: str | None,
            offer_issuer: str | None, tx_code: bool,
            key_column: str | None,
            name_column: str | None,
            sheet: str | None, delimiter: str | None, no_validate: bool, quiet: bool,
            fmt: str) -> None:
    """Issue one credential per row of --data, filled into --template, signed or sealed.

    Every row ends as a file in OUTDIR or as a line in OUTDIR/report.csv naming its row,
    column and reason; running the same command again issues only what is missing.

    \b
    edc-issue issue --template badge.json --data learners.csv --key key.json -o out/
    edc-issue issue --template edc.json --data learners.xlsx --p12 seal.p12 \\
        --password-env SEAL_PW --status-list revocation-list.json -o out/ --jobs 2
    edc-issue issue --template badge.json --data learners.csv --key key.json -o out/ \\
        --render pdf --verify-url 'https://verify.example.edu/c/{id}'
    """
    if (key_file is not None and p12 is not None) or (
            offer_url is None and key_file is None and p12 is None):
        raise click.UsageError("give exactly one of --key KEY.json (sign) or --p12 CERT.p12 "
                               "(seal), or --offer URL alone")
    if offer_url is None and (offer_configuration or tx_code or offer_issuer):
        raise click.UsageError("--offer-configuration, --offer-issuer and --tx-code go with "
                               "--offer")
    if bake_image is not None and key_file is None:
        raise click.UsageError("--bake needs --key: Open Badges are signed, not sealed")
    if suite is not None and key_file is None:
        raise click.UsageError("--suite goes with --key")
    if delimiter is not None and len(delimiter) != 1:
        raise click.UsageError("--delimiter must be one character")
    outputs: OutputStep | None = None
    if key_file is not None:
        with handle_errors(file=str(key_file)):
            # an encrypted PEM key is opened here, once (its password asked or read from
            # --password-env); the step takes the opened key to its workers
            key = open_key(key_file, password_env)
            outputs = SignStep(key, suite=suite, issuer_from_key=issuer_from_key)
    elif p12 is not None:
        outputs = _seal_signer(p12, password_env, tsa)
    if bake_image is not None:
        assert outputs is not None
        with handle_errors(file=str(bake_image)):
            outputs = BakeStep(outputs, read_bytes(bake_image))
    if render_format is None and (render_lang or verify_url or trust_files):
        raise click.UsageError("--render-lang, --verify-url and --trust go with --render")
    if render_format is not None:
        if outputs is None:
            raise click.UsageError("--render needs --key or --p12: the page shows the signed "
                                   "or sealed credential")
        outputs = _render_step(outputs, render_format, render_lang, verify_url, trust_files)
    if offer_url is not None:
        outputs = _offer_step(outputs, offer_url, offer_token_env, offer_configuration,
                              offer_issuer, tx_code)
    assert outputs is not None
    status_list = None
    if status_list_file is not None:
        with handle_errors(file=str(status_list_file)):
            store = FileStatusListStore(status_list_file)
            status_list = StatusList(store)
            if store.load_record() is None:
                die(f"{status_list_file}: no allocation record beside it "
                    f"({store.record_path.name}), so free indexes are unknown; use a list "
                    "made by `edc-issue status create`", error="status.no_allocation_record")
    with handle_errors(file=str(template_file)):
        template = load_template(template_file, key_column=key_column)
    with handle_errors(file=str(data_file)):
        rows = open_rows(data_file, sheet=sheet, delimiter=delimiter)
    if name_column is not None and name_column not in rows.columns:
        die(f"{data_file}: --name-from {name_column!r} is not a column; columns are: "
            f"{', '.join(rows.columns)}", error="batch.missing_column")
    # every error from here names its own file or folder (the data, the output folder)
    with handle_errors(), _stop_on_sigterm():
        report = issue_batch(template, rows, outputs, out_dir, jobs=jobs,
                             status_list=status_list, name_column=name_column,
                             validate=not no_validate,
                             progress=None if quiet else auto_progress())
    if offer_url is not None and report.report_json is not None:
        with handle_errors(file=str(out_dir / OFFERS_CSV)):
            _write_offers_csv(report, data_file, sheet, delimiter)
    _print_report(report, data_file, fmt)
    raise SystemExit(EXIT_OK if report.ok else EXIT_FAILED)
