"""Dubbing scripts: export for actors, editors and CAT tools; apply reviewed edits (``localize.review`` saves them);
check against a glossary."""

from localize.script.check import ScriptCheck, check_script
from localize.script.edits import Conflict, ImportResult, apply_script, retext, row_revision, with_rendition
from localize.script.export import SCREEN_MARKS, SCRIPT_COLUMNS, script_rows, write_dubbing_script
from localize.script.read import read_script
from localize.script.rows import ScriptFile, ScriptRow

__all__ = [
    "SCREEN_MARKS",
    "SCRIPT_COLUMNS",
    "Conflict",
    "ImportResult",
    "ScriptCheck",
    "ScriptFile",
    "ScriptRow",
    "apply_script",
    "check_script",
    "read_script",
    "retext",
    "row_revision",
    "script_rows",
    "with_rendition",
    "write_dubbing_script",
]
