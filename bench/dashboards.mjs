// Open dashboards vs the Durable Objects (issue 13 item 5): `BENCH_PHASES=dashboards npm run bench`, a phase of
// bench/run.mjs.
//
// The positions screen used to poll: GET /api/positions every 1 s (the directory object, then openPositions() on
// every symbol object with an open position) and GET /status every 2 s (the directory, then status() on every
// symbol object). Every open tab added that much work to the objects. Now it is pushed: one WebSocket per tab to
// GET /api/live (the LiveHub object), which the symbol objects tell about each change once, however many tabs
// listen. The goal: object requests per second independent of the number of open dashboards.
//
// Here: the real Worker and objects (bench/app-worker.ts, every request into a Durable Object counted per class —
// SYMBOLS, DIRECTORY, GATES, LIVE — RPC calls and fetches alike, by whoever makes it: the Worker or an object)
// under `wrangler dev --local`, a throwaway --persist-to with D1 migrated, loopback only; the fake TradingView quote
// server (test/fake-tv) as the feed, ticking every symbol TICK_MS apart with a random walk; SYMBOLS symbols with
// RECORDERS_PER_SYMBOL open positions each. Then, for each scenario, the object requests per second over a fixed
// window (WINDOW_S; BENCH_QUICK: shorter), counted inside the Worker:
//   - none: no dashboard (what the feed alone costs: the symbol objects telling the hub);
//   - polling x 1 / x 10: Node clients doing what the old page did (positions every 1 s after the previous answer,
//     /status every 2 s);
//   - push x 1 / x 10: Node `ws` clients on /api/live with the page's subprotocols, counting the messages received.
// Each scenario's clients connect (and receive their snapshot) before the window opens and are gone before the next
// scenario's window. The check: push object requests/s at 10 dashboards ÷ at 1 within PUSH_TOLERANCE of 1.
import { createRequire } from "node:module";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startAppServer } from "./app-server.mjs";

const require = createRequire(import.meta.url);
const WebSocket = require("ws");

const CLASSES = ["SYMBOLS", "DIRECTORY", "GATES", "LIVE"];
/** The symbols with open positions: ticker (for the webhook), starting price, tick size. Their feed symbols come
 * from the openings' replies (the instrument table's exchange). */
const SYMBOLS = [
  ["MNQ1!", 25600, 0.25],
  ["MES1!", 6850, 0.25],
  ["M2K1!", 2450, 0.1],
  ["MYM1!", 47500, 1],
  ["MGC1!", 4050, 0.1],
];
const RECORDERS_PER_SYMBOL = 2;
/** Each symbol ticks this often (a futures feed ticks many times a second in its session). */
const TICK_MS = 200;
/** The push check: object requests/s at 10 dashboards ÷ at 1 must be within this of 1. */
export const PUSH_TOLERANCE = 0.2;
const PROTOCOL = "recorder-live";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** `auth.` + base64url(token) without padding: the page's subprotocol (dashboard/src/live.ts). */
const authProtocol = (token) => `auth.${Buffer.from(token, "utf8").toString("base64url")}`;

/** Object requests by class, D1 round trips, from the Worker's tally (bench/app-worker.ts: "<caller> rpc NS.method"
 * and "<caller> fetch NS"). */
function objectRequests(stats) {
  const by = Object.fromEntries(CLASSES.map((c) => [c, 0]));
  const methods = {};
  let d1 = 0;
  for (const t of stats.tallies) {
    const m = /^(\w+) (rpc|fetch) (\w+)(?:\.(\w+))?$/.exec(t.key);
    if (m && m[3] in by) {
      by[m[3]] += t.n;
      const k = `${m[1]} ${m[2]} ${m[3]}${m[4] ? `.${m[4]}` : ""}`;
      methods[k] = (methods[k] ?? 0) + t.n;
    } else if (/ d1 /.test(t.key)) d1 += t.n;
  }
  return { by, total: CLASSES.reduce((a, c) => a + by[c], 0), d1, methods };
}

/** n clients polling as the old positions screen did; stop() ends them and waits for their last requests. */
function startPolling(base, admin, n) {
  let running = true;
  const counts = { positions: 0, status: 0, errors: 0 };
  const headers = { Authorization: `Bearer ${admin}` };
  const get = async (p, key) => {
    try {
      const r = await fetch(`${base}${p}`, { headers });
      await r.arrayBuffer();
      if (r.ok) counts[key]++;
      else counts.errors++;
    } catch {
      counts.errors++;
    }
  };
  const loop = async (p, key, everyMs, offset) => {
    await sleep(offset);
    while (running) {
      await get(p, key);
      if (running) await sleep(everyMs); // the page waited for the answer, then POLL_MS
    }
  };
  // spread over the second, as tabs opened at different times would be
  const loops = Array.from({ length: n }, (_, i) => [
    loop("/api/positions?status=open", "positions", 1000, (1000 * i) / n),
    loop("/status", "status", 2000, (2000 * i) / n),
  ]).flat();
  return {
    counts,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** n WebSocket clients on /api/live; resolves once every one has its snapshot. */
async function startPush(base, admin, n) {
  const url = `${base.replace(/^http/, "ws")}/api/live`;
  const counts = { messages: 0, snapshots: 0, symbolMessages: 0, errors: 0, closed: 0 };
  const sockets = [];
  await Promise.all(
    Array.from({ length: n }, () =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(url, [PROTOCOL, authProtocol(admin)]);
        sockets.push(ws);
        const timeout = setTimeout(() => reject(new Error("dashboards: no snapshot within 10 s")), 10_000);
        let ping = null;
        ws.on("open", () => {
          if (ws.protocol !== PROTOCOL) reject(new Error(`dashboards: the server answered subprotocol "${ws.protocol}"`));
          ping = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send("ping"), 30_000);
        });
        ws.on("message", (data, isBinary) => {
          const text = isBinary ? "" : data.toString();
          if (text === "pong") return;
          counts.messages++;
          let m = null;
          try {
            m = JSON.parse(text);
          } catch {
            counts.errors++;
          }
          if (m?.type === "snapshot") {
            counts.snapshots++;
            clearTimeout(timeout);
            resolve();
          } else if (m?.type === "symbol") counts.symbolMessages++;
        });
        ws.on("unexpected-response", (_req, res) => reject(new Error(`dashboards: /api/live answered ${res.statusCode}`)));
        ws.on("error", (e) => {
          counts.errors++;
          reject(e);
        });
        ws.on("close", () => {
          clearInterval(ping);
          counts.closed++;
        });
      }),
    ),
  );
  return {
    counts,
    async stop() {
      await Promise.all(
        sockets.map((ws) => new Promise((r) => {
          if (ws.readyState === WebSocket.CLOSED) return r();
          ws.once("close", r);
          ws.close(1000, "bye");
          setTimeout(() => {
            ws.terminate();
            r();
          }, 2000);
        })),
      );
    },
  };
}

export async function dashboardsBench({ ROOT, tmp, QUICK, startWrangler, log }) {
  // 20 s: a pushed row's window holds one of the hub's lease renewals (every 20 s from the first connect); quick: none
  const WINDOW_S = QUICK ? 5 : 20;
  const SETTLE_MS = QUICK ? 1500 : 3000; // after the clients start, before the window opens
  const { startFakeTradingView } = await import("../test/fake-tv/server.mjs");
  const fakeTv = await startFakeTradingView({ port: 0 });
  const tvUrl = fakeTv.url ?? `http://127.0.0.1:${fakeTv.port}/socket.io/websocket`;
  const { w, admin, api, stats, reset } = await startAppServer({
    ROOT, tmp, name: "dashboards", startWrangler, vars: { TV_WS_URL: tvUrl }, extraArgs: ["--var", `TV_WS_URL:${tvUrl}`],
  });

  let ticker = null;
  const out = { symbols: SYMBOLS.length, positions: SYMBOLS.length * RECORDERS_PER_SYMBOL, tickMs: TICK_MS, windowSeconds: WINDOW_S, tolerance: PUSH_TOLERANCE, rows: [] };
  try {
    // --- setup: recorders and open positions ------------------------------------------------------------
    const feedOf = {};
    for (const [ticker, price] of SYMBOLS) {
      for (let k = 0; k < RECORDERS_PER_SYMBOL; k++) {
        // "immediate": the anonymous fake feed reports delayed data, and these signals must apply at once
        const { recorder } = await api("/api/recorders", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ name: `dash ${ticker} ${k}`, symbol: ticker, delayedFeed: "immediate" }),
        });
        const r = await fetch(`${w.base}${recorder.webhookPath}`, { method: "POST", body: JSON.stringify({ ticker, action: k % 2 ? "sell" : "buy", price: String(price) }) });
        const j = await r.json().catch(() => null);
        if (r.status !== 200 || j?.result !== "opened") throw new Error(`dashboards: opening on ${ticker} -> ${r.status} ${j?.result ?? j?.error?.code ?? "?"}`);
        feedOf[ticker] = j.position.feedSymbol;
      }
    }
    const open = (await api("/api/positions?status=open")).positions.length;
    if (open !== out.positions) throw new Error(`dashboards: ${open} open positions, ${out.positions} wanted`);
    const feeds = Object.values(feedOf);
    for (const end = Date.now() + 30_000; !feeds.every((f) => fakeTv.subscribedSymbols().includes(f)); ) {
      if (Date.now() > end) throw new Error(`dashboards: the feeds did not subscribe: ${JSON.stringify(fakeTv.subscribedSymbols())}`);
      await sleep(200);
    }
    log(`dashboards: ${out.positions} open positions on ${SYMBOLS.length} symbols, feeds subscribed on the fake TradingView server`);

    // --- the feed: every symbol ticks TICK_MS apart, a random walk of 0-2 ticks (never near a level: none set) ---
    const prices = Object.fromEntries(SYMBOLS.map(([t, p]) => [t, p]));
    let ticks = 0;
    ticker = setInterval(() => {
      for (const [t, p0, tick] of SYMBOLS) {
        const step = tick * (Math.floor(Math.random() * 5) - 2);
        prices[t] = Math.min(p0 * 1.01, Math.max(p0 * 0.99, Math.round((prices[t] + step) / tick) * tick));
        fakeTv.tick({ symbol: feedOf[t], price: Number(prices[t].toFixed(4)) });
        ticks++;
      }
    }, TICK_MS);
    await sleep(2000); // warm-up: the ticks reach the objects

    const scenario = async (mode, n) => {
      await reset();
      const clients = mode === "polling" ? startPolling(w.base, admin, n) : mode === "push" ? await startPush(w.base, admin, n) : null;
      // what connecting cost the objects (the snapshots: the hub asks the directory and each active symbol), once
      const connect = mode === "push" ? objectRequests(await stats()) : null;
      await sleep(SETTLE_MS);
      const m0 = clients?.counts.messages ?? 0;
      const ticks0 = ticks;
      await reset();
      const t0 = performance.now();
      await sleep(WINDOW_S * 1000);
      const s = await stats();
      const seconds = (performance.now() - t0) / 1000;
      const messages = (clients?.counts.messages ?? 0) - m0;
      const ticksSent = ticks - ticks0;
      await clients?.stop();
      const req = objectRequests(s);
      const row = {
        mode,
        dashboards: n,
        seconds,
        objectRequestsPerSecond: req.total / seconds,
        byClass: Object.fromEntries(CLASSES.map((c) => [c, req.by[c] / seconds])),
        d1PerSecond: req.d1 / seconds,
        messagesPerSecondPerDashboard: mode === "push" ? messages / n / seconds : null,
        feedTicksPerSecond: ticksSent / seconds,
        methods: Object.fromEntries(Object.entries(req.methods).sort().map(([k, v]) => [k, v / seconds])),
        clientErrors: clients?.counts.errors ?? 0,
        // object requests while the clients connected (until every snapshot arrived), the symbols' publishes aside
        connectRequests: connect ? connect.total - (connect.methods["symbol rpc LIVE.publish"] ?? 0) : null,
      };
      if (mode === "polling") row.pollsPerSecond = (clients.counts.positions + clients.counts.status) / seconds; // whole run, incl. settle
      log(`dashboards: ${mode} x ${n}: ${row.objectRequestsPerSecond.toFixed(1)} object requests/s (${CLASSES.map((c) => `${c} ${row.byClass[c].toFixed(1)}`).join(", ")})` +
        `${row.messagesPerSecondPerDashboard !== null ? `, ${row.messagesPerSecondPerDashboard.toFixed(2)} messages/s per dashboard` : ""}${row.clientErrors ? `, ${row.clientErrors} client errors` : ""}`);
      out.rows.push(row);
      await sleep(1000); // the last requests and closes settle before the next window
      return row;
    };

    await scenario("none", 0);
    await scenario("polling", 1);
    await scenario("polling", 10);
    await scenario("push", 1);
    await scenario("push", 10);
  } catch (e) {
    const logFile = path.join(ROOT, "bench/.build/dashboards-wrangler.log");
    mkdirSync(path.dirname(logFile), { recursive: true });
    writeFileSync(logFile, w.output());
    log(`dashboards failed; the Worker's log: ${path.relative(ROOT, logFile)}`);
    throw e;
  } finally {
    clearInterval(ticker);
    await w.stop();
    await fakeTv.close();
  }
  return out;
}

// --- printing ---------------------------------------------------------------------------------------------

const rowOf = (d, mode, n) => d.rows.find((r) => r.mode === mode && r.dashboards === n);

export function dashboardsTables(d, { table, fmt, ratio }) {
  const lines = [];
  const f = (x) => (x === null || x === undefined ? "-" : fmt(x));
  lines.push(`\nOpen dashboards vs Durable Object requests (real Worker + objects, wrangler dev --local; ${d.positions} open positions on ${d.symbols} symbols, each ticking every ${d.tickMs} ms; ${d.windowSeconds} s window per row)`);
  lines.push(table(
    ["mode", "dashboards", "SYMBOLS/s", "DIRECTORY/s", "GATES/s", "LIVE/s", "object req/s", "D1 trips/s", "messages/s per dashboard", "object req/s vs 1 dashboard", "connect: object requests"],
    d.rows.map((r) => {
      const one = rowOf(d, r.mode, 1);
      return [
        r.mode, r.dashboards,
        f(r.byClass.SYMBOLS), f(r.byClass.DIRECTORY), f(r.byClass.GATES), f(r.byClass.LIVE),
        f(r.objectRequestsPerSecond), f(r.d1PerSecond), f(r.messagesPerSecondPerDashboard),
        one && r.dashboards !== 1 ? ratio(r.objectRequestsPerSecond, one.objectRequestsPerSecond) : "-",
        r.connectRequests ?? "-",
      ];
    }),
  ));
  lines.push(`(object requests: every RPC call and fetch into a Durable Object, by the Worker or another object, counted in bench/app-worker.ts; polling: GET /api/positions every 1 s + GET /status every 2 s per dashboard, as the old page did; push: one /api/live WebSocket per dashboard, its snapshot before the window,` +
    ` the hub's lease renewal (the directory + each active symbol, every 20 s while any socket is open) inside it${d.windowSeconds >= 20 ? "" : " only from 20 s windows (not this one)"};` +
    ` connect: the object requests until every snapshot arrived, the Worker's upgrade fetch and the hub's snapshot calls — dashboards connecting together share one snapshot)`);
  const keys = [...new Set(d.rows.flatMap((r) => Object.keys(r.methods)))].sort();
  lines.push(`\nObject requests per second by caller and method`);
  lines.push(table(["call", ...d.rows.map((r) => `${r.mode} x${r.dashboards}`)], keys.map((k) => [k, ...d.rows.map((r) => (r.methods[k] ? fmt(r.methods[k]) : "-"))])));
  return lines;
}

export function dashboardsChecks(d) {
  const ratioOf = (mode) => rowOf(d, mode, 10).objectRequestsPerSecond / rowOf(d, mode, 1).objectRequestsPerSecond;
  return {
    dashboardsPushObjectRequests10Vs1: ratioOf("push"),
    dashboardsPollingObjectRequests10Vs1: ratioOf("polling"),
    dashboardsPushObjectRequestsPerSecond10: rowOf(d, "push", 10).objectRequestsPerSecond,
    dashboardsPollingObjectRequestsPerSecond10: rowOf(d, "polling", 10).objectRequestsPerSecond,
  };
}

export function dashboardsCheckLine(d, checks) {
  const r = checks.dashboardsPushObjectRequests10Vs1;
  const ok = Math.abs(r - 1) <= d.tolerance;
  return `Dashboard checks: push object requests/s at 10 dashboards ÷ at 1 = ${r.toFixed(2)} (wanted 1 ± ${d.tolerance}: ${ok ? "ok" : "NOT MET"});` +
    ` polling: ${checks.dashboardsPollingObjectRequests10Vs1.toFixed(2)}; at 10 dashboards push ${checks.dashboardsPushObjectRequestsPerSecond10.toFixed(1)} vs polling ${checks.dashboardsPollingObjectRequestsPerSecond10.toFixed(1)} object requests/s`;
}
