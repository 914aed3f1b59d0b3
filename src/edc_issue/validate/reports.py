"""Reports as text (grouped by file), JSON (the contract's shape) and JUnit XML.

Every renderer is a streaming writer: ``start()``, ``add(report)`` per file,
``finish()``; each returns the text to print, so memory does not grow with the
number of files (JUnit needs the counts up front and keeps only one
``<testcase>`` string per file).
"""

from __future__ import annotations

import json
from typing import Protocol
from xml.sax.saxutils import escape, quoteattr

from ..results import ValidationReport

__all__ = ["FORMATS", "JsonRenderer", "JunitRenderer", "Renderer", "TextRenderer", "renderer"]


class Renderer(Protocol):
    """A streaming report writer."""

    def start(self) -> str:
        """Text printed before the first file."""
        ...

    def add(self, report: ValidationReport) -> str:
        """Text for one file's report."""
        ...

    def finish(self) -> str:
        """Text printed after the last file."""
        ...


class TextRenderer:
    """Human output: one block per file, findings sorted by severity, then a summary."""

    def __init__(self, *, verbose: bool = False) -> None:
        self.verbose = verbose
        self.files = self.failed = self.errors = self.warnings = 0

    def start(self) -> str:
        """Nothing before the first file."""
        return ""

    def add(self, report: ValidationReport) -> str:
        """``FILE: ok|INVALID (format, profile)`` and one indented line per finding."""
        self.files += 1
        errors = sum(f.severity == "error" for f in report.findings)
        warnings = sum(f.severity == "warning" for f in report.findings)
        self.errors += errors
        self.warnings += warnings
        if not report.ok:
            self.failed += 1
        what = ", ".join(x for x in (report.format, report.profile) if x)
        verdict = "ok" if report.ok else "INVALID"
        counts = f"{errors} error(s), {warnings} warning(s)" if report.findings else ""
        head = f"{report.file or '<document>'}: {verdict}" + (f" ({what})" if what else "")
        lines = [head + (f" - {counts}" if counts else "")]
        order = {"error": 0, "warning": 1, "info": 2}
        for f in sorted(report.findings, key=lambda f: order.get(f.severity, 3)):
            if f.severity == "info" and not self.verbose:
                continue
            where = f.path or "(document)"
            rule = f" [{f.rule}]" if f.rule else ""
            lines.append(f"  {f.severity:<7} {where}: {f.message}{rule}")
        return "\n".join(lines)

    def finish(self) -> str:
        """The summary line."""
        return (f"{self.files} file(s): {self.files - self.failed} valid, {self.failed} invalid; "
                f"{self.errors} error(s), {self.warnings} warning(s)")


class JsonRenderer:
    """``{"results": [...]}``, each entry the contract's ``{"file", "ok", "checks"}``."""

    def __init__(self) -> None:
        self.count = 0

    def start(self) -> str:
        """Open the document."""
        return '{\n  "results": ['

    def add(self, report: ValidationReport) -> str:
        """One entry of ``results``."""
        text = json.dumps(report.to_json(), indent=2, ensure_ascii=False)
        text = "\n".join("    " + line for line in text.splitlines())
        sep = "," if self.count else ""
        self.count += 1
        return sep + "\n" + text if self.count > 1 else text

    def finish(self) -> str:
        """Close the document."""
        return "  ]\n}"


class JunitRenderer:
    """JUnit XML: one ``<testcase>`` per file, a ``<failure>`` listing its errors."""

    def __init__(self, *, name: str = "edc-issue validate") -> None:
        self.name = name
        self.cases: list[str] = []
        self.failures = 0

    def start(self) -> str:
        """Nothing until the counts are known."""
        return ""

    def add(self, report: ValidationReport) -> str:
        """Keep one testcase string (not the report)."""
        file = report.file or "<document>"
        attrs = f"classname={quoteattr(report.format or 'credential')} name={quoteattr(file)}"
        bad = [f for f in report.findings if f.severity == "error"]
        other = [f for f in report.findings if f.severity != "error"]
        body = ""
        if bad:
            self.failures += 1
            text = "\n".join(f"{f.path or '(document)'}: {f.message} [{f.rule}]" for f in bad)
            first = bad[0]
            body += (f"<failure message={quoteattr(first.message[:200])} "
                     f"type={quoteattr(first.code or 'validation')}>{escape(text)}</failure>")
        if other:
            text = "\n".join(f"{f.severity} {f.path or '(document)'}: {f.message}" for f in other)
            body += f"<system-out>{escape(text)}</system-out>"
        self.cases.append(f"    <testcase {attrs}>{body}</testcase>" if body
                          else f"    <testcase {attrs}/>")
        return ""

    def finish(self) -> str:
        """The whole document."""
        head = (f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n  <testsuite '
                f"name={quoteattr(self.name)} tests=\"{len(self.cases)}\" "
                f"failures=\"{self.failures}\" errors=\"0\">")
        return "\n".join([head, *self.cases, "  </testsuite>\n</testsuites>"])


FORMATS = ("text", "json", "junit")


def renderer(fmt: str, *, verbose: bool = False) -> Renderer:
    """Return the renderer for ``text``, ``json`` or ``junit``."""
    if fmt == "json":
        return JsonRenderer()
    if fmt == "junit":
        return JunitRenderer()
    return TextRenderer(verbose=verbose)
