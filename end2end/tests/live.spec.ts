import { test, expect, hydrated, screenshot } from "./fixtures";
import { cookie, decodeJwt, escalatedSession, signedIn, signIn } from "./helpers";
import type { Page } from "@playwright/test";

/** Live collaboration (docs/API.md §9): each person in a browser context of their own. */

const messages = (page: Page) => page.getByTestId("conversation").getByTestId("message");

test("Jane and Sam talk live; Alex sees who is viewing; typing shows and clears; a message sent while offline arrives", async ({ browser, world }) => {
  const jane = await signedIn(browser, world.jane);
  const id = await escalatedSession(jane, "Scan to email stopped on the second-floor copier");
  await jane.goto(`/pilot/${id}`);
  await hydrated(jane);

  const alex = await signedIn(browser, world.alex);
  const card = alex.getByTestId("escalation-card").filter({ hasText: "Scan to email stopped" });
  await expect(card).toBeVisible();
  await expect(card.getByTestId("card-viewers")).toHaveCount(0);

  // Sam opens the escalation before picking it up: Alex's queue card says so, and Jane's page.
  const sam = await signedIn(browser, world.sam, `/pilot/${id}?pickup=true`);
  await expect(card.getByTestId("card-viewers")).toHaveText("Sam Senior is viewing");
  await expect(jane.getByTestId("also-here")).toHaveText("Also here: Sam Senior");
  await expect(sam.getByTestId("also-here")).toHaveText("Also here: Jane Junior");
  await screenshot(alex, "queue-card-viewing");

  await sam.getByTestId("pickup-panel").getByRole("button", { name: "Pick Up" }).click();
  await expect(sam.getByTestId("claim-state")).toHaveText(/You picked this up/);
  // Picked up: it leaves Alex's queue.
  await expect(card).toHaveCount(0);

  // Both ways, without a reload.
  const samComposer = sam.getByLabel("Message");
  await samComposer.fill("Which SMTP relay does the copier point at?");
  await samComposer.press("Enter");
  await expect(messages(sam).last()).toContainText("Which SMTP relay");
  await expect(messages(sam).last().getByTestId("sent")).toBeVisible();
  await expect(messages(jane).last()).toContainText("Which SMTP relay does the copier point at?");

  // Jane types: Sam sees it, and it clears a few seconds after she stops.
  const janeComposer = jane.getByLabel("Message");
  await janeComposer.pressSequentially("smtp.office365.com on 587", { delay: 30 });
  await expect(sam.getByTestId("typing")).toHaveText("Jane Junior is typing…");
  await screenshot(sam, "pilot-live");
  await expect(sam.getByTestId("typing")).toHaveText("", { timeout: 10_000 });
  await janeComposer.press("Enter");
  await expect(messages(sam).last()).toContainText("smtp.office365.com on 587");
  await expect(messages(jane)).toHaveCount(2);
  await expect(messages(sam)).toHaveCount(2);

  // Sam's network drops; Jane writes; it reaches him once he is back, once.
  await sam.context().setOffline(true);
  await janeComposer.fill("Also: the relay now wants TLS 1.2");
  await janeComposer.press("Enter");
  await expect(messages(jane).last()).toContainText("TLS 1.2");
  await sam.context().setOffline(false);
  await expect(messages(sam).last()).toContainText("Also: the relay now wants TLS 1.2", { timeout: 40_000 });
  await expect(messages(sam)).toHaveCount(3);

  // Sam leaves the page: Jane's page no longer lists him.
  await sam.goto("/");
  await expect(jane.getByTestId("also-here")).toHaveCount(0);
});

test("a message whose fetch fails at first still arrives: the page tries again", async ({ browser, world }) => {
  const jane = await signedIn(browser, world.jane);
  const id = await escalatedSession(jane, "Label printer feeds blank labels");
  await jane.goto(`/pilot/${id}`);
  await hydrated(jane);
  const sam = await signedIn(browser, world.sam, `/pilot/${id}?pickup=true`);
  await sam.getByTestId("pickup-panel").getByRole("button", { name: "Pick Up" }).click();
  await expect(sam.getByTestId("claim-state")).toHaveText(/You picked this up/);
  await expect(jane.getByTestId("also-here")).toHaveText("Also here: Sam Senior");

  // Sam's next fetch of the session fails (the network not quite back, a server restarting);
  // nothing else will announce Jane's message again.
  let failed = 0;
  await sam.route("**/api/sessions/get", (route) => (failed++ === 0 ? route.abort("internetdisconnected") : route.continue()));
  const composer = jane.getByLabel("Message");
  await composer.fill("The roll is the thermal kind, not the transfer kind");
  await composer.press("Enter");
  await expect(messages(sam).last()).toContainText("The roll is the thermal kind", { timeout: 15_000 });
  expect(failed, "Sam's page fetched the session twice: once failing, once again").toBeGreaterThanOrEqual(2);
});

test("an owner signs Sam out of one browser: that open tab lands on sign-in within 2 s, saying who", async ({ browser, world }) => {
  const sam = await signedIn(browser, world.sam);
  await expect(sam.getByTestId("feed-status")).toHaveText("Live");
  const refresh = await cookie(sam.context(), "rf_refresh");
  const login = decodeJwt(refresh!.value).fam;

  const owner = await signedIn(browser, world.owner);
  const started = Date.now();
  const revoked = await owner.request.post("/api/account/security/revoke-session", { data: { session_id: login } });
  expect(revoked.status(), await revoked.text()).toBe(200);
  await expect(sam).toHaveURL(/\/login\?reason=signed_out&by=owner/, { timeout: 2_000 });
  console.log(`revoke -> sign-in page: ${Date.now() - started} ms`);
  await expect(sam.getByTestId("signed-out-banner")).toHaveText(
    "An owner or admin of your account signed you out of this browser. Sign in again to go on.",
  );
  await screenshot(sam, "signed-out-banner");

  // Signing in again goes back where the tab was.
  await signIn(sam, world.sam, "/");
  await expect(sam.getByTestId("feed-status")).toHaveText("Live");
});

test("signing out in one tab takes the browser's other tabs to the sign-in page", async ({ browser, world }) => {
  const first = await signedIn(browser, world.alex);
  const second = await first.context().newPage();
  await second.goto("/");
  await hydrated(second);
  await expect(second.getByTestId("feed-status")).toHaveText("Live");
  const res = await first.request.post("/api/auth/logout", { data: {} });
  expect(res.status()).toBe(200);
  await expect(second).toHaveURL(/\/login/, { timeout: 2_000 });
});

test("the live pilot page at phone width", async ({ browser, world }) => {
  const jane = await signedIn(browser, world.jane, "/", 375);
  const id = await escalatedSession(jane, "Teams calls drop after exactly one minute");
  const sam = await signedIn(browser, world.sam, `/pilot/${id}?pickup=true`, 375);
  await jane.goto(`/pilot/${id}`);
  await hydrated(jane);
  await expect(sam.getByTestId("also-here")).toHaveText("Also here: Jane Junior");
  await expect(jane.getByTestId("also-here")).toHaveText("Also here: Sam Senior");
  const width = await jane.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(375);
  await screenshot(jane, "pilot-live-375");
});
