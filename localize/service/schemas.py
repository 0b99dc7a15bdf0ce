"""The API's request and response bodies (they make the published OpenAPI schema)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["DeliverableView", "JobList", "JobView", "StageView", "Submission", "TokenCreate", "TokenCreated", "TokenView", "UploadView"]

Scope = Literal["read", "submit", "review", "admin"]
_DEFAULT_SCOPES: list[Scope] = ["read", "submit"]


def iso(timestamp: float | None) -> str | None:
    """Seconds since the epoch as an ISO 8601 UTC string."""
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds") if timestamp is not None else None


def _has_surrogate(value: Any) -> bool:
    """Whether a JSON value holds a string that cannot be encoded (an unpaired surrogate, from a ``\\ud800`` escape)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_surrogate(key) or _has_surrogate(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(item) for item in value)
    return False


class Submission(BaseModel):
    """A job to run: one episode (a path under a storage root, or an upload id) and its target languages."""

    model_config = ConfigDict(extra="forbid")

    source: str | None = Field(None, max_length=4096, description="Episode path under a storage root.")
    upload: str | None = Field(None, max_length=64, description="Id of an uploaded episode (POST /uploads).")
    targets: list[Annotated[str, Field(max_length=64)]] | Annotated[str, Field(max_length=1024)] = Field(
        description="Target languages: BCP-47 tags, a list or comma separated.", max_length=64
    )
    glossary: str | None = Field(None, max_length=4096, description="Glossary path under a storage root.")
    glossary_upload: str | None = Field(None, max_length=64, description="Id of an uploaded glossary.")
    name: str | None = Field(None, max_length=200, description="Episode name (default: the file name).")
    source_language: str | None = Field(None, max_length=64, description="Source language tag (default: detect).")
    config: dict[str, Any] = Field(
        default_factory=dict, description="Settings for this job, as JSON: only those a job may set (see the README's Security model)."
    )

    @field_validator("*", mode="before")
    @classmethod
    def _valid_unicode(cls, value: Any) -> Any:
        if _has_surrogate(value):
            raise ValueError("text must be valid Unicode (it holds an unpaired surrogate)")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> Submission:
        if (self.source is None) == (self.upload is None):
            raise ValueError("give exactly one of 'source' and 'upload'")
        if self.glossary is not None and self.glossary_upload is not None:
            raise ValueError("give at most one of 'glossary' and 'glossary_upload'")
        return self


class StageView(BaseModel):
    """Where one stage stands."""

    state: Literal["pending", "running", "done", "failed", "cancelled"]
    step: str = ""
    completed: int = 0
    total: int = 0
    seconds: float | None = None
    cache_hit: bool | None = None
    worker: str | None = None


class JobView(BaseModel):
    """A job and its per-stage progress."""

    id: str
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    episode: str | None
    source: str
    targets: list[str]
    attempt: int
    progress: float = Field(description="Finished stages over all stages, 0 to 1.")
    stages: dict[str, StageView]
    error: str | None
    worker: str | None
    submitted_by: str
    tenant: str
    created_at: str
    updated_at: str
    finished_at: str | None


class JobList(BaseModel):
    """A page of jobs, newest first."""

    jobs: list[JobView]
    total: int


class UploadView(BaseModel):
    """A stored upload, to name in a submission."""

    id: str
    filename: str
    kind: Literal["media", "glossary"]
    bytes: int


class DeliverableView(BaseModel):
    """A file of a finished job, with where to download it."""

    path: str
    kind: str
    language: str | None = None
    sha256: str | None = None
    bytes: int
    url: str


class TokenCreate(BaseModel):
    """A token to create."""

    name: str = Field(max_length=128)
    scopes: list[Scope] = Field(default_factory=lambda: _DEFAULT_SCOPES.copy())
    tenant: str = Field("default", max_length=128, description="Whose jobs the token sees; only admin tokens see every tenant's.")
    expires_in_days: float | None = Field(None, gt=0, le=36500, description="Lifetime; default: until revoked.")


class TokenView(BaseModel):
    """A token's name, tenant and scopes (never its secret)."""

    name: str
    scopes: list[Scope]
    tenant: str
    created_at: str
    expires_at: str | None


class TokenCreated(TokenView):
    """A new token: the secret is shown this once."""

    token: str
