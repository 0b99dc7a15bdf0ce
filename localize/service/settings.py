"""Service settings: where jobs live, which database and broker, upload limits, queues, limits and retention.

Read from ``LOCALIZE_SERVICE_<FIELD>`` environment variables (JSON for lists
and maps; see :mod:`localize.environment`), so ``localize serve`` can hand them
to the worker it starts and Docker Compose can set them per container.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from localize.environment import SERVICE_PREFIX, service_variables
from localize.errors import ConfigError

__all__ = ["Settings"]

DEFAULT_QUEUES = {"transcribe": "gpu", "dub": "gpu"}
"""Stages that go to a queue other than ``cpu``: the ones a GPU speeds up."""


class Settings(BaseModel):
    """Everything the API and the workers must agree on."""

    model_config = ConfigDict(extra="forbid")

    data_dir: Path = Path("localize-data")
    """The shared artifact directory: job outputs, uploads, and the embedded databases."""
    storage_roots: list[Path] = Field(default_factory=list)
    """Folders a job may name its episode, glossary or casting files in (besides uploads)."""
    database_url: str | None = None
    """SQLAlchemy URL of the job database; default SQLite in ``data_dir``."""
    broker_url: str | None = None
    """Celery broker URL (``redis://...``); default an embedded SQLite broker in ``data_dir``."""
    result_backend_url: str | None = None
    """Celery result backend URL; default SQLite in ``data_dir`` with the embedded broker, else the broker's Redis."""
    config_file: Path | None = None
    """Server-side ``localize.toml`` that submitted jobs start from."""
    max_upload_bytes: int = 4 << 30
    queues: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_QUEUES))
    """Stage name -> queue; stages not listed go to ``cpu``."""
    lease_seconds: float = 60.0
    """A running stage renews its lease this often (x3); a lease left to expire is taken over."""
    visibility_timeout: float = 600.0
    """Redis: seconds before an unacknowledged stage task (a killed worker's) is delivered again."""
    rate_limit_per_minute: int = Field(default=600, ge=0)
    """Requests a token may make a minute (bursts of as many), per API process; more get 429. 0: no limit."""
    job_retention_days: float | None = Field(default=None, gt=0)
    """Finished jobs older than this are deleted with their files; None: kept until deleted (DELETE /jobs/{id})."""
    upload_retention_hours: float = Field(default=24.0, gt=0)
    """Uploads older than this that no unfinished job needs are deleted."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``LOCALIZE_SERVICE_*`` variables, then explicit overrides (None values ignored)."""
        data: dict[str, Any] = {}
        for field, raw in service_variables(environ).items():
            try:
                data[field] = json.loads(raw) if raw[:1] in "[{" else raw
            except json.JSONDecodeError as exc:
                name = SERVICE_PREFIX + field.upper()
                raise ConfigError(f"{name} is not valid JSON: {exc}", f"fix {name}") from exc
        data.update({key: value for key, value in overrides.items() if value is not None})
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise ConfigError(f"invalid service settings: {problems}", f"fix the {SERVICE_PREFIX}* variables or options") from exc

    def to_env(self) -> dict[str, str]:
        """The variables that reproduce these settings in another process."""
        env = {}
        for name, value in self.model_dump(mode="json").items():
            if value is not None:
                env[SERVICE_PREFIX + name.upper()] = value if isinstance(value, str) else json.dumps(value)
        return env

    @property
    def jobs_dir(self) -> Path:
        """Where each job's episode folder goes: ``<data_dir>/jobs/<job id>/<episode>``."""
        return self.data_dir / "jobs"

    @property
    def uploads_dir(self) -> Path:
        """Where uploaded files go: ``<data_dir>/uploads/<upload id>/<name>``."""
        return self.data_dir / "uploads"

    @property
    def database(self) -> str:
        """The job database URL."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'localize.db').resolve()}"

    @property
    def broker(self) -> str:
        """The Celery broker URL."""
        return self.broker_url or f"sqla+sqlite:///{(self.data_dir / 'broker.db').resolve()}"

    @property
    def result_backend(self) -> str:
        """The Celery result backend URL (job state itself lives in the job database)."""
        if self.result_backend_url:
            return self.result_backend_url
        if self.embedded_broker:
            return f"db+sqlite:///{(self.data_dir / 'results.db').resolve()}"
        return self.broker

    @property
    def embedded_broker(self) -> bool:
        """Whether the broker is the embedded SQLite one (no redelivery of a dead worker's task)."""
        return self.broker.startswith("sqla+")

    def queue_for(self, stage: str) -> str:
        """The queue a stage's tasks are sent to."""
        return self.queues.get(stage, "cpu")

    def all_queues(self) -> list[str]:
        """Every queue a default worker consumes."""
        return sorted({"cpu", *self.queues.values()})
