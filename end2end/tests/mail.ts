import fs from "node:fs";
import path from "node:path";
import { expect } from "@playwright/test";

/** The mails the stand-in SMTP server has received so far (end2end/stand-ins.mjs), oldest first. */
function mails(): string[] {
  const dir = process.env.RF_E2E_MAIL_DIR;
  if (!dir) throw new Error("RF_E2E_MAIL_DIR is not set (run through scripts/e2e.sh)");
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".eml"))
    .sort()
    .map((f) => fs.readFileSync(path.join(dir, f), "utf8"));
}

/** The `/{path}?token=…` link of the latest mail to `to`, quoted-printable undone. */
export async function linkFor(to: string, path: string): Promise<string> {
  let link = "";
  await expect
    .poll(() => {
      const mail = mails().reverse().find((m) => m.includes(`To: ${to}`));
      const text = (mail ?? "").replace(/=\n/g, "").replace(/=3D/g, "=");
      link = text.match(new RegExp(`https?://\\S+/${path}\\?token=[0-9a-f]+`))?.[0] ?? "";
      return link;
    }, { timeout: 10_000 })
    .not.toBe("");
  return link;
}
