import { test, expect, hydrated, screenshot, type World } from "./fixtures";
import { accountOf, signIn, sql } from "./helpers";

/** Globex's subscription status in `world`, set the way an operator would. */
const setGlobexStatus = (world: World, status: string) =>
  sql(`UPDATE subscriptions SET status = '${status}' WHERE account_id = ${accountOf(world.grace)}`);

test("a lapsed account still signs in, sees why its work is paused, and can reach its settings", async ({ page, world }) => {
  setGlobexStatus(world, "locked");
  const streamRequests: string[] = [];
  page.on("request", (req) => {
    if (req.url().includes("/api/escalations/stream")) streamRequests.push(req.url());
  });
  await signIn(page, world.grace);
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
  setGlobexStatus(world, "active");
  await page.goto("/");
  await hydrated(page);
  await expect(page.getByTestId("plan-lapsed")).toHaveCount(0);
  await expect(page.getByTestId("escalation-queue")).toBeVisible();
  // Renewed, the page opens the stream again.
  await expect(page.getByTestId("feed-status")).toHaveText("Live");
  expect(streamRequests.length).toBeGreaterThan(0);
});
