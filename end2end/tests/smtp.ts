import net from "node:net";
import { expect } from "@playwright/test";

/** An SMTP server on the port the e2e server mails to (scripts/e2e.sh): keeps what it gets. */
export class SmtpSink {
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

  /** The `/{path}?token=…` link of the latest mail to `to`, quoted-printable undone. */
  async linkFor(to: string, path: string): Promise<string> {
    let link = "";
    await expect.poll(() => {
      const mail = [...this.mails].reverse().find((m) => m.includes(`To: ${to}`));
      const text = (mail ?? "").replace(/=\n/g, "").replace(/=3D/g, "=");
      link = text.match(new RegExp(`https?://\\S+/${path}\\?token=[0-9a-f]+`))?.[0] ?? "";
      return link;
    }, { timeout: 10_000 }).not.toBe("");
    return link;
  }
}
