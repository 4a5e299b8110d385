// A local HTTP receiver for notification tests (started by global-setup.ts on 127.0.0.1): it plays Discord, Slack
// or a plain webhook, records every request, and can be told to fail or hold its answers. Each test uses its own
// "box" (a path segment), so tests never see each other's requests.
//
//   POST /r/<box>[/...]   a notification: recorded; answered 204, or as configured below
//   POST /_ctl/<box>      {failTimes?, failStatus?, retryAfter?, hold?}: the next `failTimes` requests get
//                         `failStatus` (default 500, with `Retry-After: retryAfter` when given); with `hold`,
//                         requests wait unanswered until /_release
//   POST /_release/<box>  answers every held request (204)
//   GET  /_log/<box>      [{path, body, contentType, receivedAt, answeredAt, status}] in arrival order
import { createServer } from "node:http";

export async function startReceiver() {
  /** box -> {config, log, held} */
  const boxes = new Map();
  const box = (name) => {
    let b = boxes.get(name);
    if (!b) boxes.set(name, (b = { config: { failTimes: 0, failStatus: 500, retryAfter: null, hold: false }, log: [], held: [] }));
    return b;
  };
  const readBody = (req) =>
    new Promise((resolve) => {
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    });
  const json = (res, status, value) => {
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(JSON.stringify(value));
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    const [, kind, name] = url.pathname.split("/");
    const body = await readBody(req);
    if (!name) return json(res, 404, { error: "no box" });
    const b = box(name);
    if (kind === "_ctl" && req.method === "POST") {
      b.config = { ...b.config, ...JSON.parse(body || "{}") };
      return json(res, 200, b.config);
    }
    if (kind === "_release" && req.method === "POST") {
      b.config.hold = false;
      for (const release of b.held.splice(0)) release();
      return json(res, 200, { ok: true });
    }
    if (kind === "_log" && req.method === "GET") return json(res, 200, b.log);
    if (kind !== "r") return json(res, 404, { error: "unknown route" });

    const entry = { path: url.pathname, body, contentType: req.headers["content-type"] ?? null, receivedAt: Date.now(), answeredAt: null, status: null };
    b.log.push(entry);
    const answer = () => {
      let status = 204;
      const headers = {};
      if (b.config.failTimes > 0) {
        b.config.failTimes--;
        status = b.config.failStatus;
        if (b.config.retryAfter !== null) headers["Retry-After"] = String(b.config.retryAfter);
      }
      entry.status = status;
      entry.answeredAt = Date.now();
      res.writeHead(status, headers);
      res.end();
    };
    if (b.config.hold) b.held.push(answer);
    else answer();
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: server.address().port,
    close: () =>
      new Promise((resolve) => {
        for (const b of boxes.values()) for (const release of b.held.splice(0)) release();
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
