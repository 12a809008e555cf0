import { test, expect, hydrated } from "./fixtures";
import { signedIn, signIn } from "./helpers";
import type { Page } from "@playwright/test";

/**
 * The WASM is split by page (docs/ARCHITECTURE.md, "Split by route"): a page fetches the shared
 * core and its own piece, the next page's piece arrives when that page is opened, and a piece
 * that fails to download is tried again, or the page says so and offers to try again.
 */

/** The pages' pieces `page` requests from now on, by name (`split_login_page.<hash>.wasm` is
 * `login_page`), each once. */
function piecesOf(page: Page) {
  const pieces: string[] = [];
  page.on("request", (request) => {
    const file = new URL(request.url()).pathname.split("/").pop() ?? "";
    const piece = file.match(/^split_([a-z_]+?)(\.[A-Za-z0-9_-]+)?\.wasm$/)?.[1];
    if (piece && !pieces.includes(piece)) pieces.push(piece);
  });
  return pieces;
}

/** The account settings page's piece, which no page fetches ahead of time. */
const ACCOUNT_PIECE = /\/pkg\/split_account_settings_page[^/]*\.wasm$/;

test("/login fetches its own page's code only; the next page's code arrives when it is opened", async ({ page }) => {
  const pieces = piecesOf(page);
  await page.goto("/login");
  await hydrated(page);
  expect(pieces).toEqual(["login_page"]);

  await page.getByRole("link", { name: "Create an account" }).click();
  await expect(page).toHaveURL(/\/signup$/);
  await expect(page.getByLabel("Company name")).toBeVisible();
  expect(pieces).toEqual(["login_page", "sign_up_page"]);
});

test("the dashboard fetches a session's and the knowledge base's code once the browser is idle", async ({ browser, world }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const pieces = piecesOf(page);
  await signIn(page, world.sam, "/");
  await hydrated(page);
  await expect.poll(() => pieces.join(" ")).toContain("pilot_page");
  await expect.poll(() => pieces.join(" ")).toContain("knowledge_base_page");
  // Not the pages an engineer opens now and then.
  expect(pieces).not.toContain("account_settings_page");
  expect(pieces).not.toContain("members_page");
});

test("a page whose code fails to download once still opens: the download is tried again", async ({ browser, world }) => {
  const jane = await signedIn(browser, world.jane, "/");
  let tries = 0;
  await jane.route(ACCOUNT_PIECE, (route) => (tries++ === 0 ? route.abort("connectionreset") : route.continue()));
  await jane.getByTestId("user-menu").locator("summary").click();
  await jane.getByRole("link", { name: "Account settings" }).click();
  await expect(jane.getByRole("heading", { name: "Account settings" })).toBeVisible();
  expect(tries).toBe(2);
});

test("a page whose code cannot be downloaded says so, and Try again opens it once it can", async ({ browser, world }) => {
  const jane = await signedIn(browser, world.jane, "/");
  await jane.route(ACCOUNT_PIECE, (route) => route.abort("connectionreset"));
  await jane.getByTestId("user-menu").locator("summary").click();
  await jane.getByRole("link", { name: "Account settings" }).click();
  const unreachable = jane.getByTestId("page-unreachable");
  await expect(unreachable).toContainText("This page didn't load", { timeout: 15_000 });
  // The frame still works: the top bar is there, nothing panicked.
  await expect(jane.getByRole("link", { name: "Knowledge base" })).toBeVisible();

  await jane.unroute(ACCOUNT_PIECE);
  await unreachable.getByRole("link", { name: "Try again" }).click();
  await expect(jane.getByRole("heading", { name: "Account settings" })).toBeVisible();
  await expect(jane).toHaveURL(/\/account$/);
});

test("a first visit whose page code fails to download still comes alive: it is fetched again before hydrating", async ({ browser, world }) => {
  const jane = await signedIn(browser, world.jane, "/");
  // Two failures: the <head>'s preload (when the page has one) and the loader's first fetch, so
  // the page can only come alive through the fetch tried again after them.
  let tries = 0;
  await jane.route(ACCOUNT_PIECE, (route) => (tries++ < 2 ? route.abort("connectionreset") : route.continue()));
  await jane.goto("/account");
  await hydrated(jane);
  await expect(jane.getByRole("heading", { name: "Account settings" })).toBeVisible();
  expect(tries).toBeGreaterThanOrEqual(3);
});
