"""``localize script export|import``: dubbing scripts out to reviewers and CAT tools, and their edits back in."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["app"]

app = typer.Typer(help="Dubbing scripts: export for review (CSV, XLSX, XLIFF 2) and import the edits.", no_args_is_help=True)

FolderArgument = Annotated[Path, typer.Argument(help="An episode folder: OUT/<name>.")]


@app.command("export")
def export(
    folder: FolderArgument,
    language: Annotated[str, typer.Option("--language", "-l", help="Target language of the script (BCP-47 tag).")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File to write: .csv, .xlsx, .xlf or .xliff.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv, xlsx or xlf (when --out is not given).")] = "csv",
) -> None:
    """Write the dubbing script of one language (timecodes, character, source, translation, glossary notes)."""
    from localize.cache import WorkDir
    from localize.errors import InputError
    from localize.languages import normalize_tag
    from localize.script import write_dubbing_script

    workdir = WorkDir.at(folder)
    episode = workdir.load()
    if episode is None:
        raise InputError(f"{folder} holds no usable manifest", "run 'localize run' on the episode again")
    tag = normalize_tag(language)
    path = out or folder / f"{episode.id}.{tag}.script.{fmt.lstrip('.')}"
    write_dubbing_script(episode, tag, path)
    typer.echo(str(path))


@app.command("import")
def import_(
    folder: FolderArgument,
    file: Annotated[Path, typer.Argument(help="The edited script (.csv, .xlsx, .xlf).")],
    language: Annotated[str | None, typer.Option("--language", "-l", help="Target language (default: from the file).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Apply rows whose line changed since the export (overwriting it).")] = False,
) -> None:
    """Take a reviewed script's changed lines as 'edited' (or 'approved'); the next run re-dubs only those lines.

    A row whose line changed since the script was exported is a conflict: reported, not applied (exit 1) unless --force.
    """
    from localize.languages import normalize_tag
    from localize.review import import_script

    result = import_script(folder, file, normalize_tag(language) if language else None, force)
    typer.echo(
        f"{result.language}: {len(result.edited)} edited, {len(result.approved)} approved, {len(result.unchanged)} unchanged"
        + (f"; edited lines: {', '.join(result.edited)}" if result.edited else "")
    )
    for label, ids in (("source changed since export, not applied", result.stale), ("unknown lines, not applied", result.unknown)):
        if ids:
            typer.echo(f"warning: {label}: {', '.join(ids)}", err=True)
    for conflict in result.conflicts:
        typer.echo(
            f"conflict: {conflict.line_id} changed since this script was exported (revision {conflict.exported}, now "
            f"{conflict.current}); not applied: export the script again, or import with --force to overwrite it",
            err=True,
        )
    if result.conflicts:
        raise typer.Exit(1)
