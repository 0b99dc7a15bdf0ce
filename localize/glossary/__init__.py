"""Series glossaries: load and save (YAML, CSV, TBX), find terms, check translations, report."""

from localize.glossary.check import check_rendition
from localize.glossary.load import load_glossary, save_glossary
from localize.glossary.match import RenderingMatch, TermMatch, find_rendering, find_terms
from localize.glossary.model import Entry, FormalityRule, Glossary, TargetRule
from localize.glossary.report import write_glossary_report

__all__ = [
    "Entry",
    "FormalityRule",
    "Glossary",
    "RenderingMatch",
    "TargetRule",
    "TermMatch",
    "check_rendition",
    "find_rendering",
    "find_terms",
    "load_glossary",
    "save_glossary",
    "write_glossary_report",
]
