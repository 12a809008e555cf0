import { test as base, expect, type Page } from "@playwright/test";

/**
 * Every page under test is watched: a console error, an uncaught exception or a hydration
 * warning fails the test that caused it.
 */
export const test = base.extend<{ consoleProblems: string[] }>({
  consoleProblems: [
    async ({ page }, use) => {
      const problems: string[] = [];
      page.on("console", (msg) => {
        const text = msg.text();
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
