"""The job database (SQLAlchemy 2): jobs with per-stage progress, and hashed API tokens.

SQLite by default (WAL, write transactions taken with ``BEGIN IMMEDIATE`` so
the API and several workers can share the file), PostgreSQL by URL (write
transactions lock the job row with ``SELECT ... FOR UPDATE``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Boolean, Float, Integer, String, Text, create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

__all__ = ["JOB_STATES", "TERMINAL", "Database", "Job", "Token"]

JOB_STATES = ("queued", "running", "succeeded", "failed", "cancelled")
TERMINAL = frozenset({"succeeded", "failed", "cancelled"})
_SCHEMA_LOCK = 0x6C6F63616C  # PostgreSQL advisory-lock key taken while creating tables ("local")


class _Base(DeclarativeBase):
    pass


class Job(_Base):
    """One submitted episode and where its run stands."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    """What was asked: source, targets, glossary, name, the resolved config, the output folder."""
    stages: Mapped[dict[str, Any]] = mapped_column(JSON)
    """Stage name -> {state, step, completed, total, seconds, cache_hit}."""
    stage_index: Mapped[int] = mapped_column(Integer, default=0)
    """The next stage to run (index into STAGE_NAMES); every stage before it is finished."""
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    dispatched: Mapped[bool] = mapped_column(Boolean, default=False)
    """Whether a task for the current attempt was handed to the broker."""
    error: Mapped[str | None] = mapped_column(Text, default=None)
    lease_owner: Mapped[str | None] = mapped_column(String(128), default=None)
    lease_expires: Mapped[float | None] = mapped_column(Float, default=None)
    worker: Mapped[str | None] = mapped_column(String(256), default=None)
    """The worker that last ran a stage of this job."""
    submitted_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[float] = mapped_column(Float, index=True)
    updated_at: Mapped[float] = mapped_column(Float)
    finished_at: Mapped[float | None] = mapped_column(Float, default=None)

    def touch(self) -> None:
        """Record that the job changed now."""
        self.updated_at = time.time()


class Token(_Base):
    """An API token: only its sha256 is stored."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(String(64))
    """Space-separated: read, submit, admin."""
    created_at: Mapped[float] = mapped_column(Float)

    @property
    def scope_set(self) -> frozenset[str]:
        """The scopes as a set."""
        return frozenset(self.scopes.split())


def _sqlite_pragmas(engine: Engine) -> None:
    """WAL and a busy timeout for every connection; BEGIN IMMEDIATE for write transactions."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get("localize_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """Engine and sessions for one database URL."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        self.is_postgresql = parsed.get_backend_name() == "postgresql"
        if self.is_sqlite and parsed.database:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        connect_args = {"check_same_thread": False, "timeout": 30} if self.is_sqlite else {}
        self.engine = create_engine(url, connect_args=connect_args, pool_pre_ping=not self.is_sqlite)
        if self.is_sqlite:
            _sqlite_pragmas(self.engine)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(self.engine.execution_options(localize_write=True), expire_on_commit=False)

    def create_all(self) -> None:
        """Create the tables that do not exist yet; safe when the API and several workers start at once.

        The check-then-create runs in one write transaction (SQLite: ``BEGIN
        IMMEDIATE``; PostgreSQL: a transaction-scoped advisory lock), so a
        second process waits and then finds the tables instead of failing
        with "table already exists".
        """
        with self.engine.execution_options(localize_write=True).begin() as connection:
            if self.is_postgresql:
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_SCHEMA_LOCK})")
            _Base.metadata.create_all(connection)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading."""
        with self._read() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction that holds the write lock (SQLite) and commits on success."""
        with self._write.begin() as session:
            yield session

    def after_fork(self) -> None:
        """Drop connections inherited from a parent process (prefork workers)."""
        self.engine.dispose(close=False)
