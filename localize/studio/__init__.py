"""The review studio: a web app over an episode folder where reviewers fix what the machine got wrong (the source
transcript, speakers, translations, voices, the glossary), hear a line re-dubbed at once, and render only what changed.

Served on its own by ``localize studio`` (:func:`create_studio_app`) and per job by the batch service
(:func:`studio_router`, behind a token with the ``review`` scope).
"""

from localize.studio.app import Reviewer, error_response, studio_router
from localize.studio.episode import StudioEpisode
from localize.studio.server import create_studio_app, new_secret

__all__ = ["Reviewer", "StudioEpisode", "create_studio_app", "error_response", "new_secret", "studio_router"]
