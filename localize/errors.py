"""One exception hierarchy for everything localize raises on purpose.

Library code raises these; only the CLI (and the service) turn them into
messages and exit codes. Every error carries a ``hint``: what the user should
do next.
"""

from __future__ import annotations

__all__ = [
    "BackendUnavailable",
    "ConfigError",
    "EditConflict",
    "GlossaryError",
    "InputError",
    "LocalizeError",
    "MediaError",
    "ModelUnavailable",
    "OutputError",
]


class LocalizeError(Exception):
    """Base class: a problem the user can act on."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        """The message and its hint on a single line, as the CLI prints it."""
        text = " ".join(self.message.split())
        if self.hint:
            text += f" (fix: {' '.join(self.hint.split())})"
        return text


class InputError(LocalizeError):
    """The input file or argument is missing, empty or not what we need."""

    exit_code = 2


class ConfigError(LocalizeError):
    """Configuration is invalid: unknown backend, bad option, unknown language."""

    exit_code = 2


class GlossaryError(LocalizeError):
    """A glossary file is malformed; names file, line and field."""

    exit_code = 2

    def __init__(self, file: str, line: int | None, field: str, problem: str) -> None:
        where = f"{file}:{line}" if line else file
        super().__init__(
            f"glossary {where}: field '{field}': {problem}",
            "correct that entry and run again",
        )
        self.file = file
        self.line = line
        self.field = field


class MediaError(LocalizeError):
    """An ffmpeg/ffprobe call failed; keeps the command and its stderr."""

    exit_code = 3

    def __init__(self, message: str, hint: str = "", command: list[str] | None = None, stderr: str = "") -> None:
        super().__init__(message, hint)
        self.command = command or []
        self.stderr = stderr


class BackendUnavailable(LocalizeError):
    """A backend cannot run here: missing extra, package or system tool."""

    exit_code = 4


class ModelUnavailable(BackendUnavailable):
    """A model is not on disk and downloads are not allowed."""


class OutputError(LocalizeError):
    """The output location cannot be written (permissions, full disk)."""

    exit_code = 5


class EditConflict(LocalizeError):
    """A change made against a revision that has changed since: never applied, so no one's edit is lost."""

    exit_code = 1

    def __init__(self, subject: str, seen: int, current: int) -> None:
        super().__init__(
            f"{subject} changed since it was read (revision {seen}, now {current}); not saved",
            "reload it and make the change again",
        )
        self.subject = subject
        self.seen = seen
        self.current = current
