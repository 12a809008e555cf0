import { test, expect, hydrated, screenshot, type World } from "./fixtures";
import { accessible } from "./axe";
import { DEMO_PASSWORD, accountOf, signIn, sql } from "./helpers";

/** Globex's plan in `world`, set the way an operator would. */
const setGlobexPlan = (world: World, plan: string) =>
  sql(`UPDATE subscriptions SET plan = '${plan}', status = 'active' WHERE account_id = ${accountOf(world.nina)}`);

test("a resolved session is written up, and the free plan stops at three with the reason", async ({ page, world }) => {
  await signIn(page, world.nina);
  // Four resolved sessions, made through the API while the account is on Pro.
  const sessions: string[] = [];
  for (const summary of ["Outlook asks for a password every hour", "Scanner emails never arrive", "Teams camera black", "Shared mailbox missing"]) {
    const created = await page.request.post("/api/sessions/create", { data: { problem_summary: summary, psa_ticket_id: "5120" } });
    expect(created.status()).toBe(200);
    const { id } = await created.json();
    const resolved = await page.request.post("/api/sessions/resolve", {
      data: { session_id: id, resolution_note: `Resolved: ${summary.toLowerCase()}.` },
    });
    expect(resolved.status()).toBe(200);
    sessions.push(id);
  }

  // From the resolved session's page, the way to the knowledge base.
  await page.goto(`/pilot/${sessions[0]}`);
  await hydrated(page);
  await page.getByRole("link", { name: "Write it up for the knowledge base →" }).click();
  await expect(page).toHaveURL(new RegExp(`/kb\\?write=${sessions[0]}$`));
  // The account drops to the free plan while the page is open: the page reloads itself on it.
  await hydrated(page);
  const reloaded = page.waitForEvent("load");
  setGlobexPlan(world, "free");
  await reloaded;
  await hydrated(page);

  // The dialog opens on the drafted article; the engineer edits the title and saves.
  const dialog = page.getByTestId("write-up-dialog");
  await expect(dialog.getByLabel("Title")).toHaveValue("Outlook asks for a password every hour");
  await expect(dialog.getByLabel("Article")).toHaveValue(/Resolution\nResolved: outlook asks for a password every hour\./);
  await screenshot(page, "kb-write-up");
  await accessible(page, "the knowledge-base write-up dialog", "[data-testid=write-up-dialog]");
  await dialog.getByLabel("Title").fill("Outlook password prompts: stale cached credentials");
  await dialog.getByRole("button", { name: "Save article" }).click();
  await expect(page).toHaveURL(/\/kb\/[0-9a-f-]{36}$/);
  const article = page.getByTestId("kb-article");
  await expect(article.getByRole("heading", { level: 1 })).toHaveText("Outlook password prompts: stale cached credentials");
  // The drafted sections read as headings.
  await expect(article.getByRole("heading", { level: 2 })).toHaveText(["Problem", "Resolution"]);
  await expect(article).toContainText("Written up by Nina Globex");
  await expect(article).toContainText("#5120");
  await screenshot(page, "kb-article");
  await accessible(page, "an article");

  // The list: the article, the quota, the rest still to write up (a click opens the dialog).
  await page.getByRole("link", { name: "← Knowledge base" }).click();
  await hydrated(page);
  await expect(page.getByTestId("kb-quota")).toHaveText("Write-ups on your plan: 1 of 3 used.");
  await expect(page.getByTestId("kb-articles").getByRole("link")).toHaveText([/Outlook password prompts/]);
  const candidates = page.getByTestId("kb-candidates").getByRole("listitem");
  await expect(candidates).toHaveCount(3);
  await candidates.filter({ hasText: "Scanner emails never arrive" }).getByRole("button", { name: "Write up" }).click();
  await expect(dialog.getByLabel("Title")).toHaveValue("Scanner emails never arrive");
  await dialog.getByRole("button", { name: "Save article" }).click();
  await expect(page).toHaveURL(/\/kb\/[0-9a-f-]{36}$/);

  // A third one through the API uses the allowance up: the page says so and offers no more.
  const third = await page.request.post("/api/kb/convert", { data: { session_id: sessions[2], title: "Teams camera", body: "Replug it." } });
  expect(third.status()).toBe(200);
  await page.goto("/kb");
  await hydrated(page);
  await expect(page.getByTestId("kb-quota")).toContainText("Your plan's 3 write-ups are used (3 so far)");
  await expect(page.getByRole("button", { name: "Write up" })).toBeDisabled();
  await screenshot(page, "kb-quota-used");
  await accessible(page, "the knowledge base");

  // A link to write one up anyway gets the refusal with the limit and the count; the text stays.
  await page.goto(`/kb?write=${sessions[3]}`);
  await hydrated(page);
  await expect(dialog.getByLabel("Title")).toHaveValue("Shared mailbox missing");
  await dialog.getByRole("button", { name: "Save article" }).click();
  await expect(dialog.getByRole("alert")).toContainText("includes 3 knowledge-base conversions and this account has used 3");
  await expect(dialog.getByLabel("Title")).toHaveValue("Shared mailbox missing");
  await expect(page).toHaveURL(/\/kb\?write=/);
});

test("the knowledge base reads without JavaScript", async ({ browser, world }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(world.grace);
  await page.locator("#password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("greeting")).toHaveText("Welcome back, Grace");
  // One article, written up through the API.
  const created = await page.request.post("/api/sessions/create", { data: { problem_summary: "Printer offline on floor 2" } });
  const { id } = await created.json();
  await page.request.post("/api/sessions/resolve", { data: { session_id: id, resolution_note: "Re-added the printer's port." } });
  const converted = await page.request.post("/api/kb/convert", {
    data: { session_id: id, title: "Printer offline: re-add its port", body: "Re-add the printer's TCP/IP port." },
  });
  expect(converted.status(), await converted.text()).toBe(200);

  await page.goto("/kb");
  const first = page.getByTestId("kb-articles").getByRole("link");
  await expect(first).toHaveText([/^Printer offline: re-add its port/]);
  await first.click();
  await expect(page.getByTestId("kb-article")).toContainText("Written up by Grace Globex");
  await expect(page.getByTestId("kb-article")).toContainText("Re-add the printer's TCP/IP port.");
  await context.close();
});

// The write-up dialog is on the page the server sends, so it hydrates with the page: it did not
// always, while its draft was a `LocalResource` (docs/ARCHITECTURE.md, "Hydration"), which failed
// within 20 reloads every time.
test("the write-up page survives being reloaded", async ({ page, world }) => {
  test.setTimeout(120_000);
  await signIn(page, world.nina);
  await hydrated(page);
  const created = await page.request.post("/api/sessions/create", { data: { problem_summary: "Outlook asks for a password every hour" } });
  const { id } = await created.json();
  await page.request.post("/api/sessions/resolve", { data: { session_id: id, resolution_note: "Cached credentials cleared." } });
  await page.goto(`/kb?write=${id}`);
  await hydrated(page);
  for (let i = 0; i < 20; i++) {
    const loaded = page.waitForEvent("load");
    await page.evaluate(() => location.reload());
    await loaded;
    await hydrated(page);
  }
});
