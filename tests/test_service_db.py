"""The job database when the API and several workers start at the same moment (SQLite file, and PostgreSQL where installed)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import inspect

from localize.service.db import Database
from tests.test_service_postgres import postgres  # noqa: F401  (fixture)

_CREATE_AT = """
import sys, time
from localize.service.db import Database
start = float(sys.argv[2])
while time.time() < start:
    pass
database = Database(sys.argv[1])
database.create_all()
database.engine.dispose()
"""


def _create_all_at_once(url: str, processes: int = 4) -> None:
    """Start ``processes`` interpreters that all call ``create_all`` at the same instant; each must succeed."""
    start = time.time() + 3.0  # every interpreter has imported SQLAlchemy by then
    running = [
        subprocess.Popen([sys.executable, "-c", _CREATE_AT, url, str(start)], stderr=subprocess.PIPE, text=True) for _ in range(processes)
    ]
    for process in running:
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr[-1500:]
    database = Database(url)
    assert {"jobs", "tokens"} <= set(inspect(database.engine).get_table_names())
    database.engine.dispose()


def test_processes_creating_the_sqlite_tables_at_once_all_start(tmp_path: Path) -> None:
    for attempt in range(3):  # the race is timing-dependent: give it several chances to show
        _create_all_at_once(f"sqlite:///{tmp_path / f'race{attempt}.db'}")


def test_processes_creating_the_postgresql_tables_at_once_all_start(postgres: str) -> None:  # noqa: F811
    _create_all_at_once(postgres)
