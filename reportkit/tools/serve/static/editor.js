// The editor's live preview: the list of checks, one shown as web page and PDF pages, updated by server-sent events.
"use strict";

const state = { file: null, checks: [], layouts: [], engines: [], events: null, version: 0, bundle: new Set() };
const $ = (id) => document.getElementById(id);

function query(extra = {}) {
  const params = new URLSearchParams({
    file: state.file || "", layout: $("layout").value, page_size: $("page_size").value, engine: $("engine").value,
    ...extra,
  });
  return params.toString();
}

async function loadChecks() {
  const answer = await fetch("/checks");
  if (!answer.ok) { status(`cannot list the checks (${answer.status})`); return; }
  const data = await answer.json();
  $("folder").textContent = data.folder;
  state.checks = data.checks;
  if (!state.layouts.length) {
    state.layouts = data.layouts;
    state.engines = data.engines;
    fill($("layout"), data.layouts.map((l) => l.name), "report");
    fill($("engine"), data.engines, data.preview_engine);
    fillSizes();
  }
  drawList();
  const wanted = decodeURIComponent(location.hash.slice(1));
  if (!state.file || !state.checks.some((c) => c.file === state.file)) {
    const first = state.checks.find((c) => c.file === wanted) || state.checks[0];
    if (first) choose(first.file);
  }
}

function fill(select, values, chosen) {
  const before = select.value || chosen;
  select.replaceChildren(...values.map((v) => new Option(v, v)));
  select.value = values.includes(before) ? before : values[0];
}

function fillSizes() {
  const layout = state.layouts.find((l) => l.name === $("layout").value);
  fill($("page_size"), layout ? layout.page_sizes : ["A4"], "A4");
}

function drawList() {
  const items = state.checks.map((check) => {
    const item = document.createElement("li");
    item.dataset.file = check.file;
    if (check.file === state.file) item.classList.add("current");
    if (check.error) item.classList.add("broken");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.title = "Include in the bundle";
    box.checked = state.bundle.has(check.file);
    box.addEventListener("change", () => { box.checked ? state.bundle.add(check.file) : state.bundle.delete(check.file); links(); });
    const button = document.createElement("button");
    button.type = "button";
    const title = document.createElement("span");
    title.className = "title";
    title.textContent = check.title;
    const verdict = document.createElement("span");
    verdict.className = "verdict";
    verdict.textContent = check.error ? `cannot be built: ${check.error.message}`
      : [check.verdict.rating_label, check.verdict.label].filter((v, i, all) => v && all.indexOf(v) === i).join(": ") || "no verdict";
    button.append(title, verdict);
    button.addEventListener("click", () => choose(check.file));
    item.append(box, button);
    return item;
  });
  $("checks").replaceChildren(...items);
}

function choose(file) {
  state.file = file;
  state.version = 0;
  history.replaceState(null, "", `#${encodeURIComponent(file)}`);
  document.querySelectorAll("#checks li").forEach((li) => li.classList.toggle("current", li.dataset.file === file));
  listen();
  links();
}

function listen() {
  if (state.events) state.events.close();
  status(`building ${state.file}…`);
  const events = new EventSource(`/events?${query()}`);
  events.addEventListener("preview", (event) => show(JSON.parse(event.data)));
  events.addEventListener("checks", () => loadChecks());
  state.events = events;
}

function show(preview) {
  if (preview.file !== state.file) return;
  document.body.dataset.version = preview.version;
  document.body.dataset.error = preview.error ? "yes" : "no";
  if (preview.html && preview.version !== state.version) {
    state.version = preview.version;
    $("web").src = preview.html;
    $("pages").replaceChildren(...preview.pages.map((src, index) => {
      const image = new Image();
      image.src = src;
      image.alt = `Page ${index + 1}`;
      return image;
    }));
    $("page-count").textContent = `(${preview.pages.length} page${preview.pages.length === 1 ? "" : "s"})`;
  }
  document.body.classList.toggle("stale", Boolean(preview.error));
  problems(preview.error, preview.warnings);
  const when = new Date(preview.built_at * 1000).toLocaleTimeString();
  status(preview.error ? `the last save cannot be built (${when}); the preview shows the last good version`
    : `${preview.title}: built in ${preview.seconds.toFixed(2)} s at ${when}`);
}

function problems(error, warnings) {
  const box = $("problems");
  const lines = [];
  if (error) {
    const where = [error.file, error.line].filter((v) => v !== undefined && v !== null).join(":");
    lines.push(`${where ? where + ": " : ""}${error.field ? error.field + ": " : ""}${error.message}` + (error.hint ? `\nhint: ${error.hint}` : ""));
  }
  for (const warning of warnings || []) lines.push(`warning: ${warning}`);
  box.replaceChildren(...lines.map((text) => { const p = document.createElement("p"); p.textContent = text; return p; }));
  box.hidden = !lines.length;
  box.classList.toggle("warnings", !error);
}

function status(text) { $("status").textContent = text; }

function links() {
  const set = (id, href) => { const a = $(id); if (href) { a.href = href; a.removeAttribute("aria-disabled"); } else { a.removeAttribute("href"); a.setAttribute("aria-disabled", "true"); } };
  set("dl-pdf", state.file && `/download?${query({ as: "pdf" })}`);
  set("dl-epub", state.file && `/download?${query({ as: "epub" })}`);
  set("dl-archival", state.file && `/download?${query({ as: "archival" })}`);
  const chosen = [...state.bundle].filter((f) => state.checks.some((c) => c.file === f));
  const bundle = new URLSearchParams(query());
  bundle.delete("file");
  chosen.forEach((f) => bundle.append("file", f));
  set("dl-bundle", chosen.length && `/download/bundle?${bundle}`);
}

$("layout").addEventListener("change", () => { fillSizes(); state.version = 0; listen(); links(); });
$("page_size").addEventListener("change", () => { state.version = 0; listen(); links(); });
$("engine").addEventListener("change", () => { state.version = 0; listen(); links(); });
loadChecks();
