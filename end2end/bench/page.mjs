// Time to interactive of a page in headless Chromium: from navigation start to the moment the
// app has hydrated (hydrate() sets window.__rf_hydrated; an init script timestamps that), as a
// signed-in owner, over fresh page loads with a warm HTTP cache, like a returning user.
// Usage: node bench/tti.mjs BASE_URL [PATH] [RUNS]   (scripts/bench.sh runs it)
import { chromium } from "@playwright/test";

const [base, path = "/account/security", runs = "15"] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.RF_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
});
const context = await browser.newContext({ baseURL: base });
const login = await context.request.post("/api/auth/login", {
  data: { email: "owner@acme.test", password: "resolutionflow-demo" },
});
if (login.status() !== 200) throw new Error(`login: ${login.status()}`);
await context.addInitScript(() => {
  let hydrated = false;
  Object.defineProperty(window, "__rf_hydrated", {
    configurable: true,
    get: () => hydrated,
    set: (value) => {
      hydrated = value;
      window.__rf_tti = performance.now();
    },
  });
});

const samples = [];
for (let i = 0; i <= Number(runs); i++) {
  const page = await context.newPage();
  await page.goto(path);
  await page.waitForFunction(() => window.__rf_tti !== undefined, null, { timeout: 15_000 });
  const tti = await page.evaluate(() => window.__rf_tti);
  // The first load fills the HTTP cache; it is not counted.
  if (i > 0) samples.push(tti);
  await page.close();
}
await browser.close();
samples.sort((a, b) => a - b);
const at = (q) => samples[Math.min(samples.length - 1, Math.ceil(samples.length * q) - 1)];
console.log(
  `page     time to interactive of ${path}: median ${at(0.5).toFixed(0)} ms, p90 ${at(0.9).toFixed(0)} ms, max ${at(1).toFixed(0)} ms (n = ${samples.length}, warm cache)`,
);
