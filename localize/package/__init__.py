"""Deliverables: master, subtitles, stems, reports (the stage lives in ``localize.package.stage``)."""
