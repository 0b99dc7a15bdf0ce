"""What a review operation returns: the episode as changed, and each field it changed (for the audit log)."""

from __future__ import annotations

from dataclasses import dataclass, field

from localize.model import Episode
from localize.review.audit import Change

__all__ = ["Edit"]


@dataclass(frozen=True)
class Edit:
    """An operation's result; no changes means nothing to save."""

    episode: Episode
    changes: list[Change] = field(default_factory=list)
