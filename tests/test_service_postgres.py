"""The job database on a real PostgreSQL server (started by the test, loopback only): "PostgreSQL by URL".

Skipped where no PostgreSQL server binaries are installed (the Debian package puts them in /usr/lib/postgresql/*/bin).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from localize.service import jobs
from localize.service.cluster import free_port
from localize.service.db import Database
from localize.service.jobs import Claim
from localize.service.security import authenticate, create_token, revoke_token


def _binary(name: str) -> str | None:
    return shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    """A throwaway PostgreSQL server; yields its SQLAlchemy URL."""
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    if initdb is None or pg_ctl is None:
        pytest.skip("PostgreSQL server binaries are not installed")
    folder = Path(tempfile.mkdtemp(prefix="localize-pg-"))  # not under pytest's root-only folder: the server may run as nobody
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        os.chown(folder, 65534, 65534)
        as_user = ["runuser", "-u", "nobody", "--"]
    port = free_port()
    data = folder / "data"
    subprocess.run([*as_user, initdb, "-D", str(data), "-A", "trust", "-U", "localize"], check=True, capture_output=True, cwd=folder)
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
    subprocess.run([*as_user, pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"], check=True, cwd=folder)
    try:
        yield f"postgresql+psycopg://localize@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], check=False, capture_output=True, cwd=folder)
        shutil.rmtree(folder, ignore_errors=True)


def test_jobs_and_tokens_on_postgresql(postgres: str, tmp_path: Path) -> None:
    database = Database(postgres)
    database.create_all()
    secret, _ = create_token(database, "reader", ["read"])
    principal = authenticate(database, secret)
    assert principal is not None and principal.allows("read") and not principal.allows("submit")

    job = jobs.create(database, "pg-job-0001", {"source": "/media/ep.mp4", "targets": ["en"], "out": str(tmp_path)}, "reader")
    assert jobs.claim(database, job.id, 0, 1, "owner-a", "a@host", 30).claim is Claim.RUN
    assert jobs.claim(database, job.id, 0, 1, "owner-b", "b@host", 30).claim is Claim.BUSY
    assert jobs.claim(database, job.id, 1, 1, "owner-b", "b@host", 30).claim is Claim.EARLY
    assert jobs.finish_stage(database, job.id, 0, "owner-a", "ep", 1.5, False)
    assert jobs.claim(database, job.id, 0, 1, "owner-b", "b@host", 30).claim is Claim.STALE
    assert jobs.get(database, job.id).stages["ingest"]["state"] == "done"
    assert jobs.cancel(database, job.id).status == "cancelled"
    retried = jobs.retry(database, job.id)
    assert retried is not None and retried.attempt == 2 and retried.stage_index == 0

    revoke_token(database, "reader")
    assert authenticate(database, secret) is None
    database.engine.dispose()
