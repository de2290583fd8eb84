// OrleansCompute dashboard: polls the API every 1.5 s and renders silos, jobs and datasets; each silo's CPU, memory,
// GC and calls/s over the last ten minutes come from GET /api/cluster/metrics every 5 s. Helpers (API key, fetching,
// DOM, formats, charts) are in common.js. Every value from the API is inserted as text (never as HTML).
(() => {
  "use strict";

  const { $, getJson, showRound, el, td, replaceRows, showSectionError, shortPath, cut, pill, fmt, percent, bytes, duration, ago, sparkline } = window.Ocx;
  const REFRESH_MS = 1500;
  const METRICS_MS = 5000;
  const JOB_PAGE = 20;
  const jobQuery = { state: "", kind: "", offset: 0 };
  let metrics = null; // last GET /api/cluster/metrics answer
  let metricsAt = 0;
  let metricsError = null;
  let lastCluster = null;

  // ---- silos

  function siloCharts(address) {
    const silo = metrics && (metrics.silos || []).find((s) => s.address === address);
    if (!silo) { return metricsError ? el("span", { className: "sub", title: metricsError.message }, "charts unavailable") : "–"; }
    if (silo.error) { return el("span", { className: "sub", title: silo.error }, "no samples: " + silo.error); }
    const samples = silo.samples || [];
    const slots = metrics.capacity || 120;
    const lastOf = (f) => samples.length ? f(samples[samples.length - 1]) : null;
    const chart = (name, values, top, label, title, caption) => el("div", { className: "mini", title, "data-chart": name },
      el("span", { className: "mini-label" }, (caption || name) + " ", el("b", null, label)),
      sparkline(values, top, slots, 120, 26));
    const minutes = Math.round((samples.length * (metrics.intervalSeconds || 5)) / 60);
    const span = `over the last ${minutes || "<1"} min, one sample every ${metrics.intervalSeconds || 5} s`;
    return el("div", { className: "minis", "data-samples": samples.length },
      chart("CPU", samples.map((s) => s.cpuPercent), 100, lastOf((s) => percent(s.cpuPercent) + " %") ?? "–",
        "process CPU % (System.Runtime dotnet.process.cpu.time) " + span),
      chart("memory", samples.map((s) => s.memoryBytes), 0, lastOf((s) => bytes(s.memoryBytes)) ?? "–",
        "process working set (System.Runtime dotnet.process.memory.working_set; the memory column is Orleans's own figure) " + span, "working set"),
      chart("GC", samples.map((s) => s.gcCollections), 0, lastOf((s) => fmt(s.gcCollections) + " · " + percent(s.gcPausePercent) + " % paused") ?? "–",
        "garbage collections per sample and share of time paused (System.Runtime dotnet.gc.collections, dotnet.gc.pause.time) " + span),
      chart("calls/s", samples.map((s) => s.callsPerSecond), 0, lastOf((s) => fmt(Math.round(s.callsPerSecond))) ?? "–",
        "grain calls received per second (Microsoft.Orleans orleans-messaging-processing-dispatcher-received, requests) " + span));
  }

  function renderCluster(cluster) {
    lastCluster = cluster;
    $("cluster-id").textContent = cluster.clusterId ? "cluster " + cluster.clusterId : "";
    const silos = cluster.silos || [];
    let memory = 0, anyMemory = false;
    const rows = silos.map((silo) => {
      if (typeof silo.memoryUsageBytes === "number") {
        memory += silo.memoryUsageBytes;
        anyMemory = true;
      }
      const types = Object.entries(silo.activationsByType || {})
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      const up = silo.startedAt ? duration(Date.now() - Date.parse(silo.startedAt)) : "–";
      return el("tr", { "data-silo": silo.name, "data-status": String(silo.status || "").toLowerCase(), "data-address": silo.address },
        td(silo.name || "–"),
        td(silo.address, "mono"),
        td(pill(silo.status)),
        td(fmt(silo.activations), "num"),
        td(typeof silo.cpuUsage === "number" ? percent(silo.cpuUsage) + " %" : "–", "num"),
        td(typeof silo.memoryUsageBytes === "number" ? bytes(silo.memoryUsageBytes) : "–", "num"),
        td(silo.status === "active" ? siloCharts(silo.address) : "–", "charts"),
        td(types.length ? types.slice(0, 4).map(([t, n]) => t + " " + n).join(", ") : "–", "types wrap",
          types.map(([t, n]) => t + " " + n).join("\n") || undefined),
        td(up, null, silo.startedAt || undefined));
    });
    replaceRows("silos", rows, "silos-empty");
    const active = silos.filter((s) => String(s.status).toLowerCase() === "active").length;
    $("stat-silos").textContent = silos.length ? `${active} / ${silos.length}` : "0";
    $("stat-activations").textContent = fmt(cluster.totalActivations);
    $("stat-memory").textContent = anyMemory ? bytes(memory) : "–";
  }

  // ---- jobs

  function jobsPath() {
    let path = `api/jobs?limit=${JOB_PAGE}&offset=${jobQuery.offset}`;
    if (jobQuery.state) { path += "&state=" + encodeURIComponent(jobQuery.state); }
    if (jobQuery.kind) { path += "&kind=" + encodeURIComponent(jobQuery.kind); }
    return path;
  }

  function renderJobs(list) {
    const jobs = list.jobs || [];
    const rows = jobs.map((job) => {
      const state = String(job.state || "").toLowerCase();
      const progress = Math.max(0, Math.min(1, Number(job.progress) || 0));
      const pct = Math.round(progress * 100);
      const end = job.finishedAt ? Date.parse(job.finishedAt) : Date.now();
      const splits = job.splitsTotal > 0 ? `${job.splitsDone}/${job.splitsTotal} splits` : "planning";
      const bar = el("div", { className: "bar " + state, title: `${pct}% · ${splits}` },
        el("div", { className: "fill" }),
        el("span", { className: "text" }, `${pct}% · ${splits}`));
      bar.firstChild.style.width = pct + "%";
      const stateCell = el("td", null, pill(state));
      if (job.error) { stateCell.append(el("div", { className: "sub wrap", title: job.error }, cut(job.error, 200))); }
      // Long ids (up to 128 characters) are cut with an ellipsis; the full id is the tooltip and the link's target.
      const link = el("a", { className: "job-link", href: "dashboard/jobs/" + encodeURIComponent(job.id), title: job.id }, job.id);
      return el("tr", { "data-job-id": job.id, "data-state": state },
        el("td", { className: "mono id" }, link),
        td(job.kind, "kind", job.kind),
        td(shortPath(job.input), "mono path", job.input),
        stateCell,
        td(bar, "progress-col"),
        td(fmt(job.recordsRead), "num"),
        td(job.badRecords ? fmt(job.badRecords) : "0", "num"),
        td(duration(end - Date.parse(job.submittedAt)), "num"));
    });
    replaceRows("jobs", rows, "jobs-empty");
    if (!rows.length && (jobQuery.state || jobQuery.kind || jobQuery.offset)) { $("jobs-empty").textContent = "No jobs match."; }
    const first = jobs.length ? jobQuery.offset + 1 : 0;
    $("jobs-page").textContent = `${fmt(first)}–${fmt(jobQuery.offset + jobs.length)}` + (typeof list.total === "number" ? ` of ${fmt(list.total)}` : "");
    $("jobs-prev").disabled = jobQuery.offset === 0;
    $("jobs-next").disabled = !list.more;
    if (!jobQuery.state && !jobQuery.kind && jobQuery.offset === 0) {
      $("stat-running").textContent = fmt(jobs.filter((j) => ["running", "queued"].includes(String(j.state).toLowerCase())).length);
      $("stat-running").title = `among the ${jobs.length} newest jobs`;
      const kinds = [...new Set(jobs.map((j) => j.kind))].sort();
      const select = $("jobs-kind");
      const known = [...select.options].map((o) => o.value);
      for (const k of kinds) { if (!known.includes(k)) { select.append(el("option", { value: k }, k)); } }
    }
  }

  $("jobs-state").addEventListener("change", (e) => { jobQuery.state = e.target.value; jobQuery.offset = 0; refreshNow(); });
  $("jobs-kind").addEventListener("change", (e) => { jobQuery.kind = e.target.value; jobQuery.offset = 0; refreshNow(); });
  $("jobs-prev").addEventListener("click", () => { jobQuery.offset = Math.max(0, jobQuery.offset - JOB_PAGE); refreshNow(); });
  $("jobs-next").addEventListener("click", () => { jobQuery.offset += JOB_PAGE; refreshNow(); });

  // ---- datasets

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

  async function refreshMetrics() {
    if (Date.now() - metricsAt < METRICS_MS) { return; }
    metricsAt = Date.now();
    try { metrics = await getJson("api/cluster/metrics"); metricsError = null; }
    catch (e) { metricsError = e; }
    if (lastCluster) { renderCluster(lastCluster); }
  }

  async function refresh() {
    if (running) { return; }
    running = true;
    clearTimeout(timer);
    const parts = [
      ["silos-error", "api/cluster", renderCluster],
      ["jobs-error", jobsPath(), renderJobs],
      ["datasets-error", "api/datasets", renderDatasets],
    ];
    const [results] = await Promise.all([Promise.allSettled(parts.map(([, path]) => getJson(path))), refreshMetrics()]);
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

    showRound(ok, parts.length, unreachable, unauthorized);
    running = false;
    if (again) { again = false; setTimeout(refresh, 0); return; }
    timer = setTimeout(refresh, REFRESH_MS);
  }

  let again = false; // asked for while a round ran: one more round right after it
  function refreshNow() { if (running) { again = true; } else { refresh(); } }

  window.Ocx.wireKeyForm(() => { metricsAt = 0; refreshNow(); });
  window.Ocx.takeKeyFromFragment();
  refresh();
})();
