import { test, expect, hydrated, screenshot } from "./fixtures";
import { accessible } from "./axe";
import { signIn, dropAccessToken } from "./helpers";
import { linkFor } from "./mail";

test("forgot password: the mailed link sets a new password once, and the old one stops working", async ({ page, browser, world }) => {
  // Nina is signed in somewhere else; the reset signs that device out.
  const elsewhere = await (await browser.newContext()).newPage();
  await signIn(elsewhere, world.nina);

  await page.goto("/login");
  await hydrated(page);
  await page.getByRole("link", { name: "Forgot password?" }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
  await page.getByLabel("E-mail").fill(world.nina);
  await page.getByRole("button", { name: "Send the link" }).click();
  await expect(page.getByTestId("reset-sent")).toContainText("If an account uses that e-mail");
  await accessible(page, "the forgot-password page");

  const link = await linkFor(world.nina, "reset-password");
  await page.goto(link);
  await hydrated(page);
  await page.getByLabel("New password", { exact: true }).fill("short");
  await page.getByLabel("Type it again").fill("short");
  await page.getByRole("button", { name: "Set the password" }).click();
  await expect(page.getByText("Use at least 12 characters.")).toBeVisible();
  await page.getByLabel("New password", { exact: true }).fill("correct horse battery");
  await page.getByLabel("Type it again").fill("correct horse battery");
  await screenshot(page, "reset-password");
  await accessible(page, "the reset page");
  await page.getByRole("button", { name: "Set the password" }).click();
  await expect(page.getByTestId("reset-done")).toContainText("every device was signed out");

  // The link is spent.
  await page.goto(link);
  await hydrated(page);
  await page.getByLabel("New password", { exact: true }).fill("another horse battery");
  await page.getByLabel("Type it again").fill("another horse battery");
  await page.getByRole("button", { name: "Set the password" }).click();
  await expect(page.getByRole("alert")).toContainText("expired or was already used");

  // The other device is signed out: once its minutes-long access token is gone, its login is
  // refused. The new password works.
  await dropAccessToken(elsewhere.context());
  await elsewhere.goto("/");
  await expect(elsewhere).toHaveURL(/\/login/);
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("E-mail").fill(world.nina);
  await page.locator("#password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("greeting")).toHaveText("Welcome back, Nina");
});
