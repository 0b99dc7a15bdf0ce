"""Check any translated script (machine or human) against a glossary, for vendors' own CI."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from localize.errors import InputError
from localize.glossary.check import VIOLATIONS, check_rendition
from localize.glossary.model import Glossary
from localize.model import GlossaryHit
from localize.script.read import read_script
from localize.script.rows import ScriptRow

__all__ = ["ScriptCheck", "check_script"]


@dataclass(frozen=True)
class ScriptCheck:
    """Every glossary term occurrence of a script, with its row."""

    language: str
    hits: list[tuple[ScriptRow, GlossaryHit]]

    @property
    def violations(self) -> list[tuple[ScriptRow, GlossaryHit]]:
        """The occurrences that break the glossary."""
        return [(row, hit) for row, hit in self.hits if hit.status in VIOLATIONS]

    @property
    def success_rate(self) -> float | None:
        """Share of occurrences honoured (or kept, for do-not-translate terms); None without occurrences."""
        return 1 - len(self.violations) / len(self.hits) if self.hits else None


def check_script(path: Path, glossary: Glossary, language: str | None = None, source_language: str | None = None) -> ScriptCheck:
    """Check every row of a script file (.csv, .xlsx, .xlf) against ``glossary``.

    The target language is ``language``, else the one the file states (XLIFF) or its name carries.
    """
    script = read_script(path)
    target = language or script.language
    if target is None:
        raise InputError(f"cannot tell the target language of {path.name}", "pass --language (e.g. --language fr)")
    source = source_language or script.source_language or glossary.source_language
    hits = [(row, hit) for row in script.rows for hit in check_rendition(row.source, row.translation, glossary, source, target)]
    return ScriptCheck(target, hits)
