import { defineConfig } from "@playwright/test";

// The server is started by scripts/test.sh on a throwaway database; it passes the address here.
const baseURL = process.env.RF_E2E_BASE_URL ?? "http://127.0.0.1:3000";

export default defineConfig({
  testDir: "./tests",
  // Generous: a test on a loaded two-core machine beside a release build is slow, not wrong.
  timeout: 60_000,
  expect: { timeout: 5_000 },
  // Every test makes its own demo data (fixtures.ts, `world`), so tests run in any order and
  // side by side; RF_E2E_WORKERS=1 runs them one at a time.
  fullyParallel: true,
  workers: Number(process.env.RF_E2E_WORKERS ?? 2),
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.RF_CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
});
