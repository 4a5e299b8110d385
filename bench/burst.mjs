// The bar-close burst (issue 13): `BENCH_PHASES=burst npm run bench`, a phase of bench/run.mjs.
//
// TradingView fires every strategy on a symbol at the same bar close. Here: the real Worker and Durable Objects
// (bench/app-worker.ts: the production classes with their D1 and RPC bindings observed) under `wrangler dev --local`,
// a throwaway --persist-to with D1 migrated, loopback only.
//   setup (untimed for the goals; its webhooks are measured as the 20-client rows):
//     two sets of 1 000 recorders via the admin API, "burst i" for burst 1 and "burst20 i" for burst 2 (each with a
//     daily loss limit it never reaches, so every signal makes every D1 read a webhook can make: the token lookup,
//     the followers AND the day's P&L), and 40 warm-up recorders that open and close once (the isolate's one-time
//     costs, as the webhook phase warms up); then one opening per recorder of set 1 on MNQ1! (a buy with its
//     price) from 20 clients — every recorder's first signal, the cold path — beside as many GET /health from the
//     same 20 clients;
//   burst 1: GET /health x 1 000 from 50 clients (the bare route), then one close per recorder (with its price, no
//     feed needed) from the same 50 clients, as fast as they go (each client sends its next request as soon as its
//     previous one is answered): latency per request, drain time (first send to last answer), answered within 3 s
//     (of its own send, TradingView's timeout; and of the burst's start), statuses, D1 round trips and statements
//     per signal (counted inside the Worker and the objects), RPC hops, CPU seconds of each process;
//   then set 2 opens on 20 symbols (50 recorders each) from 20 clients, and burst 2 closes them all from 50
//     clients, beside another GET /health x 1 000 from 50 clients.
// The two bursts use separate recorders because a trader's recorder trades one symbol: its rate window is leased
// to that symbol's object (src/durable/rate-lease.ts), and a recorder that moved from MNQ1! to another symbol would
// make its gate object reclaim the lease and count centrally (one gate call per signal) until the new symbol asks
// twice: re-using set 1 would measure recorders switching symbols, not 20 symbols x 50 recorders.
// After each burst, through the admin API: every recorder of the bursts so far has exactly one trade, on its own
// symbol (set 1 still exactly one after burst 2; set 2 none before it), no open position, no duplicate and no
// rejected signal in the log — none lost, none doubled.
// Secrets (admin token, webhook tokens) are never printed: errors show statuses and the error code only.
import { mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startAppServer } from "./app-server.mjs";

/** The 20 feed symbols of the 20-symbol burst: every root of the instrument table (1!), and the 2! of four. */
const ROOT_PRICES = {
  NQ: 25600, MNQ: 25600, ES: 6800, MES: 6800, YM: 47000, MYM: 47000, RTY: 2450, M2K: 2450,
  CL: 60, MCL: 60, GC: 4200, MGC: 4200, SI: 50, "6E": 1.16, ZB: 115, ZN: 112,
};
const TWENTY = [...Object.keys(ROOT_PRICES).map((r) => `${r}1!`), "NQ2!", "MNQ2!", "ES2!", "MES2!"];
const rootOf = (ticker) => ticker.replace(/[12]!$/, "");

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** BENCH_BURST_PROFILE=1: a V8 CPU profile of the Worker's isolate (Worker + objects) over each burst, through
 * wrangler's inspector port; written to bench/.build/*.cpuprofile, its top functions by self time logged. */
const PROFILE = !!process.env.BENCH_BURST_PROFILE;
/** BENCH_BURST_DAILY_LIMIT=0: recorders without a daily loss limit (the lookup's day-P&L statement reads no rows). */
// BENCH_CHUNKS=1: each timed run also logs its slowest answer per tenth of its requests (in send order): a one-off
// stall shows as one high tenth, a cold start as high first tenths.
const DAILY_LIMIT = process.env.BENCH_BURST_DAILY_LIMIT !== "0";

/** The Worker's bundle (served as is: bench/wrangler.burst.toml has no_bundle), whose esbuild "// src/…" comments
 * name the module of every line. */
function workerBundle() {
  try {
    return readFileSync(path.join(path.dirname(new URL(import.meta.url).pathname), ".build/burst/app-worker.mjs"), "utf8");
  } catch {
    return "";
  }
}

/** line (0-based) -> the module it belongs to, from esbuild's "// path" comments. */
function bundleModules(text) {
  const starts = [];
  text.split("\n").forEach((l, i) => {
    const m = /^\/\/ ((?:\.\.\/)*(?:src|bench|node_modules)\/\S+)$/.exec(l);
    if (m) starts.push([i, m[1].replace(/^(\.\.\/)+/, "")]);
  });
  return (line) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid][0] <= line) {
        found = starts[mid][1];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}

export async function startProfiler(port) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
  const target = targets.find((t) => t.webSocketDebuggerUrl);
  if (!target) return null;
  const ws = new WebSocket(target.webSocketDebuggerUrl, { headers: { Origin: "http://127.0.0.1" } });
  await new Promise((res, rej) => {
    ws.onopen = res;
    ws.onerror = rej;
  });
  let id = 0;
  const waiting = new Map();
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.id && waiting.has(msg.id)) {
      waiting.get(msg.id)(msg);
      waiting.delete(msg.id);
    }
  };
  const send = (method, params = {}) => new Promise((res) => {
    const i = ++id;
    waiting.set(i, res);
    ws.send(JSON.stringify({ id: i, method, params }));
  });
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: 200 });
  await send("Profiler.start");
  return {
    async stop(file, log) {
      const bundle = workerBundle();
      const r = await send("Profiler.stop");
      ws.close();
      const prof = r.result?.profile;
      if (!prof) return null;
      writeFileSync(file, JSON.stringify(prof));
      // Self time per function (by sample count), and per source module: wrangler's bundle (read from its dev
      // directory while it runs) keeps esbuild's "// src/…" comment at the start of every module.
      const moduleAt = bundleModules(bundle);
      const dt = (prof.endTime - prof.startTime) / 1000 / prof.samples.length; // ms per sample
      const byId = new Map(prof.nodes.map((n) => [n.id, n]));
      const self = new Map();
      const files = new Map();
      for (const s of prof.samples) {
        const n = byId.get(s);
        const cf = n.callFrame;
        const mod = /app-worker\.m?js$/.test(cf.url) ? moduleAt(cf.lineNumber) : null;
        const file = mod ?? (cf.url || `(${cf.functionName || "native"})`);
        const key = `${cf.functionName || "(anonymous)"} ${file}`;
        self.set(key, (self.get(key) ?? 0) + dt);
        const fk = file.replace(/^(node_modules\/(?:@[^/]+\/)?[^/]+).*/, "$1");
        files.set(fk, (files.get(fk) ?? 0) + dt);
      }
      const top = (m, k) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, k).map(([name, ms]) => ({ name, ms: Math.round(ms) }));
      const totalMs = (prof.endTime - prof.startTime) / 1000;
      const out = { file: path.basename(file), totalMs: Math.round(totalMs), topFunctions: top(self, 30), topFiles: top(files, 25) };
      log(`profile ${out.file}: ${out.totalMs} ms; by file: ${out.topFiles.map((f) => `${f.name} ${f.ms}`).join(", ")}`);
      return out;
    },
  };
}

/** CPU seconds (user + system) of every process in the wrangler child's process group, by command name. */
function groupCpu(pgid) {
  const tck = 100; // USER_HZ on Linux
  const out = {};
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${d}/stat`, "utf8");
    } catch {
      continue;
    }
    const close = stat.lastIndexOf(")");
    const comm = stat.slice(stat.indexOf("(") + 1, close);
    const f = stat.slice(close + 2).split(" ");
    if (Number(f[2]) !== pgid) continue; // pgrp
    const name = /workerd/.test(comm) ? `workerd ${d}` : /node|wrangler|npm|npx|esbuild|MainThread/.test(comm) ? "wrangler (node)" : comm;
    out[name] = (out[name] ?? 0) + (Number(f[11]) + Number(f[12])) / tck;
  }
  return out;
}

/** CPU seconds since `before`. wrangler dev runs two workerd processes: the Worker's (the Worker, its objects and
 * the local D1) and the dev proxy's (the proxy Worker in front of it, the inspector proxy). The bench tells them
 * apart by the port the Worker's runtime listens on: the proxy's is the one the bench sends to. */
function cpuSince(pgid, before, proxyPid) {
  const now = groupCpu(pgid);
  const d = {};
  for (const k of new Set([...Object.keys(now), ...Object.keys(before)])) {
    // A process that exited (or started) in between counts only its own part: never negative.
    const x = Math.max(0, (now[k] ?? 0) - (before[k] ?? 0));
    const name = k.startsWith("workerd ") ? (k === `workerd ${proxyPid}` ? "workerd (dev proxy)" : "workerd (Worker, objects, D1)") : k;
    d[name] = (d[name] ?? 0) + x;
  }
  return d;
}

/** The pid of the process (in the group) that listens on 127.0.0.1:`port`: the dev proxy's workerd. */
function listenerPid(pgid, port) {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  const inodes = new Set();
  for (const f of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    try {
      for (const line of readFileSync(f, "utf8").split("\n").slice(1)) {
        const c = line.trim().split(/\s+/);
        if (c[1]?.endsWith(`:${hex}`) && c[3] === "0A") inodes.add(c[9]);
      }
    } catch {}
  }
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]) !== pgid) continue;
      for (const fd of readdirSync(`/proc/${d}/fd`)) {
        try {
          const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${d}/fd/${fd}`));
          if (m && inodes.has(m[1])) return Number(d);
        } catch {}
      }
    } catch {}
  }
  return null;
}

/** `total` requests from `clients` concurrent clients, each sending its next one as soon as its previous is answered. */
async function fire(label, total, make, clients, log) {
  const lat = new Array(total);
  const doneAt = new Array(total);
  const statuses = {};
  const bodies = new Array(total);
  let next = 0;
  let errors = 0;
  let firstError = null;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < total) {
        const i = next++;
        const { url, init, ok } = make(i);
        const s = performance.now();
        let status = "fetch error";
        try {
          const r = await fetch(url, init);
          const text = await r.text();
          status = r.status;
          let body = null;
          try {
            body = JSON.parse(text);
          } catch {}
          bodies[i] = body;
          if (!ok(r, body)) {
            errors++;
            // The error's code only: a message may name a path (never a token, but keep it short and safe).
            firstError ??= `${r.status} ${body?.error?.code ?? body?.result ?? "?"}`;
          }
        } catch (e) {
          errors++;
          firstError ??= String(e?.cause?.code ?? e?.name ?? "error");
        }
        const end = performance.now();
        lat[i] = end - s;
        doneAt[i] = end - t0;
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  const drainMs = performance.now() - t0;
  const sorted = [...lat].sort((a, b) => a - b);
  const pct = (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  const res = {
    label,
    clients,
    requests: total,
    errors,
    statuses,
    drainMs,
    rps: (total * 1000) / drainMs,
    p50: pct(50),
    p99: pct(99),
    max: sorted.at(-1),
    within3s: lat.filter((x) => x <= 3000).length,
    within3sOfStart: doneAt.filter((x) => x <= 3000).length,
    firstError,
  };
  if (process.env.BENCH_CHUNKS) { const k = Math.ceil(total / 10); log(`${label} max latency by tenth of start order: ${Array.from({ length: 10 }, (_, j) => Math.max(...lat.slice(j * k, (j + 1) * k)).toFixed(0)).join(" ")}`); }
  log(`${label}: ${total} req from ${clients} clients in ${(drainMs / 1000).toFixed(2)} s (${res.rps.toFixed(0)} req/s), p50 ${res.p50.toFixed(0)} ms, p99 ${res.p99.toFixed(0)} ms, max ${res.max.toFixed(0)} ms${errors ? `, ${errors} errors: ${firstError}` : ""}`);
  return { res, bodies };
}

/** D1 and RPC figures per signal from the bench Worker's tally (bench/app-worker.ts). */
function perSignal(stats, signals) {
  const by = (pred) => stats.tallies.filter((t) => pred(t.key));
  const sum = (ts, k) => ts.reduce((a, t) => a + t[k], 0);
  const d1 = by((k) => / d1 /.test(k));
  const callers = ["worker", "symbol", "gate"];
  const d1By = Object.fromEntries(callers.map((c) => {
    const ts = d1.filter((t) => t.key.startsWith(`${c} `));
    return [c, { roundTrips: sum(ts, "n") / signals, statements: sum(ts, "statements") / signals, msPerSignal: sum(ts, "ms") / signals }];
  }));
  const detail = stats.tallies.map((t) => ({ key: t.key, perSignal: t.n / signals, msAvg: t.n ? t.ms / t.n : 0, statementsPerSignal: t.statements / signals }));
  return {
    d1RoundTripsPerSignal: sum(d1, "n") / signals,
    d1StatementsPerSignal: sum(d1, "statements") / signals,
    d1By,
    batchSizes: stats.batchSizes,
    inflightMax: stats.inflightMax,
    detail,
  };
}

export async function burstBench({ ROOT, tmp, QUICK, startWrangler, log }) {
  const N = QUICK ? 200 : 1000; // recorders, and signals per burst
  const SYMBOLS = QUICK ? 5 : 20;
  const CLIENTS = 50;
  const SETUP_CLIENTS = 20;
  const WARM = QUICK ? 10 : 40; // recorders that warm the isolate up before anything is measured
  const { w, api, stats, reset } = await startAppServer({ ROOT, tmp, name: "burst", startWrangler });
  const proxyPid = listenerPid(w.pid, Number(new URL(w.base).port));
  const out = { recorders: N, symbols: SYMBOLS, clients: CLIENTS, setupClients: SETUP_CLIENTS, warmUp: WARM, dailyLossLimit: DAILY_LIMIT };
  try {
    // --- setup: recorders --------------------------------------------------------------------------------
    /** N recorders named `${prefix} i`, from 50 clients: [{ id, path }]. */
    const createRecorders = async (prefix, n = N) => {
      const recorders = new Array(n);
      let next = 0;
      await Promise.all(Array.from({ length: CLIENTS }, async () => {
        while (next < n) {
          const i = next++;
          const j = await api("/api/recorders", {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ name: `${prefix} ${i}`, symbol: "MNQ", ...(DAILY_LIMIT ? { dailyLossLimit: 1_000_000 } : {}) }),
          });
          recorders[i] = { id: j.recorder.id, path: j.recorder.webhookPath };
        }
      }));
      return recorders;
    };
    const t0 = performance.now();
    // Set 1 trades MNQ1! only (burst 1), set 2 one of the 20 symbols each (burst 2): no recorder changes symbol.
    const set1 = await createRecorders("burst");
    const set2 = await createRecorders("burst20");
    const warm = await createRecorders("burst warm-up", WARM);
    log(`burst: 2 x ${N} + ${WARM} recorders created in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const oneSymbol = () => "MNQ1!";
    const twentySymbols = (i) => TWENTY[i % SYMBOLS];

    let sig = 0;
    /** Recorder `i` of `set` sends `action` on `ticker`. */
    const signal = (set, i, ticker, action, price) => ({
      url: `${w.base}${set[i].path}`,
      init: { method: "POST", headers: { "Content-Type": "text/plain" }, body: JSON.stringify({ ticker, action, price: String(price), id: `burst-${++sig}` }) },
      ok: (r, body) => r.status === 200 && body?.ok === true && body?.result === (action === "close" ? "closed" : "opened"),
    });
    const health = () => ({ url: `${w.base}/health`, init: undefined, ok: (r) => r.status === 200 });

    /** For each `[set, perRecorder, tickerOf]` of `expected`: every recorder of the set has exactly `perRecorder`
     * trades, all on `tickerOf(i)`'s root; no trade of any other recorder; none open; no duplicate or refused
     * signal. Waits (up to 10 s) for D1 to have them all: replies come after D1 delivery, so no wait is expected. */
    const verify = async (expected) => {
      const t = performance.now();
      for (;;) {
        const trades = [];
        let cursor = null;
        do {
          const page = await api(`/api/trades?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
          trades.push(...page.trades);
          cursor = page.nextCursor;
        } while (cursor);
        const byRec = new Map();
        for (const tr of trades) {
          const l = byRec.get(tr.recorderId) ?? byRec.set(tr.recorderId, []).get(tr.recorderId);
          l.push(tr);
        }
        const known = new Set([set1, set2, warm].flatMap((set) => set.map((r) => r.id)));
        let lost = 0;
        let doubled = 0;
        let wrongSymbol = 0;
        for (const [set, perRecorder, tickerOf] of expected) {
          for (const [i, r] of set.entries()) {
            const l = byRec.get(r.id) ?? [];
            if (l.length < perRecorder) lost++;
            if (l.length > perRecorder) doubled++;
            if (l.some((tr) => tr.symbol !== rootOf(tickerOf(i)))) wrongSymbol++;
          }
        }
        const strangers = [...byRec.keys()].filter((id) => !known.has(id)).length;
        if (lost > 0 && performance.now() - t < 10_000) {
          await sleep(500);
          continue;
        }
        const open = (await api("/api/positions?status=open")).positions.length;
        const dup = (await api("/api/signals?status=duplicate&limit=1000")).signals.length;
        const rejected = (await api("/api/signals?status=rejected&limit=1000")).signals.length;
        const v = { trades: trades.length, lost, doubled, wrongSymbol, strangers, openAfter: open, duplicateSignals: dup, rejectedSignals: rejected, waitedMs: performance.now() - t };
        v.ok = lost === 0 && doubled === 0 && wrongSymbol === 0 && strangers === 0 && open === 0 && dup === 0 && rejected === 0;
        log(`burst: verified through the API: ${JSON.stringify(v)}`);
        return v;
      }
    };

    /** Opening of recorder `i` of `set` on `tickerOf(i)`. */
    const opening = (set, tickerOf) => (i) => signal(set, i, tickerOf(i), "buy", ROOT_PRICES[rootOf(tickerOf(i))]);
    /** One opening per recorder of `set` from 20 clients, measured (with the D1 and RPC tally per signal). */
    const openAll = async (label, set, tickerOf) => {
      await reset();
      const profiler = PROFILE ? await startProfiler(w.inspector) : null;
      const cpu0 = groupCpu(w.pid);
      const res = (await fire(label, N, opening(set, tickerOf), SETUP_CLIENTS, log)).res;
      if (profiler) res.profile = await profiler.stop(path.join(ROOT, `bench/.build/burst-${label.replace(/\W+/g, "-")}.cpuprofile`), log);
      res.cpuSeconds = cpuSince(w.pid, cpu0, proxyPid);
      res.perSignal = perSignal(await stats(), N);
      if (res.errors > 0) throw new Error(`burst: ${res.errors} openings failed (${res.firstError})`);
      return res;
    };

    /** One close per recorder of `set` on `tickerOf(i)` from 50 clients, after GET /health x N (out[healthLabel]). */
    const burst = async (label, set, tickerOf, healthLabel) => {
      const h0 = groupCpu(w.pid);
      out[healthLabel] = (await fire(`GET /health (${CLIENTS} clients)`, N, health, CLIENTS, log)).res;
      out[healthLabel].cpuSeconds = cpuSince(w.pid, h0, proxyPid);
      await reset();
      const profiler = PROFILE ? await startProfiler(w.inspector) : null;
      const cpu0 = groupCpu(w.pid);
      const self0 = process.cpuUsage();
      const { res, bodies } = await fire(label, N, (i) => {
        const tk = tickerOf(i);
        return signal(set, i, tk, "close", ROOT_PRICES[rootOf(tk)] * 1.001);
      }, CLIENTS, log);
      if (profiler) res.profile = await profiler.stop(path.join(ROOT, `bench/.build/burst-${label.replace(/\W+/g, "-")}.cpuprofile`), log);
      const cpu = cpuSince(w.pid, cpu0, proxyPid);
      const self = process.cpuUsage(self0);
      cpu["bench client (node)"] = (self.user + self.system) / 1e6;
      const s = await stats();
      res.cpuSeconds = cpu;
      res.perSignal = perSignal(s, N);
      res.closed = bodies.filter((b) => b?.result === "closed").length;
      return res;
    };

    // --- warm-up: the isolate's first webhooks (not measured) --------------------------------------------
    // A fresh dev server's first webhooks pay the isolate's one-time costs (compiling each code path, the first
    // Intl time-zone formatter, the D1 binding's first calls): tens of ms that stall every request in flight, and
    // what a deployed isolate pays once in its life. The webhook phase warms up the same way (bench/run.mjs).
    const warmed = await fire(`warm-up: ${WARM} recorders open and close on MNQ1! (${SETUP_CLIENTS} clients)`, 2 * WARM,
      (j) => (j < WARM ? opening(warm, oneSymbol)(j) : signal(warm, j - WARM, "MNQ1!", "close", ROOT_PRICES.MNQ)), SETUP_CLIENTS, log);
    if (warmed.res.errors > 0) throw new Error(`burst: ${warmed.res.errors} warm-up signals failed (${warmed.res.firstError})`);

    // --- setup: set 1 opens on one symbol (measured: the 20-client rows) ---------------------------------
    // Every recorder's first signal from 20 clients (the issue's "webhook p99 <= 2x the bare route's p99 under 20
    // clients", on its coldest path: no lookup cached, no lease, no notification targets known), beside as many
    // GET /health from 20 clients.
    const h20 = groupCpu(w.pid);
    out.health20 = (await fire(`GET /health (${SETUP_CLIENTS} clients)`, N, health, SETUP_CLIENTS, log)).res;
    out.health20.cpuSeconds = cpuSince(w.pid, h20, proxyPid);
    out.open1 = await openAll(`open, 1 symbol (${SETUP_CLIENTS} clients)`, set1, oneSymbol);

    // --- burst 1: set 1 on one symbol --------------------------------------------------------------------
    out.oneSymbol = await burst(`close burst, 1 symbol x ${N}`, set1, oneSymbol, "health50a");
    out.oneSymbol.verify = await verify([[set1, 1, oneSymbol], [set2, 0, twentySymbols], [warm, 1, oneSymbol]]);

    // --- burst 2: set 2, 20 symbols x 50 recorders (each on its own symbol only) ----------------------------
    out.open20 = await openAll(`open, ${SYMBOLS} symbols (${SETUP_CLIENTS} clients)`, set2, twentySymbols);
    out.twentySymbols = await burst(`close burst, ${SYMBOLS} symbols x ${N / SYMBOLS}`, set2, twentySymbols, "health50b");
    out.twentySymbols.verify = await verify([[set1, 1, oneSymbol], [set2, 1, twentySymbols], [warm, 1, oneSymbol]]);
  } catch (e) {
    // The Worker's log may hold what went wrong; it is kept out of the terminal (it could echo request data).
    const logFile = path.join(ROOT, "bench/.build/burst-wrangler.log");
    mkdirSync(path.dirname(logFile), { recursive: true });
    writeFileSync(logFile, w.output());
    log(`burst failed; the Worker's log: ${path.relative(ROOT, logFile)}`);
    throw e;
  } finally {
    await w.stop();
  }
  return out;
}

// --- printing ---------------------------------------------------------------------------------------------

export function burstTables(b, { table, fmt, ratio }) {
  const lines = [];
  const s = (ms) => (ms / 1000).toFixed(2);
  lines.push(`\nBar-close burst (real Worker + objects, wrangler dev --local; ${b.recorders} recorders with an open position each, a separate set per burst, each recorder on one symbol only; one close per recorder, ${b.clients} clients as fast as they go)`);
  const rows = [
    [b.health50a, b.health50a],
    [b.oneSymbol, b.health50a],
    [b.health50b, b.health50b],
    [b.twentySymbols, b.health50b],
  ];
  lines.push(table(
    ["route", "requests", "non-200", "drain s", "req/s", "p50 ms", "p99 ms", "max ms", "<=3 s", "<=3 s of start", "drain vs /health", "p99 vs /health", "Worker CPU ms/req", "proxy CPU ms/req"],
    rows.map(([r, h]) => [r.label, r.requests, r.requests - (r.statuses[200] ?? 0), s(r.drainMs), fmt(r.rps), fmt(r.p50), fmt(r.p99), fmt(r.max), r.within3s, r.within3sOfStart, ratio(r.drainMs, h.drainMs), ratio(r.p99, h.p99),
      fmt((1000 * (r.cpuSeconds?.["workerd (Worker, objects, D1)"] ?? 0)) / r.requests), fmt((1000 * (r.cpuSeconds?.["workerd (dev proxy)"] ?? 0)) / r.requests)]),
  ));
  lines.push(`\nThe same Worker, ${b.setupClients} clients (the setup's openings: each recorder's first signal, after ${b.warmUp ?? 0} recorders warmed the isolate up)`);
  lines.push(table(
    ["route", "requests", "non-200", "req/s", "p50 ms", "p99 ms", "max ms", "p99 vs /health", "Worker CPU ms/req", "proxy CPU ms/req"],
    [b.health20, b.open1, b.open20].map((r) => [r.label, r.requests, r.requests - (r.statuses[200] ?? 0), fmt(r.rps), fmt(r.p50), fmt(r.p99), fmt(r.max), ratio(r.p99, b.health20.p99),
      fmt((1000 * (r.cpuSeconds?.["workerd (Worker, objects, D1)"] ?? 0)) / r.requests), fmt((1000 * (r.cpuSeconds?.["workerd (dev proxy)"] ?? 0)) / r.requests)]),
  ));
  lines.push(`\nPer signal in each burst (counted inside the Worker and the objects, bench/app-worker.ts)`);
  const per = (r) => r.perSignal;
  const tallyOf = (r, key) => r.perSignal.detail.find((d) => d.key === key);
  const msOf = (r, key) => (tallyOf(r, key) ? fmt(tallyOf(r, key).msAvg) : "-");
  lines.push(table(
    ["burst", "D1 round trips", "D1 statements", "Worker D1 trips", "object D1 trips", "gate D1 trips", "Worker request ms", "symbol RPC ms", "applySignal ms", "gate RPC ms", "Worker's workerd CPU s", "proxy workerd CPU s", "wrangler CPU s", "client CPU s", "verified"],
    [b.oneSymbol, b.twentySymbols].map((r) => [
      r.label,
      per(r).d1RoundTripsPerSignal.toFixed(2),
      per(r).d1StatementsPerSignal.toFixed(2),
      per(r).d1By.worker.roundTrips.toFixed(2),
      per(r).d1By.symbol.roundTrips.toFixed(2),
      per(r).d1By.gate.roundTrips.toFixed(2),
      msOf(r, "worker span request webhook"),
      msOf(r, "worker rpc SYMBOLS.applySignal"),
      msOf(r, "symbol span applySignal"),
      msOf(r, "symbol rpc GATES.admit"),
      (r.cpuSeconds["workerd (Worker, objects, D1)"] ?? 0).toFixed(1),
      (r.cpuSeconds["workerd (dev proxy)"] ?? 0).toFixed(1),
      (r.cpuSeconds["wrangler (node)"] ?? 0).toFixed(1),
      (r.cpuSeconds["bench client (node)"] ?? 0).toFixed(1),
      r.verify.ok ? "ok" : `FAILED ${JSON.stringify(r.verify)}`,
    ]),
  ));
  lines.push(`(D1 statements: each prepared statement run, each statement of a batch; round trips: each awaited D1 call. ms: awaited wall time, averaged per call, in the isolate.` +
    ` verified: through the API after the burst, every recorder of its set exactly one trade, on its own symbol, and the 1-symbol set still exactly one after the ${b.symbols}-symbol burst; none open, no duplicate or refused signal)`);
  lines.push(`\nD1 calls, RPC hops and objects woken per signal, by caller (1-symbol burst | ${b.symbols}-symbol burst; avg ms awaited per call)`);
  const keys = [...new Set([...b.oneSymbol.perSignal.detail, ...b.twentySymbols.perSignal.detail].map((d) => d.key))].filter((k) => / (d1|rpc|storage|construct)( |$)/.test(k)).sort();
  lines.push(table(
    ["call", "per signal (1)", "avg ms (1)", "per signal (20)", "avg ms (20)", "statements/signal (1)"],
    keys.map((k) => {
      const a = tallyOf(b.oneSymbol, k);
      const c = tallyOf(b.twentySymbols, k);
      return [k, a ? a.perSignal.toFixed(2) : "-", a ? fmt(a.msAvg) : "-", c ? c.perSignal.toFixed(2) : "-", c ? fmt(c.msAvg) : "-", a ? a.statementsPerSignal.toFixed(2) : "-"];
    }),
  ));
  lines.push(`batch sizes (statements: count), 1 symbol: ${JSON.stringify(b.oneSymbol.perSignal.batchSizes)}; ${b.symbols} symbols: ${JSON.stringify(b.twentySymbols.perSignal.batchSizes)}`);
  // What a signal costs its objects' own SQLite (each ctx.storage.sql.exec), cold (the openings) and warm (the burst).
  const sqlRuns = [b.open1, b.oneSymbol].filter((r) => r?.perSignal);
  const sqlKeys = [...new Set(sqlRuns.flatMap((r) => r.perSignal.detail.map((d) => d.key)))].filter((k) => / sqlite /.test(k)).sort();
  if (sqlKeys.length > 0) {
    lines.push(`\nSQLite statements per signal in the objects, 1 symbol (each ctx.storage.sql.exec; openings: each recorder's first signal | the close burst)`);
    const total = (r) => r.perSignal.detail.filter((d) => / sqlite /.test(d.key)).reduce((a, d) => a + d.perSignal, 0);
    lines.push(table(
      ["statement", ...sqlRuns.map((r) => `per signal: ${r.label}`)],
      [...sqlKeys.map((k) => [k, ...sqlRuns.map((r) => (tallyOf(r, k) ? tallyOf(r, k).perSignal.toFixed(2) : "-"))]), ["all", ...sqlRuns.map((r) => total(r).toFixed(2))]],
    ));
  }
  return lines;
}

/** The issue's two goals, as ratios in the same run. */
export function burstChecks(b) {
  const c = {
    burstDrainVsHealth1Symbol: b.oneSymbol.drainMs / b.health50a.drainMs,
    burstDrainVsHealth20Symbols: b.twentySymbols.drainMs / b.health50b.drainMs,
    burstP99VsHealth1Symbol: b.oneSymbol.p99 / b.health50a.p99,
    burstLost: (b.oneSymbol.verify.lost + b.twentySymbols.verify.lost) + (b.oneSymbol.requests - (b.oneSymbol.statuses[200] ?? 0)) + (b.twentySymbols.requests - (b.twentySymbols.statuses[200] ?? 0)),
    burstDoubled: b.oneSymbol.verify.doubled + b.twentySymbols.verify.doubled,
    burstD1StatementsPerSignal: b.oneSymbol.perSignal.d1StatementsPerSignal,
    burstD1RoundTripsPerSignal: b.oneSymbol.perSignal.d1RoundTripsPerSignal,
    // Each recorder's first signal (the cold path: no lookup cached, no lease) from 20 clients; reported, no goal.
    firstSignalP99VsHealth20Clients: b.open1.p99 / b.health20.p99,
  };
  return c;
}
