"""Dubbing scripts: export for actors, editors and CAT tools; import reviewed edits; check against a glossary."""

from localize.script.check import ScriptCheck, check_script
from localize.script.edits import Conflict, ImportResult, apply_script, import_script
from localize.script.export import SCRIPT_COLUMNS, script_rows, write_dubbing_script
from localize.script.read import read_script
from localize.script.rows import ScriptFile, ScriptRow

__all__ = [
    "SCRIPT_COLUMNS",
    "Conflict",
    "ImportResult",
    "ScriptCheck",
    "ScriptFile",
    "ScriptRow",
    "apply_script",
    "check_script",
    "import_script",
    "read_script",
    "script_rows",
    "write_dubbing_script",
]
