"""API tokens (stored as sha256, with scopes), path confinement, and upload checks."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from localize.errors import InputError
from localize.service.db import Database, Token
from localize.service.errors import AccessDenied, Conflict, NotFound, UnsupportedUpload

__all__ = [
    "GLOSSARY_SUFFIXES",
    "MEDIA_SUFFIXES",
    "SCOPES",
    "Principal",
    "authenticate",
    "confine",
    "create_token",
    "hash_token",
    "list_tokens",
    "new_id",
    "revoke_token",
    "safe_filename",
    "upload_kind",
]

SCOPES = ("read", "submit", "admin")
"""``admin`` grants every scope."""
MEDIA_SUFFIXES = frozenset(
    {".mp4", ".mkv", ".mov", ".m4v", ".avi", ".webm", ".mxf", ".ts", ".wav", ".flac", ".mp3", ".m4a", ".aac", ".ogg"}
)
GLOSSARY_SUFFIXES = frozenset({".yaml", ".yml", ".csv", ".tbx"})
_TOKEN_PREFIX = "lz_"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's name and scopes."""

    name: str
    scopes: frozenset[str]

    def allows(self, scope: str) -> bool:
        """Whether this token grants ``scope``."""
        return scope in self.scopes or "admin" in self.scopes


def new_id() -> str:
    """An unguessable identifier (128 random bits, URL-safe)."""
    return secrets.token_urlsafe(16)


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(database: Database, name: str, scopes: Sequence[str]) -> tuple[str, Token]:
    """Create a named token with scopes; the returned secret is shown once and stored only hashed."""
    if not _NAME.match(name):
        raise InputError(f"invalid token name '{name}'", "use letters, digits, '.', '_', '-' or '@' (128 at most)")
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise InputError(f"invalid scopes {unknown or '(none)'}", f"use some of: {', '.join(SCOPES)}")
    secret = _TOKEN_PREFIX + secrets.token_urlsafe(32)
    with database.write() as session:
        if session.scalar(select(Token.id).where(Token.name == name)) is not None:
            raise Conflict(f"a token named '{name}' exists", "revoke it first or choose another name")
        token = Token(name=name, hash=hash_token(secret), scopes=" ".join(s for s in SCOPES if s in scopes), created_at=time.time())
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
    """The principal a presented token belongs to, or None."""
    digest = hash_token(presented)
    with database.read() as session:
        token = session.scalar(select(Token).where(Token.hash == digest))
    if token is None or not hmac.compare_digest(token.hash, digest):
        return None
    return Principal(token.name, token.scope_set)


def confine(raw: str, roots: Sequence[Path], must_exist: bool = True) -> Path:
    """Resolve a client-given path inside one of ``roots``; refuse ``..``, symlink escapes and anything outside.

    A relative path is looked up under each root in turn.
    """
    if not raw or "\x00" in raw:
        raise AccessDenied("empty or invalid path", "name a file under a storage root")
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


def upload_kind(filename: str) -> str:
    """``media`` or ``glossary`` by file suffix; UnsupportedUpload for anything else."""
    suffix = Path(filename).suffix.lower()
    if suffix in MEDIA_SUFFIXES:
        return "media"
    if suffix in GLOSSARY_SUFFIXES:
        return "glossary"
    raise UnsupportedUpload(
        f"unsupported upload type '{suffix or filename}'",
        f"upload media ({', '.join(sorted(MEDIA_SUFFIXES))}) or a glossary ({', '.join(sorted(GLOSSARY_SUFFIXES))})",
    )


def safe_filename(filename: str) -> str:
    """A file name with no directory part and no surprising characters."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(filename.replace("\\", "/")).name).strip("._")
    if not name:
        raise InputError(f"invalid file name '{filename}'", "give the upload a plain file name")
    return name
