import { test, expect, hydrated, screenshot } from "./fixtures";
import { assessor, escalatedSession, signedIn, signIn } from "./helpers";
import type { Browser, Page } from "@playwright/test";

/**
 * A tab whose escalation stream only ever says "ready": it hears of nothing live. The stream
 * asks the browser to wait an hour before reconnecting: each reconnect's "ready" would make the
 * page resync, and so learn what it must not know yet.
 */
async function signedInWithoutLiveUpdates(browser: Browser, email: string, next = "/"): Promise<Page> {
  const context = await browser.newContext();
  await context.route("**/api/escalations/stream", (route) =>
    route.fulfill({
      status: 200,
      contentType: "text/event-stream",
      body: "retry: 3600000\nevent: ready\ndata: {}\n\n",
    }),
  );
  const page = await context.newPage();
  await signIn(page, email, next);
  await hydrated(page);
  return page;
}

/** Makes the page believe its tab is in the background (or back in front). */
async function setHidden(page: Page, hidden: boolean) {
  await page.evaluate((hidden) => {
    Object.defineProperty(document, "hidden", { value: hidden, configurable: true });
    // As browsers fire it: at the document, bubbling to the window.
    document.dispatchEvent(new Event("visibilitychange", { bubbles: true }));
  }, hidden);
}

const card = (page: Page, text: string) =>
  page.getByTestId("escalation-card").filter({ hasText: text });

test("an escalation reaches the senior live, is picked up, and the assessment fills in by itself", async ({ browser, world }) => {
  const sam = await signedIn(browser, world.sam);
  await expect(sam.getByTestId("feed-status")).toHaveText("Live");

  // Jane opens her Outlook session straight from the sidebar and escalates it.
  const jane = await signedIn(browser, world.jane);
  await jane.getByTestId("session-row").filter({ hasText: "Outlook is failing" }).click();
  await expect(jane).toHaveURL(/\/pilot\/[0-9a-f-]+$/);
  await expect(jane.getByTestId("session-title")).toHaveText(/Outlook is failing to sync/);
  await expect(jane.getByTestId("steps").locator("li")).toHaveCount(3);
  await jane.getByRole("button", { name: "Escalate" }).click();
  const modal = jane.getByTestId("escalate-modal");
  await expect(modal).toBeVisible();
  // Enter with nothing written asks for a reason instead of sending.
  await modal.getByLabel("Why are you escalating?").press("Enter");
  await expect(modal.getByRole("alert")).toHaveText(/what you've tried/);
  // Shift+Enter is a new line; Enter sends.
  const reason = modal.getByLabel("Why are you escalating?");
  await reason.fill("Profile rebuild only half worked.");
  await reason.press("Shift+Enter");
  // The reference is this test's own: the stand-in model answers the request that has it.
  const blocked = `Finance is blocked on month-end, ref ${world.tag}.`;
  await assessor.hold(blocked);
  await reason.pressSequentially(blocked);
  await expect(reason).toHaveValue(`Profile rebuild only half worked.\n${blocked}`);
  await reason.press("Enter");
  await expect(modal).toHaveCount(0);
  await expect(jane.getByTestId("status-pill").first()).toHaveText("Waiting for a senior");
  await expect(jane.getByTestId("escalation-note")).toContainText("waiting for a senior");
  await screenshot(jane, "pilot-page");

  // Sam's queue shows it without a reload, with the unread dot; so does his bell.
  const mine = card(sam, "Outlook is failing");
  await expect(mine).toBeVisible();
  await expect(mine).toContainText("Jane Junior escalated");
  await expect(mine.getByTestId("ticket-badge")).toHaveText("#48213");
  await expect(mine.getByTestId("unread-dot")).toBeVisible();
  await expect(sam.getByTestId("unread-count")).toHaveText("1");
  // Hovering does not clear the dot; opening the card does, and shows the details.
  await mine.hover();
  await expect(mine.getByTestId("unread-dot")).toBeVisible();
  await screenshot(sam, "escalation-queue");
  await mine.locator("summary").click();
  const details = mine.getByTestId("escalation-details");
  await expect(details).toBeVisible();
  await expect(details).toContainText(blocked);
  await expect(details.locator("dd").nth(1)).toHaveText("3");
  await expect(mine.getByTestId("unread-dot")).toHaveCount(0);
  // The dot stays cleared after a reload (it is remembered in this browser).
  await sam.reload();
  await hydrated(sam);
  await expect(card(sam, "Outlook is failing").getByTestId("unread-dot")).toHaveCount(0);

  // Pick Up claims and lands on the pick-up screen; the assessment is still being written.
  await assessor.waitForRequest(blocked);
  await card(sam, "Outlook is failing").getByRole("button", { name: "Pick Up" }).click();
  await expect(sam).toHaveURL(/\/pilot\/[0-9a-f-]+\?pickup=true$/);
  const panel = sam.getByTestId("pickup-panel");
  await expect(panel).toContainText("Jane Junior needs a senior");
  await expect(panel.getByTestId("pickup-reason")).toContainText("Profile rebuild only half worked.");
  await expect(panel).toContainText("Rebuilt the Outlook profile on one machine");
  await expect(panel.getByTestId("claim-state")).toHaveText(/You picked this up/);
  await expect(panel.getByTestId("assessment-pending")).toBeVisible();
  await expect(sam.getByTestId("session-row").filter({ hasText: "Outlook is failing" })).toBeVisible();

  // The assessor answers: the screen fills in by itself; its suggested steps are listed once,
  // in the card (no chips repeat them above the message box), each one a button for Sam.
  await assessor.answer(blocked, {
    summary: "The rebuilt profile synced, so the cache on the other machines is the suspect.",
    likely_causes: ["Stale offline cache files on the remaining machines"],
    suggested_steps: ["Rebuild the profile on the second machine", "Compare mailbox sizes against quota"],
    confidence_tier: "medium",
  });
  await expect(panel.getByTestId("assessment-ready")).toContainText("stale offline cache", { ignoreCase: true });
  await expect(panel.getByTestId("assessment-pending")).toHaveCount(0);
  const steps = panel.getByTestId("assessment-steps");
  await expect(steps.getByRole("button", { name: "Compare mailbox sizes against quota" })).toBeVisible();
  await expect(sam.getByText("Rebuild the profile on the second machine")).toHaveCount(1);
  await expect(sam.getByTestId("suggested-steps")).toHaveCount(0);
  await screenshot(sam, "pickup-screen");

  // A step fills the composer and focuses it.
  await steps.getByRole("button", { name: "Compare mailbox sizes against quota" }).click();
  const composer = sam.getByLabel("Message");
  await expect(composer).toHaveValue("Compare mailbox sizes against quota");
  await expect(composer).toBeFocused();

  // Off the pick-up screen the card is gone, and the steps are chips above the message box;
  // a chip fills it too, Enter sends, and the chips go away.
  await sam.goto(sam.url().replace("?pickup=true", ""));
  await hydrated(sam);
  await expect(sam.getByTestId("pickup-panel")).toHaveCount(0);
  const chips = sam.getByTestId("suggested-steps");
  await chips.getByRole("button", { name: "Rebuild the profile on the second machine" }).click();
  await expect(composer).toHaveValue("Rebuild the profile on the second machine");
  await expect(composer).toBeFocused();
  await composer.press("Enter");
  await expect(sam.getByTestId("message").last()).toContainText("Rebuild the profile on the second machine");
  await expect(composer).toHaveValue("");
  await expect(chips).toHaveCount(0);

  // Jane sees who took it, live.
  await expect(jane.getByTestId("escalation-note")).toContainText("Sam Senior picked up your escalation");

  // The bell lists the escalation and routes to it.
  await sam.goto("/");
  await hydrated(sam);
  await sam.getByTestId("notification-bell").locator("summary").click();
  const item = sam.getByRole("link", { name: /Escalation from Jane · #48213: Outlook is failing/ });
  await expect(item).toBeVisible();
  await item.click();
  await expect(sam).toHaveURL(/\/pilot\/[0-9a-f-]+\?pickup=true$/);
  await expect(sam.getByTestId("pickup-panel")).toBeVisible();
  await expect(sam.getByTestId("unread-count")).toHaveCount(0);
});

test("two seniors press Pick Up at once: one lands on the pick-up screen, the other is told who won", async ({ browser, world }) => {
  const jane = await signedIn(browser, world.jane);
  // Olivia watches from a tab in the background.
  const olivia = await signedIn(browser, world.owner);
  await expect(olivia.getByTestId("feed-status")).toHaveText("Live");
  await setHidden(olivia, true);
  const summary = "Shared drive mapping fails after password change";
  await escalatedSession(jane, summary);
  await expect(card(olivia, summary)).toBeVisible();
  // Her hidden tab's title flashes until she looks at it.
  await expect(olivia).toHaveTitle("● New escalation");
  await setHidden(olivia, false);
  await expect(olivia).toHaveTitle("Dashboard · ResolutionFlow");

  // Sam and Alex open the queue, and neither hears of the other's claim before pressing: a
  // live tab would drop the card the moment the first claim lands, before the second click.
  const sam = await signedInWithoutLiveUpdates(browser, world.sam);
  const alex = await signedInWithoutLiveUpdates(browser, world.alex);
  for (const senior of [sam, alex]) await expect(card(senior, summary)).toBeVisible();

  await Promise.all([sam, alex].map((p) => card(p, summary).getByRole("button", { name: "Pick Up" }).click()));
  // Exactly one lands on the pick-up screen (the other is then told who won, below, and stays).
  const onPickup = (p: Page) => /pickup=true/.test(p.url());
  await expect.poll(() => [sam, alex].filter(onPickup).length, { timeout: 15_000 }).toBe(1);
  const [winner, loser, winnerName] = onPickup(sam) ? [sam, alex, "Sam Senior"] : [alex, sam, "Alex Admin"];
  await expect(winner.getByTestId("claim-state")).toHaveText(/You picked this up/);
  await expect(loser.getByRole("status").filter({ hasText: "Already claimed by" }))
    .toHaveText(new RegExp(`Already claimed by ${winnerName} just now\\.`));
  await expect(loser).toHaveURL(/\/$/);
  await expect(card(loser, summary)).toHaveCount(0);
  // Everyone else's queue drops it too, without a reload.
  await expect(card(olivia, summary)).toHaveCount(0);
});

test("the escalate modal offers a named senior, or parking instead, which tells nobody", async ({ browser, world }) => {
  const jane = await signedIn(browser, world.jane);
  await jane.getByTestId("session-row").filter({ hasText: "label printer" }).click();
  await expect(jane.getByTestId("session-title")).toHaveText(/label printer/);
  await jane.getByRole("button", { name: "Escalate" }).click();
  const modal = jane.getByTestId("escalate-modal");
  const seniors = modal.getByLabel("Send to one senior (optional)").locator("option");
  await expect(seniors).toHaveText(["Anyone who's free", "Alex Admin", "Olivia Owner", "Sam Senior"]);
  await modal.getByLabel("Park it").check();
  await expect(modal.getByLabel("Send to one senior (optional)")).toHaveCount(0);
  await modal.getByLabel("Where did you leave off?").fill("Waiting for a new label roll to arrive");
  await modal.getByRole("button", { name: "Park session" }).click();
  await expect(modal).toHaveCount(0);
  await expect(jane.getByTestId("status-pill").first()).toHaveText("Parked");
  await expect(jane.getByRole("status").filter({ hasText: "Parked." })).toBeVisible();
  await screenshot(jane, "escalate-parked");

  const sam = await signedIn(browser, world.sam);
  await expect(card(sam, "label printer")).toHaveCount(0);
});

test("a senior on the pick-up screen who loses the race is told who won and goes back to the queue", async ({ browser, world }) => {
  const jane = await signedIn(browser, world.jane);
  const summary = "Scanner emails never arrive";
  const id = await escalatedSession(jane, summary);
  // Sam's tab hears nothing live, so he can press Pick Up on an escalation that someone else
  // has already taken.
  const sam = await signedInWithoutLiveUpdates(browser, world.sam, `/pilot/${id}?pickup=true`);
  const panel = sam.getByTestId("pickup-panel");
  await expect(panel).toContainText("Jane Junior needs a senior");
  await expect(sam.getByTestId("read-only")).toBeVisible();

  const alex = await signedIn(browser, world.alex);
  const { handoff } = await (await alex.request.post("/api/sessions/get", { data: { session_id: id } })).json();
  expect((await alex.request.post("/api/handoffs/claim", { data: { handoff_id: handoff.id } })).status()).toBe(200);

  await panel.getByRole("button", { name: "Pick Up" }).click();
  await expect(sam.getByRole("status").filter({ hasText: "Already claimed by" }))
    .toHaveText(/Already claimed by Alex Admin just now\./);
  await expect(sam).toHaveURL(/\/$/);
  await expect(sam.getByTestId("escalation-queue")).toBeVisible();
  await expect(card(sam, summary)).toHaveCount(0);
});

test("a viewer sees the queue but can't pick anything up; one card opens at a time", async ({ browser, world }) => {
  const jane = await signedIn(browser, world.jane);
  await escalatedSession(jane, "Laptop fan runs loud all day");
  await escalatedSession(jane, "Teams calls drop after ten minutes", "55120");
  const val = await signedIn(browser, world.val);
  const cards = val.getByTestId("escalation-card");
  await expect(cards).toHaveCount(2);
  await expect(val.getByRole("button", { name: "Pick Up" })).toHaveCount(0);

  const first = card(val, "Teams calls drop");
  const second = card(val, "Laptop fan runs loud");
  await first.locator("summary").click();
  await expect(first.getByTestId("escalation-details")).toBeVisible();
  await expect(first.getByTestId("escalation-details")).toContainText("#55120");
  await second.locator("summary").click();
  await expect(second.getByTestId("escalation-details")).toBeVisible();
  await expect(first.getByTestId("escalation-details")).toBeHidden();
});
