"""Read a dubbing script back (CSV, XLSX or XLIFF 2), as edited by a reviewer or a vendor."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from localize.errors import ConfigError, InputError
from localize.languages import normalize_tag
from localize.script.rows import ScriptFile, ScriptRow, parse_revision
from localize.script.xliff import read_xliff

__all__ = ["XLIFF_SUFFIXES", "ScriptFile", "ScriptRow", "read_script", "script_language"]

XLIFF_SUFFIXES = (".xlf", ".xliff")
_REQUIRED = ("Line", "Source", "Translation")


def script_language(path: Path) -> str | None:
    """The target language named in a script's file name (``ep.pt-BR.script.csv`` -> ``pt-BR``), if any."""
    for part in reversed(path.name.split(".")[1:-1]):
        if part in {"script", "edited"} or not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", part):
            continue
        try:
            return normalize_tag(part)
        except ConfigError:
            continue
    return None


def _table_rows(table: list[list[str]], file: str, first_line: int) -> list[ScriptRow]:
    if not table:
        raise InputError(f"{file} is empty", "export the script again with 'localize script export'")
    header = [cell.strip() for cell in table[0]]
    missing = [name for name in _REQUIRED if name not in header]
    if missing:
        raise InputError(
            f"{file}: missing column(s) {', '.join(missing)}", f"keep the exported header row: {', '.join(header) or '(none)'}"
        )
    column = {name: header.index(name) for name in header if name}
    rows = []
    for number, cells in enumerate(table[1:], start=first_line + 1):

        def cell(name: str, cells: list[str] = cells) -> str:
            index = column.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        if not cell("Line"):
            if any(value.strip() for value in cells):
                raise InputError(f"{file}:{number}: the Line column is empty", "keep each row's line id as exported")
            continue
        where = f"{file}:{number}"
        rows.append(
            ScriptRow(
                cell("Line"),
                cell("Source"),
                cell("Translation"),
                cell("Status"),
                cell("Character"),
                cell("TC in"),
                parse_revision(cell("Revision"), where),
                where,
            )
        )
    return rows


def _read_csv(path: Path) -> ScriptFile:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text", "save the script as CSV UTF-8") from None
    try:
        table = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise InputError(f"{path}: not a readable CSV file ({exc})", "save the script as CSV UTF-8") from None
    return ScriptFile(_table_rows(table, str(path), 1), script_language(path))


def _read_xlsx(path: Path) -> ScriptFile:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError) as exc:
        raise InputError(f"{path} is not an XLSX workbook ({exc})", "save the script as .xlsx") from None
    sheet = book.worksheets[0]
    table = [["" if value is None else str(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    book.close()
    return ScriptFile(_table_rows(table, str(path), 1), script_language(path))


def read_script(path: Path) -> ScriptFile:
    """Read a script file by suffix: .csv, .xlsx, .xlf/.xliff; a bad file is an InputError naming the row."""
    if not path.is_file():
        raise InputError(f"script file {path} does not exist", "pass the path of an exported (and edited) script")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix in XLIFF_SUFFIXES:
        return read_xliff(path)
    raise InputError(f"cannot read a script from '{suffix}' files", "use the .csv, .xlsx or .xlf file 'localize script export' wrote")
