"""The service's operations, shared by the API and the CLI: submit, cancel, retry, recover, uploads, deliverables."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from localize.cache import sha256_file
from localize.errors import ConfigError, InputError
from localize.model import Deliverable
from localize.pipeline import STAGE_NAMES
from localize.service import jobs
from localize.service.db import Database, Job
from localize.service.errors import Conflict, NotFound, ServiceUnavailable, UnsupportedUpload
from localize.service.job_config import resolve_job_config
from localize.service.schemas import JobView, StageView, Submission, iso
from localize.service.security import confine, new_id, safe_filename, upload_kind
from localize.service.settings import Settings
from localize.service.tasks import dispatch, make_celery

if TYPE_CHECKING:
    from localize.config import Config

__all__ = ["Service", "job_view"]

log = logging.getLogger("localize.service")

_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _pipeline_environ() -> dict[str, str]:
    """The ``LOCALIZE_*`` variables that configure the pipeline (not the service's, the CLI's or the model cache's)."""
    from localize.config import Config

    return {
        name: value
        for name, value in os.environ.items()
        if name.startswith("LOCALIZE_") and name.removeprefix("LOCALIZE_").split("__")[0].lower() in Config.model_fields
    }


def job_view(job: Job) -> JobView:
    """The API's view of a job."""
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
        error=job.error,
        worker=job.worker,
        submitted_by=job.submitted_by,
        created_at=iso(job.created_at) or "",
        updated_at=iso(job.updated_at) or "",
        finished_at=iso(job.finished_at),
    )


class Service:
    """One service instance: its settings, job database and broker connection."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.database = Database(settings.database)
        self.database.create_all()
        self.celery = make_celery(settings, self.database)

    @staticmethod
    def warm_up() -> None:
        """Import what checking a submission needs (the glossary loads spaCy), so the first submission is not slow."""
        import localize.config
        import localize.glossary
        import localize.languages
        import localize.media.probe  # noqa: F401

    # --- jobs -----------------------------------------------------------

    def server_config(self) -> Config:
        """The configuration jobs start from (the server's ``localize.toml`` and environment), checked whole."""
        from localize.config import load_config
        from localize.stages.factory import check_backends

        config = load_config(self.settings.config_file, environ=_pipeline_environ())
        try:
            check_backends(config)
        except ConfigError as exc:
            raise ServiceUnavailable(f"the server's configuration is invalid: {exc.message}", "the operator must fix it") from exc
        return config

    def submit(self, submission: Submission, submitted_by: str) -> Job:
        """Check a submission (paths confined, media probed, glossary and config valid), store it and queue its first stage."""
        from localize.glossary import load_glossary
        from localize.languages import parse_targets
        from localize.media.probe import probe

        roots = self.settings.storage_roots
        source = self._upload(submission.upload, "media") if submission.upload else confine(submission.source or "", roots)
        probe(source)
        glossary: Path | None = None
        if submission.glossary_upload:
            glossary = self._upload(submission.glossary_upload, "glossary")
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
        }
        job = jobs.create(self.database, job_id, request, submitted_by)
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

    def list_jobs(self, status: str | None, limit: int, offset: int) -> tuple[list[Job], int]:
        """Jobs newest first, optionally of one status, and how many there are in all."""
        query = select(Job)
        count = select(func.count()).select_from(Job)
        if status:
            query, count = query.where(Job.status == status), count.where(Job.status == status)
        with self.database.read() as session:
            found = list(session.scalars(query.order_by(Job.created_at.desc(), Job.id).limit(limit).offset(offset)))
            total = session.scalar(count) or 0
        return found, total

    def cancel(self, job_id: str) -> Job:
        """Cancel a job."""
        return jobs.cancel(self.database, job_id)

    def retry(self, job_id: str) -> Job:
        """Run a failed or cancelled job again; finished stages come from the cache."""
        job = jobs.retry(self.database, job_id)
        if job is None:
            raise Conflict(f"job {job_id} is {jobs.get(self.database, job_id).status}", "only failed or cancelled jobs can be retried")
        self._dispatch_first(job)
        return jobs.get(self.database, job_id)

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

    def check_upload(self, path: Path, kind: str) -> None:
        """Check that an upload is what its name says (ffprobe for media, the glossary parser); remove it if not."""
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

    def discard_upload(self, path: Path) -> None:
        """Remove an upload's folder."""
        shutil.rmtree(path.parent, ignore_errors=True)

    def _upload(self, upload_id: str, kind: str) -> Path:
        folder = self.settings.uploads_dir / upload_id
        files = sorted(folder.iterdir()) if _ID.match(upload_id) and folder.is_dir() else []
        if len(files) != 1:
            raise NotFound(f"no upload '{upload_id}'", "upload the file first with POST /uploads")
        if upload_kind(files[0].name) != kind:
            raise UnsupportedUpload(f"upload '{upload_id}' is not a {kind} file", f"upload a {kind} file")
        return files[0].resolve()

    # --- deliverables -----------------------------------------------------

    def deliverables(self, job: Job) -> list[Deliverable]:
        """The files a finished job delivered, as its manifest lists them."""
        folder = self._episode_folder(job)
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
        return confine(path, [self._episode_folder(job)])

    def _episode_folder(self, job: Job) -> Path:
        episode = job.request.get("episode")
        if not episode:
            raise NotFound(f"job {job.id} has no deliverables yet (it is {job.status})", "wait until it has succeeded")
        return Path(job.request["out"]) / episode
