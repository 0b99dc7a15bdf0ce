"""Deliverables: master, subtitles, stems, reports."""

from localize.package.stage import PackageStage

__all__ = ["PackageStage"]
