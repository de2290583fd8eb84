// Drives headless Debian Chromium through playwright-core: opens the dashboard, waits until the given job
// shows as completed, checks the page, saves a screenshot and prints one JSON line with what it saw.
// Run by DashboardBrowserTests; inputs come from environment variables:
//   OCX_PLAYWRIGHT   folder holding node_modules/playwright-core (test.sh installs it into .cache/playwright)
//   OCX_CHROMIUM     browser executable (default /usr/bin/chromium)
//   OCX_URL          dashboard URL, e.g. http://127.0.0.1:5123/dashboard
//   OCX_JOB_ID       job to wait for
//   OCX_SCREENSHOT   PNG path to write
//   OCX_PROFILE      fresh user-data-dir
//   OCX_TIMEOUT_MS   how long to wait for the job (default 60000)
//   OCX_MODE         "job" (default) or "unauthorized": open the page without a key, check that it asks for
//                    one and shows the API's problem, then type OCX_API_KEY into the form and wait until live;
//                    or "jobpage": measure the jobs table (overflow, the id's ellipsis, the progress label's
//                    contrast) with the job listed, save OCX_SCREENSHOT, follow the job's link, watch the job page
//                    while the job runs (throughput samples) until it completes, save OCX_JOB_SCREENSHOT; then
//                    open the pages of OCX_RESULT_JOB_IDS (a JSON array of completed jobs), read their result
//                    tables and save the first one's page as OCX_RESULT_SCREENSHOT
//   OCX_VIEWPORT     WIDTHxHEIGHT (default 1360x900)
import { createRequire } from "node:module";
import path from "node:path";

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) { throw new Error(`${name} is not set`); }
  return value;
};

const require = createRequire(path.join(env("OCX_PLAYWRIGHT"), "package.json"));
const { chromium } = require("playwright-core");
const url = env("OCX_URL");
const jobId = env("OCX_JOB_ID");
const mode = env("OCX_MODE", "job");
const timeout = Number(env("OCX_TIMEOUT_MS", "60000"));
const problems = [];
const [viewWidth, viewHeight] = env("OCX_VIEWPORT", "1360x900").split("x").map(Number);

const context = await chromium.launchPersistentContext(env("OCX_PROFILE"), {
  executablePath: env("OCX_CHROMIUM", "/usr/bin/chromium"),
  headless: true,
  viewport: { width: viewWidth, height: viewHeight },
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});

let exitCode = 0;
try {
  const page = context.pages()[0] ?? await context.newPage();
  page.on("pageerror", (e) => problems.push("page error: " + e.message));
  page.on("console", (m) => { if (m.type() === "error") { problems.push("console error: " + m.text()); } });
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ""}`));

  const response = await page.goto(url, { waitUntil: "load" });
  if (mode === "unauthorized") {
    await unauthorized(page);
  } else if (mode === "jobpage") {
    await jobPage(page);
  } else {
    await watchJob(page, response);
  }
} catch (e) {
  process.stdout.write(JSON.stringify({ error: String(e?.message ?? e), problems }) + "\n");
  exitCode = 1;
} finally {
  await context.close();
}
process.exit(exitCode);

async function unauthorized(page) {
  await page.locator("#banner").waitFor({ state: "visible", timeout });
  const result = {
    keyFormVisible: await page.locator("#key-form").isVisible(),
    banner: await page.locator("#banner").innerText(),
    sectionErrors: await page.locator(".panel .error:not([hidden])").allInnerTexts(),
    connection: await page.locator("#conn-text").innerText(),
  };
  await page.screenshot({ path: env("OCX_SCREENSHOT"), fullPage: true });
  await page.locator("#key-input").fill(env("OCX_API_KEY"));
  await page.locator("#key-form button[type=submit]").click();
  await page.waitForFunction(() => document.getElementById("conn-text").textContent === "live", null, { timeout });
  result.afterKey = (await page.locator("#banner").isHidden()) && !(await page.locator("#key-form").isVisible()) ? "live-after-key" : "still-asking";
  // The 401s are expected here; report only other problems.
  result.problems = problems.filter((p) => !p.includes("401"));
  process.stdout.write(JSON.stringify(result) + "\n");
}

async function watchJob(page, response) {
  const row = page.locator(`#jobs tbody tr[data-job-id="${jobId}"]`);
  const statesSeen = [];
  const deadline = Date.now() + timeout;
  // Poll the page (it refreshes itself) and note every state the row shows on the way to completed.
  for (;;) {
    const state = await row.getAttribute("data-state", { timeout: Math.max(1, deadline - Date.now()) }).catch(() => null);
    if (state && statesSeen[statesSeen.length - 1] !== state) { statesSeen.push(state); }
    if (state === "completed") { break; }
    if (state === "failed" || state === "cancelled" || Date.now() > deadline) {
      throw new Error(`job ${jobId} shows ${state ?? "nothing"} after ${statesSeen.join(" → ")}`);
    }
    await page.waitForTimeout(200);
  }

  // The silo charts: at least one sample (the silo samples every 5 s; the page asks every 5 s).
  await page.waitForFunction(() => Number(document.querySelector("#silos .minis")?.dataset.samples) >= 1, null, { timeout: 30000 });
  // Let one more refresh land so the screenshot shows settled numbers.
  const refreshed = Number(await page.locator("body").getAttribute("data-refreshed"));
  await page.waitForFunction((n) => Number(document.body.dataset.refreshed) > n, refreshed, { timeout: 10000 });

  const cells = await row.locator("td").allInnerTexts();
  const result = {
    status: response?.status() ?? 0,
    csp: response?.headers()["content-security-policy"] ?? null,
    title: await page.title(),
    statesSeen,
    jobRow: cells,
    progressText: await row.locator(".bar .text").innerText(),
    silos: await page.locator("#silos tbody tr").count(),
    siloStatuses: await page.locator("#silos tbody tr").evaluateAll((rows) => rows.map((r) => r.dataset.status)),
    siloRow: await page.locator("#silos tbody tr").first().locator("td").allInnerTexts(),
    siloHeaders: await page.locator("#silos thead th").allInnerTexts(),
    siloCharts: await page.locator("#silos tbody tr").first().locator(".mini").evaluateAll((m) => m.map((x) => x.dataset.chart)),
    siloChartLabels: await page.locator("#silos tbody tr").first().locator(".mini-label").allInnerTexts(),
    siloSamples: Number(await page.locator("#silos tbody tr .minis").first().getAttribute("data-samples").catch(() => "0")),
    memoryCard: await page.locator("#stat-memory").innerText(),
    connection: await page.locator("#conn-text").innerText(),
    bannerHidden: await page.locator("#banner").isHidden(),
    sectionErrors: await page.locator(".panel .error:not([hidden])").allInnerTexts(),
    problems,
  };
  await page.screenshot({ path: env("OCX_SCREENSHOT"), fullPage: true });
  process.stdout.write(JSON.stringify(result) + "\n");
}

// WCAG contrast ratio of two "rgb(r, g, b)" colours.
function contrastScript() {
  return () => {
    const rgb = (text) => (text.match(/\d+(\.\d+)?/g) || []).slice(0, 3).map(Number);
    const lum = ([r, g, b]) => {
      const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
      return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
    const bar = document.querySelector("#jobs tbody tr .bar");
    const text = rgb(getComputedStyle(bar.querySelector(".text")).color);
    const fill = getComputedStyle(bar.querySelector(".fill"));
    const fillColors = (fill.backgroundImage.match(/rgba?\([^)]*\)/g) || [fill.backgroundColor]).map(rgb);
    const backgrounds = [rgb(getComputedStyle(bar).backgroundColor), ...fillColors];
    return Math.min(...backgrounds.map((b) => ratio(text, b)));
  };
}

async function jobPage(page) {
  const row = page.locator(`#jobs tbody tr[data-job-id="${jobId}"]`);
  await row.waitFor({ state: "attached", timeout });
  const layout = await page.evaluate((id) => {
    const table = document.getElementById("jobs");
    const panel = table.closest(".panel");
    const row = table.querySelector(`tr[data-job-id="${id}"]`);
    const idCell = row.cells[0];
    const link = idCell.querySelector("a");
    const rightmost = Math.max(...[...row.cells].map((c) => c.getBoundingClientRect().right));
    return {
      viewport: window.innerWidth,
      pageOverflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      panelOverflow: panel.scrollWidth - panel.clientWidth,
      tableRight: Math.round(table.getBoundingClientRect().right),
      rowRight: Math.round(rightmost),
      idTruncated: idCell.scrollWidth > idCell.clientWidth,
      idCellWidth: Math.round(idCell.getBoundingClientRect().width),
      idTitle: link.title,
      linkHref: link.getAttribute("href"),
      datasetNote: document.getElementById("datasets-note").innerText,
      eventsHeader: document.querySelector("#datasets thead th.num").innerText,
    };
  }, jobId);
  layout.labelContrast = await page.evaluate(contrastScript());
  await page.screenshot({ path: env("OCX_SCREENSHOT"), fullPage: false });

  await row.locator("td a").first().click();
  await page.waitForURL(/\/dashboard\/jobs\//, { timeout });
  const jobUrl = page.url();
  const statesSeen = [];
  let samplesWhileRunning = 0;
  const deadline = Date.now() + timeout;
  for (;;) {
    const state = await page.locator("body").getAttribute("data-state");
    if (state && statesSeen[statesSeen.length - 1] !== state) { statesSeen.push(state); }
    if (state === "running") {
      samplesWhileRunning = Math.max(samplesWhileRunning, Number(await page.locator("#throughput-chart").getAttribute("data-samples").catch(() => "0")) || 0);
    }
    if (state === "completed") { break; }
    if (state === "failed" || state === "cancelled" || Date.now() > deadline) {
      throw new Error(`job page shows ${state ?? "nothing"} after ${statesSeen.join(" → ")}`);
    }
    await page.waitForTimeout(250);
  }
  // The result (its rows, bad-record samples) comes with the round after completion.
  await page.locator("#bad tbody tr").first().waitFor({ state: "attached", timeout: 15000 });
  await page.locator("#result tbody tr").first().waitFor({ state: "attached", timeout: 15000 });
  const result = {
    layout,
    jobUrl,
    title: await page.title(),
    statesSeen,
    samplesWhileRunning,
    chartPoints: await page.locator("#throughput-chart polyline").count(),
    throughputNote: await page.locator("#throughput-note").innerText(),
    phases: await page.locator("#phases .phase").evaluateAll((rows) => rows.map((r) => [r.dataset.phase, r.querySelector(".phase-ms").textContent])),
    facts: await page.locator("#job-facts dt").allInnerTexts(),
    splitsPage: await page.locator("#splits-page").innerText(),
    splitsBySilo: await page.locator("#splits-by-silo").innerText(),
    splitRows: await page.locator("#splits tbody tr").evaluateAll((rows) => rows.map((r) => [...r.cells].map((c) => c.innerText))),
    splitHeaders: await page.locator("#splits thead th").allInnerTexts(),
    badTitle: await page.locator("#bad-title").innerText(),
    badRows: await page.locator("#bad tbody tr").evaluateAll((rows) => rows.map((r) => [...r.cells].map((c) => c.innerText))),
    result: await resultTable(page),
    jobError: await page.locator("#job-error").isHidden(),
    connection: await page.locator("#conn-text").innerText(),
    pageOverflow: await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth),
  };
  // Page two of the splits, filtered to done ones.
  await page.locator("#splits-state").selectOption("done");
  await page.locator("#splits-next").click();
  await page.waitForFunction(() => (document.querySelector("#splits tbody tr")?.dataset.split ?? "0") !== "0", null, { timeout: 10000 });
  result.secondPageFirstSplit = await page.locator("#splits tbody tr").first().getAttribute("data-split");
  await page.screenshot({ path: env("OCX_JOB_SCREENSHOT"), fullPage: true });

  // Other jobs' pages, opened by their address: their results.
  result.others = [];
  await page.waitForFunction(() => document.getElementById("updated").textContent.includes("ended"), null, { timeout: 10000 });
  for (const other of JSON.parse(env("OCX_RESULT_JOB_IDS", "[]"))) {
    await page.goto(new URL(encodeURIComponent(other), jobUrl).href, { waitUntil: "load" });
    await page.locator("#result tbody tr").first().waitFor({ state: "attached", timeout });
    const table = await resultTable(page);
    table.pageOverflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    // Elements that user data could have made: none belong in the result table, and no page has images.
    table.injected = await page.evaluate(() => document.images.length + document.querySelectorAll("#result tbody td *").length);
    table.marker = await page.evaluate(() => document.body.dataset.injected ?? null);
    if (result.others.length === 0) { await page.screenshot({ path: env("OCX_RESULT_SCREENSHOT"), fullPage: true }); }
    result.others.push(table);
  }
  result.problems = problems;
  process.stdout.write(JSON.stringify(result) + "\n");
}

// The job page's result section: summary, note, headers and every row's cells (text, class, tooltip, whether cut).
async function resultTable(page) {
  return page.evaluate(() => ({
    summary: document.getElementById("result-summary").innerText,
    more: document.getElementById("result-more").hidden ? null : document.getElementById("result-more").innerText,
    headers: [...document.querySelectorAll("#result thead th")].map((th) => th.innerText),
    rows: [...document.querySelectorAll("#result tbody tr")].map((r) => [...r.cells].map((c) => ({
      text: c.innerText, className: c.className, title: c.title, cut: c.scrollWidth > c.clientWidth,
      right: Math.round(c.getBoundingClientRect().right),
    }))),
  }));
}
