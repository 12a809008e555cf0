import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { expect, type Browser, type Page, type BrowserContext } from "@playwright/test";
import { hydrated } from "./fixtures";

export const DEMO_PASSWORD = "resolutionflow-demo";

/** Signs in through the real login form and waits for the dashboard. */
export async function signIn(page: Page, email: string, next = "/") {
  await page.goto(next === "/" ? "/login" : `/login?next=${encodeURIComponent(next)}`);
  await page.waitForFunction(() => (window as any).__rf_hydrated === true);
  await page.getByLabel("E-mail").fill(email);
  await page.locator("#password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname !== "/login");
}

export async function cookie(context: BrowserContext, name: string) {
  return (await context.cookies()).find((c) => c.name === name);
}

/** The browser forgets its access token, as it does when the cookie's Max-Age runs out. */
export async function dropAccessToken(context: BrowserContext) {
  await context.clearCookies({ name: "rf_access" });
  expect(await cookie(context, "rf_access")).toBeUndefined();
}

const b64url = (data: string | Buffer) => Buffer.from(data).toString("base64url");

/** An HS256 JWT signed with the test server's secret (scripts/test.sh sets both). */
export function signJwt(claims: Record<string, unknown>) {
  const secret = process.env.RF_E2E_JWT_SECRET;
  if (!secret) throw new Error("RF_E2E_JWT_SECRET is not set (run through scripts/test.sh)");
  const head = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = b64url(JSON.stringify(claims));
  const sig = createHmac("sha256", secret).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${sig}`;
}

export function decodeJwt(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
}

/** A session of `page`'s user, escalated through the API; returns its id. */
export async function escalatedSession(page: Page, summary: string, ticket?: string) {
  const created = await page.request.post("/api/sessions/create", {
    data: { problem_summary: summary, psa_ticket_id: ticket },
  });
  expect(created.status(), await created.text()).toBe(200);
  const { id } = await created.json();
  const handoff = await page.request.post("/api/handoffs/create", {
    data: { session_id: id, intent: "escalate", reason: "Tried the usual, nothing sticks" },
  });
  expect(handoff.status(), await handoff.text()).toBe(200);
  return id as string;
}

/** A new browser context (a person of their own), signed in and hydrated at `next`; `width` for a
 * narrower window than the configured one. */
export async function signedIn(browser: Browser, email: string, next = "/", width?: number): Promise<Page> {
  const context = await browser.newContext(width ? { viewport: { width, height: 800 } } : {});
  const page = await context.newPage();
  await signIn(page, email, next);
  await hydrated(page);
  return page;
}

/** Runs SQL straight on the e2e database, as an operator would (scripts/e2e.sh exports the URL). */
export function sql(statement: string) {
  const url = process.env.ADMIN_DATABASE_URL;
  if (!url) throw new Error("ADMIN_DATABASE_URL is not set (run through scripts/e2e.sh)");
  execFileSync("psql", [url, "-qc", statement]);
}

/** SQL for the id of the account `email` belongs to. */
export function accountOf(email: string) {
  return `(SELECT account_id FROM users WHERE email = '${email}')`;
}

/**
 * The stand-in of the Anthropic Messages API (end2end/stand-ins.mjs): a test has it hold the
 * requests that contain a text only its escalation has, until it answers them.
 */
export const assessor = {
  url: (path: string, about: string) => {
    const port = Number(process.env.RF_E2E_ASSESSOR_PORT);
    if (!port) throw new Error("RF_E2E_ASSESSOR_PORT is not set (run through scripts/e2e.sh)");
    return `http://127.0.0.1:${port}${path}?about=${encodeURIComponent(about)}`;
  },
  async hold(about: string) {
    expect((await fetch(assessor.url("/hold", about), { method: "POST" })).status).toBe(204);
  },
  async waitForRequest(about: string) {
    await expect
      .poll(async () => (await (await fetch(assessor.url("/held", about))).json()).held, { timeout: 10_000 })
      .toBeGreaterThan(0);
  },
  async answer(about: string, assessment: object) {
    const res = await fetch(assessor.url("/answer", about), { method: "POST", body: JSON.stringify(assessment) });
    expect((await res.json()).answered).toBe(1);
  },
};
