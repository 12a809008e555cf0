import { test, expect, hydrated, screenshot } from "./fixtures";
import { signIn, cookie, dropAccessToken, signJwt, decodeJwt, DEMO_PASSWORD } from "./helpers";

test("sign in, see the dashboard, sign out", async ({ page, context, world }) => {
  await signIn(page, world.jane);
  await expect(page.getByTestId("greeting")).toHaveText("Welcome back, Jane");
  const refresh = await cookie(context, "rf_refresh");
  expect(refresh?.httpOnly).toBe(true);
  expect(refresh?.sameSite).toBe("Lax");
  expect(await page.evaluate(() => document.cookie), "no token is readable by script").toBe("");
  await screenshot(page, "dashboard");

  await page.getByTestId("user-menu").locator("summary").click();
  await expect(page.getByTestId("user-menu").getByText(world.jane)).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByTestId("session-expired-banner")).toHaveCount(0);

  await page.goto("/");
  await expect(page).toHaveURL(/\/login\?next=\/$/, { timeout: 5000 });
});

test("a wrong password is refused inline and the form keeps the e-mail", async ({ page, world }) => {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("E-mail").fill(world.jane);
  await page.locator("#password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("That e-mail and password don't match an account.");
  await expect(page.getByLabel("E-mail")).toHaveValue(world.jane);
  await expect(page).toHaveURL(/\/login$/);
  await screenshot(page, "login-error");
});

test("after sign-in the user lands where they were headed", async ({ page, world }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login\?next=\/$/);
  await hydrated(page);
  await page.getByLabel("E-mail").fill(world.sam);
  await page.locator("#password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("greeting")).toHaveText("Welcome back, Sam");
});

test("signing in works without JavaScript", async ({ browser, world }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(world.alex);
  await page.locator("#password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("greeting")).toHaveText("Welcome back, Alex");
  await context.close();
});

test("without JavaScript, after sign-in the user lands where they were headed", async ({ browser, world }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/kb");
  await expect(page).toHaveURL(/\/login\?next=\/kb$/);
  await page.getByLabel("E-mail").fill(world.alex);
  await page.locator("#password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/kb$/);
  await expect(page.getByRole("heading", { name: "Knowledge base" })).toBeVisible();
  await context.close();
});

test("a reload after the access token has expired stays signed in", async ({ page, context, world }) => {
  test.setTimeout(120_000);
  await signIn(page, world.jane);
  const before = await cookie(context, "rf_refresh");
  const access = await cookie(context, "rf_access");
  const lifetime = decodeJwt(access!.value).exp - decodeJwt(access!.value).iat;
  expect(lifetime, "the test server runs with ACCESS_TOKEN_MINUTES=1").toBe(60);

  // Wait out the real access token: the browser drops the cookie at its Max-Age.
  await page.waitForTimeout(61_000);
  expect(await cookie(context, "rf_access")).toBeUndefined();

  await page.reload();
  await expect(page.getByTestId("greeting")).toHaveText("Welcome back, Jane");
  expect(await cookie(context, "rf_access")).toBeDefined();
  expect((await cookie(context, "rf_refresh"))?.value).not.toBe(before?.value);
});

test("an idle-expired session shows the expired banner on the sign-in page", async ({ page, context, world }) => {
  await signIn(page, world.jane);
  const claims = decodeJwt((await cookie(context, "rf_refresh"))!.value);
  const now = Math.floor(Date.now() / 1000);
  await context.clearCookies();
  await context.addCookies([
    {
      name: "rf_refresh",
      value: signJwt({ ...claims, iat: now - 7200, exp: now - 60 }),
      url: page.url(),
      httpOnly: true,
      sameSite: "Lax",
    },
  ]);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login\?reason=session_expired&next=\/$/);
  const banner = page.getByTestId("session-expired-banner");
  await expect(banner).toHaveText("Your session has expired. Please sign in again to continue.");
  await expect(banner).toHaveClass(/bg-cyan-50/);
  await hydrated(page);
  await screenshot(page, "login-session-expired");
});

test("two pages refreshing at the same moment both stay signed in", async ({ context, world }) => {
  const first = await context.newPage();
  await signIn(first, world.jane);
  const second = await context.newPage();
  await second.goto("/");
  await expect(second.getByTestId("greeting")).toBeVisible();

  for (let round = 0; round < 3; round++) {
    await dropAccessToken(context);
    // Both pages present the same refresh token at once: one rotates it, the other must not
    // be signed out.
    await Promise.all([first.reload(), second.reload()]);
    await expect(first.getByTestId("greeting")).toHaveText("Welcome back, Jane");
    await expect(second.getByTestId("greeting")).toHaveText("Welcome back, Jane");
  }

  // Both pages call refresh from script with the same token: one rotates it, the other is
  // refused as a token already used, not as a replay (that would end the login), so both pages
  // go on signed in with the rotated token. The token goes in the body (it takes precedence
  // over the cookie): through the cookie jar, a request that happens to start after the
  // winner's answer would carry the rotated token and there would be no loser to look at.
  const token = (await cookie(context, "rf_refresh"))!.value;
  const refresh = (page: typeof first) =>
    page.evaluate(async (refresh_token) => {
      const res = await fetch("/api/auth/refresh", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ refresh_token }),
      });
      return `${res.status} ${res.status === 200 ? "" : (await res.json()).error}`.trim();
    }, token);
  const answers = await Promise.all([refresh(first), refresh(second)]);
  expect(answers.sort()).toEqual(["200", "401 invalid_refresh_token"]);

  await dropAccessToken(context);
  await first.reload();
  await expect(first.getByTestId("greeting")).toHaveText("Welcome back, Jane");
  await second.reload();
  await expect(second.getByTestId("greeting")).toHaveText("Welcome back, Jane");
});
