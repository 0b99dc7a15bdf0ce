"""Submit a season from a CSV (one row per episode) to the API and follow it until every job is finished.

Columns: ``source`` (required: the episode's path under a storage root of the
server), ``targets`` (default: the ``--to`` languages), and optionally
``name``, ``glossary`` and ``source_language``.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from pydantic import ValidationError

from localize.errors import InputError, LocalizeError
from localize.service.db import TERMINAL
from localize.service.errors import ServiceUnavailable
from localize.service.schemas import JobView, Submission

__all__ = ["Client", "follow_jobs", "read_season", "submit_season"]

_COLUMNS = ("source", "targets", "name", "glossary", "source_language")
_RATE_LIMITED_TRIES = 30


class Client:
    """A small client of the localize API."""

    def __init__(self, base_url: str, token: str, timeout: float = 60.0) -> None:
        self._http = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout)

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call the API (waiting as told when over the rate limit); errors become LocalizeError with the server's detail."""
        for _ in range(_RATE_LIMITED_TRIES):
            try:
                response = self._http.request(method, path, **kwargs)
            except httpx.HTTPError as exc:
                raise ServiceUnavailable(
                    f"cannot reach the localize API at {self._http.base_url}: {exc}", "check --api and that it runs"
                ) from exc
            if response.status_code != httpx.codes.TOO_MANY_REQUESTS:
                break
            time.sleep(float(response.headers.get("retry-after", "1")))
        if response.is_error:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text
            raise LocalizeError(f"the API refused {method} {path} ({response.status_code}): {detail}")
        return response.json()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()


def read_season(path: Path, default_targets: str | None) -> list[Submission]:
    """The submissions of a season CSV; a bad row is an InputError naming its line."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            unknown = sorted(set(reader.fieldnames or []) - set(_COLUMNS))
            if "source" not in (reader.fieldnames or []) or unknown:
                raise InputError(
                    f"{path} must have a 'source' column and only {', '.join(_COLUMNS)}", f"fix its header (unknown: {unknown})"
                )
            rows = list(reader)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}", "check the path of the season CSV") from exc
    submissions = []
    for line, row in enumerate(rows, start=2):
        values = {key: value.strip() for key, value in row.items() if key and value and value.strip()}
        values.setdefault("targets", default_targets or "")
        if not values["targets"]:
            raise InputError(f"{path}:{line}: no target languages", "add a 'targets' column or pass --to")
        try:
            submissions.append(Submission.model_validate(values))
        except ValidationError as exc:
            raise InputError(f"{path}:{line}: {exc.errors()[0]['msg']}", "fix that row") from exc
    if not submissions:
        raise InputError(f"{path} has no episodes", "add one row per episode")
    return submissions


def submit_season(client: Client, submissions: list[Submission]) -> list[JobView]:
    """Submit every episode; returns the jobs in row order."""
    return [JobView.model_validate(client.request("POST", "/jobs", json=s.model_dump(exclude_none=True))) for s in submissions]


def follow_jobs(
    client: Client,
    job_ids: list[str],
    on_update: Callable[[list[JobView]], None],
    interval: float = 2.0,
    patience: float = 300.0,
) -> list[JobView]:
    """Poll the jobs until all are finished, calling ``on_update`` with their latest views each round.

    An API that cannot be reached (restarting) is waited for, up to ``patience`` seconds in a row.
    """
    unreachable_since: float | None = None
    while True:
        try:
            views = [JobView.model_validate(client.request("GET", f"/jobs/{job_id}")) for job_id in job_ids]
        except ServiceUnavailable:
            now = time.monotonic()
            unreachable_since = unreachable_since or now
            if now - unreachable_since > patience:
                raise
            time.sleep(interval)
            continue
        unreachable_since = None
        on_update(views)
        if all(view.status in TERMINAL for view in views):
            return views
        time.sleep(interval)
