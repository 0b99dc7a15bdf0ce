"""Processes: the API server (with an embedded worker by default) and the worker."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

from localize.service.runtime import Service
from localize.service.settings import Settings

__all__ = ["serve", "work"]

log = logging.getLogger("localize.service")

_STOP_GRACE_SECONDS = 30
_PURGE_EVERY_SECONDS = 3600


def work(settings: Settings, queues: list[str] | None = None, concurrency: int = 1, pool: str = "prefork", name: str | None = None) -> None:
    """Run a Celery worker on these settings' broker until it is stopped (SIGTERM: finish the current stage first)."""
    service = Service(settings)
    argv = [
        "worker",
        f"--queues={','.join(queues or settings.all_queues())}",
        f"--concurrency={concurrency}",
        f"--pool={pool}",
        f"--loglevel={logging.getLevelName(logging.getLogger().getEffectiveLevel())}",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    if name:
        argv.append(f"--hostname={name}")
    service.celery.worker_main(argv)


def _die_with_parent() -> None:
    """In the child: have Linux send it SIGTERM when ``serve`` dies, however it dies."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _exit_on_sigterm(*_: Any) -> None:
    raise SystemExit(0)


class _EmbeddedWorker:
    """A ``localize worker`` child process, started again (and lost jobs queued again) if it dies."""

    def __init__(self, service: Service, concurrency: int) -> None:
        self.service = service
        self.command = [sys.executable, "-m", "localize.cli", "worker", f"--concurrency={concurrency}"]
        self.env = {**os.environ, **service.settings.to_env()}
        self._stopping = threading.Event()
        self._process = self._spawn()
        self._monitor = threading.Thread(target=self._watch, name="embedded-worker", daemon=True)
        self._monitor.start()
        self._recover_later()

    def _recover_later(self) -> None:
        """Queue lost jobs again once the leases a dead worker held have expired (the embedded broker never redelivers)."""
        timer = threading.Timer(self.service.settings.lease_seconds + 1, self.service.recover)
        timer.daemon = True
        timer.start()

    def _spawn(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(self.command, env=self.env, preexec_fn=_die_with_parent)

    def _watch(self) -> None:
        while True:
            code = self._process.wait()
            if self._stopping.wait(1.0):
                return
            log.warning("the embedded worker exited with %s; starting it again", code)
            self._process = self._spawn()
            self._recover_later()

    def stop(self) -> None:
        """Stop the worker: let it finish its stage, then kill it."""
        self._stopping.set()
        self._process.terminate()
        try:
            self._process.wait(_STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


def _purge_every(service: Service, seconds: float) -> None:
    """Apply the retention policy now and then every ``seconds``, in a daemon thread."""

    def loop() -> None:
        while True:
            try:
                service.purge()
            except Exception:
                log.warning("the retention purge failed", exc_info=True)
            time.sleep(seconds)

    threading.Thread(target=loop, name="retention", daemon=True).start()


def serve(settings: Settings, host: str, port: int, embedded_worker: bool | None = None, concurrency: int = 1) -> None:
    """Serve the API; queue again any job a previous run left behind; with the embedded broker, also run a worker."""
    import uvicorn

    from localize.service.api import create_app

    service = Service(settings)
    service.warm_up()
    service.server_config()  # a bad server configuration stops the server now, not each submission
    service.recover()
    _purge_every(service, _PURGE_EVERY_SECONDS)
    # uvicorn re-raises the SIGTERM it caught once it has shut down: exit through ``finally`` to stop the worker.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    worker = _EmbeddedWorker(service, concurrency) if (settings.embedded_broker if embedded_worker is None else embedded_worker) else None
    try:
        uvicorn.run(create_app(service), host=host, port=port, log_level="warning")
    finally:
        if worker is not None:
            worker.stop()
