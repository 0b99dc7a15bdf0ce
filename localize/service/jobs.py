"""Job state transitions in the database, safe under redelivered and duplicated stage tasks.

A job runs its stages in order; ``stage_index`` is the next one to run. A stage
task first *claims* the job: it runs only if its attempt and stage are the
current ones and no live worker holds the lease. A worker renews its lease
while it works; a killed worker's lease expires and the redelivered task takes
over, resuming through the cache. Every other delivery is a no-op.
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from localize.service.db import DEFAULT_TENANT, TERMINAL, Database, Job
from localize.service.errors import NotFound
from localize.stages import STAGE_NAMES

__all__ = [
    "Claim",
    "ClaimResult",
    "cancel",
    "claim",
    "create",
    "fail",
    "find",
    "finish_stage",
    "get",
    "mark_dispatched",
    "orphans",
    "record_progress",
    "release",
    "renew",
    "retry",
]


_MAX_ID = 64
"""Job ids are this long at most (the column's width)."""


class Claim(enum.Enum):
    """What a stage task should do with its delivery."""

    RUN = "run"
    STALE = "stale"
    """Another attempt, a finished stage, or a finished job: acknowledge and do nothing."""
    BUSY = "busy"
    """A live worker holds the lease: check again when it would expire."""
    EARLY = "early"
    """The previous stage is still being recorded: check again shortly."""


@dataclass(frozen=True)
class ClaimResult:
    """A claim's outcome; ``request`` is set for RUN, ``wait`` for BUSY and EARLY."""

    claim: Claim
    request: dict[str, Any] | None = None
    wait: float = 0.0


def _pending_stages() -> dict[str, Any]:
    return {name: {"state": "pending"} for name in STAGE_NAMES}


def _locked(session: Session, job_id: str) -> Job | None:
    return session.get(Job, job_id, with_for_update=True)


def _set_stage(job: Job, stage: str, **fields: Any) -> None:
    job.stages = {**job.stages, stage: {**job.stages.get(stage, {}), **fields}}
    job.touch()


def create(database: Database, job_id: str, request: dict[str, Any], submitted_by: str, tenant: str = DEFAULT_TENANT) -> Job:
    """Store a new queued job of ``tenant`` for ``request``."""
    now = time.time()
    job = Job(
        id=job_id,
        status="queued",
        request=request,
        stages=_pending_stages(),
        stage_index=0,
        attempt=1,
        dispatched=False,
        submitted_by=submitted_by,
        tenant=tenant,
        created_at=now,
        updated_at=now,
    )
    with database.write() as session:
        session.add(job)
    return job


def find(database: Database, job_id: str) -> Job | None:
    """The job with this id, or None."""
    if len(job_id) > _MAX_ID:
        return None
    with database.read() as session:
        return session.get(Job, job_id)


def get(database: Database, job_id: str) -> Job:
    """The job with this id."""
    job = find(database, job_id)
    if job is None:
        raise NotFound(f"no job '{job_id[:64]}'", "list jobs with GET /jobs")
    return job


def mark_dispatched(database: Database, job_id: str, attempt: int) -> None:
    """Record that the job's current task was handed to the broker."""
    with database.write() as session:
        job = _locked(session, job_id)
        if job is not None and job.attempt == attempt:
            job.dispatched = True


def claim(database: Database, job_id: str, index: int, attempt: int, owner: str, worker: str, lease_seconds: float) -> ClaimResult:
    """Try to take stage ``index`` of the job for this task."""
    with database.write() as session:
        job = _locked(session, job_id)
        if job is None or job.attempt != attempt or job.status in TERMINAL or job.stage_index > index:
            return ClaimResult(Claim.STALE)
        if job.stage_index < index:
            return ClaimResult(Claim.EARLY, wait=0.5)
        now = time.time()
        if job.lease_owner is not None and (job.lease_expires or 0) > now:
            return ClaimResult(Claim.BUSY, wait=(job.lease_expires or now) - now + 0.5)
        job.lease_owner, job.lease_expires, job.worker, job.status = owner, now + lease_seconds, worker, "running"
        _set_stage(job, STAGE_NAMES[index], state="running", step="", completed=0, total=0, worker=worker)
        return ClaimResult(Claim.RUN, request=dict(job.request))


def renew(database: Database, job_id: str, owner: str, attempt: int, lease_seconds: float) -> bool:
    """Extend the lease; False when the job was cancelled, retried or taken over (the work should stop)."""
    with database.write() as session:
        job = _locked(session, job_id)
        if job is None or job.lease_owner != owner or job.attempt != attempt or job.status in TERMINAL:
            return False
        job.lease_expires = time.time() + lease_seconds
        return True


def record_progress(database: Database, job_id: str, owner: str, stage: str, step: str, completed: int, total: int) -> None:
    """Store a stage's progress while the lease is ours."""
    with database.write() as session:
        job = _locked(session, job_id)
        if job is not None and job.lease_owner == owner:
            _set_stage(job, stage, step=step, completed=completed, total=total)


def finish_stage(database: Database, job_id: str, index: int, owner: str, episode: str, seconds: float, cache_hit: bool) -> bool:
    """Record stage ``index`` as done and advance; the last stage finishes the job. False if the lease was lost."""
    with database.write() as session:
        job = _locked(session, job_id)
        if job is None or job.lease_owner != owner or job.stage_index != index:
            return False
        stage = STAGE_NAMES[index]
        _set_stage(job, stage, state="done", seconds=seconds, cache_hit=cache_hit)
        job.request = {**job.request, "episode": episode}
        job.stage_index = index + 1
        job.lease_owner = job.lease_expires = None
        if job.stage_index == len(STAGE_NAMES) and job.status == "running":
            job.status, job.finished_at = "succeeded", time.time()
        return True


def fail(database: Database, job_id: str, owner: str, stage: str, message: str) -> None:
    """Mark the job failed at ``stage`` (if the lease is still ours)."""
    with database.write() as session:
        job = _locked(session, job_id)
        if job is None or job.lease_owner != owner:
            return
        _set_stage(job, stage, state="failed")
        job.status, job.error, job.finished_at = "failed", message, time.time()
        job.lease_owner = job.lease_expires = None


def release(database: Database, job_id: str, owner: str, stage: str) -> None:
    """Give up the lease after the work was stopped by a cancel or a retry."""
    with database.write() as session:
        job = _locked(session, job_id)
        if job is None or job.lease_owner != owner:
            return
        _set_stage(job, stage, state="cancelled")
        job.lease_owner = job.lease_expires = None


def cancel(database: Database, job_id: str) -> Job:
    """Cancel a queued or running job; a running stage stops at its next progress report."""
    with database.write() as session:
        job = _locked(session, job_id)
        if job is None:
            raise NotFound(f"no job '{job_id[:64]}'", "list jobs with GET /jobs")
        if job.status not in TERMINAL:
            job.status, job.finished_at = "cancelled", time.time()
            job.touch()
        return job


def retry(database: Database, job_id: str) -> Job | None:
    """Start a failed or cancelled job again as a new attempt (the cache skips finished work); None if it is not retryable."""
    with database.write() as session:
        job = _locked(session, job_id)
        if job is None:
            raise NotFound(f"no job '{job_id[:64]}'", "list jobs with GET /jobs")
        if job.status not in ("failed", "cancelled"):
            return None
        job.attempt += 1
        job.status, job.stage_index, job.error, job.finished_at, job.dispatched = "queued", 0, None, None, False
        job.stages = _pending_stages()
        job.touch()
        return job


def orphans(database: Database, include_undelivered: bool) -> list[Job]:
    """Unfinished jobs whose task may be lost: never handed to the broker, or (embedded broker) with no live lease."""
    now = time.time()
    with database.read() as session:
        query = select(Job).where(Job.status.in_(("queued", "running")))
        if include_undelivered:
            query = query.where(or_(Job.lease_owner.is_(None), Job.lease_expires < now))
        else:
            query = query.where(Job.dispatched.is_(False))
        return list(session.scalars(query))
