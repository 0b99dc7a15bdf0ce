"""Render the glossary report as one self-contained HTML page (inline CSS, a little vanilla JS, embedded audio).

The filter state lives in the URL fragment (``#q=mate&status=violated``), so a filtered view can be shared.
"""

from __future__ import annotations

from html import escape
from typing import Any

from localize.languages import display_name

__all__ = ["report_html"]

_STATUSES = ("honoured", "kept", "violated", "forbidden")

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
h1{font-size:1.4em}.cards{display:flex;gap:1em;flex-wrap:wrap;margin:1em 0}
.card{border:1px solid #ddd;border-radius:6px;padding:.6em 1em}.card b{display:block;font-size:1.4em}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #eee;padding:.35em .5em;text-align:left;
vertical-align:top}th{cursor:pointer;background:#f6f6f6;user-select:none}mark{background:#ffe58a;padding:0 .1em}
mark.honoured,mark.kept{background:#d3f0db;color:inherit}mark.violated,mark.forbidden{background:#f8c9cb;color:inherit}
.honoured,.kept{color:#176b2c}.violated,.forbidden{color:#a4161a;font-weight:600}
.controls{margin:1em 0;display:flex;gap:1em;align-items:center}input,select{font:inherit;padding:.2em .4em}
button.play{font:inherit;font-size:.85em;margin:0 .2em .2em 0;cursor:pointer}
"""

_JS = """
const rows=[...document.querySelectorAll('#occurrences tbody tr')];
const text=document.getElementById('filter'),status=document.getElementById('status'),shown=document.getElementById('shown');
function apply(){const q=text.value.toLowerCase(),s=status.value;
 for(const r of rows){r.hidden=!(r.textContent.toLowerCase().includes(q)&&(!s||r.dataset.status===s));}
 shown.textContent=rows.filter(r=>!r.hidden).length+' of '+rows.length+' shown';
 try{history.replaceState(null,'','#'+new URLSearchParams({q:text.value,status:s}));}catch(e){}}
const given=new URLSearchParams(location.hash.slice(1));text.value=given.get('q')||'';status.value=given.get('status')||'';
apply();
const players={};document.querySelectorAll('audio[data-kind]').forEach(a=>{players[a.dataset.kind]=a;
 a.addEventListener('timeupdate',()=>{if(a.dataset.stop&&a.currentTime>=+a.dataset.stop)a.pause();});});
document.querySelectorAll('button.play').forEach(b=>b.addEventListener('click',()=>{const a=players[b.dataset.kind];
 Object.values(players).forEach(p=>p.pause());a.dataset.stop=b.dataset.end;a.currentTime=+b.dataset.start;a.play();}));
text.addEventListener('input',apply);status.addEventListener('change',apply);
document.querySelectorAll('#occurrences th').forEach((th,i)=>th.addEventListener('click',()=>{
 const body=th.closest('table').tBodies[0],asc=th.dataset.dir!=='asc';th.dataset.dir=asc?'asc':'desc';
 const sorted=[...body.rows].sort((a,b)=>a.cells[i].textContent.localeCompare(b.cells[i].textContent,undefined,
  {numeric:true})*(asc?1:-1));sorted.forEach(r=>body.appendChild(r));}));
"""


def _marked(text: str, span: list[int] | None, status: str | None = None) -> str:
    """Escaped text with ``span`` wrapped in <mark>, coloured by ``status`` (green honoured or kept, red violated or forbidden)."""
    if not span:
        return escape(text)
    start, end = span
    css = f' class="{escape(status)}"' if status else ""
    return f"{escape(text[:start])}<mark{css}>{escape(text[start:end])}</mark>{escape(text[end:])}"


def _buttons(row: dict[str, Any], kinds: list[str]) -> str:
    return "".join(
        f'<button class="play" data-kind="{kind}" data-start="{row["start"]:.3f}" data-end="{row["end"]:.3f}">&#9654; {kind}</button>'
        for kind in kinds
    )


def _row(row: dict[str, Any], kinds: list[str]) -> str:
    cells = [
        escape(row["timecode"]),
        escape(row["character"]),
        escape(row["term"]) + (" <small>(dnt)</small>" if row["dnt"] else ""),
        _marked(row["source"], row["source_span"]),
        _marked(row["translation"], row["translation_span"], row["status"]),
        f'<span class="{escape(row["status"])}">{escape(row["status"])}</span>',
        escape(row["note"]),
    ]
    if kinds:
        cells.append(_buttons(row, kinds))
    return f'<tr data-status="{escape(row["status"])}">' + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"


def _cards(summary: dict[str, Any]) -> str:
    rate = summary["success_rate"]
    cards = [
        ("term occurrences", str(summary["occurrences"])),
        ("success rate", "—" if rate is None else f"{rate:.1%}"),
        ("violations", str(summary["violations"])),
        ("do-not-translate kept", f"{summary['dnt_kept']}/{summary['dnt_total']}"),
    ]
    return "".join(f'<div class="card">{escape(label)}<b>{escape(value)}</b></div>' for label, value in cards)


def _word(item: dict[str, Any]) -> str:
    lines = escape(", ".join(item["lines"]))
    reason = f" — {escape(item['reason'])}" if item.get("reason") else ""
    return f"<li>{escape(item['word'])} <small>({item['count']}×, lines {lines}{reason})</small></li>"


def _words(items: list[dict[str, Any]]) -> str:
    if not items:
        return "<p>None found.</p>"
    return "<ul>" + "".join(_word(item) for item in items) + "</ul>"


def _regional(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "<p>No line changed.</p>"
    body = "".join(
        f"<tr><td>{escape(row['line_id'])}</td><td>{escape(row['source'])}</td><td>{escape(row['read_as'])}</td><td>"
        + escape("; ".join(f"{e['original']} → {e['replacement']} ({e['rule']})" for e in row["edits"]))
        + "</td></tr>"
        for row in rows
    )
    head = "".join(f"<th>{name}</th>" for name in ("Line", "Source", "Translator read", "Changes"))
    return f'<table id="regional"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _pivoted(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "<p>None.</p>"
    body = "".join(
        f"<tr><td>{escape(row['line_id'])}</td><td>{escape(row['source'])}</td><td>{escape(row['word'])}</td>"
        f"<td>{escape(row['rendering'])}</td><td>{escape(row['via'])}</td></tr>"
        for row in rows
    )
    head = "".join(f"<th>{name}</th>" for name in ("Line", "Source", "Word", "Rendering", "Through"))
    return f'<table id="pivoted"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def report_html(data: dict[str, Any], audio: dict[str, str] | None = None) -> str:
    """The report page for data from ``glossary_report``; ``audio`` maps "source"/"dub" to data URIs to play lines from."""
    title = f"Glossary report — {data['episode']} — {display_name(data['language'])}"
    kinds: list[str] = [kind for kind in ("source", "dub") if audio and kind in audio]
    headers = ("Timecode", "Character", "Term", "Source", "Translation", "Status", "Note", *(["Play"] if kinds else []))
    options = "".join(f'<option value="{s}">{s}</option>' for s in _STATUSES)
    rows = "\n".join(_row(row, kinds) for row in data["occurrences"])
    players = "".join(f'<audio data-kind="{kind}" preload="auto" src="{audio[kind]}"></audio>' for kind in kinds if audio)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{escape(title)}</title>
<style>{_CSS}</style>
</head>
<body>
<h1>{escape(title)}</h1>
<p>Glossary: {escape(data["glossary"])}</p>
<div class="cards">{_cards(data["summary"])}</div>
<div class="controls">
<input id="filter" type="search" placeholder="Filter rows" aria-label="Filter rows">
<select id="status" aria-label="Status"><option value="">all statuses</option>{options}</select>
<span id="shown"></span>
</div>
{players}
<table id="occurrences">
<thead><tr>{"".join(f"<th>{h}</th>" for h in headers)}</tr></thead>
<tbody>
{rows}
</tbody>
</table>
<h2>Names kept without a glossary entry (auto-protected)</h2>
<p>Promote a name to the glossary as do-not-translate, or reject it with an entry that is not do-not-translate.</p>
{_words(data.get("auto_protected", []))}
<h2>Source words left untranslated</h2>
{_words(data.get("untranslated", []))}
<h2>Words translated through another language</h2>
<p>The direct translator did not know them; check each rendering, or give the word a glossary entry.</p>
{_pivoted(data.get("pivoted", []))}
<h2>Read by the regional layer</h2>
{_regional(data.get("regional", []))}
<h2>Candidate terms not in the glossary</h2>
{_words(data["candidates"])}
<script>{_JS}</script>
</body>
</html>
"""
