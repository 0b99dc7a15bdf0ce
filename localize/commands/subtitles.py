"""``localize subtitles check FILE``: every timed-text rule violation of a subtitle file, with its timecode."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["app"]

app = typer.Typer(help="Subtitle files: check them against the timed-text rules.", no_args_is_help=True)


@app.command("check")
def check(
    file: Annotated[Path, typer.Argument(help="An SRT, WebVTT or TTML file.")],
    language: Annotated[str | None, typer.Option("--language", "-l", help="BCP-47 tag (default: from the file or its name).")] = None,
    fps: Annotated[
        float | None, typer.Option("--fps", help="Frame rate of the programme (default: the video's, the TTML's, or 25).")
    ] = None,
    video: Annotated[Path | None, typer.Option("--video", help="The programme: its frame rate and shot changes are checked too.")] = None,
    max_cps: Annotated[float | None, typer.Option("--max-cps", help="Reading speed limit, characters per second (17 or 20).")] = None,
    max_chars: Annotated[int | None, typer.Option("--max-chars", help="Characters per line, at most.")] = None,
    max_lines: Annotated[int | None, typer.Option("--max-lines", help="Lines per event, at most.")] = None,
    config: Annotated[Path | None, typer.Option("--config", "-c", help="localize.toml with [package] rules.")] = None,
) -> None:
    """Report every rule violation with its timecode; exit 1 when there is any."""
    from localize.config import load_config
    from localize.package.validate import check_subtitle_file, file_language

    overrides = {"max_cps": max_cps, "max_chars_per_line": max_chars, "max_lines": max_lines}
    language = language or file_language(file)
    rules = load_config(config).package.rules_for(language or "und")
    rules = rules.model_copy(update={key: value for key, value in overrides.items() if value is not None})
    shots: list[float] | None = None
    if video is not None:
        from localize.media.probe import probe
        from localize.media.scenes import detect_shot_changes

        fps = fps or probe(video).frame_rate
        shots = detect_shot_changes(video)
    result = check_subtitle_file(file, rules, language, fps, shots)
    for violation in result.violations:
        typer.echo(violation.describe(result.frame_rate))
    verdict = "passes" if result.passed else f"fails: {len(result.violations)} violations"
    typer.echo(f"{file}: {result.events} events, {result.language or 'language unknown'}, {result.frame_rate:g} fps; {verdict}", err=True)
    if not result.passed:
        raise typer.Exit(1)
