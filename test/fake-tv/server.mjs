// PLACEHOLDER (replaced by the feed work): minimal server so the test harness boots.
import { createRequire } from "node:module";
import http from "node:http";
const require = createRequire(import.meta.url);
const { WebSocketServer } = require("ws");

export async function startFakeTradingView({ port = 0 } = {}) {
  const server = http.createServer((req, res) => { res.writeHead(404); res.end(); });
  const wss = new WebSocketServer({ server });
  wss.on("connection", (ws) => ws.send("~m~4~m~{}"));
  await new Promise((r) => server.listen(port, "127.0.0.1", r));
  return { port: server.address().port, close: () => new Promise((r) => { wss.close(); server.close(() => r()); }) };
}
