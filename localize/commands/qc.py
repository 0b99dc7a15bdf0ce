"""``localize qc OUT/<episode>``: check the packaged deliverables against spec and rewrite the QC page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["qc"]


def qc(
    folder: Annotated[Path, typer.Argument(help="A packaged episode folder: OUT/<name>.")],
    decode: Annotated[bool, typer.Option("--decode/--no-decode", help="Decode every stream of every master to the end.")] = True,
) -> None:
    """Check every deliverable (loudness, take fit, subtitle rules, glossary, masters, sha256); exit 1 when one fails spec."""
    from localize.qc import QC_PAGE, check_episode_folder

    report = check_episode_folder(folder, decode=decode)
    for check in report.all_checks():
        typer.echo(f"{check.verdict:<7} {check.name:<13} {check.subject:<22} {check.summary}")
        for detail in check.details[:10] if check.passed is False else ():
            typer.echo(f"          {detail}")
    verdict = "passes" if report.passed else f"fails ({len(report.failed)} checks)"
    typer.echo(f"{report.episode} {verdict}; page: {folder / QC_PAGE}", err=True)
    if not report.passed:
        raise typer.Exit(1)
