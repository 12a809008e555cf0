import { test, expect, hydrated, screenshot } from "./fixtures";
import { accessible } from "./axe";
import { accountOf, signIn, sql } from "./helpers";
import { linkFor } from "./mail";
import type { Browser, Page } from "@playwright/test";

async function newPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

/** Takes the browser's report of the document's own refusal: it is the point of the check. */
function expectOwnStatus(consoleProblems: string[], status: number) {
  const own = consoleProblems.findIndex((p) => p.includes(`status of ${status}`));
  expect(own).toBeGreaterThanOrEqual(0);
  consoleProblems.splice(own, 1);
}

/** A desktop and a 375 px wide screenshot of the page as it is, each read through by axe-core. */
async function screenshots(page: Page, name: string) {
  await screenshot(page, name);
  await accessible(page, name);
  const size = page.viewportSize();
  await page.setViewportSize({ width: 375, height: 812 });
  await screenshot(page, `${name}-375`);
  await accessible(page, `${name} at 375 px`);
  if (size) await page.setViewportSize(size);
}

/** The local provider's own sign-in form (end2end/oidc/provider.mjs): the login names the person. */
async function signInAtProvider(page: Page, login: string) {
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("any password");
  await page.getByRole("button", { name: "Sign-in" }).click();
}

test("a member signs in with Google from the sign-in page; an address with no member is told so", async ({ page, browser, world }) => {
  await page.goto("/login?next=/kb");
  await hydrated(page);
  await expect(page.getByRole("link", { name: "Continue with Microsoft" })).toBeVisible();
  await screenshots(page, "login-sso");
  await page.getByRole("link", { name: "Continue with Google" }).click();
  await signInAtProvider(page, world.jane);
  await expect(page).toHaveURL(/\/kb$/);
  await expect(page.getByRole("heading", { name: "Knowledge base" })).toBeVisible();

  const stranger = await newPage(browser);
  await stranger.goto("/login");
  await stranger.getByRole("link", { name: "Continue with Google" }).click();
  await signInAtProvider(stranger, "stranger@example.com");
  await expect(stranger).toHaveURL(/\/login\?reason=sso_no_account$/);
  await expect(stranger.getByTestId("sso-refused")).toContainText("isn't a member of any team here");
  await screenshots(stranger, "login-sso-refused");
});

test("an owner signs up, confirms the address, and an invited engineer joins and sees the queue", async ({ page, browser, consoleProblems, world }) => {
  // Four people's journeys in one, each page read through by axe-core at two widths.
  test.setTimeout(150_000);
  // The new team's addresses, this test's own.
  const [nora, eveAt, finnAt] = ["nora", "eve", "finn"].map((who) => world.address(`${who}@northwind.test`));
  await page.goto("/login");
  await page.getByRole("link", { name: "Create an account" }).click();
  await expect(page).toHaveURL(/\/signup$/);
  await hydrated(page);
  await page.getByLabel("Company name").fill("Northwind IT");
  await page.getByLabel("Your name").fill("Nora North");
  await page.getByLabel("Work e-mail").fill(world.jane);
  await page.getByLabel("Password", { exact: true }).fill("short");
  await page.getByRole("button", { name: "Create the account" }).click();
  await expect(page.getByText("Use at least 12 characters.")).toBeVisible();
  await expect(page.getByText("already has a ResolutionFlow account")).toBeVisible();
  await page.getByLabel("Work e-mail").fill(nora);
  await page.getByLabel("Password", { exact: true }).fill("northwind horse battery");
  await screenshots(page, "signup");
  await page.getByRole("button", { name: "Create the account" }).click();
  await expect(page).toHaveURL(/\/account\/members$/);
  await expect(page.getByRole("heading", { name: "Members" })).toBeVisible();
  await expect(page.getByTestId("member-row")).toHaveCount(1);

  // The verification link, from the mail.
  await page.goto(await linkFor(nora, "verify-email"));
  await hydrated(page);
  await page.getByRole("button", { name: "Confirm my e-mail" }).click();
  await expect(page.getByTestId("email-verified")).toBeVisible();

  // Billing is outside the product: the new account is put on Pro the way an operator would.
  sql(`UPDATE subscriptions SET plan = 'pro' WHERE account_id = ${accountOf(nora)}`);

  await page.goto("/account/members");
  await hydrated(page);
  await page.getByLabel("E-mail", { exact: true }).fill(eveAt);
  await page.getByLabel("Role", { exact: true }).selectOption("engineer");
  await page.getByRole("button", { name: "Invite" }).click();
  await expect(page.getByText(`Invitation sent to ${eveAt}.`)).toBeVisible();
  await expect(page.getByTestId("invitation-row")).toContainText(eveAt);

  const eve = await newPage(browser);
  const link = await linkFor(eveAt, "invite");
  await eve.goto(link);
  await expect(eve.getByText("Nora North invited you to join Northwind IT on ResolutionFlow as an engineer.")).toBeVisible();
  await hydrated(eve);
  await screenshots(eve, "invite");
  await eve.getByLabel("Your name").fill("Eve Engineer");
  await eve.getByLabel("Choose a password").fill("eve horse battery staple");
  await eve.getByRole("button", { name: "Join the team" }).click();
  await expect(eve.getByTestId("greeting")).toHaveText("Welcome back, Eve");
  await expect(eve.getByTestId("escalation-queue")).toBeVisible();

  // A second invitee joins with single sign-on, through the local OpenID provider.
  await page.getByLabel("E-mail", { exact: true }).fill(finnAt);
  await page.getByLabel("Role", { exact: true }).selectOption("engineer");
  await page.getByRole("button", { name: "Invite" }).click();
  await expect(page.getByText(`Invitation sent to ${finnAt}.`)).toBeVisible();
  const finn = await newPage(browser);
  await finn.goto(await linkFor(finnAt, "invite"));
  await finn.getByRole("link", { name: "Continue with Microsoft" }).click();
  await signInAtProvider(finn, finnAt);
  await expect(finn.getByTestId("greeting")).toHaveText("Welcome back, Finn");
  await expect(finn.getByTestId("escalation-queue")).toBeVisible();

  // The link is spent.
  const answer = await page.goto(link);
  expect(answer?.status()).toBe(404);
  expectOwnStatus(consoleProblems, 404);
  await expect(page.getByTestId("invitation-unusable")).toBeVisible();

  await page.goto("/account/members");
  await hydrated(page);
  await expect(page.getByTestId("member-row")).toHaveCount(3);
  await expect(page.locator(`[data-testid="member-row"][data-email="${finnAt}"]`)).toContainText("Microsoft");
  await expect(page.getByTestId("invitations")).toHaveCount(0);
  await screenshots(page, "members");
});

test("the owner demotes one member and deactivates another, whose open tab goes to the sign-in page at once, until reactivated", async ({ page, browser, world }) => {
  const sam = await newPage(browser);
  await signIn(sam, world.sam);
  await hydrated(sam);

  await signIn(page, world.owner, "/account");
  await page.getByRole("link", { name: /Members/ }).click();
  await expect(page).toHaveURL(/\/account\/members$/);
  await hydrated(page);
  const jane = page.locator(`[data-testid="member-row"][data-email="${world.jane}"]`);
  await jane.getByLabel("Role of Jane Junior").selectOption("viewer");
  await expect(page.getByText("Jane Junior is now a viewer.")).toBeVisible();

  const samRow = page.locator(`[data-testid="member-row"][data-email="${world.sam}"]`);
  await samRow.getByRole("button", { name: "Deactivate" }).click();
  const dialog = page.getByTestId("deactivate-dialog");
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await accessible(page, "the deactivate dialog", "[data-testid=deactivate-dialog]");
  await dialog.getByRole("button", { name: "Deactivate" }).click();
  await expect(page.getByText("Sam Senior was deactivated and signed out.")).toBeVisible();
  await expect(samRow.getByTestId("deactivated-badge")).toBeVisible();

  // Sam's open tab lands on the sign-in page by itself, told why (docs/API.md §9).
  await expect(sam).toHaveURL(/\/login\?reason=signed_out&by=owner/, { timeout: 2_000 });
  await expect(sam.getByTestId("signed-out-banner")).toContainText("An owner or admin");
  await sam.getByLabel("E-mail").fill(world.sam);
  await sam.locator("#password").fill("resolutionflow-demo");
  await sam.getByRole("button", { name: "Sign in" }).click();
  await expect(sam.getByRole("alert")).toHaveText("That e-mail and password don't match an account.");

  // Reactivated, Sam signs in again.
  await samRow.getByRole("button", { name: "Reactivate" }).click();
  await expect(page.getByText("Sam Senior can sign in again.")).toBeVisible();
  await sam.getByRole("button", { name: "Sign in" }).click();
  await expect(sam.getByTestId("greeting")).toHaveText("Welcome back, Sam");
});

test("sign-up closed answers 403 with a page that says where to go instead", async ({ page, consoleProblems }) => {
  const closed = process.env.RF_E2E_CLOSED_URL;
  if (!closed) throw new Error("RF_E2E_CLOSED_URL is not set (run through scripts/e2e.sh)");
  const answer = await page.goto(`${closed}/signup`);
  expect(answer?.status()).toBe(403);
  expectOwnStatus(consoleProblems, 403);
  await hydrated(page);
  await screenshots(page, "signup-closed");
  await expect(page.getByRole("heading", { name: "Sign-up is closed" })).toBeVisible();
  await expect(page.getByTestId("signup-closed")).toContainText("ask its owner or an admin to invite you");
  const api = await page.request.post(`${closed}/api/auth/signup`, {
    data: { account_name: "X", name: "X", email: "x@x.test", password: "a long enough password" },
  });
  expect(api.status()).toBe(403);
  expect((await api.json()).error).toBe("forbidden");
  await page.goto(`${closed}/login`);
  await expect(page.getByRole("link", { name: "Create an account" })).toHaveCount(0);
});
