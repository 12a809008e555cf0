// The page figures of docs/PERFORMANCE.md in headless Chromium:
// - what a first visit to each page transfers (HTML, WASM, JS, CSS: the bytes on the wire, as
//   the server compressed them for Chromium) and its time to interactive, in a fresh browser
//   context (an empty HTTP cache) per page;
// - what a navigation to another page fetches afterwards;
// - the time to interactive of /account/security over fresh page loads with a warm HTTP cache,
//   like a returning user.
// Time to interactive runs from navigation start to the moment the app has hydrated (hydrate()
// sets window.__rf_hydrated; an init script timestamps that). Signed-in pages are visited as the
// demo owner, signed in through the API so that no page's files are in the cache before a visit.
// Usage: node bench/page.mjs BASE_URL [RUNS]   (scripts/bench.sh page runs it)
import { chromium } from "@playwright/test";

const [base, runs = "15"] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.RF_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
});

async function context(signedIn) {
  const ctx = await browser.newContext({ baseURL: base });
  if (signedIn) {
    const login = await ctx.request.post("/api/auth/login", {
      data: { email: "owner@acme.test", password: "resolutionflow-demo" },
    });
    if (login.status() !== 200) throw new Error(`login: ${login.status()}`);
  }
  await ctx.addInitScript(() => {
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
  return ctx;
}

const kindOf = (url, type) => {
  const path = new URL(url).pathname;
  if (type === "document") return "html";
  if (path.endsWith(".wasm")) return "wasm";
  if (path.endsWith(".js")) return "js";
  if (path.endsWith(".css")) return "css";
  return "other";
};

/** Records what `page` fetches from now on: [{ kind, path, bytes, encoding }]. */
function recorder(page) {
  const seen = [];
  page.on("requestfinished", async (request) => {
    const response = await request.response();
    if (!response) return;
    const sizes = await request.sizes();
    seen.push({
      // Milliseconds since the epoch, as the page's clock reads them.
      started: request.timing().startTime,
      kind: kindOf(request.url(), request.resourceType()),
      path: new URL(request.url()).pathname,
      bytes: sizes.responseBodySize + sizes.responseHeadersSize,
      encoding: (await response.allHeaders())["content-encoding"] ?? "none",
    });
  });
  return seen;
}

const sum = (rows, kind) => rows.filter((r) => !kind || r.kind === kind).reduce((n, r) => n + r.bytes, 0);
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

// A session for the pilot page, made through the API as the owner.
const setup = await context(true);
const made = await setup.request.post("/api/sessions/create", { data: { problem_summary: "Bench: the first-visit pilot page" } });
if (made.status() !== 200) throw new Error(`session: ${made.status()} ${await made.text()}`);
const { id } = await made.json();
await setup.close();

const routes = [
  ["/login", false],
  ["/signup", false],
  ["/forgot-password", false],
  ["/", true],
  [`/pilot/${id}`, true],
  ["/kb", true],
  ["/account", true],
  ["/account/security", true],
  ["/account/members", true],
];
console.log("page     first visit, empty cache (bytes on the wire: body + headers; encoding as served to Chromium)");
console.log("page     the first visit is what was requested before the page was interactive; what other pages' pieces the page fetched once idle is the last column");
console.log("page     | route | HTML | WASM (files) | JS | CSS | first visit | time to interactive | then at idle |");
for (const [path, signedIn] of routes) {
  const ctx = await context(signedIn);
  const page = await ctx.newPage();
  const seen = recorder(page);
  await page.goto(path);
  await page.waitForFunction(() => window.__rf_tti !== undefined, null, { timeout: 30_000 });
  await page.waitForLoadState("networkidle");
  const [tti, interactiveAt] = await page.evaluate(() => [window.__rf_tti, performance.timeOrigin + window.__rf_tti]);
  const first = seen.filter((r) => r.kind !== "other" && r.started <= interactiveAt);
  const idle = seen.filter((r) => r.kind !== "other" && r.started > interactiveAt);
  const wasm = first.filter((r) => r.kind === "wasm");
  const shown = path.startsWith("/pilot/") ? "/pilot/:id" : path;
  console.log(
    `page     | ${shown} | ${kb(sum(first, "html"))} | ${kb(sum(first, "wasm"))} (${wasm.length}, ${[...new Set(wasm.map((r) => r.encoding))].join("/")}) | ${kb(sum(first, "js"))} | ${kb(sum(first, "css"))} | ${kb(sum(first))} | ${tti.toFixed(0)} ms | ${kb(sum(idle))} (${idle.length}) |`,
  );
  await ctx.close();
}

// A navigation: signed in on the dashboard, then to the knowledge base by its link in the top
// bar. Only the knowledge base's own piece should travel (plus its data).
{
  const ctx = await context(true);
  const page = await ctx.newPage();
  await page.goto("/");
  await page.waitForFunction(() => window.__rf_tti !== undefined, null, { timeout: 30_000 });
  await page.waitForLoadState("networkidle");
  const seen = recorder(page);
  await page.getByRole("link", { name: "Knowledge base" }).click();
  await page.waitForURL("**/kb");
  await page.waitForLoadState("networkidle");
  const code = seen.filter((r) => r.kind === "wasm" || r.kind === "js");
  console.log(
    `page     navigation / → /kb fetched ${code.length} code file(s), ${kb(sum(code))}: ${code.map((r) => `${r.path.split("/").pop()} ${kb(r.bytes)}`).join(", ") || "none"}`,
  );
  await ctx.close();
}

// Returning visits: one context, its cache filled by the first load, which is not counted.
{
  const path = "/account/security";
  const ctx = await context(true);
  const samples = [];
  for (let i = 0; i <= Number(runs); i++) {
    const page = await ctx.newPage();
    await page.goto(path);
    await page.waitForFunction(() => window.__rf_tti !== undefined, null, { timeout: 15_000 });
    if (i > 0) samples.push(await page.evaluate(() => window.__rf_tti));
    await page.close();
  }
  await ctx.close();
  samples.sort((a, b) => a - b);
  const at = (q) => samples[Math.min(samples.length - 1, Math.ceil(samples.length * q) - 1)];
  console.log(
    `page     time to interactive of ${path}: median ${at(0.5).toFixed(0)} ms, p90 ${at(0.9).toFixed(0)} ms, max ${at(1).toFixed(0)} ms (n = ${samples.length}, warm cache)`,
  );
}
await browser.close();
