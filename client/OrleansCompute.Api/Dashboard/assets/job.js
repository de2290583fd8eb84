// OrleansCompute job page (/dashboard/jobs/{id}): the job's state, its result once it completed (the first rows of
// it), phase timings, a throughput chart while it runs (records/s and bytes/s between two polls of its status), its
// splits (state, silo, retries, resumes; paged, filtered by state) and its bad-record samples. Polls every 1.5 s while
// the job is queued or running, then stops.
(() => {
  "use strict";

  const { $, root, getJson, showRound, el, td, replaceRows, showSectionError, cut, pill, fmt, bytes, duration, timeChart } = window.Ocx;
  const REFRESH_MS = 1500;
  const PAGE = 50;
  const SAMPLES = 400; // throughput samples kept (10 minutes at 1.5 s)
  const RESULT_ROWS = 100; // result rows shown; the API sends them all
  const RECORD_CHARS = 300; // a matching record's text shown (the whole of it is the tooltip)
  const JSON_CHARS = 20000; // a user kind's result shown as JSON
  const NULL_KEY = "JSON null — a group of its own, apart from the empty string";
  const valueFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 6 });
  const jobId = decodeURIComponent(location.pathname.replace(/\/+$/, "").split("/").pop() || "");
  const samples = []; // [timeMs, recordsPerSecond, bytesPerSecond]
  let last = null; // previous status poll: { at, records, bytes }
  let splitsOffset = 0;
  let splitsTotal = 0;
  let resultShown = false;
  let timer = 0;
  let running = false;

  document.title = jobId + " · OrleansCompute job";
  $("job-id").textContent = jobId;
  $("job-id").title = jobId;

  // ---- rendering

  function fact(name, value, title) {
    return [el("dt", null, name), el("dd", { title }, value)];
  }

  function renderStatus(job) {
    const state = String(job.state || "").toLowerCase();
    document.body.dataset.state = state;
    $("job-state").replaceChildren(pill(state));
    const end = job.finishedAt ? Date.parse(job.finishedAt) : Date.now();
    const facts = [
      ...fact("kind", job.kind),
      ...fact("input", job.input, job.input),
      ...fact("submitted", new Date(job.submittedAt).toLocaleString(), job.submittedAt),
      ...fact("duration", duration(end - Date.parse(job.submittedAt))),
      ...fact("splits", `${fmt(job.splitsDone)} / ${fmt(job.splitsTotal)}`),
      ...fact("bytes", `${bytes(job.bytesRead)} / ${bytes(job.bytesTotal)}`),
      ...fact("records", fmt(job.recordsRead)),
      ...fact("bad records", fmt(job.badRecords)),
      ...fact("retries", fmt(job.retries), "split calls that failed and were tried again"),
      ...fact("resumes", fmt(job.resumes), "times the job grain resumed from its persisted progress (its silo died or it deactivated)"),
    ];
    if (job.error) { facts.push(...fact("error", job.error)); }
    $("job-facts").replaceChildren(...facts);

    const percent = Math.round(Math.max(0, Math.min(1, Number(job.progress) || 0)) * 100);
    const bar = $("job-bar");
    bar.className = "bar " + state;
    bar.firstChild.style.width = percent + "%";
    bar.lastChild.textContent = `${percent}% · ${job.splitsTotal > 0 ? `${job.splitsDone}/${job.splitsTotal} splits` : "planning"}`;

    renderPhases(job, state);
    renderThroughput(job, state);
    const silos = Object.entries(job.splitsBySilo || {}).sort((a, b) => b[1] - a[1]);
    $("splits-by-silo").textContent = silos.length
      ? "done per silo: " + silos.map(([s, n]) => `${s || "unknown"} ${fmt(n)}`).join(" · ")
      : "";
  }

  // Plan, map, collect, finish: bars proportional to their share of the job's time; the current phase is marked.
  function renderPhases(job, state) {
    const phases = [
      ["plan", job.planningMs, "resolving inputs and cutting splits"],
      ["map", job.mapMs, "partitions mapping splits and aggregators merging their shards"],
      ["collect", job.collectMs, "reading the aggregators' shards"],
      ["finish", job.finishMs, "joining the shards, finishing and persisting the result"],
    ];
    const current = state === "queued" ? "plan" : state === "running" ? (job.splitsTotal > 0 && job.splitsDone >= job.splitsTotal ? "collect" : "map") : null;
    const total = Math.max(1, phases.reduce((sum, p) => sum + (Number(p[1]) || 0), 0));
    $("phases").replaceChildren(...phases.map(([name, ms, title]) => {
      const share = Math.max(0, Number(ms) || 0) / total;
      const fill = el("div", { className: "phase-fill" });
      fill.style.width = (share * 100).toFixed(1) + "%";
      return el("div", { className: "phase" + (name === current ? " current" : ""), "data-phase": name, title },
        el("span", { className: "phase-name" }, name),
        el("div", { className: "phase-track" }, fill),
        el("span", { className: "phase-ms num" }, ms > 0 ? duration(ms) : name === current ? "now" : "–"));
    }));
  }

  function renderThroughput(job, state) {
    const now = Date.now();
    if (last && now > last.at && (state === "running" || state === "queued" || job.recordsRead !== last.records)) {
      const seconds = (now - last.at) / 1000;
      samples.push([now, Math.max(0, (job.recordsRead - last.records) / seconds), Math.max(0, (job.bytesRead - last.bytes) / seconds)]);
      if (samples.length > SAMPLES) { samples.shift(); }
    }
    last = { at: now, records: job.recordsRead, bytes: job.bytesRead };
    const chart = timeChart(samples.map((s) => [s[0], s[1]]), (v) => fmt(Math.round(v)) + " records/s", 900, 150);
    chart.id = "throughput-chart";
    chart.dataset.samples = String(samples.length);
    $("throughput").replaceChildren(chart);
    const mapSeconds = (Number(job.mapMs) || 0) / 1000;
    const average = mapSeconds > 0 ? `${fmt(Math.round(job.recordsRead / mapSeconds))} records/s, ${bytes(job.bytesRead / mapSeconds)}/s over the map phase` : "";
    const latest = samples.length ? `now ${fmt(Math.round(samples[samples.length - 1][1]))} records/s, ${bytes(samples[samples.length - 1][2])}/s` : "";
    $("throughput-note").textContent = state === "running" || state === "queued"
      ? [latest, average && "average " + average].filter(Boolean).join(" · ")
      : (average ? "average " + average : "") + (samples.length < 2 ? " (the chart fills while a job runs with this page open)" : "");
  }

  function renderSplits(page) {
    splitsTotal = page.total;
    const rows = (page.splits || []).map((s) => el("tr", { "data-split": s.split, "data-state": s.state },
      td(fmt(s.split), "num"),
      td(pill(s.state)),
      td(s.silo || "–", "mono", s.silo || "no run of it answered yet"),
      td(fmt(s.attempts), "num"),
      td(fmt(s.retries), "num" + (s.retries ? " warn" : "")),
      td(fmt(s.resumes), "num" + (s.resumes ? " warn" : "")),
      td(s.state === "done" ? duration(s.durationMs) : "–", "num"),
      td(s.state === "done" ? fmt(s.records) : "–", "num"),
      td(s.state === "done" ? fmt(s.badRecords) : "–", "num")));
    replaceRows("splits", rows, "splits-empty");
    const from = page.total === 0 ? 0 : page.offset + 1;
    $("splits-page").textContent = `${fmt(from)}–${fmt(page.offset + rows.length)} of ${fmt(page.total)}`;
    $("splits-prev").disabled = page.offset === 0;
    $("splits-next").disabled = page.offset + rows.length >= page.total;
  }

  function renderBadRecords(job, result) {
    if (!result) {
      const why = job.state === "completed" ? "" : job.state === "failed" || job.state === "cancelled"
        ? "The job ended " + job.state + " without a result: " + fmt(job.badRecords) + " bad record(s) counted; samples come with a completed job's result."
        : fmt(job.badRecords) + " bad record(s) so far; samples appear with the result once the job completes.";
      replaceRows("bad", [], "bad-empty");
      $("bad-empty").textContent = why;
      return;
    }
    const samplesList = (result.badRecords && result.badRecords.samples) || [];
    const rows = samplesList.map((b) => el("tr", null,
      td(b.path, "mono path", b.path), td(fmt(b.offset), "num"), td(b.reason, "wrap")));
    replaceRows("bad", rows, "bad-empty");
    $("bad-empty").textContent = result.badRecords && result.badRecords.count > 0
      ? `${fmt(result.badRecords.count)} bad record(s), none sampled.` : "No bad records.";
    $("bad-title").textContent = `Bad records (${fmt(result.badRecords ? result.badRecords.count : 0)}; ${rows.length} sampled)`;
  }

  // A group key as the user must tell it apart (issue 17): JSON null is `null` in its own style, the empty string is
  // `""`, never a blank cell; any other key is its text, cut with an ellipsis when long (the whole key is the tooltip).
  function keyCell(key) {
    if (key === null || key === undefined) { return td("null", "key null-key", NULL_KEY); }
    if (key === "") { return td('""', "mono key empty-key", "the empty string"); }
    return td(key, "mono key", key);
  }

  function count(n, one, many) { return `${fmt(n)} ${n === 1 ? one : many}`; }

  function heads(...names) {
    return el("tr", null, ...names.map(([name, className]) => el("th", { className, title: name }, name)));
  }

  // The kind's part of the result: group rows, top words, filter matches or a user kind's JSON; the first
  // RESULT_ROWS rows, with a note of how many the API has and where to get them all.
  function renderResult(job, result) {
    const json = $("result-json");
    let head = null, rows = [], sent = 0, what = "rows", summary = "", empty = "";
    json.hidden = true;
    if (!result) {
      empty = job.state === "failed" || job.state === "cancelled"
        ? `The job ended ${job.state}: it has no result.` : "The result shows here once the job completes.";
    } else if (result.groupBy) {
      const g = result.groupBy;
      const width = g.keyColumns.length + g.aggregates.length;
      head = heads(...g.keyColumns.map((k) => [k, "key"]), ...g.aggregates.map((a) => [a, "num"]));
      rows = g.rows.slice(0, RESULT_ROWS).map((r) => el("tr", null, ...[...(r.key || []).map(keyCell), ...(r.values || []).map((v) =>
        v === null || v === undefined ? td("–", "num", "no value in this group") : td(valueFormat.format(v), "num"))].slice(0, width)));
      sent = g.rows.length; what = "groups"; empty = "No groups.";
      summary = `${count(g.groups, "group", "groups")} from ${count(result.records, "record", "records")} (${count(result.splits, "split", "splits")})` +
        (sent < g.groups ? `; the job kept ${fmt(sent)} (top-k)` : "");
    } else if (result.wordCount) {
      const w = result.wordCount;
      head = heads(["#", "num"], ["word", "key"], ["count", "num"]);
      rows = w.words.slice(0, RESULT_ROWS).map((r, i) => el("tr", null, td(fmt(i + 1), "num"), keyCell(r.word), td(fmt(r.count), "num")));
      sent = w.words.length; what = "words"; empty = "No words.";
      summary = `${count(w.totalWords, "word", "words")}, ${fmt(w.distinctWords)} distinct, in ${count(result.records, "record", "records")} (${count(result.splits, "split", "splits")})` +
        (sent < w.distinctWords ? `; the job kept the top ${fmt(sent)}` : "");
    } else if (result.filterCount) {
      const f = result.filterCount;
      head = heads(["file", null], ["offset", "num"], ["record", null]);
      rows = f.samples.slice(0, RESULT_ROWS).map((m) => el("tr", null,
        td(m.path, "mono path", m.path), td(fmt(m.offset), "num"), td(cut(m.line, RECORD_CHARS), "mono wrap", m.line)));
      sent = f.samples.length; what = "sampled matches"; empty = "No matches.";
      summary = `${fmt(f.matches)} matching of ${count(f.lines, "record", "records")} (${count(result.splits, "split", "splits")})` +
        (f.matches > 0 ? `; the first ${fmt(sent)} sampled` : "");
    } else if (result.custom !== undefined && result.custom !== null) {
      const all = JSON.stringify(result.custom, null, 2);
      json.textContent = cut(all, JSON_CHARS);
      json.hidden = false;
      summary = `${count(result.records, "record", "records")} (${count(result.splits, "split", "splits")}); result of ${result.kind}` +
        (all.length > JSON_CHARS ? `, its first ${fmt(JSON_CHARS)} characters:` : ":");
    } else {
      summary = `${count(result.records, "record", "records")} (${count(result.splits, "split", "splits")}); the result holds nothing more.`;
    }

    $("result").tHead.replaceChildren(...(head ? [head] : []));
    replaceRows("result", rows, "result-empty");
    $("result-empty").textContent = empty;
    $("result-empty").hidden = rows.length > 0 || !empty;
    $("result-summary").textContent = summary;
    $("result-summary").hidden = !summary;
    const more = $("result-more");
    more.hidden = sent <= rows.length;
    if (!more.hidden) {
      const path = root + "api/jobs/" + encodeURIComponent(jobId) + "/result";
      more.replaceChildren(`Showing the first ${fmt(rows.length)} of ${fmt(sent)} ${what}. All of them: `,
        el("a", { className: "job-link", href: path, title: path }, "GET /api/jobs/{id}/result"),
        " (JSON; with the API key when it asks for one) or ", el("code", null, "ocx job result <id> --json"), ".");
    }
  }

  // ---- loop

  function splitsPath() {
    const state = $("splits-state").value;
    return `api/jobs/${encodeURIComponent(jobId)}/splits?offset=${splitsOffset}&limit=${PAGE}` + (state ? "&state=" + state : "");
  }

  async function refresh() {
    if (running) { return; }
    running = true;
    clearTimeout(timer);
    const base = "api/jobs/" + encodeURIComponent(jobId);
    const results = await Promise.allSettled([getJson(base), getJson(splitsPath())]);
    let unreachable = null, unauthorized = null, ok = 0, job = null;
    const note = (error) => {
      if (error.status === 0) { unreachable = error; }
      if (error.status === 401 || error.status === 403) { unauthorized = error; }
    };
    if (results[0].status === "fulfilled") {
      job = results[0].value;
      try { renderStatus(job); showSectionError("job-error", null); ok++; }
      catch (e) { showSectionError("job-error", new Error("could not show the answer: " + e.message)); }
    } else { note(results[0].reason); showSectionError("job-error", results[0].reason); }
    if (results[1].status === "fulfilled") {
      renderSplits(results[1].value); showSectionError("splits-error", null); ok++;
    } else { note(results[1].reason); showSectionError("splits-error", results[1].reason); }

    let total = 2;
    if (job && !resultShown) {
      if (job.state === "completed") {
        total++;
        try {
          const result = await getJson(base + "/result");
          renderResult(job, result);
          renderBadRecords(job, result);
          resultShown = true; showSectionError("result-error", null); showSectionError("bad-error", null); ok++;
        } catch (e) { note(e); showSectionError("result-error", e); showSectionError("bad-error", e); }
      } else {
        renderResult(job, null);
        renderBadRecords(job, null);
      }
    }

    showRound(ok, total, unreachable, unauthorized);
    running = false;
    if (again) { again = false; setTimeout(refresh, 0); return; }
    const settled = job && !["queued", "running"].includes(String(job.state).toLowerCase());
    if (!settled || !resultShown && job && job.state === "completed") { timer = setTimeout(refresh, REFRESH_MS); }
    else { $("updated").textContent += " · the job has ended"; }
  }

  let again = false; // asked for while a round ran: one more round right after it
  function refreshNow() { if (running) { again = true; } else { refresh(); } }

  $("splits-state").addEventListener("change", () => { splitsOffset = 0; refreshNow(); });
  $("splits-prev").addEventListener("click", () => { splitsOffset = Math.max(0, splitsOffset - PAGE); refreshNow(); });
  $("splits-next").addEventListener("click", () => { if (splitsOffset + PAGE < splitsTotal) { splitsOffset += PAGE; refreshNow(); } });
  window.Ocx.wireKeyForm(refreshNow);
  window.Ocx.takeKeyFromFragment();
  refresh();
})();
