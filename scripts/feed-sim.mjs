#!/usr/bin/env node
// Local market simulator: runs the fake TradingView quote server (test/fake-tv/server.mjs) and feeds it prices,
// so `npm run dev` can record positions with live MAE/MFE without a TradingView account.
//
//   node scripts/feed-sim.mjs                      random walk for every subscribed symbol
//   node scripts/feed-sim.mjs --replay ticks.csv   replay `symbol,price[,isoTime]` lines (then keep walking)
//   node scripts/feed-sim.mjs --delayed 900        delayed data like anonymous CME quotes: every symbol reports
//                                                  update_mode "delayed_streaming_900", lp_time 900 s behind
//
// Options: --port N (default $FEED_SIM_PORT or 8790), --host H (127.0.0.1), --rate N ticks/s per symbol (3),
//   --speed X replay time factor when lines carry times (1; 0 = as fast as --rate), --loop (replay forever),
//   --no-walk (after a replay, stay silent), --realtime (anonymous token gets "streaming" instead of delayed),
//   --delayed N (every symbol, whatever the token: update_mode "delayed_streaming_N" and lp_time N seconds behind
//   wall time; replayed lines that carry a time keep it), --delayed-symbol SYM=N (repeatable; one symbol only),
//   --valid-token T (repeatable), --noise (add float noise like 25580.000000000004), --quiet,
//   --session ID[:SIGN] (repeatable) a fake logged-in browser session: POST {"sessionid":ID,"sessionid_sign":SIGN}
//   to /api/tradingview/session and the recorder's feeds switch to "streaming" (real-time) tokens.
// Put in .dev.vars:  TV_WS_URL=http://127.0.0.1:8790/socket.io/websocket
// (the session exchange then goes to this server too: TV_HOME_URL defaults to TV_WS_URL's origin when that is not
// tradingview.com)
import { readFileSync } from "node:fs";
import { startFakeTradingView, instrumentOf } from "../test/fake-tv/server.mjs";

function parseArgs(argv) {
  const a = { port: Number(process.env.FEED_SIM_PORT ?? 8790), host: "127.0.0.1", rate: 3, speed: 1, loop: false, walk: true, realtime: false, validTokens: [], noise: false, quiet: false, replay: null, sessions: [], delayed: null, delayedSymbols: {} };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${k} needs a value`);
      return v;
    };
    switch (k) {
      case "--port": a.port = Number(next()); break;
      case "--host": a.host = next(); break;
      case "--rate": a.rate = Number(next()); break;
      case "--speed": a.speed = Number(next()); break;
      case "--replay": a.replay = next(); break;
      case "--loop": a.loop = true; break;
      case "--no-walk": a.walk = false; break;
      case "--realtime": a.realtime = true; break;
      case "--delayed": {
        const n = Number(next());
        if (!Number.isInteger(n) || n < 0) throw new Error("--delayed needs a whole number of seconds >= 0");
        a.delayed = n;
        break;
      }
      case "--delayed-symbol": {
        const v = next();
        const i = v.lastIndexOf("=");
        const n = Number(v.slice(i + 1));
        if (i <= 0 || !Number.isInteger(n) || n < 0) throw new Error("--delayed-symbol needs SYMBOL=SECONDS, e.g. CME_MINI:MNQ1!=900");
        a.delayedSymbols[v.slice(0, i)] = n;
        break;
      }
      case "--valid-token": a.validTokens.push(next()); break;
      case "--noise": a.noise = true; break;
      case "--session": {
        const v = next();
        const i = v.indexOf(":"); // the sign itself may contain ":" ("v3:...")
        const [sessionid, sign] = i < 0 ? [v, ""] : [v.slice(0, i), v.slice(i + 1)];
        a.sessions.push({ sessionid, ...(sign ? { sessionid_sign: sign } : {}) });
        break;
      }
      case "--quiet": a.quiet = true; break;
      case "-h":
      case "--help":
        console.log(readFileSync(new URL(import.meta.url), "utf8").split("\n").slice(1).filter((l, i, all) => all.slice(0, i + 1).every((x) => x.startsWith("//"))).map((l) => l.replace(/^\/\/ ?/, "")).join("\n"));
        process.exit(0);
      default:
        throw new Error(`unknown option ${k} (see --help)`);
    }
  }
  if (!(a.rate > 0)) throw new Error("--rate must be > 0");
  return a;
}

function readReplay(file) {
  const out = [];
  const lines = readFileSync(file, "utf8").split(/\r?\n/);
  for (const [i, line] of lines.entries()) {
    const t = line.trim();
    if (!t || t.startsWith("#")) continue;
    const [symbol, price, time] = t.split(",").map((x) => x.trim());
    if (i === 0 && !Number.isFinite(Number(price))) continue; // header line
    const p = Number(price);
    if (!symbol || !Number.isFinite(p)) {
      console.warn(`feed-sim: skipping line ${i + 1}: ${t}`);
      continue;
    }
    const ms = time ? Date.parse(time) : NaN;
    out.push({ symbol, price: p, time: Number.isFinite(ms) ? ms : null });
  }
  return out;
}

const args = parseArgs(process.argv.slice(2));
const server = await startFakeTradingView({
  port: args.port,
  host: args.host,
  validTokens: args.validTokens,
  heartbeatMs: 10_000,
  // A symbol starts at a realistic price (tests leave this off so only the prices they set exist).
  inventPrices: [""],
  sessions: args.sessions,
});
if (args.realtime) server.config({ validTokens: ["unauthorized_user_token"] });
if (args.delayed !== null) server.config({ globalDelaySeconds: args.delayed });
if (Object.keys(args.delayedSymbols).length) server.config({ delaySeconds: args.delayedSymbols });

const url = `http://${args.host}:${server.port}/socket.io/websocket`;
console.log(`feed-sim: fake TradingView quote server on ${url}`);
if (args.delayed !== null) console.log(`feed-sim: delayed data: update_mode delayed_streaming_${args.delayed}, lp_time ${args.delayed} s behind`);
for (const [s, n] of Object.entries(args.delayedSymbols)) console.log(`feed-sim: ${s} delayed: update_mode delayed_streaming_${n}, lp_time ${n} s behind`);
console.log(`feed-sim: control/state at http://${args.host}:${server.port}/ (HTML) and /control/state (JSON)`);
console.log("feed-sim: put this line in .dev.vars, then restart `npm run dev`:");
console.log(`\nTV_WS_URL=${url}\n`);

const log = (...m) => !args.quiet && console.log(new Date().toISOString().slice(11, 23), ...m);

// ---- random walk: per symbol, on its tick, drifting gently, with the occasional burst ----
const walkers = new Map();
function walker(symbol) {
  let w = walkers.get(symbol);
  if (!w) {
    const inst = instrumentOf(symbol);
    const start = server.lastPrice(symbol) ?? inst.price;
    w = { tick: inst.tick, ticks: Math.round(start / inst.tick), drift: 0 };
    walkers.set(symbol, w);
  }
  return w;
}
function step(symbol) {
  const w = walker(symbol);
  w.drift = Math.max(-0.3, Math.min(0.3, w.drift + (Math.random() - 0.5) * 0.05));
  const burst = Math.random() < 0.03 ? 6 : 1;
  const moves = Math.round((Math.random() - 0.5 + w.drift) * 4 * burst);
  if (moves === 0) return null; // TradingView only sends lp when it changed
  w.ticks = Math.max(1, w.ticks + moves);
  let price = Number((w.ticks * w.tick).toFixed(10));
  if (args.noise && Math.random() < 0.3) price += (Math.random() < 0.5 ? 1 : -1) * 4e-12;
  return price;
}

let walking = args.walk;
const known = new Set();
setInterval(() => {
  const subs = server.subscribedSymbols();
  for (const s of subs) if (!known.has(s)) (known.add(s), log(`subscribed: ${s} (starts at ${server.lastPrice(s) ?? instrumentOf(s).price})`));
  for (const s of [...known]) if (!subs.includes(s)) (known.delete(s), log(`unsubscribed: ${s}`));
  if (!walking) return;
  for (const s of subs) {
    if (Math.random() > 0.85) continue; // irregular spacing
    const price = step(s);
    if (price === null) continue;
    server.tick({ symbol: s, price });
    log(`${s} ${price}`);
  }
}, Math.round(1000 / args.rate));

// ---- replay ----
if (args.replay) {
  const rows = readReplay(args.replay);
  log(`replaying ${rows.length} ticks from ${args.replay}${args.loop ? " (loop)" : ""}`);
  walking = false;
  const play = async () => {
    do {
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i];
        const prev = rows[i - 1];
        let wait = 1000 / args.rate;
        if (args.speed > 0 && prev && r.time !== null && prev.time !== null) wait = Math.max(0, (r.time - prev.time) / args.speed);
        await new Promise((res) => setTimeout(res, wait));
        const n = server.tick({ symbol: r.symbol, price: r.price, ...(r.time !== null ? { time: r.time } : {}) });
        walker(r.symbol).ticks = Math.round(r.price / walker(r.symbol).tick);
        log(`${r.symbol} ${r.price}${n ? "" : " (no subscriber)"}`);
      }
    } while (args.loop);
    log("replay finished" + (args.walk ? "; random walk continues" : ""));
    walking = args.walk;
  };
  play();
}

const shutdown = async () => {
  console.log("\nfeed-sim: stopping");
  await server.close();
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
