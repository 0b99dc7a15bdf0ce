"""``localize glossary check SCRIPT --glossary G``: glossary violations of any translated script; exit 1 on any."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["app"]

app = typer.Typer(help="Cultural glossaries: check translations against them.", no_args_is_help=True)


@app.command("check")
def check(
    script: Annotated[Path, typer.Argument(help="A translated script: .csv or .xlsx (Line, Source, Translation columns) or .xlf.")],
    glossary: Annotated[Path, typer.Option("--glossary", "-g", help="The glossary (YAML, CSV or TBX).")],
    language: Annotated[str | None, typer.Option("--language", "-l", help="Target language (default: from the file).")] = None,
    source_language: Annotated[
        str | None, typer.Option("--from", help="Source language (default: the file's, else the glossary's).")
    ] = None,
) -> None:
    """Report every glossary violation with its line; exit 1 when there is any."""
    from localize.glossary import load_glossary
    from localize.languages import normalize_tag
    from localize.script import check_script

    terms = load_glossary(glossary, normalize_tag(source_language) if source_language else "es")
    result = check_script(script, terms, normalize_tag(language) if language else None, source_language)
    for row, hit in result.violations:
        expected = " / ".join(hit.expected) or "(none)"
        found = f", found '{hit.found}'" if hit.found else ""
        typer.echo(f"{row.where} {row.line_id} {row.timecode}: '{hit.source}' {hit.status}: expected {expected}{found}")
    rate = "n/a" if result.success_rate is None else f"{result.success_rate:.1%}"
    verdict = "passes" if not result.violations else f"fails: {len(result.violations)} violations"
    typer.echo(f"{script}: {result.language}, {len(result.hits)} term occurrences, success rate {rate}; {verdict}", err=True)
    if result.violations:
        raise typer.Exit(1)
