"""The batch-service commands: ``serve``, ``worker``, ``batch`` and ``token create|list|revoke``.

Everything heavy (FastAPI, Celery, SQLAlchemy) is imported inside the commands so ``localize --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from localize.service.db import Database
    from localize.service.schemas import JobView
    from localize.service.settings import Settings

__all__ = ["batch", "serve", "token_app", "worker"]

DataOption = Annotated[Path | None, typer.Option("--data", help="Shared artifact directory (jobs, uploads, embedded databases).")]
RootOption = Annotated[list[Path] | None, typer.Option("--root", help="A storage root jobs may name episodes in (repeatable).")]
DatabaseOption = Annotated[str | None, typer.Option("--database", help="Job database URL (default: SQLite in --data).")]
BrokerOption = Annotated[str | None, typer.Option("--broker", help="Celery broker URL, e.g. redis://host:6379/0 (default: embedded).")]
ConcurrencyOption = Annotated[int, typer.Option("--concurrency", help="Stage tasks run at once by a worker.")]
ConfigOption = Annotated[Path | None, typer.Option("--config", "-c", help="Server-side localize.toml that jobs start from.")]
ApiOption = Annotated[str, typer.Option("--api", envvar="LOCALIZE_API_URL", help="Base URL of the localize API.")]
TokenOption = Annotated[str, typer.Option("--token", envvar="LOCALIZE_API_TOKEN", help="API token with the submit scope.")]


def _settings(
    data: Path | None, root: list[Path] | None = None, database: str | None = None, broker: str | None = None, config: Path | None = None
) -> Settings:
    from localize.service.settings import Settings

    return Settings.from_env(data_dir=data, storage_roots=root or None, database_url=database, broker_url=broker, config_file=config)


def _token_store(data: Path | None, database: str | None) -> Database:
    from localize.service.db import Database

    store = Database(_settings(data, database=database).database)
    store.create_all()
    return store


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

    serve_api(_settings(data, root, database, broker, config), host, port, worker, concurrency)


def worker(
    queues: Annotated[str | None, typer.Option("--queues", "-Q", help="Queues to consume, comma separated (default: cpu,gpu).")] = None,
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
    work(_settings(data, root, database, broker), chosen, concurrency, pool, name)


def batch(
    season: Annotated[Path, typer.Argument(help="CSV, one row per episode: source, targets, name, glossary, source_language.")],
    token: TokenOption,
    api: ApiOption = "http://127.0.0.1:8000",
    to: Annotated[str | None, typer.Option("--to", "-t", help="Target languages for rows without a 'targets' value.")] = None,
    follow: Annotated[bool, typer.Option("--follow/--no-follow", help="Follow the jobs until they finish.")] = True,
    interval: Annotated[float, typer.Option(help="Seconds between status checks.")] = 2.0,
) -> None:
    """Submit a season to the service and follow its progress; exits 1 if any episode did not succeed."""
    from rich.console import Console
    from rich.live import Live

    from localize.service.batch import Client, follow_jobs, read_season, submit_season

    console = Console(stderr=True)
    submissions = read_season(season, to)
    client = Client(api, token)
    try:
        submitted = submit_season(client, submissions)
        typer.echo("\n".join(view.id for view in submitted))
        console.print(f"submitted {len(submitted)} episodes")
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
    console.print(f"{len(final) - len(failed)}/{len(final)} episodes succeeded")
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


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help="Who or what the token is for.")],
    scope: Annotated[
        list[str] | None, typer.Option("--scope", "-s", help="read, submit, review or admin (repeatable; default read and submit).")
    ] = None,
    tenant: Annotated[str, typer.Option("--tenant", help="Whose jobs the token sees (admin tokens see every tenant's).")] = "default",
    expires_in: Annotated[float | None, typer.Option("--expires-in", help="Days the token is valid (default: until revoked).")] = None,
    data: DataOption = None,
    database: DatabaseOption = None,
) -> None:
    """Create a token and print its secret (shown only this once)."""
    from localize.service.security import create_token

    lifetime = expires_in * 86400 if expires_in is not None else None
    secret, _ = create_token(_token_store(data, database), name, scope or ["read", "submit"], tenant, lifetime)
    typer.echo(secret)


@token_app.command("list")
def token_list(data: DataOption = None, database: DatabaseOption = None) -> None:
    """List tokens: name, tenant, scopes, creation and expiry time."""
    from localize.service.schemas import iso
    from localize.service.security import list_tokens

    for token in list_tokens(_token_store(data, database)):
        typer.echo(f"{token.name}\t{token.tenant}\t{token.scopes}\t{iso(token.created_at)}\t{iso(token.expires_at) or 'never'}")


@token_app.command("revoke")
def token_revoke(
    name: Annotated[str, typer.Argument(help="The token's name.")], data: DataOption = None, database: DatabaseOption = None
) -> None:
    """Revoke a token."""
    from localize.service.security import revoke_token

    revoke_token(_token_store(data, database), name)
