"""Dubbing scripts: export (and, later, import) of a language's lines for actors and editors."""

from localize.script.export import SCRIPT_COLUMNS, script_rows, write_dubbing_script

__all__ = ["SCRIPT_COLUMNS", "script_rows", "write_dubbing_script"]
