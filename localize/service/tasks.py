"""Celery: one task per stage, routed by stage to a queue (``gpu`` for transcribe and dub, ``cpu`` for the rest).

A stage task claims its job (see :mod:`localize.service.jobs`), runs that one
stage through the pipeline's cache, then hands the next stage to the broker.
Tasks are acknowledged late and rejected when their worker is lost, so a
killed worker's stage is delivered again and resumes from the last finished
stage; duplicate deliveries find nothing to do.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from celery import Celery, Task
from celery.signals import worker_process_init
from sqlalchemy.exc import SQLAlchemyError

from localize.cache import output_error
from localize.errors import LocalizeError
from localize.pipeline import RunRequest, prepare_run, run_stages
from localize.service import jobs
from localize.service.db import Database
from localize.service.jobs import Claim
from localize.service.settings import Settings
from localize.stages import STAGE_NAMES

__all__ = ["STAGE_TASK", "JobStopped", "dispatch", "make_celery", "run_stage"]

log = logging.getLogger("localize.service")

STAGE_TASK = "localize.stage"
_PROGRESS_INTERVAL = 1.0


class JobStopped(Exception):
    """Raised from the progress hook when the job was cancelled or retried while a stage ran."""


class _Lease:
    """Renews a job's lease in a background thread; notices cancels and take-overs."""

    def __init__(self, database: Database, job_id: str, owner: str, attempt: int, seconds: float) -> None:
        self.database, self.job_id, self.owner, self.attempt, self.seconds = database, job_id, owner, attempt, seconds
        self.lost = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"lease-{job_id}", daemon=True)

    def _beat(self) -> None:
        while not self._done.wait(self.seconds / 3):
            try:
                alive = jobs.renew(self.database, self.job_id, self.owner, self.attempt, self.seconds)
            except Exception:
                log.warning("could not renew the lease of job %s", self.job_id, exc_info=True)
                continue
            if not alive:
                self.lost.set()
                return

    def __enter__(self) -> _Lease:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._done.set()
        self._thread.join()


class _ProgressWriter:
    """The progress hook of a stage task: writes to the job row at most once a second, stops a cancelled job."""

    def __init__(self, database: Database, job_id: str, owner: str, lease: _Lease) -> None:
        self.database, self.job_id, self.owner, self.lease = database, job_id, owner, lease
        self._last = 0.0

    def __call__(self, stage: str, step: str, completed: int, total: int) -> None:
        if self.lease.lost.is_set():
            raise JobStopped(self.job_id)
        now = time.monotonic()
        if now - self._last >= _PROGRESS_INTERVAL or completed >= total:
            self._last = now
            jobs.record_progress(self.database, self.job_id, self.owner, stage, step, completed, total)


def dispatch(app: Celery, settings: Settings, job_id: str, index: int, attempt: int) -> None:
    """Send the task for stage ``index`` of a job to that stage's queue.

    Later stages go first (Redis priority 0 is the highest), so a season's jobs finish one after another.
    """
    stage = STAGE_NAMES[index]
    app.send_task(STAGE_TASK, args=[job_id, index, attempt], queue=settings.queue_for(stage), priority=len(STAGE_NAMES) - 1 - index)


def _request(saved: dict[str, Any]) -> RunRequest:
    return RunRequest(
        source=Path(saved["source"]),
        out=Path(saved["out"]),
        targets=list(saved["targets"]),
        glossary=Path(saved["glossary"]) if saved.get("glossary") else None,
        name=saved.get("name"),
    )


def run_stage(app: Celery, settings: Settings, database: Database, job_id: str, index: int, attempt: int, worker: str) -> float | None:
    """Run one stage of a job if this delivery should; returns seconds to wait before checking again, or None when done."""
    from localize.config import Config

    owner = f"{worker}:{os.getpid()}:{secrets.token_hex(4)}"
    claimed = jobs.claim(database, job_id, index, attempt, owner, worker, settings.lease_seconds)
    if claimed.claim is not Claim.RUN:
        log.info("job %s stage %d attempt %d: %s", job_id, index, attempt, claimed.claim.value)
        return claimed.wait if claimed.claim in (Claim.BUSY, Claim.EARLY) else None
    assert claimed.request is not None
    stage = STAGE_NAMES[index]
    lease = _Lease(database, job_id, owner, attempt, settings.lease_seconds)
    try:
        with lease:
            ctx, episode = prepare_run(_request(claimed.request), Config.model_validate(claimed.request["config"]))
            ctx.hook = _ProgressWriter(database, job_id, owner, lease)
            episode = run_stages(episode, ctx, names=(stage,))
    except Exception as exc:
        if lease.lost.is_set():
            jobs.release(database, job_id, owner, stage)
        elif isinstance(exc, LocalizeError):
            jobs.fail(database, job_id, owner, stage, exc.one_line())
        elif isinstance(exc, OSError) and (known := output_error(exc)) is not None:
            jobs.fail(database, job_id, owner, stage, known.one_line())
        else:
            log.exception("job %s failed in %s", job_id, stage)
            jobs.fail(database, job_id, owner, stage, f"internal error in {stage}: {type(exc).__name__}: {exc}")
        return None
    if lease.lost.is_set():
        jobs.release(database, job_id, owner, stage)
        return None
    record = episode.stages[stage]
    if index + 1 < len(STAGE_NAMES):
        # Sent before the stage is recorded: a crash in between repeats this stage (a cache hit), never loses the next one.
        dispatch(app, settings, job_id, index + 1, attempt)
    jobs.finish_stage(database, job_id, index, owner, episode.id, record.seconds, record.cache_hit)
    return None


def make_celery(settings: Settings, database: Database) -> Celery:
    """The Celery app for these settings, with the stage task registered."""
    app = Celery("localize", set_as_current=False)
    transport: dict[str, Any] = {}  # the SQLAlchemy transport passes its options to create_engine
    if not settings.embedded_broker:
        restore_every = max(1, min(10, int(settings.visibility_timeout / 5)))
        transport = {
            "visibility_timeout": settings.visibility_timeout,
            "unacked_restore_interval": restore_every,
            "unacked_restore_throttle": 1,
            "priority_steps": list(range(len(STAGE_NAMES))),
            "sep": ":",
            "queue_order_strategy": "priority",
        }
    app.conf.update(
        broker_url=settings.broker,
        broker_transport_options=transport,
        broker_connection_retry_on_startup=True,
        result_backend=settings.result_backend,
        result_expires=24 * 3600,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_default_queue="cpu",
        task_serializer="json",
        accept_content=["json"],
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )

    @app.task(name=STAGE_TASK, bind=True, max_retries=None, autoretry_for=(SQLAlchemyError,), retry_backoff=True)
    def stage_task(task: Task, job_id: str, index: int, attempt: int) -> None:
        wait = run_stage(app, settings, database, job_id, index, attempt, str(task.request.hostname))
        if wait is not None:
            raise task.retry(countdown=wait)

    @worker_process_init.connect(weak=False)
    def _after_fork(**_: Any) -> None:
        database.after_fork()

    return app
