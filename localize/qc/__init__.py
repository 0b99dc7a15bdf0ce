"""Quality control of packaged deliverables: pass/fail checks against spec and a self-contained HTML page."""

from localize.qc.checks import Check, LanguageQc, QcReport, assess
from localize.qc.report import QC_PAGE, check_episode_folder, write_qc_page
from localize.qc.spec import QcSpec

__all__ = ["QC_PAGE", "Check", "LanguageQc", "QcReport", "QcSpec", "assess", "check_episode_folder", "write_qc_page"]
