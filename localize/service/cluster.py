"""A whole service on this machine, on loopback: redis-server, the API and any number of workers, as real processes.

Used by the service tests and benchmarks, and handy to try the service out:
each process is a ``localize`` command (or ``redis-server``) in its own
process group, so one can be killed (SIGKILL included) and started again.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import IO

from localize.errors import BackendUnavailable
from localize.service.db import Database
from localize.service.errors import ServiceUnavailable
from localize.service.security import create_token
from localize.service.settings import Settings

__all__ = ["QUICK_JOB_CONFIG", "LocalCluster", "free_port"]

QUICK_JOB_CONFIG = """\
source_language = "es"
[transcribe]
backend = "faster-whisper.v1"
[transcribe.options]
beam_size = 1
temperature = [0.0]
cpu_threads = 1
detect_line_language = false
[dub]
workers = 1
[package]
masters = ["mp4"]
review_proxy = false
sdh = false
"""
"""A server config for short loopback jobs (tests, benchmarks): greedy decoding, one master, no proxy or SDH."""


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes], what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServiceUnavailable(f"{what} exited with {process.returncode} while starting", "see its log in the data directory")
        with socket.socket() as probe:
            probe.settimeout(0.5)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise ServiceUnavailable(f"{what} did not listen on port {port} within {timeout:.0f} s", "see its log in the data directory")


class LocalCluster:
    """redis-server + ``localize serve --no-worker`` + ``localize worker`` processes sharing one data directory."""

    def __init__(self, data_dir: Path, storage_roots: list[Path], **settings: object) -> None:
        if shutil.which("redis-server") is None:
            raise BackendUnavailable("redis-server is not installed", "apt-get install redis-server")
        self.redis_port, self.api_port = free_port(), free_port()
        self.settings = Settings.model_validate(
            {
                "data_dir": data_dir,
                "storage_roots": storage_roots,
                "broker_url": f"redis://127.0.0.1:{self.redis_port}/0",
                **settings,
            }
        )
        data_dir.mkdir(parents=True, exist_ok=True)
        self.logs = data_dir / "logs"
        self.logs.mkdir(exist_ok=True)
        self.env = {**os.environ, **self.settings.to_env(), "PYTHONUNBUFFERED": "1"}
        self.redis: subprocess.Popen[bytes] | None = None
        self.api: subprocess.Popen[bytes] | None = None
        self.workers: dict[str, subprocess.Popen[bytes]] = {}
        self._logs: list[IO[bytes]] = []

    @property
    def url(self) -> str:
        """The API's base URL."""
        return f"http://127.0.0.1:{self.api_port}"

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("ab")
        self._logs.append(log)
        return subprocess.Popen(command, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def start_redis(self) -> None:
        """Start redis-server on loopback, without persistence."""
        command = ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.redis = self._spawn("redis", command)
        _wait_for_port(self.redis_port, self.redis, "redis-server", 30)

    def start_api(self, timeout: float = 120) -> None:
        """Start ``localize serve`` (no embedded worker) and wait until it listens."""
        command = [sys.executable, "-m", "localize.cli", "serve", "--no-worker", "--port", str(self.api_port)]
        self.api = self._spawn("api", command)
        _wait_for_port(self.api_port, self.api, "the API", timeout)

    def stop_api(self, sig: signal.Signals = signal.SIGTERM) -> None:
        """Stop the API process with ``sig`` and wait for it to exit."""
        if self.api is not None:
            _stop(self.api, sig)
            self.api = None

    def start_worker(self, name: str, concurrency: int = 1) -> subprocess.Popen[bytes]:
        """Start ``localize worker --name NAME@cluster``."""
        command = [sys.executable, "-m", "localize.cli", "worker", f"--name={name}@cluster", f"--concurrency={concurrency}"]
        self.workers[name] = self._spawn(f"worker-{name}", command)
        return self.workers[name]

    def kill_worker(self, name: str) -> None:
        """SIGKILL a worker and its pool processes, as a crash or an out-of-memory kill would."""
        _stop(self.workers.pop(name), signal.SIGKILL)

    def token(self, name: str, scopes: list[str]) -> str:
        """Create an API token in the job database and return its secret."""
        database = Database(self.settings.database)
        database.create_all()
        secret, _ = create_token(database, name, scopes)
        database.engine.dispose()
        return secret

    def close(self) -> None:
        """Stop every process: workers, API, then redis."""
        for name in list(self.workers):
            _stop(self.workers.pop(name), signal.SIGTERM, grace=10)
        self.stop_api()
        if self.redis is not None:
            _stop(self.redis, signal.SIGTERM)
            self.redis = None
        for log in self._logs:
            log.close()

    def __enter__(self) -> LocalCluster:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def _stop(process: subprocess.Popen[bytes], sig: signal.Signals, grace: float = 30) -> None:
    """Send ``sig`` to the process group; SIGKILL it if it has not exited after ``grace`` seconds."""
    try:
        os.killpg(process.pid, sig)
        process.wait(grace)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
