"""The ``localize`` command line. Commands are thin: they parse, call one function, report.

Errors become one-line messages and exit codes here, and only here.
"""

from __future__ import annotations

import logging
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from localize.errors import LocalizeError
from localize.stages import STAGES, StageSpec

if TYPE_CHECKING:
    from localize.config import Config
    from localize.progress import ProgressHook

app = typer.Typer(
    name="localize",
    help="Localize a film or TV episode: transcribe, translate under a glossary, dub, mix and package.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ConfigOption = Annotated[Path | None, typer.Option("--config", "-c", help="localize.toml to use.")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")]


def _config(path: Path | None, overrides: dict[str, Any] | None = None) -> Config:
    from localize.config import load_config

    return load_config(path, overrides)


class _RichProgress:
    """A rich progress bar per stage, driven by the progress hook."""

    def __init__(self) -> None:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            TextColumn("[bold]{task.fields[stage]:<10}"),
            TextColumn("{task.fields[step]:<14}"),
            BarColumn(),
            TimeElapsedColumn(),
            transient=False,
        )
        self.tasks: dict[str, Any] = {}

    def __call__(self, stage: str, step: str, completed: int, total: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=total, stage=stage, step=step)
        self.progress.update(self.tasks[stage], completed=completed, total=max(total, 1), step=step)

    def __enter__(self) -> _RichProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()


def _hook(quiet: bool) -> tuple[Any, ProgressHook]:
    from contextlib import nullcontext

    from localize.environment import runtime
    from localize.progress import silent_hook

    if quiet or (not sys.stderr.isatty() and not runtime().progress):
        return nullcontext(), silent_hook
    bar = _RichProgress()
    return bar, bar


@app.command()
def run(
    source: Annotated[Path, typer.Argument(help="The episode: a video (or audio) file with the original dialogue.")],
    to: Annotated[str, typer.Option("--to", "-t", help="Target languages, comma separated BCP-47 tags: en,pt-BR,fr.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder; the episode goes in OUT/<name>/.")] = Path("out"),
    glossary: Annotated[Path | None, typer.Option("--glossary", "-g", help="Cultural glossary (YAML, CSV or TBX).")] = None,
    me: Annotated[Path | None, typer.Option("--me", help="Music-and-effects stem (default: <episode>.me.flac beside it).")] = None,
    source_language: Annotated[str | None, typer.Option("--from", help="Source language tag (default: detect).")] = None,
    audio_stream: Annotated[int | None, typer.Option("--audio-stream", help="Audio stream number to use as dialogue.")] = None,
    channels: Annotated[
        str, typer.Option("--channels", help="Stereo dialogue: mix, left, right, or split (each channel one talker).")
    ] = "mix",
    name: Annotated[str | None, typer.Option("--name", help="Episode name (default: the file name).")] = None,
    speakers: Annotated[
        Path | None, typer.Option("--speakers", help="Speakers file, SPEAKER_00: Name (default: OUT/<name>/speakers.yaml).")
    ] = None,
    characters: Annotated[
        Path | None, typer.Option("--characters", help="Series character file: recognises named characters by voice.")
    ] = None,
    config: ConfigOption = None,
    quiet: QuietOption = False,
) -> None:
    """Localize one episode end to end; a re-run redoes only what changed."""
    from localize.languages import parse_targets
    from localize.pipeline import RunRequest
    from localize.pipeline import run as run_pipeline

    targets = parse_targets(to)
    overrides: dict[str, Any] = {}
    if source_language:
        overrides["source_language"] = source_language
    if audio_stream is not None:
        overrides["audio_stream"] = audio_stream
    if channels != "mix":
        overrides["channels"] = channels
    names = {"file": speakers, "characters_file": characters}
    if any(names.values()):
        overrides["speakers"] = {key: value.resolve() for key, value in names.items() if value is not None}
    settings = _config(config, overrides)
    request = RunRequest(source=source, out=out, targets=targets, glossary=glossary, me_stem=me, name=name)
    display, hook = _hook(quiet)
    with display:
        episode = run_pipeline(request, settings, hook)
    _summary(episode, out / episode.id)


def _summary(episode: Any, folder: Path) -> None:
    from rich.console import Console

    console = Console(stderr=True)
    hits = sum(1 for r in episode.stages.values() if r.cache_hit)
    console.print(
        f"[green]done[/green] {episode.id}: {len(episode.lines)} lines, {len(episode.speakers)} speakers, "
        f"{len(episode.tracks)} languages; {hits}/{len(episode.stages)} stages from cache -> {folder}",
        soft_wrap=True,
    )
    for warning in episode.warnings:
        console.print(f"[yellow]warning[/yellow] {warning}", soft_wrap=True)


def _single_stage(names: tuple[str, ...], folder: Path, quiet: bool) -> None:
    from localize.pipeline import resume_context, run_stages

    ctx, episode = resume_context(folder)
    display, hook = _hook(quiet)
    ctx.hook = hook
    with display:
        episode = run_stages(episode, ctx, names=names, force=True)
    _summary(episode, folder)


FolderArgument = Annotated[Path, typer.Argument(help="An episode folder: OUT/<name>.")]


def _stage_command(spec: StageSpec) -> None:
    """Register ``localize <stage> FOLDER``: the stage alone (and the stages it feeds) on an episode folder."""

    def command(folder: FolderArgument, quiet: QuietOption = False) -> None:
        _single_stage((spec.name, *spec.then), folder, quiet)

    command.__doc__ = spec.summary
    app.command(name=spec.name)(command)


for _spec in STAGES:
    if _spec.summary:
        _stage_command(_spec)


@app.command()
def doctor() -> None:
    """List every backend, whether it works offline here, and what to install if not."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from localize.doctor import check_all

    table = Table("stage", "backend", "usable", "detail")
    usable_all = True
    for row in check_all():
        usable_all &= row.usable or not row.default
        table.add_row(row.kind, row.name + (" (default)" if row.default else ""), "yes" if row.usable else "no", escape(row.detail))
    Console().print(table)
    if not usable_all:
        raise typer.Exit(1)


# --- command groups: one module each under localize/commands (they import typer only, so --help stays fast) ---

from localize.commands import glossary as _glossary_commands  # noqa: E402
from localize.commands import qc as _qc_commands  # noqa: E402
from localize.commands import script as _script_commands  # noqa: E402
from localize.commands import service as _service_commands  # noqa: E402
from localize.commands import studio as _studio_commands  # noqa: E402
from localize.commands import subtitles as _subtitle_commands  # noqa: E402

app.add_typer(_script_commands.app, name="script")
app.add_typer(_glossary_commands.app, name="glossary")
app.add_typer(_subtitle_commands.app, name="subtitles")
app.command("qc")(_qc_commands.qc)
app.command("studio")(_studio_commands.studio)
app.command()(_service_commands.serve)
app.command()(_service_commands.worker)
app.command()(_service_commands.batch)
app.add_typer(_service_commands.token_app, name="token")


def main() -> None:
    """Entry point: run the app, turning known errors into one line and an exit code."""
    from localize.environment import runtime

    settings = runtime()
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(message)s")
    # resemblyzer -> webrtcvad imports pkg_resources, which warns on every run; nothing a user can act on.
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
    try:
        app()
    except LocalizeError as exc:
        print(f"localize: error: {exc.one_line()}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        print("localize: interrupted; run the same command again to resume", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:
        from localize.cache import output_error

        known = output_error(exc) if isinstance(exc, OSError) else None  # a full disk, a read-only folder
        if known is not None:
            print(f"localize: error: {known.one_line()}", file=sys.stderr)
            sys.exit(known.exit_code)
        if settings.debug:
            raise
        print(
            f"localize: internal error: {type(exc).__name__}: {exc} (set LOCALIZE_DEBUG=1 for details; please report it)", file=sys.stderr
        )
        sys.exit(70)


if __name__ == "__main__":
    main()
