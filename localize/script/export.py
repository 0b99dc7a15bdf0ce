"""The dubbing script of one language: a row per line with timecodes, character, source, translation and notes.

CSV (UTF-8 with BOM, so spreadsheet programs read the accents), XLSX or XLIFF 2
(.xlf/.xliff, for CAT tools), chosen by suffix. All are byte-for-byte
reproducible: the XLSX carries fixed document dates and zip timestamps.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from pathlib import Path

from localize.cache import atomic_path, atomic_write_text
from localize.errors import InputError
from localize.glossary.report import timecode
from localize.model import Episode, Rendition, Screen
from localize.script.edits import row_revision
from localize.script.read import XLIFF_SUFFIXES

__all__ = ["SCREEN_MARKS", "SCRIPT_COLUMNS", "script_rows", "write_dubbing_script"]

SCRIPT_COLUMNS = (
    "Line",
    "TC in",
    "TC out",
    "Character",
    "ON/OFF",
    "Source",
    "Translation",
    "Glossary notes",
    "Status",
    "Take fit",
    "Revision",
)
"""``ON/OFF``: whether the character is seen speaking the line (ON: keep to the lips; OFF: free; ``?``: unclear;
empty: the picture was not analysed). ``Revision`` is the row's revision (its line's plus its translation's) when
exported: importing a row whose line has changed since is a conflict."""
SCREEN_MARKS = {Screen.ON: "ON", Screen.OFF: "OFF", Screen.UNCLEAR: "?"}
_DEFAULT_FPS = 25.0
_FIXED_DATE = datetime.datetime(2000, 1, 1)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
_WIDTHS = {"A": 8, "B": 13, "C": 13, "D": 16, "E": 8, "F": 50, "G": 50, "H": 40, "I": 10, "J": 24, "K": 9}


def _glossary_notes(rendition: Rendition | None) -> str:
    if rendition is None:
        return ""
    notes = []
    for hit in rendition.glossary_hits:
        expected = " / ".join(hit.expected) or "(do not translate)"
        note = f"{hit.source} → {expected} [{hit.status}]"
        notes.append(f"{note}: {hit.note}" if hit.note else note)
    return "; ".join(notes)


def _fit(rendition: Rendition | None) -> str:
    take = rendition.take if rendition else None
    if take is None:
        return "not dubbed" if rendition else ""
    text = f"{take.ladder_step}, rate {take.rate:.2f}, stretch ×{take.stretch:.2f}, {take.duration_error:+.2f} s"
    if take.lip_sync is not None:
        text = f"{text}, lips {take.lip_sync.score:.2f}"
    return f"{text}, {', '.join(take.flags)}" if take.flags else text


def script_rows(episode: Episode, language: str) -> list[list[str]]:
    """The script's rows (without the header), in programme order."""
    track = episode.tracks.get(language)
    if track is None:
        raise InputError(f"episode {episode.id} has no {language} track", f"pick one of: {', '.join(episode.tracks) or 'none'}")
    fps = episode.source.frame_rate or _DEFAULT_FPS
    rows = []
    for line in sorted(episode.lines, key=lambda item: item.start):
        rendition = track.renditions.get(line.id)
        speaker = episode.speaker(line.speaker)
        rows.append(
            [
                line.id,
                timecode(line.start, fps),
                timecode(line.end, fps),
                speaker.name if speaker else line.speaker,
                SCREEN_MARKS.get(screen, "") if (screen := episode.screen(line.id)) else "",
                line.text,
                rendition.text if rendition else "",
                _glossary_notes(rendition),
                rendition.origin if rendition else "untranslated",
                _fit(rendition),
                str(row_revision(line, rendition)),
            ]
        )
    return rows


def write_dubbing_script(episode: Episode, language: str, path: Path) -> None:
    """Write the dubbing script of ``language`` to ``path`` (.csv, .xlsx, .xlf or .xliff) atomically."""
    rows = script_rows(episode, language)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(SCRIPT_COLUMNS)
        writer.writerows(rows)
        atomic_write_text(path, "\ufeff" + buffer.getvalue())
    elif suffix == ".xlsx":
        _write_xlsx(rows, f"{episode.id} {language}"[:31], path)
    elif suffix in XLIFF_SUFFIXES:
        from localize.script.xliff import xliff_text

        atomic_write_text(path, xliff_text(episode.id, episode.source_language or "und", language, rows))
    else:
        raise InputError(f"cannot write a dubbing script as '{suffix}'", "use a .csv, .xlsx or .xlf file name")


def _write_xlsx(rows: list[list[str]], title: str, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "".join(ch for ch in title if ch not in "[]:*?/\\")
    sheet.append(list(SCRIPT_COLUMNS))
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column, width in _WIDTHS.items():
        sheet.column_dimensions[column].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for row_cells in sheet.iter_rows(min_row=2):
        for cell in row_cells:
            cell.alignment = wrap
    sheet.freeze_panes = "A2"
    book.properties.created = _FIXED_DATE
    raw = io.BytesIO()
    book.save(raw)
    with atomic_path(path) as temp:
        _rezip_fixed_dates(raw.getvalue(), temp)


def _rezip_fixed_dates(data: bytes, out: Path) -> None:
    """Copy a zip archive with every entry dated 1980-01-01 (and the document's save date fixed), so equal content gives equal bytes."""
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = item.external_attr
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", content)
            target.writestr(info, content)
