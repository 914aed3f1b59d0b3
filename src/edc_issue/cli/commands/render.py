"""``edc-issue render``: a PDF, an HTML page or a page image of a credential, verified first."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import click

from ..._api import verify
from ..._io import atomic_write, read_bytes, read_json_object
from ...status.check import read_status_list
from .._common import EXIT_FAILED, EXIT_OK, handle_errors

_MEDIA = {"pdf": "application/pdf", "html": "text/html", "png": "image/png"}


@click.command("render")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(sorted(_MEDIA)), default=None,
              help="Output format (default: from -o's extension, else pdf).")
@click.option("--lang", default=None, metavar="TAG",
              help="Page language (BCP 47: sq, uk, lt, cnr, sr-Cyrl-ME); default the "
              "credential's primary language.")
@click.option("--verify-url", default=None, metavar="URL",
              help="Where the QR code on every page points (printed under it).")
@click.option("--theme", "theme_path", type=click.Path(path_type=Path), default=None,
              help="A theme folder (theme.json: logo, colours, layout, words, templates).")
@click.option("--trust", type=click.Path(dir_okay=False, path_type=Path), multiple=True,
              help="A trusted certificate (PEM) for sealed documents; repeatable.")
@click.option("--controller", "controllers", type=click.Path(dir_okay=False, path_type=Path),
              multiple=True, help="A controller or DID document you trust; repeatable.")
@click.option("--status-list", "status_lists", type=click.Path(dir_okay=False, path_type=Path),
              multiple=True, help="A status list credential to check status against.")
@click.option("--no-verify", is_flag=True,
              help="Do not verify: the page says 'not verified' (for drafts).")
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False,
              path_type=Path), help="The file to write.")
def command(file: Path, fmt: str | None, lang: str | None, verify_url: str | None,
            theme_path: Path | None, trust: tuple[Path, ...], controllers: tuple[Path, ...],
            status_lists: tuple[Path, ...], no_verify: bool, out: Path) -> None:
    """Render FILE (an EDC, sealed or not, or an Open Badge: JSON, VC-JWT, baked PNG/SVG).

    The credential is verified first (offline, as `edc-issue verify` does) and the page
    shows the result: sealed by whom and when, or signed by which key; a failed check shows
    NOT verified. The PDF (A4, PDF/A-3a) carries FILE's bytes as an attachment.

    Exit status: 0 written and the page reads verified (or --no-verify); 1 written, but the
    page reads NOT verified (a check failed, or a seal without a trusted anchor, a key or a
    status left undecided); 2 unreadable input, a bad option or theme.
    """
    from ...render import load_theme, read_source, render
    from ...rendering import verify_and_render

    suffix = out.suffix.lower().lstrip(".")
    chosen = fmt or (suffix if suffix in _MEDIA else "pdf")
    lists = []
    for list_file in status_lists:  # each named if it is no status list
        with handle_errors(file=str(list_file)):
            lists.append(read_status_list(list_file)[1])
    with handle_errors(file=str(file)):
        data = read_bytes(file)
        theme = load_theme(theme_path) if theme_path is not None else None
        source = read_source(data)
        if no_verify:
            ok = True
            verdict = "not verified (--no-verify)"
            content = render(source, media_type=_MEDIA[chosen], lang=lang,
                             verify_url=verify_url, theme=theme)
        else:
            checker = partial(verify, trust=[read_bytes(p) for p in trust],
                              controllers=[read_json_object(p) for p in controllers],
                              status_lists=lists or None)
            rendered = verify_and_render(source, media_type=_MEDIA[chosen], lang=lang,
                                         verify_url=verify_url, theme=theme, verifier=checker)
            # what the page says, not verify()'s ok: a warning that leaves a seal, a key
            # or a status undecided reads NOT verified on the page, and here
            content, ok = rendered.content, rendered.verified
            verdict = "verified" if ok else "NOT verified"
        atomic_write(out, content)
    click.echo(f"{file}: {verdict}; wrote {out} ({chosen}, {len(content):,} bytes)", err=True)
    raise SystemExit(EXIT_OK if ok else EXIT_FAILED)
