"""localize: take a local-language episode to the world.

The public API is small: ``run`` an episode end to end with a ``Config``; the
``Episode`` model is what every stage reads and returns.
"""

from localize.config import Config, load_config
from localize.errors import (
    BackendUnavailable,
    ConfigError,
    GlossaryError,
    InputError,
    LocalizeError,
    MediaError,
    ModelUnavailable,
    OutputError,
)
from localize.model import Episode

__version__ = "0.1.0"

__all__ = [
    "BackendUnavailable",
    "Config",
    "ConfigError",
    "Episode",
    "GlossaryError",
    "InputError",
    "LocalizeError",
    "MediaError",
    "ModelUnavailable",
    "OutputError",
    "__version__",
    "load_config",
]
