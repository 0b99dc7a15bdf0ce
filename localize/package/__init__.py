"""Deliverables: subtitles, masters, stems, review proxies (a library the package stage, ``localize.stages.package``, uses)."""
