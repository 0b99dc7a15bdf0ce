"""``localize studio OUT/<episode>``: the review studio for one episode, in the browser."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["studio"]


def studio(
    folder: Annotated[Path, typer.Argument(help="An episode folder: OUT/<name>.")],
    port: Annotated[int, typer.Option("--port", "-p", help="Port to serve on.")] = 8765,
    host: Annotated[str, typer.Option("--host", help="Address to bind (127.0.0.1: this machine only).")] = "127.0.0.1",
    reviewer: Annotated[str | None, typer.Option("--reviewer", help="Your name in the audit log (default: your login).")] = None,
) -> None:
    """Review and correct an episode in the browser: transcript, speakers, translations, voices, glossary; render what changed."""
    from localize.cache import WorkDir
    from localize.errors import BackendUnavailable

    try:
        import uvicorn

        from localize.studio import create_studio_app, new_secret
    except ImportError as exc:
        raise BackendUnavailable(f"the studio needs {exc.name}, which is not installed", "pip install 'localize[service]'") from exc

    WorkDir.at(folder)  # a clear error for a folder that is not an episode
    secret = new_secret()
    app = create_studio_app(folder.resolve(), reviewer or getpass.getuser(), secret, ("127.0.0.1", "localhost", host))
    typer.echo(f"localize studio: http://{host}:{port}/?token={secret}")
    uvicorn.run(app, host=host, port=port, log_level="warning")
