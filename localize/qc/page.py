"""The QC page: one self-contained HTML file (inline CSS, plots embedded as PNG data URIs)."""

from __future__ import annotations

import base64
from html import escape

from localize.glossary.report import timecode
from localize.languages import display_name
from localize.qc.checks import Check, LanguageQc, QcReport
from localize.qc.spec import QcSpec

__all__ = ["qc_html"]

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}
h1{font-size:1.5em}h2{margin-top:2em;border-bottom:2px solid #ddd}h3{font-size:1.05em;margin:1.2em 0 .4em}
table{border-collapse:collapse;width:100%;margin:.4em 0}th,td{border-bottom:1px solid #eee;padding:.3em .5em;text-align:left;
vertical-align:top}th{background:#f6f6f6}.pass{color:#176b2c;font-weight:600}.fail{color:#a4161a;font-weight:700}
.notrun{color:#777}.verdict{font-size:1.3em;padding:.3em .8em;border-radius:6px;display:inline-block}
.verdict.pass{background:#e3f4e8}.verdict.fail{background:#fbe3e4}details{margin:.3em 0}code{font-size:.92em}
img{max-width:100%;border:1px solid #eee}ul.details{margin:.2em 0 .2em 1.2em;padding:0;font-size:.92em}
"""


def _verdict(check: Check) -> str:
    css = {"pass": "pass", "fail": "fail"}.get(check.verdict, "notrun")
    return f'<span class="{css}">{check.verdict}</span>'


def _details(check: Check, limit: int = 200) -> str:
    if not check.details:
        return ""
    items = "".join(f"<li><code>{escape(item)}</code></li>" for item in check.details[:limit])
    more = f"<li>… and {len(check.details) - limit} more</li>" if len(check.details) > limit else ""
    return f"<details><summary>{len(check.details)} problems</summary><ul class='details'>{items}{more}</ul></details>"


def _check_rows(checks: list[Check]) -> str:
    rows = "".join(
        f'<tr data-check="{escape(c.name)}" data-verdict="{c.verdict}"><td>{escape(c.name)}</td><td>{escape(c.subject)}</td>'
        f"<td>{_verdict(c)}</td><td>{escape(c.summary)}{_details(c)}</td></tr>"
        for c in checks
    )
    return f"<table><tr><th>check</th><th>subject</th><th>verdict</th><th>result</th></tr>{rows}</table>"


def _image(png: bytes | None, alt: str) -> str:
    if not png:
        return ""
    return f'<img alt="{escape(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}">'


def _judged(ok: bool) -> str:
    return '<span class="pass">pass</span>' if ok else '<span class="fail">fail</span>'


def _loudness_table(entry: LanguageQc, spec: QcSpec) -> str:
    """Every loudness figure with its limit and verdict; the integrated figure not targeted is shown, not judged."""
    figures = entry.loudness
    if not figures:
        return "<p>No dub mix.</p>"
    target = figures.get("target_lkfs", spec.dialogue_lkfs)
    gated = target == spec.dialogue_lkfs
    tolerance = spec.loudness_tolerance
    not_judged = '<span class="notrun">not judged</span>'
    rows = []
    for name, key, is_target in (("dialogue-gated loudness", "dialogue_lkfs", gated), ("programme loudness", "programme_lkfs", not gated)):
        value = figures.get(key, float("nan"))
        limit = f"{target:g} ± {tolerance:g}" if is_target else "— (the other integrated loudness is the target)"
        rows.append((name, f"{value:.1f} LKFS", limit, _judged(abs(value - target) <= tolerance) if is_target else not_judged))
    peak, lra = figures.get("true_peak_dbtp", float("nan")), figures.get("lra_lu", float("nan"))
    rows.append(("true peak", f"{peak:.1f} dBTP", f"≤ {spec.true_peak_dbtp:g}", _judged(peak <= spec.true_peak_dbtp + 0.05)))
    rows.append(("loudness range", f"{lra:.1f} LU", f"≤ {spec.max_lra_lu:g}", _judged(lra <= spec.max_lra_lu)))
    body = "".join(f"<tr><td>{name}</td><td>{value}</td><td>{limit}</td><td>{verdict}</td></tr>" for name, value, limit, verdict in rows)
    measured = "dialogue-gated" if gated else "programme"
    header = "<tr><th>figure</th><th>measured</th><th>spec</th><th>verdict</th></tr>"
    return f"<p>Measured against: {measured} target {target:g} LKFS.</p><table class='loudness'>{header}{body}</table>"


def _worst_lines(entry: LanguageQc, frame_rate: float) -> str:
    if not entry.worst_lines:
        return ""
    rows = "".join(
        f"<tr><td>{escape(w.line_id)}</td><td>{timecode(w.start, frame_rate)}</td><td>{w.error:+.2f} s</td>"
        f"<td>{w.overlap:.2f} s</td><td>{escape(w.step)}</td><td>{escape(w.text)}</td></tr>"
        for w in entry.worst_lines
    )
    header = "<tr><th>line</th><th>TC</th><th>error</th><th>overlap</th><th>retiming</th><th>text</th></tr>"
    return f"<h3>Worst-fitting lines</h3><table class='worst'>{header}{rows}</table>"


def _lip_lines(entry: LanguageQc, frame_rate: float) -> str:
    if not entry.lip_lines:
        return "<p>No dubbed line is seen spoken on screen.</p>"

    def ms(value: float | None) -> str:
        return "—" if value is None else f"{value * 1000:+.0f} ms"

    rows = "".join(
        f"<tr><td>{escape(w.line_id)}</td><td>{timecode(w.start, frame_rate)}</td><td>{w.score:.2f}</td><td>{ms(w.lag)}</td>"
        f"<td>{ms(w.onset_error)}</td><td>{ms(w.end_error)}</td><td>{escape(w.text)}</td></tr>"
        for w in entry.lip_lines
    )
    header = "<tr><th>line</th><th>TC</th><th>score</th><th>lag</th><th>onset</th><th>end</th><th>text</th></tr>"
    return f"<p>On-screen takes that follow the lips worst.</p><table class='worst'>{header}{rows}</table>"


def _casting(entry: LanguageQc) -> str:
    if not entry.casting:
        return "<p>No casting report (voices set by hand or cloned).</p>"

    def similarity(value: float | None) -> str:
        return "—" if value is None else f"{value:.2f}"

    rows = "".join(
        f"<tr><td>{escape(row.character)}</td><td>{escape(row.voice)}</td><td>{similarity(row.actor_similarity)}</td>"
        f"<td>{escape(row.nearest_character or '—')}</td><td>{similarity(row.nearest_similarity)}</td></tr>"
        for row in entry.casting
    )
    header = "<tr><th>character</th><th>voice</th><th>similarity to the actor</th><th>nearest other character</th><th>similarity</th></tr>"
    return f"<table class='casting'>{header}{rows}</table>"


def _glossary(entry: LanguageQc) -> str:
    if entry.glossary is None:
        return "<p>No glossary was given for this run.</p>"
    g = entry.glossary
    rate = "n/a" if g.get("success_rate") is None else f"{g['success_rate']:.0%}"
    link = f' <a href="{escape(entry.glossary_link)}">full glossary report</a>' if entry.glossary_link else ""
    return (
        f"<p>{g['occurrences']} occurrences, {g['honoured']} honoured, {g['kept']} kept, {g['violated']} violated, "
        f"{g['forbidden']} forbidden; success {rate}; do-not-translate kept {g['dnt_kept']}/{g['dnt_total']}.{link}</p>"
    )


def _language(entry: LanguageQc, images: dict[str, dict[str, bytes]], frame_rate: float, spec: QcSpec) -> str:
    pictures = images.get(entry.language, {})
    subtitles = next((c for c in entry.checks if c.name == "subtitles"), None)
    violations = f"<p>{_verdict(subtitles)} {escape(subtitles.summary)}</p>{_details(subtitles, limit=500)}" if subtitles else ""
    return (
        f'<section id="lang-{escape(entry.language)}"><h2>{escape(display_name(entry.language))} ({escape(entry.language)})</h2>'
        f"{_check_rows(entry.checks)}"
        f"<h3>Casting</h3>{_casting(entry)}"
        f"<h3>Loudness</h3>{_loudness_table(entry, spec)}"
        f"<h3>Original against dub</h3>{_image(pictures.get('loudness'), 'waveform and loudness over time')}"
        f"<h3>Timing fit</h3>{_image(pictures.get('timing'), 'timing-fit histogram')}{_worst_lines(entry, frame_rate)}"
        f"<h3>Lip sync</h3>{_lip_lines(entry, frame_rate)}"
        f"<h3>Subtitle rules</h3>{violations}"
        f"<h3>Glossary</h3>{_glossary(entry)}</section>"
    )


def qc_html(report: QcReport, images: dict[str, dict[str, bytes]], spec: QcSpec) -> str:
    """The whole page; ``images`` maps language -> plot name (``loudness``, ``timing``) -> PNG bytes."""
    verdict = "pass" if report.passed else "fail"
    failed = len(report.failed)
    headline = "every check passes" if report.passed else f"{failed} check{'s' if failed != 1 else ''} failed"
    sections = "".join(_language(entry, images, report.frame_rate, spec) for entry in report.languages)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>QC {escape(report.episode)}</title><style>{_CSS}</style></head><body>"
        f'<h1>QC report: {escape(report.episode)}</h1><p id="verdict" class="verdict {verdict}">{verdict.upper()}: {headline}</p>'
        f"<h2>All checks</h2>{_check_rows(report.all_checks())}"
        f"{sections}"
        f'<section id="masters"><h2>Masters</h2>{_check_rows(report.checks)}</section>'
        "</body></html>\n"
    )
