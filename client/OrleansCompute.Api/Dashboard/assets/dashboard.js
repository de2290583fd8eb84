// OrleansCompute dashboard: polls the API every 1.5 s and renders silos, jobs and datasets.
// Plain DOM code, no dependencies. Every value from the API is inserted as text (never as HTML).
// API key: when the API answers 401, a form asks for the key; it is kept in sessionStorage (this tab only)
// and sent in the X-Api-Key header. A key can also be handed over in the URL fragment (#key=...), which is
// never sent to the server; the page moves it into sessionStorage and removes it from the address bar.
(() => {
  "use strict";

  const REFRESH_MS = 1500;
  const KEY_STORAGE = "ocx.apiKey";
  const HISTORY = 40; // CPU samples kept per silo (one minute at 1.5 s)
  const root = location.pathname.replace(/dashboard\/?$/, ""); // the API's root path (usually "/")
  const cpuHistory = new Map();
  const $ = (id) => document.getElementById(id);
  const numberFormat = new Intl.NumberFormat("en-US");
  const percentFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

  // ---- API key

  function takeKeyFromFragment() {
    const match = /(?:^#|&)key=([^&]*)/.exec(location.hash);
    if (match) {
      sessionStorage.setItem(KEY_STORAGE, decodeURIComponent(match[1]));
      history.replaceState(null, "", location.pathname + location.search);
    }
  }

  function apiKey() { return sessionStorage.getItem(KEY_STORAGE) || ""; }

  function showKeyForm(show) {
    $("key-form").hidden = !show;
    if (show) { $("key-input").focus(); }
  }

  $("key-button").addEventListener("click", () => showKeyForm($("key-form").hidden));
  $("key-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const value = $("key-input").value.trim();
    if (value) { sessionStorage.setItem(KEY_STORAGE, value); }
    $("key-input").value = "";
    showKeyForm(false);
    refreshNow();
  });
  $("key-forget").addEventListener("click", () => {
    sessionStorage.removeItem(KEY_STORAGE);
    showKeyForm(false);
    refreshNow();
  });

  // ---- fetching

  class ApiError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  async function getJson(path) {
    const headers = { "Accept": "application/json" };
    const key = apiKey();
    if (key) { headers["X-Api-Key"] = key; }
    let response;
    try {
      response = await fetch(root + path, { headers, cache: "no-store" });
    } catch (e) {
      throw new ApiError(0, "cannot reach the API (" + (e && e.message ? e.message : "network error") + ")");
    }
    if (response.ok) { return response.json(); }
    throw new ApiError(response.status, await describeProblem(response));
  }

  // One readable line from an RFC 9457 problem body: "404 Not Found: no job 'x'".
  async function describeProblem(response) {
    let text = response.status + " " + (response.statusText || "error");
    try {
      const body = await response.json();
      if (body && typeof body === "object") {
        text = response.status + " " + (body.title || response.statusText || "error");
        if (body.detail && body.detail !== body.title) { text += ": " + body.detail; }
        if (body.errors && typeof body.errors === "object") {
          const fields = Object.entries(body.errors).map(([f, m]) => (f || "body") + ": " + [].concat(m).join(" "));
          if (fields.length) { text += " (" + fields.join("; ") + ")"; }
        }
      }
    } catch { /* not JSON: keep the status line */ }
    return text;
  }

  // ---- DOM helpers

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    if (props) {
      for (const [name, value] of Object.entries(props)) {
        if (value === undefined || value === null) { continue; }
        if (name === "className") { node.className = value; }
        else if (name === "title") { node.title = value; }
        else if (name.startsWith("data-")) { node.setAttribute(name, value); }
        else { node[name] = value; }
      }
    }
    for (const child of children) {
      if (child === null || child === undefined) { continue; }
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function td(content, className, title) { return el("td", { className, title }, content); }

  function replaceRows(tableId, rows, emptyId) {
    const body = document.querySelector("#" + tableId + " tbody");
    body.replaceChildren(...rows);
    $(tableId).hidden = rows.length === 0;
    $(emptyId).hidden = rows.length !== 0;
  }

  function showSectionError(id, error) {
    const box = $(id);
    box.hidden = !error;
    box.textContent = error ? error.message : "";
    // A table that never got rows shows only the error, not empty headers; earlier rows stay visible.
    const table = box.parentElement.querySelector("table");
    if (error && table && table.tBodies[0].rows.length === 0) { table.hidden = true; }
  }

  // Long paths keep their end (the file name) visible; the full path is in the tooltip.
  function shortPath(path) {
    const text = String(path || "");
    return text.length <= 48 ? text : "…" + text.slice(-47);
  }

  function pill(state) {
    const s = String(state || "unknown").toLowerCase();
    return el("span", { className: "pill " + s }, s);
  }

  function fmt(n) { return n === null || n === undefined ? "–" : numberFormat.format(n); }

  function bytes(n) {
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let value = Number(n) || 0, unit = 0;
    while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
    return (unit === 0 ? String(value) : value.toFixed(value < 10 ? 1 : 0)) + " " + units[unit];
  }

  function duration(ms) {
    if (!(ms >= 0)) { return "–"; }
    const s = ms / 1000;
    if (s < 10) { return s.toFixed(2) + " s"; }
    if (s < 120) { return s.toFixed(1) + " s"; }
    if (s < 7200) { return Math.floor(s / 60) + " min " + Math.floor(s % 60) + " s"; }
    if (s < 172800) { return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min"; }
    return Math.floor(s / 86400) + " d";
  }

  function ago(iso) {
    if (!iso) { return "never"; }
    const ms = Date.now() - Date.parse(iso);
    return ms < 1500 ? "just now" : duration(ms) + " ago";
  }

  // A line over the last HISTORY samples; scaled to `top` (e.g. 100 for percent) or, without it, to the largest sample.
  function sparkline(values, top) {
    const w = 120, h = 24;
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("class", "spark");
    svg.setAttribute("width", w);
    svg.setAttribute("height", h);
    svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
    if (values.length < 2) { return svg; }
    const max = top || Math.max(1, ...values);
    const step = w / (HISTORY - 1);
    const offset = (HISTORY - values.length) * step;
    const points = values.map((v, i) => `${(offset + i * step).toFixed(1)},${(h - 2 - (Math.min(v, max) / max) * (h - 4)).toFixed(1)}`);
    const area = document.createElementNS(svg.namespaceURI, "polygon");
    area.setAttribute("points", `${offset.toFixed(1)},${h} ${points.join(" ")} ${w},${h}`);
    const line = document.createElementNS(svg.namespaceURI, "polyline");
    line.setAttribute("points", points.join(" "));
    svg.append(area, line);
    return svg;
  }

  // ---- rendering

  function renderCluster(cluster) {
    $("cluster-id").textContent = cluster.clusterId ? "cluster " + cluster.clusterId : "";
    const silos = cluster.silos || [];
    const seen = new Set();
    let memory = 0, anyMemory = false;
    const rows = silos.map((silo) => {
      seen.add(silo.address);
      const history = cpuHistory.get(silo.address) || [];
      if (typeof silo.cpuUsage === "number") {
        history.push(silo.cpuUsage);
        if (history.length > HISTORY) { history.shift(); }
      }
      if (typeof silo.memoryUsageBytes === "number") {
        memory += silo.memoryUsageBytes;
        anyMemory = true;
      }
      cpuHistory.set(silo.address, history);
      const types = Object.entries(silo.activationsByType || {})
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, 4).map(([t, n]) => t + " " + n).join(", ");
      const up = silo.startedAt ? duration(Date.now() - Date.parse(silo.startedAt)) : "–";
      return el("tr", { "data-silo": silo.name, "data-status": String(silo.status || "").toLowerCase() },
        td(silo.name || "–"),
        td(silo.address, "mono"),
        td(pill(silo.status)),
        td(fmt(silo.activations), "num"),
        td(typeof silo.cpuUsage === "number" ? percentFormat.format(silo.cpuUsage) + " %" : "–", "num"),
        td(sparkline(history, 100)),
        td(typeof silo.memoryUsageBytes === "number" ? bytes(silo.memoryUsageBytes) : "–", "num"),
        td(types || "–", "types wrap"),
        td(up, null, silo.startedAt || undefined));
    });
    for (const address of [...cpuHistory.keys()]) { if (!seen.has(address)) { cpuHistory.delete(address); } }
    replaceRows("silos", rows, "silos-empty");
    const active = silos.filter((s) => String(s.status).toLowerCase() === "active").length;
    $("stat-silos").textContent = silos.length ? `${active} / ${silos.length}` : "0";
    $("stat-activations").textContent = fmt(cluster.totalActivations);
    $("stat-memory").textContent = anyMemory ? bytes(memory) : "–";
  }

  function renderJobs(list) {
    const jobs = (list.jobs || []).slice(0, 50);
    const rows = jobs.map((job) => {
      const state = String(job.state || "").toLowerCase();
      const progress = Math.max(0, Math.min(1, Number(job.progress) || 0));
      const percent = Math.round(progress * 100);
      const end = job.finishedAt ? Date.parse(job.finishedAt) : Date.now();
      const splits = job.splitsTotal > 0 ? `${job.splitsDone}/${job.splitsTotal} splits` : "planning";
      const bar = el("div", { className: "bar " + state, title: `${percent}% · ${splits}` },
        el("div", { className: "fill" }),
        el("span", { className: "text" }, `${percent}% · ${splits}`));
      bar.firstChild.style.width = percent + "%";
      const stateCell = el("td", null, pill(state));
      if (job.error) { stateCell.append(el("div", { className: "sub wrap" }, job.error)); }
      return el("tr", { "data-job-id": job.id, "data-state": state },
        td(job.id, "mono"),
        td(job.kind),
        td(shortPath(job.input), "mono path", job.input),
        stateCell,
        td(bar),
        td(fmt(job.recordsRead), "num"),
        td(job.badRecords ? fmt(job.badRecords) : "0", "num"),
        td(duration(end - Date.parse(job.submittedAt)), "num"));
    });
    replaceRows("jobs", rows, "jobs-empty");
    $("stat-running").textContent = fmt((list.jobs || []).filter((j) => ["running", "queued"].includes(String(j.state).toLowerCase())).length);
  }

  function renderDatasets(list) {
    const datasets = list.datasets || [];
    const rows = datasets.map((d) => el("tr", { "data-dataset": d.name },
      td(d.name, "mono"),
      td(fmt(d.events), "num"),
      td(ago(d.lastIngestAt), null, d.lastIngestAt || undefined)));
    replaceRows("datasets", rows, "datasets-empty");
    $("stat-events").textContent = fmt(datasets.reduce((sum, d) => sum + (Number(d.events) || 0), 0));
  }

  // ---- loop

  let timer = 0;
  let running = false;

  async function refresh() {
    if (running) { return; }
    running = true;
    clearTimeout(timer);
    const parts = [
      ["silos-error", "api/cluster", renderCluster],
      ["jobs-error", "api/jobs", renderJobs],
      ["datasets-error", "api/datasets", renderDatasets],
    ];
    const results = await Promise.allSettled(parts.map(([, path]) => getJson(path)));
    let unreachable = null, unauthorized = null, ok = 0;
    results.forEach((result, i) => {
      const [errorId, , render] = parts[i];
      if (result.status === "fulfilled") {
        try { render(result.value); showSectionError(errorId, null); ok++; }
        catch (e) { showSectionError(errorId, new Error("could not show the answer: " + e.message)); }
      } else {
        const error = result.reason;
        if (error.status === 0) { unreachable = error; }
        if (error.status === 401 || error.status === 403) { unauthorized = error; }
        showSectionError(errorId, error);
      }
    });

    const banner = $("banner");
    if (unauthorized) {
      banner.hidden = false;
      banner.textContent = (apiKey() ? "The API refused the key: " : "The API needs a key: ") + unauthorized.message;
      showKeyForm(true);
    } else if (unreachable) {
      banner.hidden = false;
      banner.textContent = "Lost contact with the API — retrying. " + unreachable.message;
    } else {
      banner.hidden = true;
    }

    $("conn-dot").className = "dot " + (ok === parts.length ? "ok" : "bad");
    $("conn-text").textContent = ok === parts.length ? "live" : unreachable ? "offline" : "errors";
    $("updated").textContent = "updated " + new Date().toLocaleTimeString();
    document.body.dataset.refreshed = String((Number(document.body.dataset.refreshed) || 0) + 1);
    running = false;
    timer = setTimeout(refresh, REFRESH_MS);
  }

  function refreshNow() { if (!running) { refresh(); } }

  takeKeyFromFragment();
  refresh();
})();
