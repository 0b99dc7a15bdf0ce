"""The job database (SQLAlchemy 2): jobs with per-stage progress, uploads, and hashed API tokens, each of a tenant.

SQLite by default (WAL, write transactions taken with ``BEGIN IMMEDIATE`` so
the API and several workers can share the file; the file is readable by its
owner only), PostgreSQL by URL (write transactions lock the job row with
``SELECT ... FOR UPDATE``). Columns added since a database was made are added
to it when the service starts.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Boolean, Float, Integer, String, Text, create_engine, event, inspect
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

__all__ = ["DEFAULT_TENANT", "JOB_STATES", "TERMINAL", "Database", "Job", "Token", "Upload", "private_file"]

JOB_STATES = ("queued", "running", "succeeded", "failed", "cancelled")
TERMINAL = frozenset({"succeeded", "failed", "cancelled"})
_SCHEMA_LOCK = 0x6C6F63616C  # PostgreSQL advisory-lock key taken while creating tables ("local")
DEFAULT_TENANT = "default"
"""The tenant of tokens made without one, and of everything stored before tenants existed."""


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
    tenant: Mapped[str] = mapped_column(String(128), index=True, default=DEFAULT_TENANT, server_default=DEFAULT_TENANT)
    """Only tokens of this tenant (and admins) see the job."""
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
    tenant: Mapped[str] = mapped_column(String(128), default=DEFAULT_TENANT, server_default=DEFAULT_TENANT)
    created_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float | None] = mapped_column(Float, default=None)
    """After this time the token is refused; None: it never expires."""

    @property
    def scope_set(self) -> frozenset[str]:
        """The scopes as a set."""
        return frozenset(self.scopes.split())


class Upload(_Base):
    """An uploaded file, kept until no job needs it and the retention time has passed."""

    __tablename__ = "uploads"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(128), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(255))
    bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[float] = mapped_column(Float, index=True)


def private_file(path: Path) -> None:
    """Create ``path`` (if missing) readable and writable by its owner only, and make an existing one so.

    SQLite gives its -wal and -shm files the database file's mode, so they are private too.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    with contextlib.suppress(PermissionError):
        os.chmod(path, 0o600)


def _add_missing_columns(connection: Connection) -> None:
    """``ALTER TABLE ... ADD COLUMN`` for every model column an existing table lacks (a database made by an older version)."""
    inspector = inspect(connection)
    for table in _Base.metadata.sorted_tables:
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            kind = column.type.compile(dialect=connection.dialect)
            default = f" DEFAULT '{column.server_default.arg}'" if column.server_default is not None else ""  # type: ignore[attr-defined]
            connection.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}{default}")


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
        if self.is_sqlite and parsed.database and parsed.database != ":memory:":
            private_file(Path(parsed.database))
        connect_args = {"check_same_thread": False, "timeout": 30} if self.is_sqlite else {}
        self.engine = create_engine(url, connect_args=connect_args, pool_pre_ping=not self.is_sqlite)
        if self.is_sqlite:
            _sqlite_pragmas(self.engine)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(self.engine.execution_options(localize_write=True), expire_on_commit=False)

    def create_all(self) -> None:
        """Create the tables (and columns) that do not exist yet; safe when the API and several workers start at once.

        The check-then-create runs in one write transaction (SQLite: ``BEGIN
        IMMEDIATE``; PostgreSQL: a transaction-scoped advisory lock), so a
        second process waits and then finds the tables instead of failing
        with "table already exists".
        """
        with self.engine.execution_options(localize_write=True).begin() as connection:
            if self.is_postgresql:
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_SCHEMA_LOCK})")
            _Base.metadata.create_all(connection)
            _add_missing_columns(connection)

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
