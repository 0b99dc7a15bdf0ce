"""An API over a real service (SQLite job database, embedded SQLite broker, no worker).

Jobs submitted here stay queued: these tests are about who may do what, not about running stages.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from localize.service.api import create_app
from localize.service.db import Job
from localize.service.runtime import Service
from localize.service.settings import Settings
from localize.stages import STAGE_NAMES
from tests.conftest import ffmpeg

SERVER_CONFIG = """\
source_language = "es"
[transcribe.options]
cpu_threads = 1
beam_size = 2
[translate]
backend = "apertium.v1"
"""


@pytest.fixture(scope="module")
def storage(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A storage root with a one-second episode and a glossary."""
    root = tmp_path_factory.mktemp("storage")
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=220:duration=1", root / "episode.wav")
    (root / "glossary.yaml").write_text(
        "name: Test\nsource_language: es\ntargets: [en]\nterms:\n  - id: mate\n    term: mate\n    dnt: true\n", encoding="utf-8"
    )
    (root.parent / "server.toml").write_text(SERVER_CONFIG, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def service(storage: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """The service the API runs on: its own data folder, the storage root above, the server config beside it."""
    data = tmp_path_factory.mktemp("data")
    running = Service(
        Settings(data_dir=data, storage_roots=[storage], config_file=storage.parent / "server.toml", max_upload_bytes=1 << 20)
    )
    yield running
    running.database.engine.dispose()


@pytest.fixture(scope="module")
def api(service: Service) -> Iterator[TestClient]:
    """The HTTP API, in process."""
    with TestClient(create_app(service), raise_server_exceptions=False) as client:
        yield client


def bearer(secret: str) -> dict[str, str]:
    """The Authorization header for a token."""
    return {"Authorization": f"Bearer {secret}"}


def mark_succeeded(service: Service, job_id: str) -> None:
    """Record ``job_id`` as finished with every stage done, its episode in the job's folder as ``episode``."""
    with service.database.write() as session:
        job = session.get(Job, job_id)
        assert job is not None
        job.status, job.finished_at, job.stage_index = "succeeded", time.time(), len(STAGE_NAMES)
        job.request = {**job.request, "episode": "episode"}
        job.stages = {name: {"state": "done"} for name in STAGE_NAMES}
