import { test, expect, hydrated } from "./fixtures";
import { signedIn, signIn } from "./helpers";
import type { Page } from "@playwright/test";

/**
 * The WASM is split into a shared core and a piece per group of pages (docs/ARCHITECTURE.md,
 * "Split by route"): a page fetches the core and its group's piece, another group's piece
 * arrives when one of its pages is opened, and a piece that fails to download is tried again,
 * or the page says so and offers to try again.
 */

/** The pieces `page` requests from now on, by name (`split_signed_out.<hash>.wasm` is
 * `signed_out`), each once. */
function piecesOf(page: Page) {
  const pieces: string[] = [];
  page.on("request", (request) => {
    const file = new URL(request.url()).pathname.split("/").pop() ?? "";
    const piece = file.match(/^split_([a-z_]+?)(\.[A-Za-z0-9_-]+)?\.wasm$/)?.[1];
    if (piece && !pieces.includes(piece)) pieces.push(piece);
  });
  return pieces;
}

/** The account pages' piece, which the working day's pages do not fetch ahead of time. */
const ACCOUNT_PIECE = /\/pkg\/split_account[.][^/]*wasm$/;

test("/login and the other signed-out pages fetch their own piece only", async ({ page }) => {
  const pieces = piecesOf(page);
  await page.goto("/login");
  await hydrated(page);
  expect(pieces).toEqual(["signed_out"]);

  await page.getByRole("link", { name: "Create an account" }).click();
  await expect(page).toHaveURL(/\/signup$/);
  await expect(page.getByLabel("Company name")).toBeVisible();
  expect(pieces).toEqual(["signed_out"]);
});

test("a signed-in page fetches its own piece; another piece arrives when one of its pages is opened", async ({ browser, world }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const pieces = piecesOf(page);
  await signIn(page, world.jane, "/");
  await hydrated(page);
  // The sign-in page's piece, then the dashboard's.
  expect(pieces).toEqual(["signed_out", "working_day"]);

  await page.getByRole("link", { name: "Knowledge base" }).click();
  await expect(page.getByRole("heading", { name: "Knowledge base" })).toBeVisible();
  expect(pieces).toEqual(["signed_out", "working_day"]);

  await page.getByTestId("user-menu").locator("summary").click();
  await page.getByRole("link", { name: "Account settings" }).click();
  await expect(page.getByRole("heading", { name: "Account settings" })).toBeVisible();
  expect(pieces).toEqual(["signed_out", "working_day", "account"]);
  await context.close();
});

test("an account page fetches the working day's piece once the browser is idle", async ({ browser, world }) => {
  const first = await signedIn(browser, world.jane, "/");
  // A tab of its own, so that nothing the first one still fetches is in its log.
  const jane = await first.context().newPage();
  const pieces = piecesOf(jane);
  await jane.goto("/account");
  await hydrated(jane);
  await expect.poll(() => pieces).toEqual(["account", "working_day"]);
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
