import { execFileSync } from "node:child_process";
import { test, expect, hydrated, screenshot } from "./fixtures";
import { signIn } from "./helpers";

/** Sets Globex's subscription status straight in the e2e database (scripts/e2e.sh exports it). */
function setGlobexStatus(status: string) {
  const url = process.env.ADMIN_DATABASE_URL;
  if (!url) throw new Error("ADMIN_DATABASE_URL is not set (run through scripts/e2e.sh)");
  execFileSync("psql", [url, "-qc",
    `UPDATE subscriptions SET status = '${status}' FROM accounts a WHERE a.id = account_id AND a.name = 'Globex IT'`]);
}

test.afterAll(() => setGlobexStatus("active"));

test("a lapsed account still signs in, sees why its work is paused, and can reach its settings", async ({ page }) => {
  setGlobexStatus("locked");
  const streamRequests: string[] = [];
  page.on("request", (req) => {
    if (req.url().includes("/api/escalations/stream")) streamRequests.push(req.url());
  });
  await signIn(page, "owner@globex.test");
  await hydrated(page);
  const lapsed = page.getByTestId("plan-lapsed");
  await expect(lapsed).toContainText("Your plan has lapsed");
  await expect(lapsed).toContainText("Plan: pro · status: locked");
  await expect(page.getByText("Paused while the plan has lapsed.")).toBeVisible();
  await screenshot(page, "plan-lapsed");

  await lapsed.getByRole("link", { name: "Account settings" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await page.getByTestId("session-security-row").click();
  await expect(page.getByRole("heading", { name: "Session security" })).toBeVisible();
  // Across three hydrated pages the live stream was never even tried (it would be refused).
  expect(streamRequests).toEqual([]);

  // Renewed: the same page works again.
  setGlobexStatus("active");
  await page.goto("/");
  await hydrated(page);
  await expect(page.getByTestId("plan-lapsed")).toHaveCount(0);
  await expect(page.getByTestId("escalation-queue")).toBeVisible();
  // Renewed, the page opens the stream again.
  await expect(page.getByTestId("feed-status")).toHaveText("Live");
  expect(streamRequests.length).toBeGreaterThan(0);
});
