// The outside systems the end-to-end server talks to, in one process beside it, shared by every
// Playwright worker (scripts/e2e.sh starts it):
//
//   SMTP on 127.0.0.1:SMTP_PORT   takes every mail and writes it to MAIL_DIR, one file each
//                                 (`<n>.eml`, the message as received); tests find theirs by
//                                 recipient, whose address is their own (a world per test).
//   HTTP on 127.0.0.1:MODEL_PORT  plays the Anthropic Messages API. A request is refused at
//                                 once (503: the server falls back to its built-in assessor),
//                                 unless a test has asked to hold the requests that contain a
//                                 text of its own; those wait until it answers them, so that the
//                                 pick-up screen's "still generating" state and its live
//                                 replacement can both be seen:
//                                   POST /hold?about=TEXT    hold the requests that contain TEXT
//                                   GET  /held?about=TEXT    {"held": N}
//                                   POST /answer?about=TEXT  body: the assessment to answer with
//
// Prints one line, `{"ready":true}`, once both listen.
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";

const mailDir = process.env.MAIL_DIR;
if (!mailDir) throw new Error("MAIL_DIR is not set");
fs.mkdirSync(mailDir, { recursive: true });
let mailCount = 0;

const smtp = net.createServer((socket) => {
  let data = null;
  let buffer = "";
  socket.write("220 stand-in ESMTP\r\n");
  socket.on("error", () => {});
  socket.on("data", (chunk) => {
    buffer += chunk.toString();
    let end;
    while ((end = buffer.indexOf("\r\n")) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (data) {
        if (line === ".") {
          mailCount += 1;
          const file = path.join(mailDir, `${String(mailCount).padStart(6, "0")}.eml`);
          fs.writeFileSync(`${file}.part`, data.join("\n"));
          fs.renameSync(`${file}.part`, file);
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

/** Texts whose requests are held, and the requests held: { body, res }. */
const holds = new Set();
const held = [];
const about = (url) => new URL(url, "http://stand-in").searchParams.get("about") ?? "";
const model = http.createServer((req, res) => {
  let body = "";
  req.on("data", (chunk) => (body += chunk));
  req.on("end", () => {
    if (req.method === "POST" && req.url.startsWith("/hold?")) {
      holds.add(about(req.url));
      res.writeHead(204);
      res.end();
    } else if (req.method === "GET" && req.url.startsWith("/held")) {
      const text = about(req.url);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ held: held.filter((h) => h.body.includes(text)).length }));
    } else if (req.method === "POST" && req.url.startsWith("/answer")) {
      const text = about(req.url);
      const answered = held.filter((h) => h.body.includes(text));
      holds.delete(text);
      for (const h of answered) {
        held.splice(held.indexOf(h), 1);
        h.res.writeHead(200, { "content-type": "application/json" });
        h.res.end(JSON.stringify({
          id: "msg_e2e",
          type: "message",
          role: "assistant",
          content: [{ type: "text", text: body }],
        }));
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ answered: answered.length }));
    } else if (![...holds].some((text) => body.includes(text))) {
      res.writeHead(503, { "content-type": "application/json" });
      res.end(JSON.stringify({ type: "error", error: { type: "overloaded_error", message: "stand-in" } }));
    } else {
      const entry = { body, res };
      held.push(entry);
      // The server gives up on its own (its assessment budget); forget what it dropped.
      res.on("close", () => held.includes(entry) && held.splice(held.indexOf(entry), 1));
    }
  });
});

const listen = (server, port) => new Promise((resolve) => server.listen(Number(port), "127.0.0.1", resolve));
await listen(smtp, process.env.SMTP_PORT);
await listen(model, process.env.MODEL_PORT);
console.log(JSON.stringify({ ready: true }));
