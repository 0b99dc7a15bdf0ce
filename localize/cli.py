"""The ``localize`` command line. Commands are thin: they parse, call one function, report.

Errors become one-line messages and exit codes here, and only here.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from localize.errors import LocalizeError

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

    from localize.progress import silent_hook

    if quiet or (not sys.stderr.isatty() and os.environ.get("LOCALIZE_PROGRESS") != "1"):
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
    name: Annotated[str | None, typer.Option("--name", help="Episode name (default: the file name).")] = None,
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


def _single_stage(stage: str, folder: Path, quiet: bool) -> None:
    from localize.pipeline import resume_context, run_stages

    ctx, episode = resume_context(folder)
    display, hook = _hook(quiet)
    ctx.hook = hook
    with display:
        episode = run_stages(episode, ctx, names=(stage,), force=True)
    _summary(episode, folder)


FolderArgument = Annotated[Path, typer.Argument(help="An episode folder: OUT/<name>.")]


@app.command()
def transcribe(folder: FolderArgument, quiet: QuietOption = False) -> None:
    """Run only the transcribe stage on an episode folder."""
    _single_stage("transcribe", folder, quiet)


@app.command()
def diarize(folder: FolderArgument, quiet: QuietOption = False) -> None:
    """Run only the diarize stage (and re-cut the dialogue lines)."""
    _single_stage("diarize", folder, quiet)
    _single_stage("segment", folder, True)


@app.command()
def translate(folder: FolderArgument, quiet: QuietOption = False) -> None:
    """Run only the translate stage on an episode folder."""
    _single_stage("translate", folder, quiet)


@app.command()
def dub(folder: FolderArgument, quiet: QuietOption = False) -> None:
    """Run only the dub stage (synthesis and retiming), then the mix."""
    _single_stage("dub", folder, quiet)
    _single_stage("mix", folder, True)


@app.command()
def package(folder: FolderArgument, quiet: QuietOption = False) -> None:
    """Run only the package stage: rewrite the deliverables."""
    _single_stage("package", folder, quiet)


@app.command()
def doctor() -> None:
    """List every backend, whether it works offline here, and what to install if not."""
    from rich.console import Console
    from rich.table import Table

    from localize.doctor import check_all

    table = Table("stage", "backend", "usable", "detail")
    usable_all = True
    for row in check_all():
        usable_all &= row.usable or not row.default
        table.add_row(row.kind, row.name + (" (default)" if row.default else ""), "yes" if row.usable else "no", row.detail)
    Console().print(table)
    if not usable_all:
        raise typer.Exit(1)


from localize.commands import glossary as _glossary_commands  # noqa: E402
from localize.commands import script as _script_commands  # noqa: E402

app.add_typer(_script_commands.app, name="script")
app.add_typer(_glossary_commands.app, name="glossary")

# --- service commands (localize/service): imported lazily so `localize --help` stays fast ---------------

if TYPE_CHECKING:
    from localize.service.schemas import JobView
    from localize.service.settings import Settings

DataOption = Annotated[Path | None, typer.Option("--data", help="Shared artifact directory (jobs, uploads, embedded databases).")]
RootOption = Annotated[list[Path] | None, typer.Option("--root", help="A storage root jobs may name episodes in (repeatable).")]
DatabaseOption = Annotated[str | None, typer.Option("--database", help="Job database URL (default: SQLite in --data).")]
BrokerOption = Annotated[str | None, typer.Option("--broker", help="Celery broker URL, e.g. redis://host:6379/0 (default: embedded).")]
ConcurrencyOption = Annotated[int, typer.Option("--concurrency", help="Stage tasks run at once by a worker.")]


def _service_settings(
    data: Path | None, root: list[Path] | None, database: str | None, broker: str | None, config: Path | None
) -> Settings:
    from localize.service.settings import Settings

    return Settings.from_env(data_dir=data, storage_roots=root or None, database_url=database, broker_url=broker, config_file=config)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    worker: Annotated[
        bool | None, typer.Option("--worker/--no-worker", help="Also run a worker (default: with the embedded broker).")
    ] = None,
    concurrency: ConcurrencyOption = 1,
    data: DataOption = None,
    root: RootOption = None,
    database: DatabaseOption = None,
    broker: BrokerOption = None,
    config: ConfigOption = None,
) -> None:
    """Serve the HTTP API (OpenAPI at /openapi.json); settings also come from LOCALIZE_SERVICE_* variables."""
    from localize.service.server import serve as serve_api

    serve_api(_service_settings(data, root, database, broker, config), host, port, worker, concurrency)


@app.command()
def worker(
    queues: Annotated[str | None, typer.Option("--queues", "-Q", help="Queues to consume, comma separated (default: gpu,cpu).")] = None,
    concurrency: ConcurrencyOption = 1,
    pool: Annotated[str, typer.Option(help="Celery pool: prefork, threads or solo.")] = "prefork",
    name: Annotated[str | None, typer.Option("--name", help="Worker name, e.g. gpu1@%h.")] = None,
    data: DataOption = None,
    root: RootOption = None,
    database: DatabaseOption = None,
    broker: BrokerOption = None,
) -> None:
    """Run stage tasks from the broker (any number of workers on machines sharing --data)."""
    from localize.service.server import work

    chosen = [queue.strip() for queue in queues.split(",") if queue.strip()] if queues else None
    work(_service_settings(data, root, database, broker, None), chosen, concurrency, pool, name)


ApiOption = Annotated[str, typer.Option("--api", envvar="LOCALIZE_API_URL", help="Base URL of the localize API.")]
TokenOption = Annotated[str, typer.Option("--token", envvar="LOCALIZE_API_TOKEN", help="API token with the submit scope.")]


@app.command()
def batch(
    season: Annotated[Path, typer.Argument(help="CSV, one row per episode: source, targets, name, glossary, source_language.")],
    token: TokenOption,
    api: ApiOption = "http://127.0.0.1:8000",
    to: Annotated[str | None, typer.Option("--to", "-t", help="Target languages for rows without a 'targets' value.")] = None,
    follow: Annotated[bool, typer.Option("--follow/--no-follow", help="Follow the jobs until they finish.")] = True,
    interval: Annotated[float, typer.Option(help="Seconds between status checks.")] = 2.0,
) -> None:
    """Submit a season to the service and follow its progress; exits 1 if any episode failed."""
    from rich.console import Console
    from rich.live import Live

    from localize.service.batch import Client, follow_jobs, read_season, submit_season

    submissions = read_season(season, to)
    client = Client(api, token)
    try:
        submitted = submit_season(client, submissions)
        console = Console(stderr=True)
        console.print(f"submitted {len(submitted)} episodes: " + " ".join(view.id for view in submitted))
        if not follow:
            return
        with Live(_season_table(submitted), console=console, auto_refresh=False) as live:
            final = follow_jobs(
                client, [view.id for view in submitted], lambda views: live.update(_season_table(views), refresh=True), interval
            )
    finally:
        client.close()
    failed = [view for view in final if view.status != "succeeded"]
    for view in failed:
        console.print(f"[red]{view.status}[/red] {view.source} ({view.id}): {view.error or ''}")
    if failed:
        raise typer.Exit(1)


def _season_table(views: list[JobView]) -> Any:
    from rich.table import Table

    table = Table("job", "episode", "status", "stage", "progress")
    for view in views:
        current = next((name for name, stage in view.stages.items() if stage.state == "running"), "")
        table.add_row(view.id, view.episode or view.source, view.status, current, f"{view.progress:.0%}")
    return table


token_app = typer.Typer(help="Create, list and revoke API tokens (stored hashed in the job database).", no_args_is_help=True)
app.add_typer(token_app, name="token")


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help="Who or what the token is for.")],
    scope: Annotated[
        list[str] | None, typer.Option("--scope", "-s", help="read, submit or admin (repeatable; default read and submit).")
    ] = None,
    data: DataOption = None,
    database: DatabaseOption = None,
) -> None:
    """Create a token and print its secret (shown only this once)."""
    from localize.service.db import Database
    from localize.service.security import create_token

    store = Database(_service_settings(data, None, database, None, None).database)
    store.create_all()
    secret, _ = create_token(store, name, scope or ["read", "submit"])
    typer.echo(secret)


@token_app.command("list")
def token_list(data: DataOption = None, database: DatabaseOption = None) -> None:
    """List tokens: name, scopes, creation time."""
    from localize.service.db import Database
    from localize.service.schemas import iso
    from localize.service.security import list_tokens

    store = Database(_service_settings(data, None, database, None, None).database)
    store.create_all()
    for token in list_tokens(store):
        typer.echo(f"{token.name}\t{token.scopes}\t{iso(token.created_at)}")


@token_app.command("revoke")
def token_revoke(
    name: Annotated[str, typer.Argument(help="The token's name.")], data: DataOption = None, database: DatabaseOption = None
) -> None:
    """Revoke a token."""
    from localize.service.db import Database
    from localize.service.security import revoke_token

    store = Database(_service_settings(data, None, database, None, None).database)
    store.create_all()
    revoke_token(store, name)


# --- deliverable checks (localize/commands): each group in its own module ---------------------------------

from localize.commands import qc as _qc_commands  # noqa: E402
from localize.commands import subtitles as _subtitle_commands  # noqa: E402

app.add_typer(_subtitle_commands.app, name="subtitles")
app.command("qc")(_qc_commands.qc)


def main() -> None:
    """Entry point: run the app, turning known errors into one line and an exit code."""
    logging.basicConfig(level=os.environ.get("LOCALIZE_LOG", "WARNING").upper(), format="%(levelname)s %(message)s")
    try:
        app()
    except LocalizeError as exc:
        print(f"localize: error: {exc.one_line()}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        print("localize: interrupted; run the same command again to resume", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("LOCALIZE_DEBUG"):
            raise
        print(
            f"localize: internal error: {type(exc).__name__}: {exc} (set LOCALIZE_DEBUG=1 for details; please report it)", file=sys.stderr
        )
        sys.exit(70)


if __name__ == "__main__":
    main()
