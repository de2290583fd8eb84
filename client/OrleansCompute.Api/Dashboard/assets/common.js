// Shared by the dashboard pages (dashboard.js, job.js): API key handling, fetching with problem details,
// DOM helpers that insert every API value as text (never as HTML), number formats and inline SVG charts.
// No dependencies; exposes one global, window.Ocx.
(() => {
  "use strict";

  const KEY_STORAGE = "ocx.apiKey";
  const root = location.pathname.replace(/dashboard(\/.*)?$/, ""); // the API's root path (usually "/")
  const $ = (id) => document.getElementById(id);
  const numberFormat = new Intl.NumberFormat("en-US");
  const percentFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });
  const SVG = "http://www.w3.org/2000/svg";

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

  // Wires the header's key button and the key form; `changed` runs after the key was set or forgotten.
  function wireKeyForm(changed) {
    $("key-button").addEventListener("click", () => showKeyForm($("key-form").hidden));
    $("key-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const value = $("key-input").value.trim();
      if (value) { sessionStorage.setItem(KEY_STORAGE, value); }
      $("key-input").value = "";
      showKeyForm(false);
      changed();
    });
    $("key-forget").addEventListener("click", () => {
      sessionStorage.removeItem(KEY_STORAGE);
      showKeyForm(false);
      changed();
    });
  }

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

  // Banner, key form, connection dot and refresh counter after one round of requests.
  function showRound(ok, total, unreachable, unauthorized) {
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

    $("conn-dot").className = "dot " + (ok === total ? "ok" : "bad");
    $("conn-text").textContent = ok === total ? "live" : unreachable ? "offline" : "errors";
    $("updated").textContent = "updated " + new Date().toLocaleTimeString();
    document.body.dataset.refreshed = String((Number(document.body.dataset.refreshed) || 0) + 1);
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

  // Text cut to at most max characters, an ellipsis marking the cut (callers put the whole text in a tooltip).
  function cut(text, max) {
    const s = String(text ?? "");
    return s.length <= max ? s : s.slice(0, max - 1) + "…";
  }

  function pill(state) {
    const s = String(state || "unknown").toLowerCase();
    return el("span", { className: "pill " + s }, s);
  }

  function fmt(n) { return n === null || n === undefined ? "–" : numberFormat.format(n); }

  function percent(n) { return percentFormat.format(n); }

  function bytes(n) {
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let value = Number(n) || 0, unit = 0;
    while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
    return (unit === 0 ? String(Math.round(value)) : value.toFixed(value < 10 ? 1 : 0)) + " " + units[unit];
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

  function svgNode(name, attributes) {
    const node = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attributes || {})) { node.setAttribute(k, v); }
    return node;
  }

  // A small line chart of `values` (oldest first) across `slots` positions, scaled to `top` or to the largest value.
  function sparkline(values, top, slots, width, height) {
    const w = width || 120, h = height || 24, n = slots || Math.max(2, values.length);
    const svg = svgNode("svg", { class: "spark", width: w, height: h, viewBox: `0 0 ${w} ${h}` });
    if (values.length === 1) { values = [values[0], values[0]]; } // one sample: a short level line at the right end
    if (values.length < 2) { return svg; }
    const max = top || Math.max(1e-9, ...values);
    const step = w / (n - 1);
    const offset = Math.max(0, n - values.length) * step;
    const points = values.map((v, i) => `${(offset + i * step).toFixed(1)},${(h - 2 - (Math.min(Math.max(v, 0), max) / max) * (h - 4)).toFixed(1)}`);
    svg.append(
      svgNode("polygon", { points: `${offset.toFixed(1)},${h} ${points.join(" ")} ${w},${h}` }),
      svgNode("polyline", { points: points.join(" ") }));
    return svg;
  }

  // A chart with a labelled peak and time span: `samples` are [timeMs, value]; `label` formats a value.
  function timeChart(samples, label, width, height) {
    const w = width || 640, h = height || 140, left = 4, top = 16, bottom = 18;
    const svg = svgNode("svg", { class: "chart", width: w, height: h, viewBox: `0 0 ${w} ${h}`, role: "img" });
    if (samples.length < 2) {
      const text = svgNode("text", { x: 8, y: h / 2, class: "chart-empty" });
      text.textContent = "waiting for samples…";
      svg.append(text);
      return svg;
    }
    const t0 = samples[0][0], t1 = samples[samples.length - 1][0];
    const max = Math.max(1e-9, ...samples.map((s) => s[1]));
    const x = (t) => left + ((t - t0) / Math.max(1, t1 - t0)) * (w - left - 4);
    const y = (v) => top + (1 - Math.max(0, v) / max) * (h - top - bottom);
    const points = samples.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`);
    svg.append(
      svgNode("line", { x1: left, y1: y(0), x2: w - 4, y2: y(0), class: "axis" }),
      svgNode("line", { x1: left, y1: top, x2: w - 4, y2: top, class: "grid" }),
      svgNode("polygon", { points: `${x(t0).toFixed(1)},${y(0).toFixed(1)} ${points.join(" ")} ${x(t1).toFixed(1)},${y(0).toFixed(1)}` }),
      svgNode("polyline", { points: points.join(" ") }));
    const peak = svgNode("text", { x: left + 2, y: top - 4, class: "chart-label" });
    peak.textContent = "peak " + label(max);
    const span = svgNode("text", { x: w - 6, y: h - 4, class: "chart-label", "text-anchor": "end" });
    span.textContent = "last " + duration(t1 - t0);
    svg.append(peak, span);
    return svg;
  }

  window.Ocx = {
    $, root, takeKeyFromFragment, apiKey, wireKeyForm, ApiError, getJson, showRound,
    el, td, replaceRows, showSectionError, shortPath, cut, pill, fmt, percent, bytes, duration, ago, sparkline, timeChart,
  };
})();
