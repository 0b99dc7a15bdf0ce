"""A subtitle event as written and as read back."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Cue"]


@dataclass
class Cue:
    """One subtitle event: when it shows, its lines, and what it came from."""

    start: float
    end: float
    lines: list[str]
    line_ids: tuple[str, ...] = field(default_factory=tuple)
    speaker: str | None = None
    forced: bool = False

    @property
    def duration(self) -> float:
        """Seconds on screen."""
        return self.end - self.start

    @property
    def chars(self) -> int:
        """Characters read: spaces and punctuation count, line breaks do not."""
        return sum(len(line) for line in self.lines)

    @property
    def text(self) -> str:
        """The lines joined with newlines."""
        return "\n".join(self.lines)
