"""Rows from CSV (any delimiter, BOM or not), XLSX and JSONL; row-level errors."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from edc_issue.batch import CsvSource, JsonlSource, XlsxSource, looks_like_formula, open_rows
from edc_issue.errors import ReadError


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_csv_any_delimiter_with_or_without_bom(tmp_path: Path, delimiter: str, bom: bytes) -> None:
    text = delimiter.join(["name", "date", "city"]) + "\n" + delimiter.join(
        ["Zoë Ä", "2024-06-30", "Tiranë"]) + "\n"
    path = tmp_path / "rows.csv"
    path.write_bytes(bom + text.encode("utf-8"))
    source = open_rows(path)
    assert isinstance(source, CsvSource) and source.delimiter == delimiter
    assert source.columns == ["name", "date", "city"]
    [row] = list(source)
    assert row.number == 2 and not row.errors
    assert row.values == {"name": "Zoë Ä", "date": "2024-06-30", "city": "Tiranë"}
    assert source.count() == 1


def test_csv_quoted_values_and_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text('name,note\n"Doe, Jane","line one\nline two"\n\nSmith,x\n', encoding="utf-8")
    rows = list(open_rows(path))
    assert [r.number for r in rows] == [2, 5]
    assert rows[0].values["name"] == "Doe, Jane"
    assert rows[0].values["note"] == "line one\nline two"


def test_csv_wrong_column_count_is_a_row_error(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("a,b,c\n1,2,3\n1,2\n1,2,3,4\n1,2,3,,\n", encoding="utf-8")
    rows = list(open_rows(path))
    assert [bool(r.errors) for r in rows] == [False, True, True, False]
    assert rows[1].errors[0].code == "batch.column_count"
    assert "2 values" in rows[1].errors[0].reason and rows[1].errors[0].row == 3


@pytest.mark.parametrize("cell", ["=cmd|' /C calc'!A1", "@SUM(A1)", "+cmd|x", "-2+3+cmd|' /C x'!A0",
                                  "  =1+1", "\t=HYPERLINK(\"x\")"])
def test_formulas_are_row_errors(tmp_path: Path, cell: str) -> None:
    path = tmp_path / "rows.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["name", "grade"], [cell, "9"]])
    [row] = list(open_rows(path))
    assert row.errors and row.errors[0].code == "batch.formula"
    assert row.errors[0].column == "name"


@pytest.mark.parametrize("text", ["-3.5", "+33 6 12 34 56 78", "-", "a=b", "Smith-Jones", ""])
def test_ordinary_values_are_not_formulas(text: str) -> None:
    assert not looks_like_formula(text)


def test_not_utf8_is_a_file_error(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_bytes("name\nZoë\n".encode("latin-1"))
    with pytest.raises(ReadError) as info:
        open_rows(path)
    assert info.value.code == "io.not_utf8"


@pytest.mark.parametrize("header", ["", "a,,b\n1,2,3\n", "a,a\n1,2\n"])
def test_bad_headers_are_file_errors(tmp_path: Path, header: str) -> None:
    path = tmp_path / "rows.csv"
    path.write_text(header, encoding="utf-8")
    with pytest.raises(ReadError) as info:
        open_rows(path)
    assert info.value.code in ("batch.no_header", "batch.bad_header")


def test_unknown_formats(tmp_path: Path) -> None:
    for name in ("rows.xls", "rows.pdf", "rows"):
        with pytest.raises(ReadError) as info:
            open_rows(tmp_path / name)
        assert info.value.code == "batch.unknown_format"
    with pytest.raises(ReadError):
        open_rows(tmp_path / "missing.csv")


def test_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text('{"name": "A", "n": 1}\n\nnot json\n[1]\n{"name": "=1+1", "n": 2}\n',
                    encoding="utf-8")
    source = open_rows(path)
    assert isinstance(source, JsonlSource) and source.columns == ["name", "n"]
    rows = list(source)
    assert [r.number for r in rows] == [1, 3, 4, 5]
    assert rows[0].values == {"name": "A", "n": 1} and not rows[0].errors
    assert [r.errors[0].code for r in rows[1:]] == ["batch.bad_json", "batch.bad_json",
                                                    "batch.formula"]


def _xlsx(path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Learners"
    sheet.append(["name", "born", "score"])
    sheet.append(["Arta", dt.datetime(1988, 3, 14), 9.5])
    sheet.append(["Besa", dt.datetime(1990, 1, 2, 13, 30), 8])
    sheet.append(["Evil", "x", "=1+2"])
    sheet.append([None, None, None])
    sheet.append(["Extra", "y", 1, "surplus"])
    workbook.create_sheet("Other")
    workbook.save(path)


def test_xlsx_streamed_with_types_and_formulas(tmp_path: Path) -> None:
    path = tmp_path / "rows.xlsx"
    _xlsx(path)
    source = open_rows(path)
    assert isinstance(source, XlsxSource) and source.columns == ["name", "born", "score"]
    rows = list(source)
    assert [r.number for r in rows] == [2, 3, 4, 6]
    assert rows[0].values == {"name": "Arta", "born": dt.date(1988, 3, 14), "score": 9.5}
    assert rows[1].values["born"] == dt.datetime(1990, 1, 2, 13, 30)
    assert rows[2].errors[0].code == "batch.formula" and rows[2].errors[0].column == "score"
    assert rows[3].errors[0].code == "batch.column_count"


def test_xlsx_sheets(tmp_path: Path) -> None:
    path = tmp_path / "rows.xlsx"
    _xlsx(path)
    with pytest.raises(ReadError) as info:
        open_rows(path, sheet="Nope")
    assert info.value.code == "batch.no_sheet" and "Learners" in info.value.message
    with pytest.raises(ReadError) as info:
        open_rows(path, sheet="Other")
    assert info.value.code == "batch.no_header"


def test_not_an_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "rows.xlsx"
    path.write_text("name\nA\n")
    with pytest.raises(ReadError) as info:
        open_rows(path)
    assert info.value.code == "io.unreadable"
