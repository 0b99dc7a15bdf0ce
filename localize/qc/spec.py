"""What a deliverable must meet to pass QC: loudness against the mix targets, take fit, subtitle rules."""

from __future__ import annotations

from dataclasses import dataclass

from localize.config import Config

__all__ = ["QcSpec"]


@dataclass(frozen=True)
class QcSpec:
    """Pass/fail limits; loudness targets come from the mix configuration."""

    dialogue_lkfs: float = -27.0
    programme_lkfs: float = -24.0
    loudness_tolerance: float = 2.0
    """LU either side of the target integrated loudness."""
    true_peak_dbtp: float = -2.0
    max_lra_lu: float = 18.0
    max_take_error: float = 0.5
    """Seconds a take may run longer than its window (or shorter, after retiming) before its line fails."""
    max_take_overlap: float = 0.25
    """Seconds a take may run into the next one before its line fails."""

    @classmethod
    def from_config(cls, config: Config) -> QcSpec:
        """The spec for a run: the mix's loudness targets and true-peak ceiling."""
        mix = config.mix
        return cls(dialogue_lkfs=mix.dialogue_lkfs, programme_lkfs=mix.programme_lkfs, true_peak_dbtp=mix.true_peak_dbtp)
