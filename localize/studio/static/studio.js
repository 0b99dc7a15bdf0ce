// localize studio: the page's behaviour. Rows are rendered by the server; every change is a small JSON request whose
// answer is the changed rows' HTML. No framework, no build step.
"use strict";

const body = document.body;
const base = body.dataset.base;
const language = body.dataset.language;
const duration = parseFloat(body.dataset.duration);
const video = document.getElementById("video");
const audio = document.getElementById("audio");
const clip = document.getElementById("clip");
const canvas = document.getElementById("timeline");
const tbody = document.querySelector("#lines tbody");
const toastBox = document.getElementById("toast");
const COLOURS = ["#3a86ff", "#ff006e", "#8338ec", "#fb5607", "#2a9d8f", "#e9c46a", "#6a4c93", "#1982c4"];
const WINDOW = 12; // seconds of waveform shown around the playhead

let current = null; // the selected row
let stopAt = null; // where a "play line" stops
const speakerColour = {};

// --- helpers ---

function toast(message, kind = "error") {
  toastBox.textContent = message;
  toastBox.className = kind;
  toastBox.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { toastBox.hidden = true; }, 6000);
}

async function api(method, path, payload) {
  const options = { method, headers: {}, credentials: "same-origin" };
  if (payload !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(payload);
  }
  const response = await fetch(base + path, options);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data.detail || response.statusText);
    error.status = response.status;
    throw error;
  }
  return data;
}

function fail(row) {
  return (error) => {
    toast(error.message);
    if (row && error.status === 409) row.classList.add("conflict");
  };
}

function rows() { return Array.from(tbody.querySelectorAll("tr.line")); }
function visibleRows() { return rows().filter((row) => !row.hidden); }
function rowOf(element) { return element.closest("tr.line"); }
function lineUrl(row, tail) { return `/api/lines/${row.dataset.id}${tail}`; }
function clock(seconds) {
  const c = Math.round(seconds * 100);
  const pad = (n) => String(n).padStart(2, "0");
  return `${pad(Math.floor(c / 360000))}:${pad(Math.floor(c / 6000) % 60)}:${pad(Math.floor(c / 100) % 60)}.${pad(c % 100)}`;
}

function replaceRows(data) {
  for (const [id, html] of Object.entries(data.rows || {})) {
    const old = document.getElementById(`row-${id}`);
    if (!html) { if (old) old.remove(); continue; }
    const holder = document.createElement("tbody");
    holder.innerHTML = html;
    const fresh = holder.firstElementChild;
    if (old) old.replaceWith(fresh); else tbody.appendChild(fresh);
    if (current && current.dataset.id === id) select(fresh, false);
  }
  if (data.order) {
    for (const id of data.order) {
      const row = document.getElementById(`row-${id}`);
      if (row) tbody.appendChild(row);
    }
    for (const row of rows()) if (!data.order.includes(row.dataset.id)) row.remove();
  }
  applyFilters();
  draw();
}

// --- selection and playback ---

function select(row, scroll = true) {
  if (current) current.classList.remove("current");
  current = row;
  if (!row) return;
  row.classList.add("current");
  if (scroll) row.scrollIntoView({ block: "nearest" });
}

function now() { return video ? video.currentTime : audio.currentTime; }

function seek(seconds) {
  if (video) video.currentTime = seconds;
  audio.currentTime = seconds;
  draw();
}

function setTrack(which) {
  const at = now();
  audio.src = `${base}/media/audio/${which}.wav`;
  audio.currentTime = at;
  peaksCache.dub = {};
  draw();
}

function play() {
  if (video) video.play().catch(() => {});
  audio.play().catch((error) => toast(`cannot play: ${error.message}`));
}

function pause() {
  if (video) video.pause();
  audio.pause();
}

function playLine(row) {
  seek(parseFloat(row.dataset.start));
  stopAt = parseFloat(row.dataset.end);
  play();
}

function playClip(url, start, end) {
  pause();
  clip.src = start === undefined ? url : `${url}#t=${start},${end}`; // a media fragment: play from start, pause at end
  clip.play().catch((error) => toast(`cannot play: ${error.message}`));
}

function playOriginal(row) {
  playClip(`${base}/media/audio/original.wav`, parseFloat(row.dataset.start), parseFloat(row.dataset.end));
}

function playDub(row) {
  if (!row.dataset.take) { toast("this line has no take yet: regenerate it or render"); return; }
  playClip(`${row.dataset.take}?v=${row.dataset.revision}-${Date.now()}`);
}

function tick() {
  const t = now();
  if (video && !audio.paused && Math.abs(audio.currentTime - video.currentTime) > 0.15) audio.currentTime = video.currentTime;
  if (stopAt !== null && t >= stopAt) { pause(); stopAt = null; }
  document.getElementById("clock").textContent = clock(t);
  const playing = rows().find((row) => t >= parseFloat(row.dataset.start) && t < parseFloat(row.dataset.end));
  for (const row of tbody.querySelectorAll("tr.playing")) if (row !== playing) row.classList.remove("playing");
  if (playing && !playing.classList.contains("playing")) {
    playing.classList.add("playing");
    if (!(video && video.paused && audio.paused)) select(playing);
  }
  draw();
  requestAnimationFrame(tick);
}

// --- the timeline: original (top) and dub (bottom) waveforms, the lines, the playhead ---

const peaksCache = { original: {}, dub: {} };

function peaksFor(kind, which, from, to) {
  const key = `${which}:${from}`;
  const cache = peaksCache[kind];
  if (!(key in cache)) {
    cache[key] = null;
    api("GET", `/api/peaks/${which}?start=${from}&end=${to}&width=${canvas.width}`)
      .then((data) => { cache[key] = data.peaks; })
      .catch(() => { cache[key] = []; });
  }
  return cache[key];
}

function draw() {
  const context = canvas.getContext("2d");
  const width = canvas.width;
  const height = canvas.height;
  const t = now();
  const from = Math.max(0, Math.floor((t - WINDOW / 2) / 2) * 2);
  const to = from + WINDOW;
  const x = (seconds) => ((seconds - from) / (to - from)) * width;
  context.clearRect(0, 0, width, height);
  const lane = height / 2;
  const waves = [["original", "original", 0, "#6c757d"], ["dub", document.getElementById("track").value, lane, "#d1495b"]];
  for (const [kind, which, top, colour] of waves) {
    const values = which === "original" && kind === "dub" ? null : peaksFor(kind, which, from, to);
    context.fillStyle = colour;
    if (values) {
      values.forEach((value, column) => {
        const h = Math.min(1, value) * (lane / 2 - 4);
        context.fillRect((column / values.length) * width, top + lane / 2 - h, Math.max(1, width / values.length), 2 * h);
      });
    }
  }
  context.font = "11px sans-serif";
  for (const row of rows()) {
    const start = parseFloat(row.dataset.start);
    const end = parseFloat(row.dataset.end);
    if (end < from || start > to) continue;
    const speaker = row.dataset.speaker;
    if (!(speaker in speakerColour)) speakerColour[speaker] = COLOURS[Object.keys(speakerColour).length % COLOURS.length];
    context.fillStyle = speakerColour[speaker] + (row === current ? "66" : "2a");
    context.fillRect(x(start), 2, x(end) - x(start), height - 4);
    context.fillStyle = "#222";
    context.fillText(row.dataset.id, x(start) + 3, 12);
  }
  context.fillStyle = "#000";
  context.fillRect(x(t), 0, 2, height);
}

canvas.addEventListener("click", (event) => {
  const t = now();
  const from = Math.max(0, Math.floor((t - WINDOW / 2) / 2) * 2);
  seek(Math.min(duration, from + (event.offsetX / canvas.clientWidth) * WINDOW));
});

// --- translations ---

let checkTimer = null;

function checkLive(row, textarea) {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(async () => {
    try {
      const result = await api("POST", lineUrl(row, `/${language}/check`), { text: textarea.value });
      const meter = row.querySelector(".meter");
      const fit = result.fit.verdict === "unknown" ? "fit unknown" : `${result.fit.verdict} (${result.fit.seconds} s for ${result.fit.window} s)`;
      meter.innerHTML = "";
      const cps = document.createElement("span");
      cps.className = "cps";
      cps.textContent = `${result.cps} cps`;
      const verdict = document.createElement("span");
      verdict.className = `fit live ${result.fit.verdict}`;
      verdict.textContent = fit;
      meter.append(cps, " · ", verdict);
      const hits = row.querySelector(".hits");
      hits.innerHTML = "";
      for (const hit of result.hits) {
        const span = document.createElement("span");
        span.className = `hit ${hit.status}`;
        span.textContent = `${hit.source} → ${hit.expected.join(" / ") || "(keep)"}: ${hit.status} `;
        hits.appendChild(span);
      }
    } catch (error) { toast(error.message); }
  }, 250);
}

function saveTranslation(row) {
  const textarea = row.querySelector("textarea.translation");
  return api("POST", lineUrl(row, `/${language}/text`), { text: textarea.value, revision: parseInt(row.dataset.revision, 10) })
    .then((data) => { replaceRows(data); toast(`${row.dataset.id} saved`, "ok"); })
    .catch(fail(row));
}

function setStatus(row, status, comment = "") {
  return api("POST", lineUrl(row, `/${language}/status`), { status, comment, revision: parseInt(row.dataset.revision, 10) })
    .then((data) => { replaceRows(data); toast(`${row.dataset.id} ${status}`, "ok"); })
    .catch(fail(row));
}

function reject(row) {
  const comment = window.prompt(`Why is ${row.dataset.id} rejected?`);
  if (comment) return setStatus(row, "rejected", comment);
  return Promise.resolve();
}

function regenerate(row) {
  toast(`${row.dataset.id}: dubbing…`, "ok");
  return api("POST", lineUrl(row, `/${language}/regenerate`))
    .then((data) => {
      replaceRows(data);
      const fresh = document.getElementById(`row-${row.dataset.id}`);
      playDub(fresh);
    })
    .catch(fail(row));
}

function editSource(row) {
  const box = row.querySelector(".source-edit");
  box.hidden = false;
  box.querySelector("input").focus();
}

function saveSource(row) {
  const text = row.querySelector(".source-text").value;
  return api("POST", lineUrl(row, `/source?lang=${language}`), { text, revision: parseInt(row.dataset.lineRevision, 10) })
    .then((data) => { replaceRows(data); toast(`${row.dataset.id}: source saved, translations marked stale`, "ok"); })
    .catch(fail(row));
}

const actions = {
  play: playLine,
  original: playOriginal,
  dub: playDub,
  save: saveTranslation,
  approve: (row) => setStatus(row, "approved"),
  reject,
  regenerate,
  "save-source": saveSource,
  retranslate: (row) => api("POST", lineUrl(row, `/${language}/retranslate`), { revision: parseInt(row.dataset.revision, 10) })
    .then(replaceRows).catch(fail(row)),
  split: (row) => {
    const chosen = row.querySelector(".w.chosen");
    if (!chosen) { toast("click the word the new line starts with, then split"); return; }
    api("POST", lineUrl(row, `/split?lang=${language}`), { word: parseInt(chosen.dataset.i, 10), revision: parseInt(row.dataset.lineRevision, 10) })
      .then(replaceRows).catch(fail(row));
  },
  merge: (row) => {
    const next = row.nextElementSibling;
    if (!next) return;
    api("POST", lineUrl(row, `/merge?lang=${language}`), {
      next: next.dataset.id, revision: parseInt(row.dataset.lineRevision, 10), next_revision: parseInt(next.dataset.lineRevision, 10),
    }).then(replaceRows).catch(fail(row));
  },
};

tbody.addEventListener("click", (event) => {
  const row = rowOf(event.target);
  if (!row) return;
  select(row, false);
  const button = event.target.closest("button[data-act]");
  if (button) { actions[button.dataset.act](row); return; }
  const word = event.target.closest(".w");
  if (word) {
    for (const other of row.querySelectorAll(".w.chosen")) other.classList.remove("chosen");
    word.classList.add("chosen");
  }
});

tbody.addEventListener("dblclick", (event) => {
  const row = rowOf(event.target);
  if (row && event.target.closest(".words")) editSource(row);
});

tbody.addEventListener("input", (event) => {
  const row = rowOf(event.target);
  if (row && event.target.matches("textarea.translation")) {
    row.querySelector("button.save").hidden = false;
    checkLive(row, event.target);
  }
});

tbody.addEventListener("change", (event) => {
  const row = rowOf(event.target);
  if (!row) return;
  if (event.target.matches("select.alternatives") && event.target.value) {
    const textarea = row.querySelector("textarea.translation");
    textarea.value = event.target.value;
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  } else if (event.target.matches("select.speaker")) {
    api("POST", lineUrl(row, `/speaker?lang=${language}`), { speaker: event.target.value, revision: parseInt(row.dataset.lineRevision, 10) })
      .then(replaceRows).catch(fail(row));
  }
});

tbody.addEventListener("keydown", (event) => {
  const row = rowOf(event.target);
  if (!row || event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
  event.preventDefault();
  if (event.target.matches("textarea.translation")) saveTranslation(row);
  if (event.target.matches(".source-text")) saveSource(row);
});

// --- keyboard: the hands-on-keyboard work of subtitle editors ---

document.addEventListener("keydown", (event) => {
  if (event.target.matches("input, textarea, select") || event.ctrlKey || event.metaKey || event.altKey) {
    if (event.key === "Escape") event.target.blur();
    return;
  }
  const visible = visibleRows();
  const index = visible.indexOf(current);
  const keys = {
    j: () => select(visible[Math.min(visible.length - 1, index + 1)]),
    ArrowDown: () => select(visible[Math.min(visible.length - 1, index + 1)]),
    k: () => select(visible[Math.max(0, index - 1)]),
    ArrowUp: () => select(visible[Math.max(0, index - 1)]),
    " ": () => current && playLine(current),
    o: () => current && playOriginal(current),
    d: () => current && playDub(current),
    a: () => current && setStatus(current, "approved"),
    x: () => current && reject(current),
    g: () => current && regenerate(current),
    e: () => current && current.querySelector("textarea.translation")?.focus(),
    s: () => current && editSource(current),
    p: () => (audio.paused ? play() : pause()),
  };
  if (event.key in keys) {
    event.preventDefault();
    keys[event.key]();
  }
});

// --- filters ---

const filters = ["f-status", "f-speaker", "f-qc", "f-glossary", "f-confidence", "f-stale"].map((id) => document.getElementById(id));

function applyFilters() {
  const [status, speaker, qc, glossary, confidence, stale] = filters;
  let shown = 0;
  for (const row of rows()) {
    const d = row.dataset;
    row.hidden = Boolean(
      (status.value && d.status !== status.value) ||
      (speaker.value && d.speaker !== speaker.value) ||
      (qc.checked && !d.qc) ||
      (glossary.checked && d.violation !== "1") ||
      (confidence.checked && d.lowconf !== "1") ||
      (stale.checked && d.stale !== "1"),
    );
    if (!row.hidden) shown += 1;
  }
  document.getElementById("count").textContent = `${shown} of ${rows().length} lines`;
}

for (const filter of filters) filter.addEventListener("change", applyFilters);

// --- tabs, speakers and casting, glossary, audit ---

for (const button of document.querySelectorAll(".tabs button")) {
  button.addEventListener("click", () => {
    for (const other of document.querySelectorAll(".tabs button")) other.classList.toggle("current", other === button);
    for (const tab of document.querySelectorAll(".tab")) tab.hidden = tab.id !== `tab-${button.dataset.tab}`;
    ({ speakers: loadVoices, glossary: loadGlossary, audit: loadAudit })[button.dataset.tab]?.();
  });
}

const voiceLists = {};

async function loadVoices() {
  for (const select of document.querySelectorAll(".voice-select")) {
    const code = select.closest(".voice").dataset.language;
    voiceLists[code] = voiceLists[code] || api("GET", `/api/voices/${code}`);
    const voices = await voiceLists[code];
    if (select.options.length > 1) continue;
    for (const voice of voices) {
      if (voice.id === select.dataset.current) continue;
      const option = document.createElement("option");
      option.value = voice.id;
      option.textContent = `${voice.id} (${voice.gender}, ${voice.age})`;
      select.appendChild(option);
    }
  }
}

document.getElementById("tab-speakers").addEventListener("click", (event) => {
  const button = event.target.closest("button[data-act]");
  if (!button) return;
  const card = button.closest(".card");
  const speaker = card.dataset.speaker;
  const voice = button.closest(".voice");
  const done = (message) => () => { toast(message, "ok"); setTimeout(() => window.location.reload(), 800); };
  const act = {
    rename: () => {
      const input = card.querySelector("input.name");
      return api("POST", `/api/speakers/${speaker}/name`, { name: input.value, seen: input.dataset.seen }).then(done(`${speaker} is ${input.value}`));
    },
    preview: () => {
      const chosen = voice.querySelector("select").value;
      playClip(`${base}/api/voices/${voice.dataset.language}/${encodeURIComponent(chosen)}/preview.wav?speaker=${encodeURIComponent(speaker)}`);
      return Promise.resolve();
    },
    cast: () => api("POST", `/api/speakers/${speaker}/voice/${voice.dataset.language}`, { voice: voice.querySelector("select").value })
      .then(() => toast(`${speaker} will speak ${voice.dataset.language} with ${voice.querySelector("select").value} (render to re-dub)`, "ok")),
    "merge-speaker": () => api("POST", `/api/speakers/${speaker}/merge`, { into: card.querySelector("select.into").value }).then(done("merged")),
    "split-speaker": () => api("POST", `/api/speakers/${speaker}/split`, {
      lines: card.querySelector(".split-lines").value.split(/[\s,]+/).filter(Boolean), name: card.querySelector(".split-name").value,
    }).then(done("split")),
  };
  act[button.dataset.act]().catch(fail(null));
});

function cell(row, text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

async function loadGlossary() {
  const box = document.getElementById("glossary");
  box.textContent = "loading…";
  try {
    const data = await api("GET", `/api/glossary/${language}`);
    box.innerHTML = "";
    if (!data.glossary) { box.textContent = "This episode was run without a glossary."; return; }
    const section = (title) => { const h = document.createElement("h3"); h.textContent = title; box.appendChild(h); const t = document.createElement("table"); box.appendChild(t); return t; };
    const violations = section(`Violations (${data.violations.length})`);
    for (const hit of data.violations) {
      const tr = document.createElement("tr");
      cell(tr, hit.line_id); cell(tr, hit.term); cell(tr, (hit.expected || []).join(" / ")); cell(tr, hit.status, `hit ${hit.status}`); cell(tr, hit.translation || "");
      tr.addEventListener("click", () => { document.querySelector('[data-tab="lines"]').click(); const row = document.getElementById(`row-${hit.line_id}`); select(row); });
      violations.appendChild(tr);
    }
    const kept = section(`Names kept without an entry (${data.auto_protected.length})`);
    for (const name of data.auto_protected) { const tr = document.createElement("tr"); cell(tr, name.word || name); cell(tr, (name.lines || []).join(" ")); kept.appendChild(tr); }
    const candidates = section(`Candidate terms (${data.candidates.length})`);
    const scopes = document.getElementById("glossary").dataset.scopes.split(" ");
    for (const candidate of data.candidates) {
      const tr = document.createElement("tr");
      tr.className = "candidate";
      tr.dataset.term = candidate.word;
      cell(tr, candidate.word, "term");
      cell(tr, candidate.reason);
      const form = cell(tr, "");
      form.innerHTML = `<label><input type="checkbox" class="dnt"> keep as is</label> or ${language}: <input class="rendering" size="16"> <select class="scope">${scopes.map((s) => `<option>${s}</option>`).join("")}</select> <button class="add">add to glossary</button>`;
      form.querySelector(".add").addEventListener("click", () => {
        const renderings = {};
        const rendering = form.querySelector(".rendering").value.trim();
        if (rendering) renderings[language] = rendering;
        api("POST", "/api/glossary/terms", { term: candidate.word, scope: form.querySelector(".scope").value, dnt: form.querySelector(".dnt").checked, renderings })
          .then(() => { toast(`'${candidate.word}' added to the glossary (render to apply it)`, "ok"); tr.remove(); })
          .catch(fail(null));
      });
      candidates.appendChild(tr);
    }
  } catch (error) { box.textContent = error.message; }
}

async function loadAudit() {
  const table = document.querySelector("#audit tbody");
  table.innerHTML = "";
  const entries = await api("GET", "/api/audit");
  for (const entry of entries.reverse()) {
    const tr = document.createElement("tr");
    for (const key of ["at", "by", "action", "subject", "field", "before", "after", "comment"]) {
      const value = entry[key];
      cell(tr, value === null || value === undefined ? "" : typeof value === "object" ? JSON.stringify(value) : String(value));
    }
    table.appendChild(tr);
  }
}

// --- render ---

const progress = document.getElementById("render-progress");
const renderStatus = document.getElementById("render-status");

function showRender(state) {
  progress.hidden = !state.running;
  if (state.running) {
    progress.max = Math.max(1, state.total);
    progress.value = state.completed;
    renderStatus.textContent = `${state.stage} ${state.step}`;
  } else if (state.error) {
    renderStatus.textContent = `render failed: ${state.error}`;
    renderStatus.className = "failed";
  } else if (state.result) {
    const r = state.result;
    renderStatus.textContent = `rendered in ${r.seconds} s (ran: ${r.ran.join(", ") || "nothing"}; ${r.changed.length} files changed); QC ${r.qc_passed ? "passes" : `fails: ${r.qc_failed.join("; ")}`}`;
    renderStatus.className = r.qc_passed ? "passed" : "failed";
  }
}

async function followRender() {
  const state = await api("GET", "/api/render");
  showRender(state);
  if (state.running) setTimeout(followRender, 500);
  else if (state.result) { sessionStorage.setItem("studio-render", JSON.stringify(state)); window.location.reload(); }
}

document.getElementById("render").addEventListener("click", () => {
  api("POST", "/api/render").then((state) => { showRender(state); followRender(); }).catch(fail(null));
});

// --- start ---

document.getElementById("track").addEventListener("change", (event) => setTrack(event.target.value));
document.getElementById("play").addEventListener("click", () => (audio.paused ? play() : pause()));
const saved = sessionStorage.getItem("studio-render");
if (saved) { sessionStorage.removeItem("studio-render"); showRender(JSON.parse(saved)); }
api("GET", "/api/render").then((state) => { if (state.running) { showRender(state); followRender(); } }).catch(() => {});
setTrack(document.getElementById("track").value);
applyFilters();
select(rows()[0] || null, false);
requestAnimationFrame(tick);
body.dataset.ready = "1";
