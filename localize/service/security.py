"""API tokens (stored as sha256, with a tenant, scopes and an optional expiry), rate limits, path confinement, and upload checks."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from localize.errors import InputError
from localize.service.db import DEFAULT_TENANT, Database, Token
from localize.service.errors import AccessDenied, Conflict, NotFound, UnsupportedUpload

__all__ = [
    "GLOSSARY_SUFFIXES",
    "MEDIA_SUFFIXES",
    "SCOPES",
    "Principal",
    "RateLimiter",
    "authenticate",
    "check_path_text",
    "confine",
    "create_token",
    "hash_token",
    "list_tokens",
    "new_id",
    "redact_paths",
    "revoke_token",
    "safe_filename",
    "upload_kind",
]

SCOPES = ("read", "submit", "review", "admin")
"""``review``: open the tenant's finished jobs in the studio and change them there; ``admin`` grants every scope."""
MEDIA_SUFFIXES = frozenset(
    {".mp4", ".mkv", ".mov", ".m4v", ".avi", ".webm", ".mxf", ".ts", ".wav", ".flac", ".mp3", ".m4a", ".aac", ".ogg"}
)
GLOSSARY_SUFFIXES = frozenset({".yaml", ".yml", ".csv", ".tbx"})
_TOKEN_PREFIX = "lz_"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$")
MAX_PATH_BYTES = 4096
MAX_NAME_BYTES = 255
"""A path, and each of its parts, as long as Linux file systems allow."""
_UPLOAD_NAME_CHARS = 128


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's name, tenant and scopes."""

    name: str
    scopes: frozenset[str]
    tenant: str = DEFAULT_TENANT

    @property
    def admin(self) -> bool:
        """Whether this is an admin token: every scope, every tenant."""
        return "admin" in self.scopes

    def allows(self, scope: str) -> bool:
        """Whether this token grants ``scope``."""
        return scope in self.scopes or self.admin

    def sees(self, tenant: str) -> bool:
        """Whether this token may see what belongs to ``tenant``: its own tenant's things, or everything for an admin."""
        return tenant == self.tenant or self.admin


def new_id() -> str:
    """An unguessable identifier (128 random bits, URL-safe)."""
    return secrets.token_urlsafe(16)


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    database: Database, name: str, scopes: Sequence[str], tenant: str = DEFAULT_TENANT, expires_in: float | None = None
) -> tuple[str, Token]:
    """Create a named token of a tenant with scopes, valid ``expires_in`` seconds (None: until revoked).

    The returned secret is shown once and stored only hashed.
    """
    for what, value in (("token name", name), ("tenant", tenant)):
        if not _NAME.match(value):
            raise InputError(f"invalid {what} '{value[:80]}'", "use letters, digits, '.', '_', '-' or '@' (128 at most)")
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise InputError(f"invalid scopes {unknown or '(none)'}", f"use some of: {', '.join(SCOPES)}")
    if expires_in is not None and expires_in <= 0:
        raise InputError("a token's lifetime must be positive", "give a number of days above 0")
    secret = _TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = time.time()
    with database.write() as session:
        if session.scalar(select(Token.id).where(Token.name == name)) is not None:
            raise Conflict(f"a token named '{name}' exists", "revoke it first or choose another name")
        token = Token(
            name=name,
            hash=hash_token(secret),
            scopes=" ".join(s for s in SCOPES if s in scopes),
            tenant=tenant,
            created_at=now,
            expires_at=now + expires_in if expires_in is not None else None,
        )
        session.add(token)
    return secret, token


def list_tokens(database: Database) -> list[Token]:
    """Every token, by name."""
    with database.read() as session:
        return list(session.scalars(select(Token).order_by(Token.name)))


def revoke_token(database: Database, name: str) -> None:
    """Delete a token by name."""
    with database.write() as session:
        token = session.scalar(select(Token).where(Token.name == name))
        if token is None:
            raise NotFound(f"no token named '{name}'", "list them with 'localize token list'")
        session.delete(token)


def authenticate(database: Database, presented: str) -> Principal | None:
    """The principal a presented token belongs to, or None (unknown, revoked or expired)."""
    digest = hash_token(presented)
    with database.read() as session:
        token = session.scalar(select(Token).where(Token.hash == digest))
    if token is None or not hmac.compare_digest(token.hash, digest):
        return None
    if token.expires_at is not None and token.expires_at <= time.time():
        return None
    return Principal(token.name, token.scope_set, token.tenant)


@dataclass
class RateLimiter:
    """A token bucket per key (a token's name): ``per_minute`` requests a minute on average, bursts of as many.

    Kept in the API process: with several API processes, each allows this rate.
    """

    per_minute: int
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, key: str) -> float:
        """Take one request from ``key``'s bucket: 0 when allowed, else the seconds until the next one is."""
        if self.per_minute <= 0:
            return 0.0
        now = time.monotonic()
        rate = self.per_minute / 60.0
        with self._lock:
            level, last = self._buckets.get(key, (float(self.per_minute), now))
            level = min(float(self.per_minute), level + (now - last) * rate)
            if level < 1.0:
                self._buckets[key] = (level, now)
                return (1.0 - level) / rate
            self._buckets[key] = (level - 1.0, now)
            return 0.0


def confine(raw: str, roots: Sequence[Path], must_exist: bool = True) -> Path:
    """Resolve a client-given path inside one of ``roots``; refuse ``..``, symlink escapes and anything outside.

    A relative path is looked up under each root in turn.
    """
    if not raw or "\x00" in raw:
        raise AccessDenied("empty or invalid path", "name a file under a storage root")
    check_path_text(raw)
    path = Path(raw)
    if ".." in path.parts:
        raise AccessDenied(f"path '{raw}' contains '..'", "name the file by its path under a storage root")
    if not roots:
        raise AccessDenied("this server has no storage roots configured", "upload the file instead, or ask the operator to add a root")
    real_roots = [root.resolve() for root in roots]
    candidates = [path] if path.is_absolute() else [root / path for root in real_roots]
    confined = [c.resolve() for c in candidates if any(c.resolve().is_relative_to(root) for root in real_roots)]
    if not confined:
        raise AccessDenied(f"path '{raw}' is outside the storage roots", "name a file under a storage root")
    if not must_exist:
        return confined[0]
    existing = next((c for c in confined if c.exists()), None)
    if existing is None:
        raise NotFound(f"no file '{raw}' under the storage roots", "check the path")
    return existing


def check_path_text(raw: str) -> None:
    """InputError for a path no file system can hold: not valid Unicode, or too long (as a whole or in one part)."""
    try:
        encoded = raw.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError("a path or name is not valid Unicode (it holds an unpaired surrogate)", "send it as UTF-8 text") from None
    if len(encoded) > MAX_PATH_BYTES or any(len(part.encode()) > MAX_NAME_BYTES for part in raw.split("/")):
        raise InputError(
            f"a path or name is too long ({len(encoded)} bytes)", f"use at most {MAX_NAME_BYTES} bytes a name, {MAX_PATH_BYTES} in all"
        )


def redact_paths(text: str, roots: Sequence[Path]) -> str:
    """``text`` with every path under one of ``roots`` made relative to it, so no server path reaches a client."""
    for prefix in sorted(
        {str(path).rstrip("/") + "/" for root in roots for path in (root.absolute(), root.resolve())}, key=len, reverse=True
    ):
        text = text.replace(prefix, "")
    return text


def upload_kind(filename: str) -> str:
    """``media`` or ``glossary`` by file suffix; UnsupportedUpload for anything else."""
    suffix = Path(filename).suffix.lower()
    if suffix in MEDIA_SUFFIXES:
        return "media"
    if suffix in GLOSSARY_SUFFIXES:
        return "glossary"
    raise UnsupportedUpload(
        f"unsupported upload type '{(suffix or filename)[:40]}'",
        f"upload media ({', '.join(sorted(MEDIA_SUFFIXES))}) or a glossary ({', '.join(sorted(GLOSSARY_SUFFIXES))})",
    )


def safe_filename(filename: str) -> str:
    """A file name with no directory part and no surprising characters, 128 characters at most (its suffix kept)."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(filename.replace("\\", "/")).name).strip("._")
    if not name:
        raise InputError(f"invalid file name '{filename[:80]}'", "give the upload a plain file name")
    suffix = Path(name).suffix
    stem = name.removesuffix(suffix)
    suffix = suffix[:16]
    return stem[: _UPLOAD_NAME_CHARS - len(suffix)].rstrip("._") + suffix
