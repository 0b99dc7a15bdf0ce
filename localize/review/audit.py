"""The episode's audit log: one JSON line per changed field (who, when, what, before, after), appended, never rewritten."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from localize.cache import WorkDir, output_error

__all__ = ["AUDIT_LOG", "AuditEntry", "Change", "append_audit", "read_audit"]

AUDIT_LOG = "audit.jsonl"
"""In the episode's work directory (``.localize/``)."""


@dataclass(frozen=True)
class Change:
    """One field a review operation changed."""

    subject: str
    """What was changed: ``L0003``, ``fr L0003``, ``speaker SPEAKER_01``, ``glossary``, ``casting fr SPEAKER_01``."""
    field: str
    before: Any = None
    after: Any = None


@dataclass(frozen=True)
class AuditEntry:
    """A change, with who made it, when, and by which action."""

    at: str
    by: str
    action: str
    subject: str
    field: str
    before: Any = None
    after: Any = None
    comment: str = ""


def append_audit(workdir: WorkDir, entries: list[AuditEntry]) -> None:
    """Append entries to the log in one write (O_APPEND, synced): a crash leaves whole lines only."""
    if not entries:
        return
    path = workdir.state / AUDIT_LOG
    payload = "".join(json.dumps(asdict(entry), ensure_ascii=False, default=str) + "\n" for entry in entries).encode("utf-8")
    try:
        handle = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(handle, payload)
            os.fsync(handle)
        finally:
            os.close(handle)
    except OSError as exc:
        raise output_error(exc, path) or exc from exc


def read_audit(workdir: WorkDir) -> list[AuditEntry]:
    """Every entry of the log, oldest first (a torn last line, from a crash mid-write, is left out)."""
    path: Path = workdir.state / AUDIT_LOG
    if not path.is_file():
        return []
    entries = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        try:
            entries.append(AuditEntry(**json.loads(raw)))
        except (json.JSONDecodeError, TypeError):
            continue
    return entries
