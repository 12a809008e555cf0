import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { test as base, expect, type Page } from "@playwright/test";

/** Whether `url` is one of the servers under test (scripts/e2e.sh starts them). */
function ours(url: string): boolean {
  const servers = [process.env.RF_E2E_BASE_URL, process.env.RF_E2E_CLOSED_URL].filter(Boolean) as string[];
  return !url.startsWith("http") || servers.some((s) => url.startsWith(s));
}

/** The demo's people (the README's), by first name. */
const PEOPLE = {
  owner: "owner@acme.test",
  alex: "alex@acme.test",
  jane: "jane@acme.test",
  sam: "sam@acme.test",
  val: "val@acme.test",
  grace: "owner@globex.test",
  nina: "nina@globex.test",
};

/**
 * A copy of the demo data of a test's own (`seed-demo --world TAG`): the same accounts, people
 * and sessions, under addresses no other test uses, so that tests run in any order and side by
 * side. `world.jane` is Jane Junior's address in it; `world.address("nora@northwind.test")`
 * makes any address the test's own in the same way.
 */
export type World = Record<keyof typeof PEOPLE, string> & {
  tag: string;
  address(email: string): string;
};

async function makeWorld(): Promise<World> {
  const bin = process.env.RF_E2E_BIN;
  if (!bin) throw new Error("RF_E2E_BIN is not set (run through scripts/e2e.sh)");
  const tag = randomBytes(5).toString("hex");
  await promisify(execFile)(bin, ["seed-demo", "--world", tag]);
  // As the server spells them (domain/src/seed.rs, `World::email`).
  const address = (email: string) => {
    const [local, domain] = email.split("@");
    const dot = domain.lastIndexOf(".");
    return `${local}@${domain.slice(0, dot)}-${tag}${domain.slice(dot)}`;
  };
  const people = Object.fromEntries(Object.entries(PEOPLE).map(([who, email]) => [who, address(email)]));
  return { ...(people as Record<keyof typeof PEOPLE, string>), tag, address };
}

/**
 * Every page under test is watched: a console error, an uncaught exception or a hydration
 * warning fails the test that caused it. `world` is the test's own demo data.
 */
export const test = base.extend<{ consoleProblems: string[]; world: World; ownContexts: void }>({
  world: async ({}, use) => use(await makeWorld()),
  // The browser lives as long as the worker; a context a test opens on it (each person of
  // `signedIn`) is closed when the test ends, or its pages would go on running (streams,
  // timers, presence) through every later test of the worker.
  ownContexts: [
    // (Playwright's own `context` is among those before: it closes that one itself.)
    async ({ browser, context: _ }, use) => {
      const before = new Set(browser.contexts());
      await use();
      const opened = browser.contexts().filter((c) => !before.has(c));
      await Promise.all(opened.map((c) => c.close()));
    },
    { auto: true },
  ],
  consoleProblems: [
    async ({ page }, use) => {
      const problems: string[] = [];
      page.on("console", (msg) => {
        const text = msg.text();
        // Pages of other sites a test passes through (the OpenID provider's sign-in form, which
        // asks the internet for a font) are theirs to get right, not ours.
        if (!ours(page.url())) return;
        // Chromium logs every 4xx answer as a console error; the refusals the UI handles and
        // shows (401 wrong password, 402 over the plan's quota, 409 lost claim, 422 invalid input,
        // 429 throttled) are not problems. Any other failed load (a 404 asset, a 5xx) is.
        if (/Failed to load resource: the server responded with a status of (401|402|409|422|429)/.test(text)) {
          return;
        }
        if (msg.type() === "error" || (msg.type() === "warning" && /hydrat/i.test(text))) {
          problems.push(`${msg.type()}: ${text}`);
        }
      });
      page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
      await use(problems);
      expect(problems, "console errors and hydration warnings").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** Resolves once the WASM bundle has hydrated the page. */
export async function hydrated(page: Page) {
  await page.waitForFunction(() => (window as any).__rf_hydrated === true, null, { timeout: 15_000 });
}

/** Saves a full-page screenshot under end2end/screenshots/ for a human to look at. */
export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: `screenshots/${name}.png`, fullPage: true });
}
