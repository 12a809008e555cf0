import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

/**
 * axe-core over what `page` shows now (or only inside `within`, a CSS selector): no serious or
 * critical finding. Each finding is listed with the elements it names, so a failure says what
 * to fix.
 */
export async function accessible(page: Page, what: string, within?: string) {
  // Legacy mode runs axe in the page itself. The default finishes every run in a fresh blank
  // page, for results from cross-origin frames, which these pages do not have: 5–10 s a run
  // on a loaded machine, for nothing.
  let builder = new AxeBuilder({ page }).setLegacyMode(true);
  if (within) builder = builder.include(within);
  const { violations } = await builder.analyze();
  const grave = violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => `${n.target.join(" ")} ${n.failureSummary ?? ""}`).join(" | ")}`);
  expect(grave, `axe-core on ${what}`).toEqual([]);
}
