import net from "node:net";
import { test, expect, hydrated, screenshot } from "./fixtures";
import { signIn, dropAccessToken } from "./helpers";

/** An SMTP server on the port the e2e server mails to (scripts/e2e.sh): keeps what it gets. */
class SmtpSink {
  mails: string[] = [];
  private server = net.createServer((socket) => {
    let data: string[] | null = null;
    let buffer = "";
    socket.write("220 sink ESMTP\r\n");
    socket.on("data", (chunk) => {
      buffer += chunk.toString();
      let end;
      while ((end = buffer.indexOf("\r\n")) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (data) {
          if (line === ".") {
            this.mails.push(data.join("\n"));
            data = null;
            socket.write("250 queued\r\n");
          } else {
            data.push(line);
          }
        } else if (/^DATA/i.test(line)) {
          data = [];
          socket.write("354 go ahead\r\n");
        } else if (/^QUIT/i.test(line)) {
          socket.end("221 bye\r\n");
        } else {
          socket.write("250 ok\r\n");
        }
      }
    });
  });

  async start() {
    const port = Number(process.env.RF_E2E_SMTP_PORT);
    if (!port) throw new Error("RF_E2E_SMTP_PORT is not set (run through scripts/e2e.sh)");
    await new Promise<void>((resolve) => this.server.listen(port, "127.0.0.1", resolve));
  }

  async stop() {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The reset link of the latest mail to `to`, quoted-printable undone. */
  async linkFor(to: string): Promise<string> {
    let link = "";
    await expect.poll(() => {
      const mail = [...this.mails].reverse().find((m) => m.includes(`To: ${to}`));
      const text = (mail ?? "").replace(/=\n/g, "").replace(/=3D/g, "=");
      link = text.match(/https?:\/\/\S+\/reset-password\?token=[0-9a-f]+/)?.[0] ?? "";
      return link;
    }, { timeout: 10_000 }).not.toBe("");
    return link;
  }
}

const sink = new SmtpSink();
test.beforeAll(async () => sink.start());
test.afterAll(async () => sink.stop());

test("forgot password: the mailed link sets a new password once, and the old one stops working", async ({ page, browser }) => {
  // Nina is signed in somewhere else; the reset signs that device out.
  const elsewhere = await (await browser.newContext()).newPage();
  await signIn(elsewhere, "nina@globex.test");

  await page.goto("/login");
  await hydrated(page);
  await page.getByRole("link", { name: "Forgot password?" }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
  await page.getByLabel("E-mail").fill("nina@globex.test");
  await page.getByRole("button", { name: "Send the link" }).click();
  await expect(page.getByTestId("reset-sent")).toContainText("If an account uses that e-mail");

  const link = await sink.linkFor("nina@globex.test");
  await page.goto(link);
  await hydrated(page);
  await page.getByLabel("New password", { exact: true }).fill("short");
  await page.getByLabel("Type it again").fill("short");
  await page.getByRole("button", { name: "Set the password" }).click();
  await expect(page.getByText("Use at least 12 characters.")).toBeVisible();
  await page.getByLabel("New password", { exact: true }).fill("correct horse battery");
  await page.getByLabel("Type it again").fill("correct horse battery");
  await screenshot(page, "reset-password");
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
  await page.getByLabel("E-mail").fill("nina@globex.test");
  await page.locator("#password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("greeting")).toHaveText("Welcome back, Nina");
});
