"""Review operations on an episode folder: the typed changes people make (translations, approvals, the source
transcript, speakers, casting, the glossary), each revision-checked, saved atomically and audited.

The studio, ``localize script import`` and the tests all change episodes through :class:`EpisodeEditor`.
"""

from localize.review.audit import AUDIT_LOG, AuditEntry, Change, read_audit
from localize.review.edit import Edit
from localize.review.editor import EpisodeBusy, EpisodeEditor
from localize.review.script_import import import_script

__all__ = ["AUDIT_LOG", "AuditEntry", "Change", "Edit", "EpisodeBusy", "EpisodeEditor", "import_script", "read_audit"]
