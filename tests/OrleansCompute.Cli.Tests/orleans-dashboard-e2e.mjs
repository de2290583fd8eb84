// Drives headless Debian Chromium through playwright-core: opens the Orleans Dashboard our API serves at
// /orleans-dashboard, behind the API key (which a browser sends as the Basic password it asks for), checks that it
// shows the silos and the grain types, saves screenshots and prints one JSON line with what it saw.
// Run by OrleansDashboardBrowserTests; inputs come from environment variables:
//   OCX_PLAYWRIGHT   folder holding node_modules/playwright-core (test.sh installs it into .cache/playwright)
//   OCX_CHROMIUM     browser executable (default /usr/bin/chromium)
//   OCX_URL          our dashboard, e.g. http://127.0.0.1:5123/dashboard (the test follows its link)
//   OCX_API_KEY      the API key, typed as the password of the browser's Basic prompt (any user name)
//   OCX_GRAIN_TYPE   a grain class (full name) that must be listed
//   OCX_SCREENSHOT   PNG path of the grains page (the silos page goes next to it, "-silos.png")
//   OCX_PROFILE      fresh user-data-dir
//   OCX_TIMEOUT_MS   how long to wait for each view (default 60000)
import { createRequire } from "node:module";
import path from "node:path";

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) { throw new Error(`${name} is not set`); }
  return value;
};

const require = createRequire(path.join(env("OCX_PLAYWRIGHT"), "package.json"));
const { chromium } = require("playwright-core");
const timeout = Number(env("OCX_TIMEOUT_MS", "60000"));
const grainType = env("OCX_GRAIN_TYPE");
const screenshot = env("OCX_SCREENSHOT");
const problems = [];

const context = await chromium.launchPersistentContext(env("OCX_PROFILE"), {
  executablePath: env("OCX_CHROMIUM", "/usr/bin/chromium"),
  headless: true,
  viewport: { width: 1360, height: 900 },
  // What a person types when the browser asks (the server's 401 carries a Basic challenge).
  httpCredentials: { username: "operator", password: env("OCX_API_KEY") },
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});

let exitCode = 0;
try {
  const page = context.pages()[0] ?? await context.newPage();
  page.on("pageerror", (e) => problems.push("page error: " + e.message));
  const statuses = [];
  context.on("response", (r) => { if (r.url().includes("/orleans-dashboard")) { statuses.push(r.status()); } });

  // From our dashboard, through its link (it opens a new tab).
  await page.goto(env("OCX_URL"), { waitUntil: "load" });
  const link = page.locator("#orleans-dashboard-link");
  const [tab] = await Promise.all([context.waitForEvent("page"), link.click()]);
  tab.on("pageerror", (e) => problems.push("page error: " + e.message));
  tab.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ""}`));
  await tab.waitForLoadState("load");
  const landed = tab.url();
  const title = await tab.title();

  // Silos: each row links to its host page.
  await tab.goto(new URL("#/silos", landed).href);
  const hosts = tab.locator('a[href^="#/host/"]');
  await hosts.first().waitFor({ state: "visible", timeout });
  const silos = [...new Set(await hosts.allInnerTexts())];
  await tab.screenshot({ path: screenshot.replace(/\.png$/, "-silos.png"), fullPage: true });

  // Grains: activations by type, one row per grain class.
  await tab.goto(new URL("#/grains", landed).href);
  const row = tab.locator(`a[href="#/grain/${grainType}"]`);
  await row.waitFor({ state: "visible", timeout });
  const grainTypes = await tab.locator('a[href^="#/grain/"]').allInnerTexts();
  const activations = await tab.locator("text=Total Activations").count();
  await tab.screenshot({ path: screenshot, fullPage: true });

  process.stdout.write(JSON.stringify({
    landed, title, silos, grainTypes, shownAs: await row.innerText(), activations,
    statuses: [...new Set(statuses)], problems,
  }) + "\n");
} catch (e) {
  process.stdout.write(JSON.stringify({ error: String(e?.message ?? e), problems }) + "\n");
  exitCode = 1;
} finally {
  await context.close();
}
process.exit(exitCode);
