import { test, expect, hydrated, screenshot } from "./fixtures";
import { signIn } from "./helpers";
import { accessible } from "./axe";
import type { Page } from "@playwright/test";

/** Starts a session from the sidebar's New form and returns on its pilot page. */
async function newSession(page: Page, summary: string) {
  await page.getByTestId("new-session").click();
  await page.getByLabel("What's the problem?").fill(summary);
  await page.getByRole("button", { name: "Start session" }).click();
  await expect(page).toHaveURL(/\/pilot\/[0-9a-f-]+$/);
  await expect(page.getByTestId("session-title")).toHaveText(summary);
}

async function suggestAndApply(page: Page, title: string) {
  const panel = page.getByRole("region", { name: "Fixes" });
  await panel.getByPlaceholder("Suggest a fix").fill(title);
  await panel.getByRole("button", { name: "Add" }).click();
  const fix = page.getByTestId("fix").filter({ hasText: title });
  await expect(fix).toHaveAttribute("data-status", "suggested");
  await fix.getByRole("button", { name: "I applied it" }).click();
  await expect(fix).toHaveAttribute("data-status", "applied_verifying");
  return fix;
}

async function waitToVerify(page: Page, reason: string) {
  const banner = page.getByTestId("fix-banner");
  await banner.getByRole("button", { name: "More outcomes" }).click();
  await banner.getByRole("button", { name: "Waiting to verify…" }).click();
  await banner.getByPlaceholder("What are you waiting on?").fill(reason);
  await banner.getByRole("button", { name: "Save" }).click();
  await expect(banner).toHaveAttribute("data-kind", "pending");
  return banner;
}

test("a fix waiting to verify gets the pending banner, holds up escalation, and is resolved as worked", async ({ page, world }) => {
  await signIn(page, world.jane);
  await hydrated(page);
  await newSession(page, "Office VPN drops every hour");

  const fix = await suggestAndApply(page, "Re-issue the VPN certificate");
  const banner = page.getByTestId("fix-banner");
  await expect(banner).toHaveAttribute("data-kind", "verifying");
  await expect(banner).toContainText('You applied "Re-issue the VPN certificate". Did it work?');

  // "Waiting to verify…" asks what for, and won't take nothing.
  await banner.getByRole("button", { name: "More outcomes" }).click();
  await banner.getByRole("button", { name: "Waiting to verify…" }).click();
  await banner.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Say what you're waiting on" })).toBeVisible();
  await expect(fix).toHaveAttribute("data-status", "applied_verifying");
  await banner.getByRole("button", { name: "Cancel" }).click();

  await waitToVerify(page, "The user's laptop reboots tonight");
  await expect(banner).toContainText('Waiting to verify "Re-issue the VPN certificate": The user\'s laptop reboots tonight');
  await expect(fix).toHaveAttribute("data-status", "applied_pending");
  await expect(fix).toContainText("Waiting on: The user's laptop reboots tonight");
  await screenshot(page, "pending-banner");

  // The reason can be updated in place.
  await banner.getByRole("button", { name: "Update reason" }).click();
  await banner.getByPlaceholder("What are you waiting on?").fill("The client's IT contact confirms in the morning");
  await banner.getByRole("button", { name: "Save" }).click();
  await expect(banner).toContainText("The client's IT contact confirms in the morning");

  // Escalating now is intercepted: the fix still needs an outcome.
  await page.getByRole("button", { name: "Escalate" }).click();
  const intercept = page.getByTestId("escalate-intercept");
  await expect(intercept).toContainText("A fix still needs an outcome");
  await expect(intercept).toContainText('"Re-issue the VPN certificate": awaiting verification');
  await expect(page.getByRole("dialog", { name: "A fix still needs an outcome" })).toBeVisible();
  await accessible(page, "the escalate intercept dialog", "dialog");
  await intercept.getByRole("button", { name: "Record outcomes first" }).click();
  await expect(intercept).toHaveCount(0);
  await page.getByRole("button", { name: "Escalate" }).click();
  await page.getByTestId("escalate-intercept").getByRole("button", { name: "Escalate anyway" }).click();
  await expect(page.getByTestId("escalate-modal")).toBeVisible();
  await page.getByTestId("escalate-modal").getByRole("button", { name: "Cancel" }).click();

  // It worked: the banner goes, the fix says so, and it survives a reload.
  await banner.getByRole("button", { name: "It worked" }).click();
  await expect(page.getByTestId("fix-banner")).toHaveCount(0);
  await expect(fix).toHaveAttribute("data-status", "applied_success");
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId("fix").filter({ hasText: "Re-issue the VPN certificate" })).toHaveAttribute("data-status", "applied_success");
});

test("Resolve settles a pending fix as worked and saves the drafted note", async ({ page, world }) => {
  await signIn(page, world.jane);
  await hydrated(page);
  await newSession(page, "Shared mailbox not showing in Outlook");
  const fix = await suggestAndApply(page, "Re-add the mailbox permission with automapping");
  await waitToVerify(page, "Exchange to replicate the permission");

  await page.getByRole("button", { name: "Resolve" }).click();
  const dialog = page.getByTestId("resolve-dialog");
  await expect(fix).toHaveAttribute("data-status", "applied_success");
  const note = dialog.getByLabel("Resolution note");
  await expect(note).toHaveValue(/Resolved by: "Re-add the mailbox permission with automapping"\./);
  await expect(note).not.toHaveValue(/Provisional/);
  await note.press("End");
  await note.pressSequentially("\nConfirmed with the user by phone.");
  await screenshot(page, "resolve-dialog");
  await dialog.getByRole("button", { name: "Resolve" }).click();

  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId("resolution")).toContainText("Confirmed with the user by phone.");
  await expect(page.getByTestId("status-pill").first()).toHaveText("Resolved");
  await expect(page.getByRole("button", { name: "Resolve" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Escalate" })).toHaveCount(0);
});
