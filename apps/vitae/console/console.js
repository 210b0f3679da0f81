// The search console: calls the public API (POST /v1/search) with the key the person pasted and
// draws what comes back. Every value from the server is placed with textContent or as a text
// node (highlights are parsed into text and <mark> elements), never as markup.

const KEY_STORAGE = "vitae.console.key";
const MODES = ["hybrid", "semantic", "keyword"];
// Which filter a click on a facet value adds.
const FACET_FILTERS = { skills: "skills_all", tags: "tags", country: "country", availability: "availability" };
const FILTER_LABELS = { skills_all: "skill", tags: "tag", country: "country", availability: "availability" };
const STAGES = [
  ["embed_ms", "embed"], ["semantic_ms", "semantic"], ["keyword_ms", "keyword"],
  ["fuse_ms", "fuse"], ["facets_ms", "facets"], ["hits_ms", "cards and highlights"],
];

const $ = (id) => document.getElementById(id);

const state = {
  key: sessionStorage.getItem(KEY_STORAGE) || "",
  filters: { skills_all: [], tags: [], country: [], availability: [] },
  // cursors[i] is the cursor that fetched page i + 1 (null for the first page).
  cursors: [null],
  masksSeen: new Set(),
};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "text") node.textContent = value;
    else if (name === "class") node.className = value;
    else if (name === "onclick") node.addEventListener("click", value);
    else node.setAttribute(name, value);
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

const fixed = (value, digits = 3) => (typeof value === "number" ? value.toFixed(digits) : "–");

// "a &lt;b&gt; <mark>Rust</mark>" as nodes: text and <mark> only, whatever the string holds.
const ENTITIES = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" };
const unescapeHtml = (text) => text.replace(/&(amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity]);
function fragmentNodes(html) {
  const nodes = [];
  let marked = false;
  for (const part of html.split(/(<mark>|<\/mark>)/)) {
    if (part === "<mark>") marked = true;
    else if (part === "</mark>") marked = false;
    else if (part) nodes.push(marked ? el("mark", { text: unescapeHtml(part) }) : document.createTextNode(unescapeHtml(part)));
  }
  return nodes;
}

function showKeyState() {
  $("key-state").textContent = state.key
    ? `Key …${state.key.slice(-4)} in use (this tab only).`
    : "No key: paste one (kept in this tab only).";
}

function showProblem(problem) {
  const box = $("problem");
  box.replaceChildren();
  if (!problem) {
    box.hidden = true;
    return;
  }
  box.append(el("strong", { text: `${problem.status ?? ""} ${problem.title ?? "Request failed"}`.trim() }));
  if (problem.detail) box.append(document.createTextNode(`: ${problem.detail}`));
  if (problem.code) box.append(" ", el("span", { class: "badge", text: problem.code }));
  if (Array.isArray(problem.errors) && problem.errors.length) {
    box.append(el("ul", {}, ...problem.errors.map((e) => el("li", { text: `${e.field}: ${e.message}` }))));
  }
  box.hidden = false;
}

// One API call; resolves to the parsed body, or throws the problem document.
async function api(path, body) {
  if (!state.key) throw { status: 401, title: "No API key", detail: "paste a key with the read scope above" };
  let response;
  try {
    response = await fetch(path, {
      method: "POST",
      headers: { "authorization": `Bearer ${state.key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch (error) {
    throw { title: "The service could not be reached", detail: String(error) };
  }
  const text = await response.text();
  let parsed = null;
  try { parsed = text ? JSON.parse(text) : null; } catch { /* not JSON: reported below */ }
  if (!response.ok) throw parsed && parsed.title ? parsed : { status: response.status, title: response.statusText, detail: text.slice(0, 300) };
  return parsed;
}

function searchBody(mode, cursor) {
  const body = { q: $("q").value, mode, limit: Number($("limit").value) || 10, explain: true };
  const fusion = $("fusion").value;
  if (fusion && mode === "hybrid") body.fusion = { method: fusion };
  const mask = $("mask").value.trim();
  if (mask) body.mask = mask;
  if ($("min-score").value !== "") body.min_score = Number($("min-score").value);
  const filters = {};
  for (const [name, values] of Object.entries(state.filters)) if (values.length) filters[name] = values;
  if ($("min-years").value !== "") filters.min_years = Number($("min-years").value);
  if (Object.keys(filters).length) body.filters = filters;
  if (cursor) body.cursor = cursor;
  return body;
}

async function runSearch() {
  if (!$("q").value.trim()) return;
  $("compare-view").hidden = true;
  document.body.classList.add("busy");
  try {
    const page = state.cursors.length;
    const result = await api("/v1/search", searchBody($("mode").value, state.cursors[page - 1]));
    showProblem(null);
    renderResults(result, page);
  } catch (problem) {
    showProblem(problem);
  } finally {
    document.body.classList.remove("busy");
  }
}

function startSearch() {
  state.cursors = [null];
  runSearch();
}

function renderResults(result, page) {
  const limit = Number($("limit").value) || 10;
  const first = (page - 1) * limit;
  $("summary").textContent = `${result.total} matching · page ${page} · ${fixed(result.took_ms, 1)} ms`;
  $("summary").classList.remove("muted");

  const notes = [];
  for (const c of result.corrections || []) {
    notes.push(`“${c.word}” is in no profile; read as ${c.matched_as.map((m) => m.word ?? JSON.stringify(m)).join(", ")}`);
  }
  for (const w of result.warnings || []) notes.push(w);
  $("notes").replaceChildren(...notes.map((n) => el("li", { text: n })));

  $("hits").replaceChildren(...result.hits.map((hit, i) => renderHit(hit, first + i + 1)));
  if (!result.hits.length) $("hits").append(el("li", { class: "muted", text: "No profile matches." }));
  for (const hit of result.hits) state.masksSeen.add(hit.mask);
  $("mask-options").replaceChildren(...["all", ...state.masksSeen].map((m) => el("option", { value: m })));

  $("pager").hidden = page === 1 && !result.next_cursor;
  $("prev").disabled = page === 1;
  $("next").disabled = !result.next_cursor;
  $("next").dataset.cursor = result.next_cursor || "";
  $("page-label").textContent = `page ${page}`;

  renderFacets(result.facets);
  renderTimings(result.took_ms, result.timings, result.plan);
}

function renderHit(hit, rank) {
  const where = [hit.location, hit.country].filter(Boolean).join(", ");
  const item = el("li", { class: "hit", "data-profile": hit.profile_id },
    el("div", { class: "hit-head" },
      el("span", { class: "rank", text: `#${rank}` }),
      el("span", { class: "name", text: hit.display_name }),
      el("span", { class: "badge", text: hit.availability }),
      el("span", { class: "badge", title: "found through this mask", text: `mask: ${hit.mask}` }),
      el("span", { class: "score", title: "score, 0..1", text: fixed(hit.score) })),
    el("div", { class: "hit-meta", text: [hit.headline, where].filter(Boolean).join(" · ") }));
  for (const h of hit.highlights) {
    for (const fragment of h.fragments) {
      item.append(el("p", { class: `highlight ${h.source}` }, el("span", { class: "source", text: h.source }), ...fragmentNodes(fragment)));
    }
  }
  if (hit.explain) item.append(renderExplain(hit.explain));
  return item;
}

const meter = (value) => el("meter", { min: "0", max: "1", value: String(Math.max(0, Math.min(1, value ?? 0))) });

function renderExplain(explain) {
  const rows = [];
  const s = explain.semantic;
  rows.push(el("tr", { class: "leg-semantic" }, el("th", { text: "semantic" }),
    el("td", { text: s ? `rank ${s.rank}` : "not found" }),
    el("td", { text: s ? `similarity ${fixed(s.similarity)}` : "" }),
    el("td", { text: s ? fixed(s.score) : "" }), el("td", {}, meter(s?.score))));
  const k = explain.keyword;
  rows.push(el("tr", { class: "leg-keyword" }, el("th", { text: "keyword" }),
    el("td", { text: k ? `rank ${k.rank}` : "not found" }),
    el("td", { text: k ? `bm25 ${fixed(k.bm25, 2)}${k.complete ? " · every term" : ""}` : "" }),
    el("td", { text: k ? fixed(k.score) : "" }), el("td", {}, meter(k?.score))));
  rows.push(el("tr", { class: "leg-fused" }, el("th", { text: "fused" }), el("td"), el("td"),
    el("td", { text: fixed(explain.fused_score) }), el("td", {}, meter(explain.fused_score))));
  return el("table", { class: "explain" }, el("tbody", {}, ...rows));
}

function renderFacets(facets) {
  const container = $("facets");
  container.replaceChildren();
  if (!facets) return;
  for (const [group, filter] of Object.entries(FACET_FILTERS)) {
    const values = facets[group] || [];
    if (!values.length) continue;
    container.append(el("div", { class: "facet-group", "data-facet": group },
      el("h2", { text: group }),
      el("ul", {}, ...values.map((v) => el("li", {},
        el("button", {
          type: "button", "data-value": v.value,
          onclick: () => addFilter(filter, v.value),
        }, el("span", { text: v.value }), el("span", { class: "count", text: String(v.count) })))))));
  }
}

function renderFilters() {
  const chips = [];
  for (const [name, values] of Object.entries(state.filters)) {
    for (const value of values) {
      chips.push(el("li", {}, el("button", {
        type: "button", title: "remove this filter", "data-filter": name, "data-value": value,
        onclick: () => removeFilter(name, value),
      }, `${FILTER_LABELS[name]}: ${value} ×`)));
    }
  }
  $("filter-chips").replaceChildren(...chips);
  $("active-filters").hidden = chips.length === 0;
}

function addFilter(name, value) {
  if (!state.filters[name].includes(value)) state.filters[name].push(value);
  renderFilters();
  startSearch();
}

function removeFilter(name, value) {
  state.filters[name] = state.filters[name].filter((v) => v !== value);
  renderFilters();
  startSearch();
}

function renderTimings(tookMs, timings, plan) {
  const rows = STAGES.map(([field, label]) => el("tr", {},
    el("th", { text: label }), el("td", { text: fixed(timings[field], 1) }),
    el("td", {}, el("meter", { min: "0", max: String(tookMs || 1), value: String(timings[field] || 0) }))));
  rows.push(el("tr", { class: "total" }, el("th", { text: "total" }), el("td", { text: fixed(tookMs, 1) }), el("td")));
  $("timings").tBodies[0].replaceChildren(...rows);
  $("plan").replaceChildren(
    el("dt", { text: "semantic" }), el("dd", { text: plan?.semantic ?? "did not run" }),
    el("dt", { text: "keyword" }), el("dd", { text: plan?.keyword ?? "did not run" }));
}

async function compareModes() {
  if (!$("q").value.trim()) return;
  let results;
  try {
    results = await Promise.all(MODES.map((mode) => api("/v1/search", { ...searchBody(mode, null), explain: false })));
  } catch (problem) {
    showProblem(problem);
    return;
  }
  showProblem(null);
  const rankIn = results.map((r) => new Map(r.hits.map((h, i) => [h.profile_id, i + 1])));
  const columns = results.map((result, m) => el("div", { class: "column", "data-mode": MODES[m] },
    el("h2", { text: `${MODES[m]} · ${result.total} matching · ${fixed(result.took_ms, 1)} ms` }),
    el("ol", {}, ...result.hits.map((hit) => {
      const elsewhere = MODES.map((mode, o) => (o !== m && rankIn[o].has(hit.profile_id) ? `${mode} #${rankIn[o].get(hit.profile_id)}` : null)).filter(Boolean);
      return el("li", {}, el("span", { text: `${hit.display_name} ` }), el("span", { class: "score", text: fixed(hit.score) }),
        elsewhere.length ? el("div", { class: "also", text: `also ${elsewhere.join(", ")}` }) : null);
    }))));
  $("compare-columns").replaceChildren(...columns);
  $("compare-view").hidden = false;
}

function init() {
  $("key").value = state.key;
  showKeyState();
  $("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    state.key = $("key").value.trim();
    sessionStorage.setItem(KEY_STORAGE, state.key);
    showKeyState();
    if ($("q").value.trim()) startSearch();
  });
  $("forget-key").addEventListener("click", () => {
    state.key = "";
    $("key").value = "";
    sessionStorage.removeItem(KEY_STORAGE);
    showKeyState();
  });
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    startSearch();
  });
  for (const id of ["mode", "fusion"]) $(id).addEventListener("change", () => $("q").value.trim() && startSearch());
  $("compare").addEventListener("click", compareModes);
  $("next").addEventListener("click", () => {
    state.cursors.push($("next").dataset.cursor);
    runSearch();
  });
  $("prev").addEventListener("click", () => {
    if (state.cursors.length > 1) state.cursors.pop();
    runSearch();
  });
}

init();
