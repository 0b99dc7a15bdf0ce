"""The service's operations, shared by the API and the CLI: submit, cancel, retry, delete, recover, purge, uploads, deliverables.

Every job and upload belongs to a tenant; a caller names its principal and
sees only its own tenant's (an admin sees all). Another tenant's job or upload
is reported as not found, so its existence does not leak.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select

from localize.cache import sha256_file
from localize.errors import ConfigError, InputError
from localize.model import Deliverable
from localize.service import jobs
from localize.service.db import TERMINAL, Database, Job, Upload, private_file
from localize.service.errors import Conflict, NotFound, ServiceUnavailable, UnsupportedUpload
from localize.service.job_config import resolve_job_config
from localize.service.schemas import JobView, StageView, Submission, iso
from localize.service.security import Principal, RateLimiter, confine, new_id, redact_paths, safe_filename, upload_kind
from localize.service.settings import Settings
from localize.service.tasks import dispatch, make_celery
from localize.stages import STAGE_NAMES

if TYPE_CHECKING:
    from localize.config import Config

__all__ = ["Service"]

log = logging.getLogger("localize.service")

_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_MAX_MESSAGE = 1000
"""Characters of an error a client is shown at most: never megabytes of its own input echoed back."""


class Service:
    """One service instance: its settings, job database and broker connection."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        if settings.embedded_broker:  # kombu and Celery make these files with the umask's mode: make them private first
            for name in ("broker.db", "results.db"):
                private_file(settings.data_dir / name)
        self.database = Database(settings.database)
        self.database.create_all()
        self.celery = make_celery(settings, self.database)
        self.limiter = RateLimiter(settings.rate_limit_per_minute)

    @staticmethod
    def warm_up() -> None:
        """Import what checking a submission needs (the glossary loads spaCy), so the first submission is not slow."""
        import localize.config
        import localize.glossary
        import localize.languages
        import localize.media.probe  # noqa: F401

    def view(self, job: Job) -> JobView:
        """The API's view of a job (its error with paths relative to the storage roots)."""
        done = sum(1 for name in STAGE_NAMES if job.stages.get(name, {}).get("state") == "done")
        return JobView(
            id=job.id,
            status=job.status,  # type: ignore[arg-type]
            episode=job.request.get("episode"),
            source=Path(job.request["source"]).name,
            targets=list(job.request["targets"]),
            attempt=job.attempt,
            progress=round(done / len(STAGE_NAMES), 3),
            stages={name: StageView.model_validate(job.stages.get(name, {"state": "pending"})) for name in STAGE_NAMES},
            error=self.public(job.error) if job.error else None,
            worker=job.worker,
            submitted_by=job.submitted_by,
            tenant=job.tenant,
            created_at=iso(job.created_at) or "",
            updated_at=iso(job.updated_at) or "",
            finished_at=iso(job.finished_at),
        )

    def public(self, message: str) -> str:
        """A message fit for a client: server paths made relative to the storage roots, and a few lines long at most."""
        roots = [self.settings.uploads_dir, self.settings.jobs_dir, *self.settings.storage_roots, self.settings.data_dir]
        text = redact_paths(message, roots)
        return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"

    # --- jobs -----------------------------------------------------------

    def server_config(self) -> Config:
        """The configuration jobs start from (the server's ``localize.toml`` and environment), checked whole."""
        from localize.config import load_config
        from localize.stages.factory import check_backends

        config = load_config(self.settings.config_file)
        try:
            check_backends(config)
        except ConfigError as exc:
            raise ServiceUnavailable(f"the server's configuration is invalid: {exc.message}", "the operator must fix it") from exc
        return config

    def submit(self, submission: Submission, principal: Principal) -> Job:
        """Check a submission (paths confined, media probed, glossary and config valid), store it and queue its first stage."""
        from localize.glossary import load_glossary
        from localize.languages import parse_targets
        from localize.media.probe import probe

        roots = self.settings.storage_roots
        uploads = [upload for upload in (submission.upload, submission.glossary_upload) if upload]
        source = self._upload(submission.upload, "media", principal) if submission.upload else confine(submission.source or "", roots)
        probe(source)
        glossary: Path | None = None
        if submission.glossary_upload:
            glossary = self._upload(submission.glossary_upload, "glossary", principal)
        elif submission.glossary:
            glossary = confine(submission.glossary, roots)
        if glossary is not None:
            load_glossary(glossary)
        targets = parse_targets(submission.targets)
        wanted = dict(submission.config)
        if submission.source_language:
            wanted["source_language"] = submission.source_language
        config = resolve_job_config(wanted, self.server_config(), roots, targets)
        job_id = new_id()
        request = {
            "source": str(source),
            "targets": targets,
            "glossary": str(glossary) if glossary else None,
            "name": submission.name,
            "config": config.model_dump(mode="json"),
            "out": str((self.settings.jobs_dir / job_id).resolve()),
            "uploads": uploads,
        }
        job = jobs.create(self.database, job_id, request, principal.name, principal.tenant)
        self._dispatch_first(job)
        return jobs.get(self.database, job.id)

    def _dispatch_first(self, job: Job) -> None:
        try:
            dispatch(self.celery, self.settings, job.id, 0, job.attempt)
        except Exception as exc:
            log.warning("could not queue job %s", job.id, exc_info=True)
            with self.database.write() as session:
                stored = session.get(Job, job.id)
                if stored is not None:
                    stored.status, stored.error = "failed", f"could not queue the job: {type(exc).__name__}: {exc}"
            raise ServiceUnavailable(f"the job queue is unreachable ({exc})", f"check the broker, then POST /jobs/{job.id}/retry") from exc
        jobs.mark_dispatched(self.database, job.id, job.attempt)

    def job(self, job_id: str, principal: Principal) -> Job:
        """The job with this id, if the principal may see it (else NotFound, as for a job that does not exist)."""
        job = jobs.find(self.database, job_id)
        if job is None or not principal.sees(job.tenant):
            raise NotFound(f"no job '{job_id[:64]}'", "list jobs with GET /jobs")
        return job

    def list_jobs(self, principal: Principal, status: str | None, limit: int, offset: int) -> tuple[list[Job], int]:
        """The jobs the principal may see, newest first, optionally of one status, and how many there are in all."""
        query = select(Job)
        count = select(func.count()).select_from(Job)
        if not principal.admin:
            query, count = query.where(Job.tenant == principal.tenant), count.where(Job.tenant == principal.tenant)
        if status:
            query, count = query.where(Job.status == status), count.where(Job.status == status)
        with self.database.read() as session:
            found = list(session.scalars(query.order_by(Job.created_at.desc(), Job.id).limit(limit).offset(offset)))
            total = session.scalar(count) or 0
        return found, total

    def cancel(self, job_id: str, principal: Principal) -> Job:
        """Cancel a job."""
        return jobs.cancel(self.database, self.job(job_id, principal).id)

    def retry(self, job_id: str, principal: Principal) -> Job:
        """Run a failed or cancelled job again; finished stages come from the cache."""
        job = jobs.retry(self.database, self.job(job_id, principal).id)
        if job is None:
            raise Conflict(f"job {job_id} is {jobs.get(self.database, job_id).status}", "only failed or cancelled jobs can be retried")
        self._dispatch_first(job)
        return jobs.get(self.database, job_id)

    def delete(self, job_id: str, principal: Principal) -> None:
        """Delete a finished job, its files, and the uploads no other job needs."""
        job = self.job(job_id, principal)
        if job.status not in TERMINAL:
            raise Conflict(f"job {job_id} is {job.status}", f"cancel it first (POST /jobs/{job_id}/cancel), then delete it")
        self._remove_jobs([job])

    def _remove_jobs(self, doomed: list[Job]) -> int:
        """Delete jobs, their files and the uploads no remaining job needs; returns how many uploads went."""
        ids = {job.id for job in doomed}
        with self.database.write() as session:
            session.execute(delete(Job).where(Job.id.in_(ids)))
        for job in doomed:
            shutil.rmtree(self.settings.jobs_dir / job.id, ignore_errors=True)
        return self._remove_uploads({upload for job in doomed for upload in job.request.get("uploads", [])} - self._uploads_needed())

    def _uploads_needed(self) -> set[str]:
        """Uploads of the jobs that may still run (every job but a succeeded one: a failed or cancelled job can be retried)."""
        with self.database.read() as session:
            requests = session.scalars(select(Job.request).where(Job.status != "succeeded"))
            return {upload for request in requests for upload in request.get("uploads", [])}

    def _remove_uploads(self, ids: set[str]) -> int:
        if ids:
            with self.database.write() as session:
                session.execute(delete(Upload).where(Upload.id.in_(ids)))
            for upload_id in ids:
                shutil.rmtree(self.settings.uploads_dir / upload_id, ignore_errors=True)
        return len(ids)

    def purge(self, now: float | None = None) -> tuple[int, int]:
        """Apply the retention policy: delete finished jobs older than ``job_retention_days`` (with their files and
        uploads), and uploads older than ``upload_retention_hours`` that no job still needs. Returns (jobs, uploads) deleted."""
        now = time.time() if now is None else now
        doomed: list[Job] = []
        removed = 0
        if self.settings.job_retention_days is not None:
            cutoff = now - self.settings.job_retention_days * 86400
            with self.database.read() as session:
                doomed = list(session.scalars(select(Job).where(Job.status.in_(TERMINAL), Job.finished_at < cutoff)))
            if doomed:
                removed += self._remove_jobs(doomed)
        cutoff = now - self.settings.upload_retention_hours * 3600
        with self.database.read() as session:
            old = set(session.scalars(select(Upload.id).where(Upload.created_at < cutoff)))
        removed += self._remove_uploads(old - self._uploads_needed())
        if doomed or removed:
            log.info("retention: deleted %d jobs and %d uploads", len(doomed), removed)
        return len(doomed), removed

    def recover(self) -> int:
        """Queue again every unfinished job whose task may have been lost; duplicates are harmless. Returns how many."""
        found = jobs.orphans(self.database, include_undelivered=self.settings.embedded_broker)
        for job in found:
            dispatch(self.celery, self.settings, job.id, min(job.stage_index, len(STAGE_NAMES) - 1), job.attempt)
            jobs.mark_dispatched(self.database, job.id, job.attempt)
        if found:
            log.info("queued %d unfinished jobs again", len(found))
        return len(found)

    # --- uploads ----------------------------------------------------------

    def new_upload(self, filename: str) -> tuple[str, str, Path]:
        """An upload id, its kind (by suffix) and the path to write it to."""
        kind = upload_kind(filename)
        upload_id = new_id()
        folder = self.settings.uploads_dir / upload_id
        folder.mkdir(parents=True)
        return upload_id, kind, folder / safe_filename(filename)

    def check_upload(self, path: Path, kind: str, principal: Principal) -> None:
        """Check that an upload is what its name says (ffprobe for media, the glossary parser), then record it as the
        principal's tenant's; remove it if it is not what it says."""
        from localize.glossary import load_glossary
        from localize.media.probe import probe

        try:
            if kind == "media":
                try:
                    probe(path)
                except InputError as exc:
                    raise UnsupportedUpload(f"upload '{path.name}' is not usable media: {exc.message}", exc.hint) from exc
            else:
                load_glossary(path)
        except Exception:
            self.discard_upload(path)
            raise
        upload = Upload(
            id=path.parent.name, tenant=principal.tenant, kind=kind, filename=path.name, bytes=path.stat().st_size, created_at=time.time()
        )
        with self.database.write() as session:
            session.add(upload)

    def discard_upload(self, path: Path) -> None:
        """Remove an upload's folder."""
        shutil.rmtree(path.parent, ignore_errors=True)

    def _upload(self, upload_id: str, kind: str, principal: Principal) -> Path:
        with self.database.read() as session:
            upload = session.get(Upload, upload_id) if _ID.match(upload_id) else None
        if upload is None or not principal.sees(upload.tenant):
            raise NotFound(f"no upload '{upload_id[:64]}'", "upload the file first with POST /uploads")
        if upload.kind != kind:
            raise UnsupportedUpload(f"upload '{upload_id}' is not a {kind} file", f"upload a {kind} file")
        path = self.settings.uploads_dir / upload.id / upload.filename
        if not path.is_file():
            raise NotFound(f"upload '{upload_id}' is gone", "upload the file again")
        return path.resolve()

    # --- deliverables -----------------------------------------------------

    def deliverables(self, job: Job) -> list[Deliverable]:
        """The files a finished job delivered, as its manifest lists them."""
        folder = self.episode_folder(job)
        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise NotFound(f"job {job.id} has no deliverables yet (it is {job.status})", "wait until it has succeeded") from exc
        listed = [Deliverable.model_validate(item) for item in manifest.get("deliverables", [])]
        manifest_file = folder / "manifest.json"
        return [
            *listed,
            Deliverable(path="manifest.json", kind="manifest", sha256=sha256_file(manifest_file), bytes=manifest_file.stat().st_size),
        ]

    def deliverable_path(self, job: Job, path: str) -> Path:
        """The file of a listed deliverable, confined to the job's episode folder."""
        if path not in {d.path for d in self.deliverables(job)}:
            raise NotFound(f"job {job.id} has no deliverable '{path}'", f"list them with GET /jobs/{job.id}/files")
        return confine(path, [self.episode_folder(job)])

    def episode_folder(self, job: Job) -> Path:
        """The folder of the job's episode (its deliverables and work state)."""
        episode = job.request.get("episode")
        if not episode:
            raise NotFound(f"job {job.id} has no deliverables yet (it is {job.status})", "wait until it has succeeded")
        return Path(job.request["out"]) / episode
