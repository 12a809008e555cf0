import { test, expect, hydrated, screenshot } from "./fixtures";

test("healthz answers ok", async ({ request }) => {
  const res = await request.get("/healthz");
  expect(res.status()).toBe(200);
  expect(await res.text()).toBe("ok");
});

test("the login page is server-rendered and usable without JavaScript", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const res = await page.goto("/login");
  expect(res?.status()).toBe(200);
  await expect(page.getByRole("heading", { name: "Sign in to ResolutionFlow" })).toBeVisible();
  await expect(page.getByLabel("E-mail")).toBeVisible();
  await expect(page.locator("#password")).toHaveAttribute("type", "password");
  await context.close();
});

test("the login page hydrates: show/hide password works", async ({ page }) => {
  await page.goto("/login");
  await hydrated(page);
  const password = page.locator("#password");
  await password.fill("hunter2-hunter2");
  await expect(password).toHaveAttribute("type", "password");

  await page.getByRole("button", { name: "Show password" }).click();
  await expect(password).toHaveAttribute("type", "text");
  await expect(page.getByRole("button", { name: "Hide password" })).toHaveAttribute("aria-pressed", "true");

  await page.getByRole("button", { name: "Hide password" }).click();
  await expect(password).toHaveAttribute("type", "password");
  await expect(password).toHaveValue("hunter2-hunter2");
  await screenshot(page, "login");
});

test("an unknown page shows the 404 page", async ({ page, consoleProblems }) => {
  const res = await page.goto("/definitely/not/here");
  expect(res?.status()).toBe(404);
  // The browser reports the document's own 404; that one is the point of this test.
  const own404 = consoleProblems.findIndex((p) => p.includes("status of 404"));
  expect(own404).toBeGreaterThanOrEqual(0);
  consoleProblems.splice(own404, 1);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await hydrated(page);
  await screenshot(page, "not-found");
  await page.getByRole("link", { name: "Back to ResolutionFlow" }).click();
  await expect(page).toHaveURL(/\/login\?next=\/$/);
});
