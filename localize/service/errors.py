"""The service's errors; the API maps each to an HTTP status in one place."""

from __future__ import annotations

from localize.errors import InputError, LocalizeError

__all__ = ["AccessDenied", "Conflict", "NotFound", "ServiceUnavailable", "UnsupportedUpload", "UploadTooLarge"]


class AccessDenied(LocalizeError):
    """The request names something it may not touch: a path outside the storage roots, a server-only setting."""

    exit_code = 6


class NotFound(LocalizeError):
    """The job, upload, file or token does not exist."""

    exit_code = 2


class Conflict(LocalizeError):
    """The job is not in a state that allows this (retrying a running job)."""

    exit_code = 2


class UploadTooLarge(InputError):
    """An upload is over the configured size limit."""


class UnsupportedUpload(InputError):
    """An upload is not a kind of file the service accepts, or not what its name says."""


class ServiceUnavailable(LocalizeError):
    """The broker or the database cannot be reached."""

    exit_code = 7
