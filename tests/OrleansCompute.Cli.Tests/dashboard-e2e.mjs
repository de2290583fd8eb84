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
//                    one and shows the API's problem, then type OCX_API_KEY into the form and wait until live
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

const context = await chromium.launchPersistentContext(env("OCX_PROFILE"), {
  executablePath: env("OCX_CHROMIUM", "/usr/bin/chromium"),
  headless: true,
  viewport: { width: 1360, height: 900 },
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
    memoryCard: await page.locator("#stat-memory").innerText(),
    connection: await page.locator("#conn-text").innerText(),
    bannerHidden: await page.locator("#banner").isHidden(),
    sectionErrors: await page.locator(".panel .error:not([hidden])").allInnerTexts(),
    problems,
  };
  await page.screenshot({ path: env("OCX_SCREENSHOT"), fullPage: true });
  process.stdout.write(JSON.stringify(result) + "\n");
}
