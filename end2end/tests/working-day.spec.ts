import { test, expect, hydrated, screenshot } from "./fixtures";
import { assessor, DEMO_PASSWORD, escalatedSession, signedIn, signIn } from "./helpers";
import { linkFor } from "./mail";
import { accessible } from "./axe";
import type { Locator, Page } from "@playwright/test";

/**
 * A working day in the product, at desktop width and on a phone: dialogs that hold focus and
 * give it back, menus that close, statuses that say what is true after a pick-up and a resolve,
 * notifications that clear themselves, and nobody offered what they can't do.
 */
const WIDTHS = [
  { name: "desktop", width: 1280 },
  { name: "phone", width: 375 },
];

/** Whether focus is inside the element `testId` names. */
const focusInside = (page: Page, testId: string) =>
  page.evaluate((id) => !!document.querySelector(`[data-testid="${id}"]`)?.contains(document.activeElement), testId);

/** Presses Tab (or Shift+Tab) `times` times; after each press focus must still be inside. */
async function tabAround(page: Page, testId: string, times: number, key = "Tab") {
  for (let i = 0; i < times; i++) {
    await page.keyboard.press(key);
    expect(await focusInside(page, testId), `focus inside ${testId} after ${key} #${i + 1}`).toBe(true);
  }
}

/**
 * Presses Tab until `target` has focus, as someone without a mouse reaches it; fails after
 * `max` presses. Every element passed on the way shows where focus is: its outline or its
 * shadow (Tailwind's rings are shadows) differs from the same element's without focus, read
 * off an unfocused copy put beside it for the moment.
 */
async function tabTo(page: Page, target: Locator, max = 40) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const shown = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return "nothing focused";
      const look = (e: Element) => {
        const style = getComputedStyle(e);
        const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0 ? `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}` : "none";
        return `${outline} | ${style.boxShadow}`;
      };
      const focused = look(el);
      const copy = el.cloneNode(false) as Element;
      // Not one of the page's radio groups or ids: a copy must change nothing it is beside.
      copy.removeAttribute("name");
      copy.removeAttribute("id");
      el.after(copy);
      const unfocused = look(copy);
      copy.remove();
      return focused !== unfocused ? "" : `no visible focus on ${el.outerHTML.slice(0, 120)}`;
    });
    expect(shown, `Tab #${i + 1}`).toBe("");
    if (await target.evaluate((el) => el === document.activeElement)) return;
  }
  throw new Error(`${target} not reached in ${max} presses of Tab`);
}

const card = (page: Page, text: string) => page.getByTestId("escalation-card").filter({ hasText: text });

for (const { name, width } of WIDTHS) {
  test.describe(`${name} (${width} px)`, () => {
    test("every signed-in page fits the screen (nothing scrolls sideways) and passes axe-core", async ({ browser, world }) => {
      // Seven pages, each loaded, hydrated and read through by axe-core.
      test.setTimeout(90_000);
      const owner = await signedIn(browser, world.owner, "/", width);
      const jane = await signedIn(browser, world.jane, "/", width);
      const session = await escalatedSession(jane, "Printer queue stuck on the second floor");
      const pages: [Page, string][] = [
        [owner, "/"],
        [owner, `/pilot/${session}?pickup=true`],
        [owner, "/kb"],
        [owner, "/account"],
        [owner, "/account/security"],
        [owner, "/account/members"],
        [jane, `/pilot/${session}`],
      ];
      for (const [page, path] of pages) {
        await page.goto(path);
        await hydrated(page);
        const wide = await page.evaluate(() => document.documentElement.scrollWidth);
        expect(wide, `${path} is ${wide} px wide in a ${width} px window`).toBeLessThanOrEqual(width);
        // The user menu's button is whole on screen: its right edge inside the window.
        const menu = await page.getByTestId("user-menu").locator("summary").boundingBox();
        expect(menu!.x + menu!.width, `${path}: the user menu is cut off`).toBeLessThanOrEqual(width);
        await accessible(page, `${path} at ${width} px`);
      }
      await screenshot(owner, `members-${name}`);
    });

    test("the Escalate dialog takes focus, keeps it, closes on Escape and gives it back", async ({ browser, world }) => {
      const jane = await signedIn(browser, world.jane, "/", width);
      await jane.getByTestId("session-row").filter({ hasText: "Outlook is failing" }).click();
      await hydrated(jane);
      const open = jane.getByRole("button", { name: "Escalate" });
      await open.focus();
      await jane.keyboard.press("Enter");
      const dialog = jane.getByRole("dialog", { name: "Hand this session on" });
      await expect(dialog).toBeVisible();
      await expect(dialog.getByLabel("Why are you escalating?")).toBeFocused();
      await tabAround(jane, "escalate-modal", 8);
      await tabAround(jane, "escalate-modal", 8, "Shift+Tab");
      await accessible(jane, `the escalate dialog at ${width} px`, "dialog");
      await screenshot(jane, `escalate-dialog-${name}`);
      await jane.keyboard.press("Escape");
      await expect(dialog).toHaveCount(0);
      await expect(open).toBeFocused();

      // Sent by keyboard alone: opened again, the reason typed, Enter sends it.
      await jane.keyboard.press("Enter");
      await expect(dialog.getByLabel("Why are you escalating?")).toBeFocused();
      await jane.keyboard.type("Rebuilt the profile; Outlook still fails at the same step.");
      await jane.keyboard.press("Enter");
      await expect(dialog).toHaveCount(0);
      await expect(jane.getByTestId("status-pill").first()).toHaveText("Waiting for a senior");
      await expect(jane.getByRole("button", { name: "Escalate" })).toHaveCount(0);
    });

    test("the bulk sign-out dialog gives focus back to the button that opened it", async ({ browser, world }) => {
      await signedIn(browser, world.jane, "/", width);
      const owner = await signedIn(browser, world.owner, "/account/security", width);
      const open = owner.getByRole("button", { name: "Sign out everyone except me" });
      await open.click();
      const dialog = owner.getByRole("dialog", { name: "Sign out everyone except you?" });
      await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
      await tabAround(owner, "revoke-others", 3);
      await accessible(owner, `the sign-out dialog at ${width} px`, "dialog");
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await expect(dialog).toHaveCount(0);
      await expect(open).toBeFocused();
    });

    test("menus: one open at a time, closed by Escape, a click elsewhere or a link followed", async ({ browser, world }) => {
      const sam = await signedIn(browser, world.sam, "/", width);
      const bell = sam.getByTestId("notification-bell");
      const menu = sam.getByTestId("user-menu");
      await bell.locator("summary").click();
      await expect(bell).toHaveAttribute("open", "");
      // The panel is whole on screen.
      const panel = await bell.locator("summary + div").boundingBox();
      expect(panel!.x, "the bell's panel starts on screen").toBeGreaterThanOrEqual(0);
      expect(panel!.x + panel!.width, "the bell's panel ends on screen").toBeLessThanOrEqual(width);
      await screenshot(sam, `bell-${name}`);
      // Opening the other closes the first.
      await menu.locator("summary").click();
      await expect(menu).toHaveAttribute("open", "");
      await expect(bell).not.toHaveAttribute("open");
      await screenshot(sam, `user-menu-${name}`);
      // Escape closes it and leaves focus on its button.
      await sam.keyboard.press("Escape");
      await expect(menu).not.toHaveAttribute("open");
      await expect(menu.locator("summary")).toBeFocused();
      // A click elsewhere closes it too.
      await bell.locator("summary").click();
      await expect(bell).toHaveAttribute("open", "");
      // Just below the panel, whatever the width.
      const below = (await bell.locator("summary + div").boundingBox())!;
      expect(below.y + below.height + 20, "room below the panel to click").toBeLessThan(800);
      await sam.mouse.click(below.x + 5, below.y + below.height + 20);
      await expect(bell).not.toHaveAttribute("open");
      // A link followed from the menu leaves it closed on the page it opens (the frame, menu
      // and all, stays on screen across the navigation).
      await menu.locator("summary").click();
      await menu.getByRole("link", { name: "Account settings" }).click();
      await expect(sam).toHaveURL(/\/account$/);
      await expect(sam.getByRole("heading", { level: 1, name: "Account settings" })).toBeVisible();
      await expect(menu).not.toHaveAttribute("open");
    });

    test("after the pick-up both see who has it and Jane is not offered Escalate; resolved, it is a record", async ({ browser, world }) => {
      const jane = await signedIn(browser, world.jane, "/", width);
      const summary = `VPN drops every ten minutes ${world.tag}`;
      const id = await escalatedSession(jane, summary);
      await jane.goto(`/pilot/${id}`);
      await hydrated(jane);
      await expect(jane.getByTestId("status-pill").first()).toHaveText("Waiting for a senior");
      await expect(jane.getByRole("button", { name: "Escalate" })).toHaveCount(0);

      const sam = await signedIn(browser, world.sam, "/", width);
      await card(sam, summary).getByRole("button", { name: "Pick Up" }).click();
      await expect(sam).toHaveURL(/pickup=true$/);
      await expect(sam.getByTestId("status-pill").first()).toHaveText("With Sam Senior");
      // Jane's page follows, live.
      await expect(jane.getByTestId("status-pill").first()).toHaveText("With Sam Senior");
      await expect(jane.getByRole("button", { name: "Escalate" })).toHaveCount(0);
      await expect(jane.getByRole("button", { name: "Resolve" })).toBeVisible();
      await accessible(sam, `the pick-up view at ${width} px`);

      // A fix Sam suggests and nobody tries...
      await sam.getByLabel("Suggest a fix").fill("Reinstall the VPN client");
      await sam.getByLabel("Suggest a fix").press("Enter");
      await expect(sam.getByTestId("fix")).toContainText("suggested");

      // Sam resolves it; Jane's page becomes the record, live too.
      await sam.getByRole("button", { name: "Resolve" }).first().click();
      const dialog = sam.getByTestId("resolve-dialog");
      await expect(dialog.getByLabel("Resolution note")).toBeFocused();
      await accessible(sam, `the resolve dialog at ${width} px`, "dialog");
      await dialog.getByLabel("Resolution note").fill("Replaced the VPN client; stable for an hour.");
      await dialog.getByRole("button", { name: "Resolve" }).click();
      await expect(dialog).toHaveCount(0);
      for (const page of [sam, jane]) {
        await expect(page.getByTestId("status-pill").first()).toHaveText("Resolved");
        await expect(page.getByTestId("read-only")).toHaveText(/resolved/);
        await expect(page.getByLabel("Message")).toHaveCount(0);
        await expect(page.getByLabel("Record a step")).toHaveCount(0);
        await expect(page.getByRole("button", { name: "Resolve" })).toHaveCount(0);
        await expect(page.getByRole("button", { name: "Escalate" })).toHaveCount(0);
        // ...reads as what became of it.
        await expect(page.getByTestId("fix")).toContainText("not tried");
      }
      // The pick-up screen of a resolved session is only the record.
      await sam.goto(`/pilot/${id}?pickup=true`);
      await hydrated(sam);
      await expect(sam.getByTestId("resolution")).toBeVisible();
      await expect(sam.getByTestId("pickup-panel")).toHaveCount(0);
      await screenshot(sam, `resolved-session-${name}`);
      // The server holds the same rule: nothing is added to a resolved session.
      const late = await jane.request.post("/api/sessions/message", { data: { session_id: id, body: "One more thing" } });
      expect(late.status()).toBe(422);
      expect((await late.json()).fields.session_id).toMatch(/resolved/);
    });

    test("a notification clears itself for every senior once its escalation is picked up or resolved", async ({ browser, world }) => {
      const alex = await signedIn(browser, world.alex, "/", width);
      const sam = await signedIn(browser, world.sam, "/", width);
      await expect(alex.getByTestId("feed-status")).toHaveText("Live");
      const jane = await signedIn(browser, world.jane, "/", width);
      const picked = await escalatedSession(jane, `Teams calls drop audio ${world.tag}`);
      await expect(alex.getByTestId("unread-count")).toHaveText("1");
      await expect(sam.getByTestId("unread-count")).toHaveText("1");
      await card(sam, "Teams calls drop audio").getByRole("button", { name: "Pick Up" }).click();
      await expect(sam).toHaveURL(new RegExp(`${picked}\\?pickup=true$`));
      // Alex never clicked it: the pick-up handled it for him, live.
      await expect(alex.getByTestId("unread-count")).toHaveCount(0);

      const resolved = await escalatedSession(jane, `Scanner e-mails never arrive ${world.tag}`);
      await expect(alex.getByTestId("unread-count")).toHaveText("1");
      await expect(card(alex, "Scanner e-mails never arrive")).toBeVisible();
      const done = await jane.request.post("/api/sessions/resolve", {
        data: { session_id: resolved, resolution_note: "The relay password had expired." },
      });
      expect(done.status(), await done.text()).toBe(200);
      await expect(alex.getByTestId("unread-count")).toHaveCount(0);
      await expect(card(alex, "Scanner e-mails never arrive")).toHaveCount(0);
      await alex.reload();
      await hydrated(alex);
      await expect(alex.getByTestId("unread-count")).toHaveCount(0);
    });

    test("a viewer is offered only what a viewer can do, and their queue keeps up", async ({ browser, world }) => {
      const jane = await signedIn(browser, world.jane, "/", width);
      const id = await escalatedSession(jane, `Laptop fan loud since update ${world.tag}`);
      const context = await browser.newContext({ viewport: { width, height: 800 } });
      const val = await context.newPage();
      await val.clock.install();
      await signIn(val, world.val, "/");
      await hydrated(val);
      await expect(val.getByRole("heading", { name: "Your sessions" })).toBeVisible();
      await expect(val.getByTestId("new-session")).toHaveCount(0);
      // No stream for a viewer: the queue is fetched again every 30 s, and says so.
      await expect(val.getByTestId("feed-status")).toHaveText("Updates every 30 s");
      await expect(card(val, "Laptop fan loud")).toBeVisible();
      await expect(card(val, "Laptop fan loud").getByRole("button", { name: "Pick Up" })).toHaveCount(0);
      await escalatedSession(jane, `Monitor flickers ${world.tag}`);
      await val.clock.fastForward("00:31");
      await expect(card(val, "Monitor flickers")).toBeVisible();
      await val.goto(`/pilot/${id}`);
      await hydrated(val);
      await expect(val.getByTestId("read-only")).toHaveText(/viewers see the team's work/);
      await expect(val.getByText("Pick it up")).toHaveCount(0);
      await expect(val.getByRole("button", { name: "Resolve" })).toHaveCount(0);
    });

    test("a field's error is announced with the field it belongs to", async ({ browser, world }) => {
      const jane = await signedIn(browser, world.jane, "/", width);
      await jane.getByTestId("new-session").click();
      await jane.getByRole("button", { name: "Start session" }).click();
      const summary = jane.getByLabel("What's the problem?");
      await expect(summary).toHaveAttribute("aria-invalid", "true");
      // A screen reader reads the message with the field: the field names it.
      await expect(summary).toHaveAccessibleDescription("Describe the problem in a sentence or two.");
      await expect(jane.getByLabel("PSA ticket (optional)")).toHaveAttribute("aria-invalid", "false");
      await screenshot(jane, `new-session-error-${name}`);
      await summary.fill("Label printer prints blank pages");
      await jane.getByRole("button", { name: "Start session" }).click();
      await expect(jane).toHaveURL(/\/pilot\//);
    });

    test("times move on by themselves and speak the viewer's zone; limits say what their minutes are", async ({ browser, world }) => {
      const context = await browser.newContext({ viewport: { width, height: 800 }, timezoneId: "Europe/Berlin" });
      const owner = await context.newPage();
      await owner.clock.install();
      await signIn(owner, world.owner, "/");
      await hydrated(owner);
      // This sign-in's windows, in Berlin time, with UTC in the tooltip.
      const idle = owner.getByTestId("idle-expires").locator("time");
      await expect(idle).toHaveText(/\d{1,2} \w{3} \d{4}, \d{2}:\d{2} \(UTC\+01:00\)/);
      await expect(idle).toHaveAttribute("title", / UTC$/);
      // A session's age, moving on with no reload.
      await owner.getByTestId("new-session").click();
      await owner.getByLabel("What's the problem?").fill("Wi-Fi drops in the meeting room");
      await owner.getByRole("button", { name: "Start session" }).click();
      await expect(owner).toHaveURL(/\/pilot\//);
      const opened = owner.locator("header time").first();
      await expect(opened).toHaveText("just now");
      await owner.clock.fastForward("02:10");
      await expect(opened).toHaveText("2 minutes ago");

      await owner.goto("/account/security");
      await hydrated(owner);
      await owner.getByLabel("Custom").check();
      await owner.getByLabel("Absolute limit (minutes)").fill("43200");
      await expect(owner.getByTestId("absolute-minutes-hint")).toHaveText("= 30 days. Between 1 and 129600 (90 days).");
    });

    test("a toast never covers the message box or the steps", async ({ browser, world }) => {
      const jane = await signedIn(browser, world.jane, "/", width);
      await jane.getByTestId("session-row").filter({ hasText: "Outlook is failing" }).click();
      await hydrated(jane);
      await jane.getByLabel("Record a step").fill("Cleared the credential cache");
      await jane.getByLabel("Record a step").press("Enter");
      await jane.getByRole("button", { name: "Escalate" }).click();
      await jane.getByLabel("Why are you escalating?").fill("Still prompting after the cache clear.");
      await jane.getByLabel("Why are you escalating?").press("Enter");
      const toast = jane.getByRole("status").filter({ hasText: "Escalated." });
      await expect(toast).toBeVisible();
      await screenshot(jane, `toast-${name}`);
      const box = (await toast.boundingBox())!;
      for (const covered of [jane.getByRole("button", { name: "Send" }), jane.getByLabel("Message"), jane.getByLabel("Record a step")]) {
        const b = (await covered.boundingBox())!;
        const apart = box.x + box.width <= b.x || b.x + b.width <= box.x || box.y + box.height <= b.y || b.y + b.height <= box.y;
        expect(apart, "the toast stands clear of it").toBe(true);
      }
    });

    test("without JavaScript: a failed sign-in keeps the e-mail, Forgot password confirms, New and Send work", async ({ browser, world }) => {
      const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width, height: 800 } });
      const page = await context.newPage();

      // A wrong password: the form comes back saying so, with the address still in it.
      await page.goto("/login");
      await page.getByLabel("E-mail").fill(world.jane);
      await page.locator("#password").fill("not the password");
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page).toHaveURL(/\/login\?error=invalid_credentials/);
      await expect(page.getByRole("alert")).toHaveText("That e-mail and password don't match an account.");
      await expect(page.getByLabel("E-mail")).toHaveValue(world.jane);
      await expect(page.getByLabel("Password", { exact: true })).toBeFocused();

      // Forgot password: the page confirms, and the link is mailed.
      await page.getByRole("link", { name: "Forgot password?" }).click();
      await page.getByLabel("E-mail").fill(world.jane);
      await page.getByRole("button", { name: "Send the link" }).click();
      await expect(page.getByTestId("reset-sent")).toContainText("If an account uses that e-mail");
      expect(await linkFor(world.jane, "reset-password")).toContain("/reset-password?token=");

      // Signed in, New opens its form, which starts a session and opens it.
      await page.goto("/login");
      await page.getByLabel("E-mail").fill(world.jane);
      await page.locator("#password").fill(DEMO_PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page.getByTestId("greeting")).toBeVisible();
      await page.getByTestId("new-session").click();
      const problem = `No-script laptop ${width} cannot reach the file share`;
      await page.getByLabel("What's the problem?").fill(problem);
      await page.getByLabel(/PSA ticket/).fill("#7100");
      await page.getByRole("button", { name: "Start session" }).click();
      await expect(page).toHaveURL(/\/pilot\/[0-9a-f-]{36}$/);
      await expect(page.getByRole("heading", { name: problem })).toBeVisible();

      // Send puts the message in the conversation.
      await page.getByLabel("Message").fill("Mapped drive shows a red cross after the VPN connects.");
      await page.getByRole("button", { name: "Send" }).click();
      await expect(page).toHaveURL(/#composer$/);
      await expect(page.getByTestId("conversation")).toContainText("Mapped drive shows a red cross after the VPN connects.");
      await expect(page.getByLabel("Message")).toHaveValue("");
      await screenshot(page, `no-script-sent-${name}`);
      await context.close();
    });

    test("pick-up by keyboard: open the card, pick it up, take a suggested step and send it", async ({ browser, world }) => {
      const jane = await signedIn(browser, world.jane, "/", width);
      const problem = `Keyboard ${world.tag} ${width}: the second-floor printer drops every job`;
      await assessor.hold(problem);
      await escalatedSession(jane, problem);
      await assessor.waitForRequest(problem);
      await assessor.answer(problem, {
        summary: "Jobs reach the printer and are dropped there: the queue or the port.",
        likely_causes: ["The printer's port still points at its old address"],
        suggested_steps: ["Print a test page from the printer's own panel", "Check the port's address against the printer's"],
        confidence_tier: "medium",
      });
      const sam = await signedIn(browser, world.sam, "/", width);
      const theCard = card(sam, problem);
      await tabTo(sam, theCard.locator("summary"));
      await sam.keyboard.press("Enter");
      await expect(theCard.getByTestId("escalation-details")).toBeVisible();
      await tabTo(sam, theCard.getByRole("button", { name: "Pick Up" }), 2);
      await sam.keyboard.press("Enter");
      await expect(sam).toHaveURL(/\?pickup=true$/);
      await expect(sam.getByTestId("claim-state")).toContainText("You picked this up");
      await expect(sam.getByTestId("assessment-ready")).toBeVisible({ timeout: 30_000 });
      const step = sam.getByTestId("assessment-steps").getByRole("button").first();
      const words = (await step.innerText()).trim();
      await tabTo(sam, step, 60);
      await sam.keyboard.press("Enter");
      const message = sam.getByLabel("Message");
      await expect(message).toBeFocused();
      await expect(message).toHaveValue(words);
      await sam.keyboard.press("Enter");
      await expect(sam.getByTestId("conversation")).toContainText(words);
      await expect(message).toHaveValue("");
      await screenshot(sam, `pickup-by-keyboard-${name}`);
    });

    test("the security page by keyboard: a custom policy saved, one device signed out", async ({ browser, world }) => {
      await signedIn(browser, world.sam, "/", width);
      const owner = await signedIn(browser, world.owner, "/account/security", width);
      // Tab reaches the preset group at its chosen preset; the arrow keys move along it.
      await tabTo(owner, owner.getByLabel("Strict"));
      await owner.keyboard.press("ArrowDown");
      await expect(owner.getByLabel("Standard")).toBeChecked();
      await owner.keyboard.press("ArrowDown");
      await expect(owner.getByLabel("Custom")).toBeChecked();
      await tabTo(owner, owner.getByLabel("Idle timeout (minutes)"), 3);
      await owner.keyboard.press("ControlOrMeta+a");
      await owner.keyboard.type("600");
      await tabTo(owner, owner.getByLabel("Absolute limit (minutes)"), 3);
      await owner.keyboard.press("ControlOrMeta+a");
      await owner.keyboard.type("1200");
      await tabTo(owner, owner.getByRole("button", { name: "Save" }), 5);
      await owner.keyboard.press("Enter");
      await expect(owner.getByTestId("saved")).toBeVisible();

      const samRow = owner.getByTestId("active-user").filter({ hasText: "Sam Senior" });
      const revoke = samRow.getByRole("button", { name: /^Revoke Sam Senior on / });
      await tabTo(owner, revoke);
      await owner.keyboard.press("Enter");
      const dialog = owner.getByRole("dialog", { name: /^Sign out Sam Senior on / });
      await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
      await owner.keyboard.press("Tab");
      await expect(dialog.getByRole("button", { name: "Sign out that device" })).toBeFocused();
      await owner.keyboard.press("Enter");
      await expect(owner.getByRole("status").filter({ hasText: "Signed out Sam Senior on that device." })).toBeVisible();
      await expect(samRow).toHaveCount(0);
    });

    test("sign-in by keyboard: e-mail, password, then the way out; a wrong password keeps focus there", async ({ page, world }) => {
      await page.setViewportSize({ width, height: 800 });
      await page.goto("/login");
      await hydrated(page);
      await page.getByLabel("E-mail").focus();
      await page.keyboard.type(world.jane);
      await page.keyboard.press("Tab");
      await expect(page.getByLabel("Password", { exact: true })).toBeFocused();
      await page.keyboard.type("not the password");
      await page.keyboard.press("Tab");
      await expect(page.getByRole("button", { name: "Show password" })).toBeFocused();
      await page.keyboard.press("Tab");
      await expect(page.getByRole("link", { name: "Forgot password?" })).toBeFocused();
      await page.keyboard.press("Tab");
      await expect(page.getByRole("button", { name: "Sign in", exact: true })).toBeFocused();
      await page.keyboard.press("Enter");
      await expect(page.getByRole("alert")).toHaveText(/don't match/);
      await expect(page.getByLabel("Password", { exact: true })).toBeFocused();
      await expect(page.getByLabel("E-mail")).toHaveValue(world.jane);
      await accessible(page, `/login at ${width} px`);
      await screenshot(page, `login-wrong-password-${name}`);
    });
  });
}
