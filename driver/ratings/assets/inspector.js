// The rating inspector's page. Everything the server sends is put on the page as text
// (textContent), never as markup: notes and rationales may hold anything.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { config: null, rater: "", mode: "rate", item: null, focus: 0, submitted: null };

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

async function api(path, body) {
  const init = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  const response = await fetch(path, init);
  const data = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
  return data;
}

function showError(message) { $("error").textContent = message || ""; }

function images(container, urls, label) {
  container.replaceChildren(...urls.map((url, k) => {
    const img = el("img", { src: url, alt: `${label} ${k + 1}`, loading: "lazy" });
    img.addEventListener("click", () => zoom(url, img.alt));
    return img;
  }));
}

function zoom(url, alt) { $("zoom-img").src = url; $("zoom-img").alt = alt; $("zoom").hidden = false; }

function choices() {
  if (state.mode === "compare") {
    return [["left", "left is more faithful"], ["same", "same"], ["right", "right is more faithful"]];
  }
  return Object.entries(state.config.anchors).map(([n, text]) => [n, `${n} — ${text}`]);
}

function buildDimensions() {
  const options = choices();
  $("dims").replaceChildren(...state.config.dimensions.map((dim, k) => {
    const row = el("div", { class: "choices" }, options.map(([value, text]) => el("label", {}, [
      el("input", { type: "radio", name: dim.name, value, "data-dim": String(k) }), ` ${text}`,
    ])));
    const box = el("fieldset", { id: `dim-${dim.name}` }, [
      el("legend", { text: dim.name.replaceAll("_", " ") }),
      el("p", { text: dim.definition }),
      el("p", { class: "ignore", text: `Ignore: ${dim.ignore}` }),
      row,
    ]);
    box.addEventListener("click", () => setFocus(k));
    return box;
  }));
  setFocus(0);
}

function setFocus(k) {
  const n = state.config.dimensions.length;
  state.focus = Math.max(0, Math.min(n - 1, k));
  document.querySelectorAll("#dims fieldset").forEach((box, i) => {
    box.classList.toggle("focused", i === state.focus);
  });
}

function choose(value) {
  const dim = state.config.dimensions[state.focus];
  const input = document.querySelector(`#dims input[name="${dim.name}"][value="${value}"]`);
  if (!input || input.disabled) return;
  input.checked = true;
  setFocus(state.focus + 1);
}

function values() {
  const out = {};
  for (const dim of state.config.dimensions) {
    const picked = document.querySelector(`#dims input[name="${dim.name}"]:checked`);
    if (picked) out[dim.name] = state.mode === "compare" ? picked.value : Number(picked.value);
  }
  return out;
}

function lockForm(locked) {
  document.querySelectorAll("#dims input, #note").forEach((input) => { input.disabled = locked; });
  $("submit").hidden = locked;
  $("edit").hidden = !locked;
  $("next").hidden = !locked;
}

function fillForm(mine) {
  for (const [dim, value] of Object.entries(mine.values)) {
    const input = document.querySelector(`#dims input[name="${dim}"][value="${value}"]`);
    if (input) input.checked = true;
  }
  $("note").value = mine.note || "";
}

function judgeColumns(scores) { return Object.keys(scores.judges); }

// A person's overall, as the judge's: the rubric-weighted mean of their ratings (1-5).
function personOverall(mine) {
  let total = 0, weights = 0;
  for (const dim of state.config.dimensions) {
    if (typeof mine[dim.name] !== "number") return "";
    total += dim.weight * mine[dim.name];
    weights += dim.weight;
  }
  return (total / weights).toFixed(1);
}

function revealScores(scoresBySide, mine, note) {
  // scoresBySide: {"": scores} when rating one job, {left, right} when comparing.
  const sides = Object.entries(scoresBySide);
  const head = [el("th", { text: "dimension" })];
  if (mine) head.push(el("th", { text: state.mode === "compare" ? "you chose" : "you (1–5)" }));
  for (const [side, scores] of sides) {
    for (const judge of judgeColumns(scores)) {
      head.push(el("th", { text: `${side ? side + ": " : ""}${judge} (0–100)` }));
    }
  }
  const rows = [el("tr", {}, head)];
  for (const dim of [...state.config.dimensions.map((d) => d.name), "overall"]) {
    const cells = [el("th", { text: dim.replaceAll("_", " ") })];
    if (mine) {
      const own = dim === "overall" && state.mode === "rate" ? personOverall(mine) : (mine[dim] ?? "");
      cells.push(el("td", { text: String(own) }));
    }
    for (const [, scores] of sides) {
      for (const judge of judgeColumns(scores)) {
        const s = scores.judges[judge];
        const value = dim === "overall" ? s.overall : s.dimensions[dim];
        cells.push(el("td", { text: value === null || value === undefined ? "—" : String(value) }));
      }
    }
    rows.push(el("tr", {}, cells));
  }
  $("reveal-table").replaceChildren(...rows);
  $("my-note").textContent = note || "";
  $("rationales").replaceChildren(...sides.flatMap(([side, scores]) => scores.rationales.map(
    (text, k) => el("div", {}, [
      el("h3", { text: `${side ? side + " — " : ""}repeat ${k + 1}` }), el("pre", { text }),
    ]),
  )));
  $("reveal-title").textContent = mine ? "Your rating next to the judge's" : "The judge's scores (review mode)";
  $("reveal").hidden = false;
}

function showItem(item, progress) {
  state.item = item;
  state.submitted = null;
  showError("");
  if (progress) {
    $("progress").textContent = `${progress.done} rated of ${progress.total}` +
      ` · every item has ≥ ${progress.min_ratings} rating(s)`;
  }
  $("done").hidden = item !== null;
  $("work").hidden = item === null;
  if (item === null) return;
  buildDimensions();
  $("note").value = "";
  $("reveal").hidden = true;
  const compare = state.mode === "compare";
  $("rate-box").hidden = compare;
  $("compare-box").hidden = !compare;
  if (compare) {
    images($("photos"), item.left.photos, "reference photo");
    images($("left-views"), item.left.views, "left view");
    images($("right-views"), item.right.views, "right view");
    if (item.left.scores) revealScores({ left: item.left.scores, right: item.right.scores }, null, "");
  } else {
    $("job-id").textContent = item.job_id;
    images($("photos"), item.photos, "reference photo");
    images($("views"), item.views, "candidate view");
    if (item.mine) {
      fillForm(item.mine);
      state.submitted = { rating_id: item.mine.rating_id };
      revealScores({ "": item.scores }, item.mine.values, item.mine.note);
    } else if (item.scores) {
      revealScores({ "": item.scores }, null, "");
    }
  }
  lockForm(state.submitted !== null);
}

async function loadNext() {
  const reveal = $("show-scores").checked ? "1" : "0";
  const params = new URLSearchParams({ rater: state.rater, mode: state.mode, reveal });
  try {
    const data = await api(`/api/next?${params}`);
    showItem(data.item, data.progress);
  } catch (error) {
    showError(error.message);
  }
}

async function submit(event) {
  if (event) event.preventDefault();
  if (!state.item || !$("submit").offsetParent || $("submit").hidden) return;
  const picked = values();
  const missing = state.config.dimensions.filter((d) => !(d.name in picked)).map((d) => d.name);
  if (missing.length) { showError(`Rate every dimension first: ${missing.join(", ")}`); return; }
  const body = { rater: state.rater, values: picked, note: $("note").value,
                 supersedes: state.editing || "" };
  let path = "/api/ratings";
  if (state.mode === "compare") {
    path = "/api/pairs";
    body.job_left = state.item.left.job_id;
    body.job_right = state.item.right.job_id;
  } else {
    body.job_id = state.item.job_id;
  }
  try {
    const data = await api(path, body);
    state.submitted = data;
    state.editing = "";
    showError("");
    lockForm(true);
    const scores = state.mode === "compare" ? data.scores : { "": data.scores };
    revealScores(scores, picked, body.note);
    loadProgressOnly();
  } catch (error) {
    showError(error.message);
  }
}

async function loadProgressOnly() {
  const params = new URLSearchParams({ rater: state.rater, mode: state.mode, reveal: "0" });
  try {
    const data = await api(`/api/next?${params}`);
    const p = data.progress;
    $("progress").textContent = `${p.done} rated of ${p.total} · every item has ≥ ${p.min_ratings} rating(s)`;
  } catch (error) {
    showError(error.message);
  }
}

async function skip() {
  if (!state.item) return;
  const body = state.mode === "compare"
    ? { rater: state.rater, mode: "compare", job_left: state.item.left.job_id, job_right: state.item.right.job_id }
    : { rater: state.rater, mode: "rate", job_id: state.item.job_id };
  try { await api("/api/skip", body); await loadNext(); } catch (error) { showError(error.message); }
}

function edit() {
  if (!state.submitted) return;
  state.editing = state.submitted.rating_id;
  state.submitted = null;
  lockForm(false);
  setFocus(0);
}

function setMode(mode) {
  state.mode = mode;
  $("mode-rate").setAttribute("aria-pressed", String(mode === "rate"));
  $("mode-compare").setAttribute("aria-pressed", String(mode === "compare"));
  loadNext();
}

function onKey(event) {
  if (event.key === "Escape") { $("zoom").hidden = true; return; }
  const typing = event.target instanceof HTMLTextAreaElement ||
    (event.target instanceof HTMLInputElement && event.target.type !== "radio" && event.target.type !== "checkbox");
  if (typing || $("main").hidden || event.ctrlKey || event.metaKey || event.altKey) return;
  const key = event.key;
  const open = !$("submit").hidden;
  if (open && state.mode === "rate" && /^[1-5]$/.test(key)) choose(key);
  else if (open && state.mode === "compare" && key === "ArrowLeft") choose("left");
  else if (open && state.mode === "compare" && key === "ArrowRight") choose("right");
  else if (open && state.mode === "compare" && key === "=") choose("same");
  else if (key === "ArrowUp") setFocus(state.focus - 1);
  else if (key === "ArrowDown") setFocus(state.focus + 1);
  else if (key === "Enter" && open) submit();
  else if (key === "s" || key === "S") skip();
  else if ((key === "n" || key === "N") && state.submitted) loadNext();
  else if ((key === "e" || key === "E") && state.submitted) edit();
  else return;
  event.preventDefault();
}

function askName(message) {
  $("name-section").hidden = false;
  $("main").hidden = true;
  $("rater-error").textContent = message || "";
  $("rater-input").value = state.rater;
  $("rater-input").focus();
}

function startAs(name) {
  if (!/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/.test(name)) {
    askName("Use 1–64 letters, digits, spaces, '.', '_' or '-', starting with a letter or digit.");
    return;
  }
  state.rater = name;
  localStorage.setItem("vfscore.rater", name);
  $("rater-name").textContent = name;
  $("rater-box").hidden = false;
  $("name-section").hidden = true;
  $("main").hidden = false;
  loadNext();
}

async function init() {
  state.config = await api("/api/config");
  $("run").textContent = `run ${state.config.run_id} · rubric ${state.config.rubric.id} ${state.config.rubric.version}`;
  $("rating-form").addEventListener("submit", submit);
  $("skip").addEventListener("click", skip);
  $("next").addEventListener("click", loadNext);
  $("edit").addEventListener("click", edit);
  $("mode-rate").addEventListener("click", () => setMode("rate"));
  $("mode-compare").addEventListener("click", () => setMode("compare"));
  $("show-scores").addEventListener("change", loadNext);
  $("zoom").addEventListener("click", () => { $("zoom").hidden = true; });
  $("change-rater").addEventListener("click", () => askName(""));
  $("rater-form").addEventListener("submit", (event) => {
    event.preventDefault();
    startAs($("rater-input").value.trim());
  });
  document.addEventListener("keydown", onKey);
  const saved = localStorage.getItem("vfscore.rater") || state.config.rater;
  if (saved) startAs(saved); else askName("");
}

init().catch((error) => { document.body.prepend(el("p", { class: "error", text: String(error) })); });
