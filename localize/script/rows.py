"""What a script file holds, whatever its format: rows of line id, source and translation."""

from __future__ import annotations

from dataclasses import dataclass

from localize.errors import InputError

__all__ = ["ScriptFile", "ScriptRow", "parse_revision"]


@dataclass(frozen=True)
class ScriptRow:
    """One line of a script: its id, source and (possibly edited) translation."""

    line_id: str
    source: str
    translation: str
    status: str = ""
    """The origin the file gives the line: machine, edited, approved (or empty)."""
    character: str = ""
    timecode: str = ""
    revision: int | None = None
    """The row's revision when it was exported (None: the file does not say)."""
    where: str = ""
    """Where the row is in its file, for messages (``script.csv:12``)."""


@dataclass(frozen=True)
class ScriptFile:
    """The rows of a script file and the languages it states (XLIFF states them; CSV/XLSX do not)."""

    rows: list[ScriptRow]
    language: str | None = None
    source_language: str | None = None


def parse_revision(text: str, where: str) -> int | None:
    """A row's Revision cell: a whole number, or None when empty."""
    if not text:
        return None
    try:
        return int(float(text))  # a spreadsheet may have turned 3 into 3.0
    except ValueError:
        raise InputError(f"{where}: the Revision cell '{text[:20]}' is not a number", "keep each row's revision as exported") from None
