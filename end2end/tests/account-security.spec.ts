import { test, expect, hydrated, screenshot } from "./fixtures";
import { cookie, signIn, signedIn } from "./helpers";
import type { Page } from "@playwright/test";

/** Sets an account's policy through the API as its owner. */
async function setPolicy(page: Page, idle: number | null, absolute: number | null) {
  const res = await page.request.post("/api/account/security/update", {
    data: { session_idle_minutes: idle, session_absolute_minutes: absolute },
  });
  expect(res.status(), await res.text()).toBe(200);
}

test("the settings list shows Session security to owners only", async ({ browser, world }) => {
  const owner = await signedIn(browser, world.owner, "/account");
  await expect(owner.getByTestId("session-security-row")).toBeVisible();
  await screenshot(owner, "account-settings");
  await owner.getByTestId("session-security-row").click();
  await expect(owner).toHaveURL(/\/account\/security$/);
  await expect(owner.getByRole("heading", { name: "Session security" })).toBeVisible();

  const jane = await signedIn(browser, world.jane, "/account");
  await expect(jane.getByRole("heading", { name: "Account settings" })).toBeVisible();
  await expect(jane.getByTestId("session-security-row")).toHaveCount(0);
});

test("a non-owner is sent away from /account/security", async ({ browser, world }) => {
  const alex = await signedIn(browser, world.alex);
  await alex.goto("/account/security");
  await expect(alex).toHaveURL(/\/account$/);
  await expect(alex.getByText("Session policy")).toHaveCount(0);
  const api = await alex.request.post("/api/account/security", { data: {} });
  expect(api.status()).toBe(403);
});

test("presets, inline validation and save", async ({ browser, world }) => {
  const owner = await signedIn(browser, world.owner, "/account/security");
  await hydrated(owner);
  const idle = owner.getByLabel("Idle timeout (minutes)");
  const absolute = owner.getByLabel("Absolute limit (minutes)");

  await expect(owner.getByLabel("Strict")).toBeChecked();
  await expect(idle).toBeDisabled();
  await expect(idle).toHaveValue("4320");
  await expect(absolute).toHaveValue("20160");

  await owner.getByLabel("Standard").check();
  await expect(idle).toHaveValue("10080");
  await expect(absolute).toHaveValue("43200");
  await expect(idle).toBeDisabled();

  await owner.getByLabel("Custom").check();
  await expect(idle).toBeEnabled();
  await idle.fill("600");
  await absolute.fill("300");
  await expect(owner.getByTestId("idle-error")).toContainText("can't be longer than the absolute limit");
  await expect(owner.getByRole("button", { name: "Save" })).toBeDisabled();
  await absolute.fill("999999");
  await expect(owner.getByTestId("absolute-error")).toHaveText("Must be between 1 and 129600 minutes.");
  await absolute.fill("1200");
  await expect(owner.getByTestId("absolute-error")).toHaveCount(0);
  await expect(owner.getByTestId("idle-error")).toHaveCount(0);
  await expect(owner.getByText("Changes apply at next login.")).toBeVisible();

  await owner.getByRole("button", { name: "Save" }).click();
  const saved = owner.getByTestId("saved");
  await expect(saved).toBeVisible();
  await expect(saved).toHaveClass(/text-emerald-600/);
  await screenshot(owner, "account-security");

  // The saved policy is in the page the server sends: shown before (and without) JavaScript.
  const plain = await owner.context().browser()!.newContext({
    javaScriptEnabled: false,
    storageState: await owner.context().storageState(),
  });
  const noScript = await plain.newPage();
  await noScript.goto("/account/security");
  await expect(noScript.getByLabel("Custom")).toBeChecked();
  await expect(noScript.getByLabel("Idle timeout (minutes)")).toHaveValue("600");
  await expect(noScript.getByLabel("Absolute limit (minutes)")).toHaveValue("1200");
  await plain.close();

  await owner.reload();
  await expect(owner.getByLabel("Custom")).toBeChecked();
  await expect(idle).toHaveValue("600");
  await expect(absolute).toHaveValue("1200");

  await hydrated(owner);
  await owner.getByLabel("Strict").check();
  await owner.getByRole("button", { name: "Save" }).click();
  await expect(owner.getByTestId("saved")).toBeVisible();
});

test("sign out everyone except me: the modal, Escape, focus, and one login revoked", async ({ browser, world }) => {
  const owner = await signedIn(browser, world.owner);
  const jane = await signedIn(browser, world.jane);
  await owner.goto("/account/security");
  await hydrated(owner);
  await expect(owner.getByTestId("sessions-count")).toHaveText("2 people are signed in right now.");
  await expect(owner.getByTestId("active-user").filter({ hasText: "Olivia Owner" })).toContainText("(you)");

  const open = owner.getByRole("button", { name: "Sign out everyone except me" });
  await open.click();
  const dialog = owner.getByRole("dialog");
  await expect(dialog.getByRole("heading")).toHaveText("Sign out everyone except you?");
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await owner.keyboard.press("Tab");
  await expect(dialog.getByRole("button", { name: "Sign out everyone else" })).toBeFocused();
  await owner.keyboard.press("Tab");
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await owner.keyboard.press("Shift+Tab");
  await expect(dialog.getByRole("button", { name: "Sign out everyone else" })).toBeFocused();
  await expect(dialog.getByRole("button", { name: "Sign out everyone else" })).toHaveClass(/bg-red-600/);
  await screenshot(owner, "revoke-modal-others");
  await owner.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);

  await open.click();
  await owner.getByRole("button", { name: "Sign out everyone else" }).click();
  await expect(owner.getByRole("status").filter({ hasText: "Signed out 1 session." })).toBeVisible();
  await expect(owner.getByTestId("sessions-count")).toHaveText("Only you are signed in right now.");
  await expect(open).toHaveCount(0);

  // Jane's open tab is sent to the sign-in page at once, told an owner did it (docs/API.md §9).
  await expect(jane).toHaveURL(/\/login\?reason=signed_out&by=owner&next=\/$/, { timeout: 2_000 });
  await expect(jane.getByTestId("signed-out-banner")).toContainText("An owner or admin");
  await expect(jane.getByTestId("session-expired-banner")).toHaveCount(0);
});

test("one login can be revoked from its row, after saying which device it is", async ({ browser, world }) => {
  const sam = await signedIn(browser, world.sam);
  const owner = await signedIn(browser, world.owner, "/account/security");
  await hydrated(owner);
  const samRow = owner.getByTestId("active-user").filter({ hasText: "Sam Senior" });
  // Each device says where it signed in from and when, besides what it is.
  await expect(samRow.getByTestId("login-address")).toHaveText("127.0.0.1");
  await expect(samRow.getByTestId("login-row")).toContainText(/Chrome on Linux · 127\.0\.0\.1\s*signed in just now · active just now/);
  const revoke = samRow.getByRole("button", { name: "Revoke Sam Senior on Chrome on Linux (127.0.0.1)" });
  // Nothing happens until the owner confirms; Cancel keeps Sam signed in.
  await revoke.click();
  const dialog = owner.getByRole("dialog", { name: "Sign out Sam Senior on Chrome on Linux (127.0.0.1)?" });
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await screenshot(owner, "revoke-one-device");
  await owner.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  await expect(revoke).toBeFocused();
  await expect(samRow).toHaveCount(1);
  await revoke.click();
  await dialog.getByRole("button", { name: "Sign out that device" }).click();
  await expect(owner.getByRole("status").filter({ hasText: "Signed out Sam Senior on that device." })).toBeVisible();
  await expect(samRow).toHaveCount(0);
  // Sam's open tab follows at once (docs/API.md §9), not at its next reload, which would race
  // the tab's own navigation to the sign-in page.
  await expect(sam).toHaveURL(/\/login\?reason=signed_out&by=owner/);
  await expect(sam.getByTestId("signed-out-banner")).toContainText("An owner or admin");
});

test("sign me out and everyone else: toast, then the sign-in page without a banner", async ({ browser, world }) => {
  const owner = await signedIn(browser, world.owner, "/account/security");
  await hydrated(owner);
  await owner.getByRole("button", { name: "Sign me out and everyone else" }).click();
  const dialog = owner.getByRole("dialog");
  await expect(dialog.getByRole("heading")).toHaveText("Sign out everyone, including you?");
  await screenshot(owner, "revoke-modal-all");
  await dialog.getByRole("button", { name: "Sign everyone out" }).click();
  await expect(owner.getByRole("status").filter({ hasText: "Signed out 1 session." })).toBeVisible();
  await expect(owner).toHaveURL(/\/login$/, { timeout: 5000 });
  await expect(owner.getByTestId("session-expired-banner")).toHaveCount(0);
  await owner.goto("/");
  await expect(owner).toHaveURL(/\/login\?next=\/$/);
});

test.describe("the session expiry toast", () => {
  test("idle: amber, Stay signed in refreshes, and every tab follows", async ({ browser, world }) => {
    const grace = await signedIn(browser, world.grace);
    await setPolicy(grace, 10, 120);

    const context = await browser.newContext();
    await context.clock.install();
    const first = await context.newPage();
    await signIn(first, world.nina);
    const second = await context.newPage();
    await second.goto("/");
    await hydrated(second);
    await expect(first.getByTestId("session-expiry-toast")).toHaveCount(0);

    // Five and a half minutes of inactivity: the 30 s check finds T-5 min passed.
    await context.clock.fastForward("05:30");
    for (const page of [first, second]) {
      const toast = page.getByTestId("session-expiry-toast");
      await expect(toast).toBeVisible();
      await expect(toast).toHaveAttribute("data-reason", "idle");
      await expect(toast).toHaveClass(/bg-amber-50/);
      await expect(toast).toContainText("Your session is about to expire");
    }
    await screenshot(first, "toast-idle");

    // Back to the real time, then stay: the new idle window is ten minutes away again.
    await context.clock.setSystemTime(new Date());
    const before = (await cookie(context, "rf_refresh"))!.value;
    await first.getByRole("button", { name: "Stay signed in" }).click();
    await expect(first.getByTestId("session-expiry-toast")).toHaveCount(0);
    // It refreshed: the login's token was rotated.
    await expect.poll(async () => (await cookie(context, "rf_refresh"))?.value).not.toBe(before);
    await expect(second.getByTestId("session-expiry-toast")).toHaveCount(0);
  });

  test("absolute: cyan, Sign in now, and a dismissal that sticks", async ({ browser, world }) => {
    const grace = await signedIn(browser, world.grace);
    await setPolicy(grace, 12, 12);

    const context = await browser.newContext();
    await context.clock.install();
    const page = await context.newPage();
    await signIn(page, world.nina);
    await context.clock.fastForward("07:30");
    const toast = page.getByTestId("session-expiry-toast");
    await expect(toast).toBeVisible();
    await expect(toast).toHaveAttribute("data-reason", "absolute");
    await expect(toast).toHaveClass(/bg-cyan-50/);
    await expect(toast.getByRole("button", { name: "Stay signed in" })).toHaveCount(0);
    await screenshot(page, "toast-absolute");

    await toast.getByRole("button", { name: "Dismiss" }).click();
    await expect(toast).toHaveCount(0);
    await context.clock.fastForward("01:00");
    await expect(page.getByTestId("session-expiry-toast")).toHaveCount(0);

    // A fresh page load shows it again; Sign in now starts over at the sign-in page.
    await page.reload();
    await context.clock.fastForward("00:31");
    await page.getByRole("button", { name: "Sign in now" }).click();
    await expect(page).toHaveURL(/\/login$/);
  });
});
