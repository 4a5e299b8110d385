#!/usr/bin/env node
// `npm run bench`: the tick path and the webhook path, measured, each beside its baseline in the same run.
//
//   1. engine     bench/engine.ts under Node: ticks/s through SymbolBook vs NaiveSymbolBook, n = 1…10 000.
//   2. object     bench/worker.ts under `wrangler dev --local` (workerd): ticks/s and storage rows written per
//                 1 000 ticks through the real SymbolObject's onPrice vs the naive object (writes every changed
//                 position per tick, as the original system did).
//                 Then the TRAIL scenario (take-profit legs + an active trailing stop on every position, a walk that
//                 trends up and down; bench/scenario.ts) at 1 and 10 000 positions: the same TRAIL_WINDOW ticks
//                 after seeding at each n, ticks/s, rows per 1 000 ticks (all, and on the ticks that filled nothing),
//                 exits and legs; the naive object beside it. The engine phase runs the same scenario under Node.
//   3. webhook    the real Worker under `wrangler dev --local` (throwaway --persist-to, D1 migrated): POST
//                 /webhook/:token with 20 concurrent clients for 1 symbol and for 20 symbols, beside GET /health,
//                 in 5 rounds of the three routes in turn, each route's answers pooled (the p99 goal's reading).
//   4. burst      the bar-close burst (bench/burst.mjs, issue 13): 1 000 recorders with an open position each, one
//                 signal per recorder from 50 clients, on 1 symbol and on 20 symbols x 50, beside GET /health from
//                 the same clients; D1 statements per signal counted inside the Worker (bench/app-worker.ts).
//   5. dashboards open dashboards vs Durable Object requests (bench/dashboards.mjs, issue 13 item 5): the same Worker
//                 with a ticking fake TradingView feed and open positions on 5 symbols; object requests/s by class
//                 with no dashboard, 1 and 10 polling dashboards (the old page) and 1 and 10 pushed (/api/live).
// Prints tables and writes bench/results/latest.json. Everything listens on 127.0.0.1 only; the repo's .dev.vars
// and .wrangler state are not touched.
//
// The dev server is measured as the product would run, without two things only `wrangler dev` adds:
//   - its local trace collector (X_LOCAL_OBSERVABILITY=false): on by default, it records every invocation of the
//     Worker and of each Durable Object into a local store, in the same workerd thread — a fifth of that thread's
//     CPU in a burst, and more per webhook (three invocations) than per `GET /health` (one);
//   - a disk under its throwaway state: the state (--persist-to: every object's SQLite and the local D1) goes to
//     /dev/shm when there is one. Local SQLite commits call fsync in workerd's one thread, so on this VM's disk
//     every commit stalls every request; production storage does not block a Worker on a disk. BENCH_STATE_DIR=/tmp
//     measures on disk instead (docs/BENCHMARKS.md gives both). BENCH_QUICK=1 shortens every phase (a smoke run); BENCH_WEBHOOK_PROFILE=1 profiles the webhook rounds. BENCH_PHASES=engine,trail
// (any of engine, replay, object, trail, webhook, burst, dashboards) runs only those phases and prints them, without writing latest.json.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { bundleForNode, bundleForWorkerd } from "./bundle.mjs";
import { freePort } from "../scripts/lib/free-port.mjs";
import { burstBench, burstChecks, burstTables, startProfiler } from "./burst.mjs";
import { dashboardsBench, dashboardsCheckLine, dashboardsChecks, dashboardsTables } from "./dashboards.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BUILD = path.join(ROOT, "bench/.build");
const QUICK = !!process.env.BENCH_QUICK;
const SIZES = [1, 100, 1000, 10000];
// 1 000 beside 10 000: the rows per fill must be the same at both (at 1 position nothing fills).
const TRAIL_SIZES = [1, 1000, 10000];
const ALL_PHASES = ["engine", "replay", "object", "trail", "webhook", "burst", "dashboards"];
const PHASES = (process.env.BENCH_PHASES ?? ALL_PHASES.join(",")).split(",").map((p) => p.trim());
const FULL = ALL_PHASES.every((p) => PHASES.includes(p));
const CLIENTS = 20;
const started = Date.now();
const children = new Set();
const STATE_DIR = process.env.BENCH_STATE_DIR ?? (existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir());
const tmp = mkdtempSync(path.join(STATE_DIR, "trade-recorder-bench-"));

const log = (...a) => console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s]`, ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));


function cleanup() {
  for (const c of children) {
    if (c.exitCode !== null) continue;
    try {
      process.kill(-c.pid, "SIGTERM"); // its own process group: wrangler and its workerd
    } catch {}
  }
  try {
    rmSync(tmp, { recursive: true, force: true });
  } catch {}
}
process.on("exit", cleanup);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(130));

// ---------------------------------------------------------------------------------------------------------------
// 1. engine

/** Bundles a pure-TypeScript phase for Node, runs it in its own process and returns the JSON of its last line. */
async function nodeBench(name, env = {}, timeout = 120_000) {
  mkdirSync(BUILD, { recursive: true });
  const out = path.join(BUILD, `${name}.mjs`);
  await bundleForNode(path.join(ROOT, `bench/${name}.ts`), out);
  const r = spawnSync(process.execPath, [out], { encoding: "utf8", env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"], timeout });
  if (r.status !== 0) throw new Error(`${name} bench failed (${r.status})`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1));
}

const engineBench = () => nodeBench("engine", { BENCH_ENGINE_MS: QUICK ? "60" : "300" });

/** bench/replay.ts under Node: a restart's recovery at 10 000 positions with a long journal, against the previous
 * O(positions × rows) recovery in the same process (which also checks both rebuild the same book). */
const replayBench = async () => (await nodeBench("replay", {}, 300_000)).replay;

// ---------------------------------------------------------------------------------------------------------------
// wrangler dev

async function startWrangler(args, label) {
  const port = await freePort();
  const inspector = await freePort();
  const child = spawn(
    "npx",
    ["wrangler", "dev", "--local", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector), "--show-interactive-dev-session=false", "--log-level", "warn", ...args],
    {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, CI: "1", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", X_LOCAL_OBSERVABILITY: "false" },
    },
  );
  children.add(child);
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const base = `http://127.0.0.1:${port}`;
  const end = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${label}: wrangler exited (${child.exitCode})\n${output}`);
    try {
      const r = await fetch(`${base}/health`);
      await r.arrayBuffer();
      break; // any answer: the Worker is up
    } catch {}
    if (Date.now() > end) throw new Error(`${label}: wrangler did not come up\n${output}`);
    await sleep(300);
  }
  return {
    base,
    /** The process group of wrangler and its workerd (the burst phase reads their CPU time). */
    pid: child.pid,
    inspector,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {}
      await Promise.race([new Promise((r) => child.once("exit", r)), sleep(5000)]);
      if (child.exitCode === null) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {}
      }
      children.delete(child);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// 2. symbol object

async function buildObjectWorker() {
  await bundleForWorkerd(path.join(ROOT, "bench/worker.ts"), path.join(BUILD, "worker.mjs"));
}

async function objectBench({ flat = true, trail = true } = {}) {
  await buildObjectWorker();
  const w = await startWrangler(["--config", "bench/wrangler.bench.toml", "--persist-to", path.join(tmp, "objects")], "object bench");
  const get = async (p) => {
    const r = await fetch(`${w.base}${p}`);
    if (!r.ok) throw new Error(`${p} -> ${r.status} ${await r.text()}\n${w.output()}`);
    return r.json();
  };
  const kinds = ["real", "naive"];
  const budgetMs = QUICK ? 150 : 700;
  const rows = [];
  let trailRows = null;
  let ratchetRows = null;
  try {
    // JIT warm-up for every object class, so n = 1 (measured first) is not measured cold.
    for (const kind of kinds) {
      const name = `warm-${kind}-${Date.now()}`;
      await get(`/seed?kind=${kind}&name=${name}&n=10`);
      for (let i = 0; i < (QUICK ? 2 : 6); i++) await get(`/ticks?kind=${kind}&name=${name}&offset=${i * 1000}&count=1000`);
    }
    for (const n of flat ? SIZES : []) {
      const row = { positions: n };
      for (const kind of kinds) {
        const name = `${kind}-${n}-${Date.now()}`;
        const seeded = await get(`/seed?kind=${kind}&name=${name}&n=${n}`);
        if (seeded.open !== n) throw new Error(`${kind} seeded ${seeded.open}, wanted ${n}`);
        let offset = 0;
        const run = async (count) => {
          const t0 = performance.now();
          const r = await get(`/ticks?kind=${kind}&name=${name}&offset=${offset}&count=${count}`);
          offset += count;
          if (r.open !== n) throw new Error(`${kind} n=${n}: ${r.open} open after the ticks, ${n} wanted (a level was hit, or the object was reset)`);
          return { ms: performance.now() - t0, rows: r.rowsWritten };
        };
        // Rows written over the same first 1 000 ticks after seeding, for every n (skipped for the naive object at
        // large n, where it would take minutes: its rows come from the timed ticks).
        const fixedWindow = kind === "real" || n <= 100;
        const fixed = fixedWindow ? await run(1000) : null;
        let probe = await run(20); // warm-up + calibration
        probe = await run(50);
        const perTick = Math.max(probe.ms / 50, 0.0005);
        let ticks = 0;
        let ms = 0;
        let rowsWritten = 0;
        while (ms < budgetMs) {
          const count = Math.max(10, Math.min(20_000, Math.round((budgetMs - ms) / perTick / 2) || 10));
          const r = await run(count);
          ticks += count;
          ms += r.ms;
          rowsWritten += r.rows;
        }
        row[kind] = {
          tps: (ticks * 1000) / ms,
          rowsPer1000: fixed ? fixed.rows : (rowsWritten * 1000) / ticks,
          rowsWindow: fixed ? "ticks 1-1000" : `${ticks} timed ticks`,
          ticks,
        };
        log(`object n=${n} ${kind}: ${Math.round(row[kind].tps)} ticks/s, ${row[kind].rowsPer1000.toFixed(0)} rows/1000 ticks`);
      }
      rows.push(row);
    }
    if (trail) {
      trailRows = await trailObjectBench(get, budgetMs, "trail");
      ratchetRows = await trailObjectBench(get, budgetMs, "ratchet");
    }
  } finally {
    await w.stop();
  }
  return { rows, trail: trailRows, ratchet: ratchetRows };
}

/** The trail (or ratchet) scenario through the object: for each n, the real object over the whole window (ticks
 * 1…TRAIL_WINDOW after its seeding and priming tick, in requests of 1 000 ticks, all timed), the naive one over the
 * same window up to 100 positions, else over its first ticks for about `budgetMs`. The ratchet scenario must fill
 * nothing (bench/scenario.ts): the phase fails otherwise. */
async function trailObjectBench(get, budgetMs, scenario) {
  const CHUNK = 1000;
  const sum = (rs, k) => rs.reduce((a, r) => a + (r[k] ?? 0), 0);
  /** Ticks 1…window (or until `untilMs` of timed requests), from a freshly seeded object. */
  const windowRun = async (kind, n, untilMs = Infinity) => {
    const name = `${scenario}-${kind}-${n}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    const seeded = await get(`/seed?kind=${kind}&name=${name}&n=${n}&scenario=${scenario}`);
    if (seeded.open !== n) throw new Error(`${scenario} ${kind} seeded ${seeded.open}, wanted ${n}`);
    const window = seeded.window;
    const replies = [];
    let ms = 0;
    let ticks = 0;
    for (let offset = 1; offset <= window && ms < untilMs; ) {
      const count = Math.min(untilMs === Infinity ? CHUNK : 10, window + 1 - offset);
      const t0 = performance.now();
      const r = await get(`/ticks?kind=${kind}&name=${name}&offset=${offset}&count=${count}&scenario=${scenario}`);
      ms += performance.now() - t0;
      offset += count;
      ticks += count;
      replies.push(r);
    }
    return { ms, ticks, window, replies, open: replies.at(-1).open };
  };
  // JIT warm-up of the exit paths (legs, trails, the outbox), at 100 positions.
  await windowRun("real", 100);
  await windowRun("naive", 100);
  const out = [];
  for (const n of TRAIL_SIZES) {
    const row = { positions: n };
    // The real object: the median of 3 windows, each from a freshly seeded object, at every n. One window at
    // 10 000 positions is ~0.1-0.2 s of ticks, so a single GC pause or stall moved its ratio 0.38-1.53 between runs
    // of the same code; the 10 000-position seeding it repeats costs a few seconds.
    const runs = [];
    for (let i = 0; i < (QUICK ? 1 : 3); i++) runs.push(await windowRun("real", n));
    if (scenario === "ratchet") {
      for (const w of runs) {
        const filled = sum(w.replies, "exits") + sum(w.replies, "legs");
        if (filled > 0 || w.open !== n) throw new Error(`ratchet n=${n}: ${filled} exits and legs, ${w.open} open at the end of a window (wanted nothing filled)`);
      }
    }
    runs.sort((a, b) => a.ms - b.ms);
    const r = runs[runs.length >> 1];
    const rowsWritten = sum(r.replies, "rowsWritten");
    const quietTicks = sum(r.replies, "quietTicks");
    const quietRows = sum(r.replies, "quietRows");
    const exits = sum(r.replies, "exits");
    const legs = sum(r.replies, "legs");
    const quietPerTick = quietTicks > 0 ? quietRows / quietTicks : 0;
    row.real = {
      tps: (r.ticks * 1000) / r.ms,
      ticks: r.ticks,
      windows: runs.length,
      rowsPer1000: (rowsWritten * 1000) / r.ticks,
      quietRowsPer1000: quietPerTick * 1000,
      rowsPerEvent: exits + legs > 0 ? (rowsWritten - quietPerTick * r.ticks) / (exits + legs) : null,
      exits,
      legs,
      eventTicks: sum(r.replies, "eventTicks"),
      bookRows: sum(r.replies, "bookRows"),
      outboxRows: sum(r.replies, "outboxRows"),
      openAtEnd: r.open,
      msPerWindow: r.ms,
    };
    const nv = await windowRun("naive", n, n <= 100 ? Infinity : budgetMs);
    const naiveRows = sum(nv.replies, "rowsWritten");
    row.naive = { tps: (nv.ticks * 1000) / nv.ms, ticks: nv.ticks, rowsPer1000: (naiveRows * 1000) / nv.ticks, rowsWindow: nv.ticks === nv.window ? "the window" : `ticks 1-${nv.ticks}` };
    log(
      `object ${scenario} n=${n}: ${Math.round(row.real.tps)} ticks/s, ${row.real.rowsPer1000.toFixed(0)} rows/1000 ticks ` +
        `(${row.real.quietRowsPer1000.toFixed(0)} on quiet ticks), ${exits} exits + ${legs} legs in ${r.ticks} ticks; ` +
        `naive ${row.naive.tps.toFixed(1)} ticks/s, ${row.naive.rowsPer1000.toFixed(0)} rows/1000`,
    );
    out.push(row);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// 3. webhook

/** No answer for this long, with requests in flight: the dev server (or the machine) stalled. */
const STALL_MS = 50;

async function load(label, total, make, clients = CLIENTS, maxMs = 30_000) {
  const lat = [];
  /** When each answer arrived: a gap of >= STALL_MS between two answers (up to `clients` requests in flight; fewer
   * at a round's end) is a stall. */
  const answered = [];
  let next = 0;
  let errors = 0;
  let firstError = null;
  const t0 = performance.now();
  const deadline = t0 + maxMs;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < total && performance.now() < deadline) {
        const i = next++;
        const { url, init, ok } = make(i);
        const s = performance.now();
        try {
          const r = await fetch(url, init);
          const body = await r.text();
          if (!ok(r, body)) {
            errors++;
            firstError ??= `${r.status} ${body.slice(0, 200)}`;
          }
        } catch (e) {
          errors++;
          firstError ??= String(e);
        }
        const e = performance.now();
        lat.push(e - s);
        answered.push(e);
      }
    }),
  );
  const stalls = [];
  for (let i = 1; i < answered.length; i++) if (answered[i] - answered[i - 1] >= STALL_MS) stalls.push(answered[i] - answered[i - 1]);
  const res = summary(label, lat, performance.now() - t0, errors, firstError, stalls);
  log(`${label}: ${res.requests} req, ${res.rps.toFixed(0)} req/s, p50 ${res.p50.toFixed(1)} ms, p99 ${res.p99.toFixed(1)} ms, ${stalls.length} stalls${errors ? `, ${errors} errors: ${firstError}` : ""}`);
  return res;
}

/** p50/p99/max of `lat` (answer times, ms) over `ms` of sending. The answer times stay on the result, not
 * enumerable (latest.json does not get them), so rounds can be pooled (`pooled`). */
function summary(label, lat, ms, errors, firstError = null, stalls = []) {
  const sorted = [...lat].sort((a, b) => a - b);
  const pct = (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  const res = {
    label, requests: sorted.length, errors, rps: (sorted.length * 1000) / ms, p50: pct(50), p99: pct(99), max: sorted.at(-1), firstError,
    stalls: stalls.length, stalledMs: stalls.reduce((a, x) => a + x, 0),
  };
  Object.defineProperty(res, "gaps", { value: stalls, enumerable: false });
  Object.defineProperty(res, "lat", { value: sorted, enumerable: false });
  Object.defineProperty(res, "ms", { value: ms, enumerable: false });
  return res;
}

/** One row from several rounds of the same route: every answer time of every round, the rounds' sending time added. */
function pooled(label, rounds) {
  const res = summary(label, rounds.flatMap((r) => r.lat), rounds.reduce((a, r) => a + r.ms, 0), rounds.reduce((a, r) => a + r.errors, 0), rounds.find((r) => r.firstError)?.firstError ?? null, rounds.flatMap((r) => r.gaps));
  res.rounds = rounds.length;
  return res;
}

async function webhookBench() {
  const persist = path.join(tmp, "app");
  const admin = `bench-${randomBytes(12).toString("hex")}`;
  const envFile = path.join(tmp, "bench.dev.vars");
  // A dead loopback port for the feed: signals carry their price, so nothing waits for it and nothing leaves the host.
  const tvUrl = "http://127.0.0.1:9/socket.io/websocket";
  writeFileSync(envFile, `ADMIN_TOKEN=${admin}\nTV_SESSION_KEY=${randomBytes(24).toString("hex")}\nTV_WS_URL=${tvUrl}\n`);
  const mig = spawnSync("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", persist], {
    cwd: ROOT, encoding: "utf8", env: { ...process.env, CI: "1", WRANGLER_SEND_METRICS: "false" }, timeout: 120_000,
  });
  if (mig.status !== 0) throw new Error(`migrations failed:\n${mig.stdout}\n${mig.stderr}`);
  if (!existsSync(path.join(ROOT, "dashboard/dist/index.html"))) {
    mkdirSync(path.join(ROOT, "dashboard/dist"), { recursive: true }); // git-ignored build output the assets binding needs
    writeFileSync(path.join(ROOT, "dashboard/dist/index.html"), "<!doctype html><title>bench</title>\n");
  }
  const w = await startWrangler(
    ["--persist-to", persist, "--env-file", envFile, "--var", `ADMIN_TOKEN:${admin}`, "--var", `TV_WS_URL:${tvUrl}`],
    "webhook bench",
  );
  const results = {};
  try {
    /** `n` recorders. The 1-symbol and the 20-symbol rows each use their own, and each recorder trades one symbol
     * (recorder j of the 20-symbol row: symbol j mod 20), as traders do: a recorder that moves between symbols makes
     * its gate reclaim its rate lease and count centrally, one gate call per signal (rate-lease.ts). */
    const createRecorders = async (prefix, n) => {
      const out = [];
      for (let i = 0; i < n; i++) {
        const r = await fetch(`${w.base}/api/recorders`, {
          method: "POST",
          headers: { Authorization: `Bearer ${admin}`, "Content-Type": "application/json" },
          body: JSON.stringify({ name: `${prefix} ${i}`, symbol: "MNQ" }),
        });
        const j = await r.json();
        if (r.status !== 201) throw new Error(`create recorder -> ${r.status} ${JSON.stringify(j)}`);
        out.push(j.recorder);
      }
      return out;
    };
    const RECORDERS = QUICK ? 40 : 120;
    const setOne = await createRecorders("bench", RECORDERS);
    const setTwenty = await createRecorders("bench20", RECORDERS);
    const months = ["H", "M", "U", "Z"];
    const symbols20 = Array.from({ length: 20 }, (_, i) => `MNQ${months[i % 4]}${2030 + Math.floor(i / 4)}`);
    let sigId = 0;
    /** Signals of `recorders`, each on its own symbol of `symbols`, round-robin over the recorders, each pass the
     * other side (a reversal).
     * The counter lives across rounds: each round goes on where the last one stopped. */
    const webhooks = (recorders, symbols) => {
      let k = 0;
      return () => {
        const i = k++;
        const rec = recorders[i % recorders.length];
        const pass = Math.floor(i / recorders.length);
        const body = { ticker: symbols[(i % recorders.length) % symbols.length], action: pass % 2 === 0 ? "buy" : "sell", price: (25600 + (i % 40) * 0.25).toFixed(2), id: `b${++sigId}` };
        return {
          url: `${w.base}${rec.webhookPath}`,
          init: { method: "POST", headers: { "Content-Type": "text/plain" }, body: JSON.stringify(body) },
          ok: (r, text) => r.status === 200 && text.includes('"ok":true'),
        };
      };
    };
    const health = () => ({ url: `${w.base}/health`, init: undefined, ok: (r) => r.status === 200 });
    const one = webhooks(setOne, ["MNQH2030"]);
    const twenty = webhooks(setTwenty, symbols20);
    // Warm-up: the Worker, every symbol object, D1, and each recorder's first signal (lookup, lease).
    await load("warm-up /health", 200, health);
    await load("warm-up webhooks, 1 symbol", RECORDERS, one, 4);
    await load("warm-up webhooks, 20 symbols", RECORDERS, twenty, 4);
    // Rounds, the routes in turn: a p99 of ~1 000 answers from 20 clients is decided by one or two ~100 ms stalls
    // of the dev server, which hold every request in flight and fall on one route or the other by chance (the
    // same code gave 1.6-2.3x in single runs). Pooling ROUNDS interleaved rounds per route puts both routes under
    // the same drift, and makes the p99 the 1/100 slowest of 5x as many answers; each round's own ratio is kept.
    const ROUNDS = QUICK ? 1 : 5;
    const N = QUICK ? 200 : 1000;
    const rounds = [];
    // BENCH_WEBHOOK_PROFILE=1: a V8 CPU profile of the Worker's isolate over the rounds (bench/.build/webhook-rounds.cpuprofile).
    const profiler = process.env.BENCH_WEBHOOK_PROFILE ? await startProfiler(w.inspector) : null;
    for (let r = 1; r <= ROUNDS; r++) {
      rounds.push({
        health: await load(`GET /health, round ${r}`, N, health),
        oneSymbol: await load(`webhook, 1 symbol, round ${r}`, N, one),
        twentySymbols: await load(`webhook, 20 symbols, round ${r}`, N, twenty),
      });
    }
    if (profiler) await profiler.stop(path.join(BUILD, "webhook-rounds.cpuprofile"), log);
    results.rounds = rounds.map((r) => ({ health: r.health, oneSymbol: r.oneSymbol, twentySymbols: r.twentySymbols, p99VsHealth: r.oneSymbol.p99 / r.health.p99 }));
    results.health = pooled(`GET /health (${ROUNDS} rounds)`, rounds.map((r) => r.health));
    results.oneSymbol = pooled(`webhook, 1 symbol (${ROUNDS} rounds)`, rounds.map((r) => r.oneSymbol));
    results.twentySymbols = pooled(`webhook, 20 symbols (${ROUNDS} rounds)`, rounds.map((r) => r.twentySymbols));
    results.oneSymbolOneClient = await load("webhook, 1 symbol, 1 client", QUICK ? 50 : 300, one, 1);
  } finally {
    await w.stop();
  }
  return results;
}

// ---------------------------------------------------------------------------------------------------------------

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join("  ");
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
const fmt = (x) => (x >= 100 ? Math.round(x).toLocaleString("en-US") : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const ratio = (a, b) => `${(a / b).toFixed(a / b >= 10 ? 0 : 2)}×`;

const machine = {
  cpu: os.cpus()[0]?.model ?? "?",
  cores: os.cpus().length,
  memGiB: Math.round(os.totalmem() / 2 ** 30),
  os: `${os.type()} ${os.release()}`,
  node: process.version,
  wrangler: (spawnSync("npx", ["wrangler", "--version"], { cwd: ROOT, encoding: "utf8" }).stdout || "").trim().split("\n").at(-1),
  /** Where wrangler dev's throwaway state (SQLite files) lives (see the header). */
  state: STATE_DIR,
};

log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memGiB} GiB, node ${machine.node}, wrangler ${machine.wrangler}; dev server state in ${machine.state}, its local trace collector off`);
const engine = PHASES.includes("engine") ? await engineBench() : null;
const replay = PHASES.includes("replay") ? await replayBench() : null;
const object = PHASES.includes("object") || PHASES.includes("trail") ? await objectBench({ flat: PHASES.includes("object"), trail: PHASES.includes("trail") }) : null;
const webhook = PHASES.includes("webhook") ? await webhookBench() : null;
const burst = PHASES.includes("burst") ? await burstBench({ ROOT, tmp, QUICK, startWrangler, log }) : null;
const dashboards = PHASES.includes("dashboards") ? await dashboardsBench({ ROOT, tmp, QUICK, startWrangler, log }) : null;
const seconds = (Date.now() - started) / 1000;

const checks = {};
const out = [];
if (engine) {
  const e1 = engine.rows.find((r) => r.positions === 1);
  const eMax = engine.rows.find((r) => r.positions === 10000);
  checks.engineTicksPerSecond10kVs1 = eMax.tps / e1.tps;
  out.push(`\nEngine (pure TypeScript, ${engine.runtime}): ticks per second through the book, same walk, same process`);
  out.push(table(
    ["open positions", "SymbolBook ticks/s", "naive ticks/s", "speed-up", "vs 1 position"],
    engine.rows.map((r) => [r.positions, fmt(r.tps), fmt(r.naiveTps), ratio(r.tps, r.naiveTps), ratio(r.tps, e1.tps)]),
  ));
  const t1 = engine.trail.find((r) => r.positions === 1);
  const tMax = engine.trail.find((r) => r.positions === 10000);
  checks.engineTrailTicksPerSecond10kVs1 = tMax.tps / t1.tps;
  out.push(`\nEngine, trailing stops + take-profit legs on every position: ticks ${1}-${engine.trailWindow} of the trend walk after seeding (median over windows)`);
  out.push(table(
    ["open positions", "SymbolBook ticks/s", "naive ticks/s", "speed-up", "vs 1 position", "exits", "legs filled", "open at end"],
    engine.trail.map((r) => [r.positions, fmt(r.tps), fmt(r.naiveTps), ratio(r.tps, r.naiveTps), ratio(r.tps, t1.tps), r.exits, r.legs, r.openAtEnd]),
  ));
  const r1 = engine.ratchet.find((r) => r.positions === 1);
  const rMax = engine.ratchet.find((r) => r.positions === 10000);
  checks.engineRatchetTicksPerSecond10kVs1 = rMax.tps / r1.tps;
  checks.engineRatchetSteadyTicksPerSecond10kVs1 = rMax.steadyTps / r1.steadyTps;
  out.push(`\nEngine, RATCHET: the same positions with legs and trails beyond the walk's reach, the same window (every trail ratchets, nothing fills)`);
  out.push(table(
    ["open positions", "SymbolBook ticks/s", "naive ticks/s", "speed-up", "vs 1 position", `ticks ${engine.steadyFrom}-${engine.trailWindow} ticks/s`, "vs 1 position", "exits", "legs filled", "open at end"],
    engine.ratchet.map((r) => [r.positions, fmt(r.tps), fmt(r.naiveTps), ratio(r.tps, r.naiveTps), ratio(r.tps, r1.tps), fmt(r.steadyTps), ratio(r.steadyTps, r1.steadyTps), r.exits, r.legs, r.openAtEnd]),
  ));
  out.push(`(ticks ${engine.steadyFrom}-${engine.trailWindow}: after each position's one-time events of the window's first ticks — its trail turning active at its trigger, the price crossing its entry — every tick is a plain one or a ratchet)`);
}
if (object && object.rows.length > 0) {
  const o1 = object.rows.find((r) => r.positions === 1);
  const oMax = object.rows.find((r) => r.positions === 10000);
  checks.objectTicksPerSecond10kVs1 = oMax.real.tps / o1.real.tps;
  checks.rowsPer1000Ticks1 = o1.real.rowsPer1000;
  checks.rowsPer1000Ticks10k = oMax.real.rowsPer1000;
  out.push(`\nSymbol Durable Object (workerd via wrangler dev): ticks through onPrice, storage rows written (rowsWritten)`);
  const oh = ["open positions", "object ticks/s", "naive ticks/s", "speed-up", "rows/1000 ticks", "naive rows/1000", "rows ratio"];
  out.push(table(oh, object.rows.map((r) => [
    r.positions,
    fmt(r.real.tps),
    fmt(r.naive.tps),
    ratio(r.real.tps, r.naive.tps),
    fmt(r.real.rowsPer1000),
    fmt(r.naive.rowsPer1000),
    `1/${Math.round(r.naive.rowsPer1000 / r.real.rowsPer1000)}`,
  ])));
  out.push(`(object rows: over ticks 1-1000 after seeding; naive rows: ticks 1-1000 up to 100 positions, else the timed ticks)`);
}
/** A window's rows at 1 and at 10 000 positions (what the checks compare). */
const ends = (rows) => [rows.find((r) => r.positions === 1), rows.find((r) => r.positions === 10000)];
/** A trail or ratchet window's first cells: positions, ticks/s of both objects, speed-up, vs the 1-position row. */
const windowCells = (r, one) => [r.positions, fmt(r.real.tps), fmt(r.naive.tps), ratio(r.real.tps, r.naive.tps), ratio(r.real.tps, one.real.tps)];
if (object?.trail) {
  const [t1, tMax] = ends(object.trail);
  checks.trailObjectTicksPerSecond10kVs1 = tMax.real.tps / t1.real.tps;
  checks.trailRowsPer1000Ticks1 = t1.real.rowsPer1000;
  checks.trailRowsPer1000Ticks10k = tMax.real.rowsPer1000;
  checks.trailQuietRowsPer1000Ticks1 = t1.real.quietRowsPer1000;
  checks.trailQuietRowsPer1000Ticks10k = tMax.real.quietRowsPer1000;
  const t1k = object.trail.find((r) => r.positions === 1000);
  if (t1k?.real.rowsPerEvent != null) checks.trailRowsPerFill1k = t1k.real.rowsPerEvent;
  if (tMax.real.rowsPerEvent != null) checks.trailRowsPerFill10k = tMax.real.rowsPerEvent;
  out.push(`\nSymbol Durable Object, trailing stops + take-profit legs on every position: the same ${tMax.real.ticks} ticks of the trend walk after seeding`);
  out.push(table(
    ["open positions", "object ticks/s", "naive ticks/s", "speed-up", "vs 1 position", "rows/1000 ticks", "quiet ticks", "exits", "legs filled", "rows/fill", "naive rows/1000"],
    object.trail.map((r) => [
      ...windowCells(r, t1),
      fmt(r.real.rowsPer1000),
      fmt(r.real.quietRowsPer1000),
      r.real.exits,
      r.real.legs,
      r.real.rowsPerEvent === null ? "-" : fmt(r.real.rowsPerEvent),
      fmt(r.naive.rowsPer1000),
    ]),
  ));
  out.push(`(rows/1000 ticks: all rows over the window; quiet ticks: rows per 1 000 ticks that filled nothing (meta.last + journal); rows/fill: the rest per exit or leg;` +
    ` naive: ${object.trail.map((r) => `${r.positions}: ${r.naive.rowsWindow}`).join(", ")})`);
}
if (object?.ratchet) {
  const [r1, rMax] = ends(object.ratchet);
  checks.ratchetObjectTicksPerSecond10kVs1 = rMax.real.tps / r1.real.tps;
  checks.ratchetRowsPer1000Ticks1 = r1.real.rowsPer1000;
  checks.ratchetRowsPer1000Ticks10k = rMax.real.rowsPer1000;
  out.push(`\nSymbol Durable Object, RATCHET: the same positions with legs and trails beyond the walk's reach, the same ${rMax.real.ticks} ticks (every trail ratchets on each new best price, nothing fills, all n stay open)`);
  out.push(table(
    ["open positions", "object ticks/s", "naive ticks/s", "speed-up", "vs 1 position", "rows/1000 ticks", "exits", "legs filled", "open at end", "naive rows/1000"],
    object.ratchet.map((r) => [
      ...windowCells(r, r1),
      fmt(r.real.rowsPer1000),
      r.real.exits,
      r.real.legs,
      r.real.openAtEnd,
      fmt(r.naive.rowsPer1000),
    ]),
  ));
  out.push(`(naive: ${object.ratchet.map((r) => `${r.positions}: ${r.naive.rowsWindow}`).join(", ")})`);
}
if (replay) {
  out.push(`\nRestart replay (pure TypeScript, Node): DurableBook.load with every tick a journal row, vs the previous recovery (every row to every position) in the same process`);
  out.push(table(["open positions", "journal rows", "replay ms", "previous ms", "previous / replay", "same book"], replay.map((r) => [
    r.positions, r.journalRows, fmt(r.replayMs), r.previousMs === null ? "-" : fmt(r.previousMs), r.previousMs === null ? "-" : ratio(r.previousMs, r.replayMs), r.same === null ? "-" : r.same ? "yes" : "NO",
  ])));
  const big = replay.find((r) => r.positions === 10000 && r.previousMs === null);
  if (big) checks.replayMs10kPositionsLongJournal = big.replayMs;
}
if (webhook) {
  out.push(`\nWebhook path (real Worker, wrangler dev --local, ${CLIENTS} concurrent clients unless noted; ${webhook.rounds.length} rounds of /health, 1 symbol and 20 symbols in turn, pooled; each route its own recorders, warmed up)`);
  const wl = [webhook.health, webhook.oneSymbol, webhook.twentySymbols, webhook.oneSymbolOneClient];
  out.push(table(["route", "requests", "errors", "req/s", "p50 ms", "p99 ms", "max ms", "req/s vs /health", "p99 vs /health", "stalls", "stalls/s", "stalled ms"], wl.map((r) => [
    r.label, r.requests, r.errors, fmt(r.rps), fmt(r.p50), fmt(r.p99), fmt(r.max), ratio(r.rps, webhook.health.rps), ratio(r.p99, webhook.health.p99),
    r.stalls, fmt((r.stalls * r.rps) / r.requests), fmt(r.stalledMs),
  ])));
  out.push(`(stalls: gaps of >= ${STALL_MS} ms between two answers, with up to ${CLIENTS} requests in flight; stalls/s: per second of that route's sending)`);
  out.push(`p99 of each round, /health | 1 symbol | 20 symbols (ms): ${webhook.rounds.map((r) => `${fmt(r.health.p99)} | ${fmt(r.oneSymbol.p99)} | ${fmt(r.twentySymbols.p99)}`).join("; ")}`);
  checks.webhookP99VsHealth20Clients = webhook.oneSymbol.p99 / webhook.health.p99;
  checks.webhookP99VsHealth20ClientsByRound = webhook.rounds.map((r) => r.p99VsHealth);
}
if (burst) {
  out.push(...burstTables(burst, { table, fmt, ratio }));
  Object.assign(checks, burstChecks(burst));
  out.push(`Burst checks: 1-symbol burst drains in ${checks.burstDrainVsHealth1Symbol.toFixed(2)}× the time of ${burst.recorders} GET /health from the same ${burst.clients} clients` +
    ` (wanted <= 2; ${burst.symbols} symbols: ${checks.burstDrainVsHealth20Symbols.toFixed(2)}×), lost ${checks.burstLost}, doubled ${checks.burstDoubled} (wanted 0, 0);` +
    ` D1 ${checks.burstD1RoundTripsPerSignal.toFixed(2)} round trips, ${checks.burstD1StatementsPerSignal.toFixed(2)} statements per signal;` +
    ` each recorder's first signal (cold path, no goal): p99 ${checks.firstSignalP99VsHealth20Clients.toFixed(2)}× /health's with 20 clients`);
}
if (webhook) {
  const byRound = checks.webhookP99VsHealth20ClientsByRound;
  out.push(`Webhook checks: p99 vs /health p99 with 20 clients ${checks.webhookP99VsHealth20Clients.toFixed(2)}× over ${byRound.length} interleaved rounds pooled (wanted <= 2;` +
    ` each round: ${byRound.map((x) => `${x.toFixed(2)}×`).join(", ")})`);
}
if (dashboards) {
  out.push(...dashboardsTables(dashboards, { table, fmt, ratio }));
  Object.assign(checks, dashboardsChecks(dashboards));
  out.push(dashboardsCheckLine(dashboards, checks));
}
const c = (k, d = 2) => (checks[k] === undefined ? "-" : /^(trailRows|trailQuiet|ratchetRows|rows)/.test(k) ? fmt(checks[k]) : checks[k].toFixed(d));
out.push(`\nChecks: rows/1000 ticks ${c("rowsPer1000Ticks1")} (1 position) vs ${c("rowsPer1000Ticks10k")} (10 000); ` +
  `ticks/s 10 000 vs 1: engine ${c("engineTicksPerSecond10kVs1")}, object ${c("objectTicksPerSecond10kVs1")}`);
out.push(`Trail checks: ticks/s 10 000 vs 1: object ${c("trailObjectTicksPerSecond10kVs1")} (wanted >= 0.5), engine ${c("engineTrailTicksPerSecond10kVs1", 3)}; ` +
  `rows/1000 ticks ${c("trailRowsPer1000Ticks1")} (1) vs ${c("trailRowsPer1000Ticks10k")} (10 000), on quiet ticks ${c("trailQuietRowsPer1000Ticks1")} vs ${c("trailQuietRowsPer1000Ticks10k")}; ` +
  `rows per fill ${c("trailRowsPerFill1k")} (1 000) vs ${c("trailRowsPerFill10k")} (10 000)`);
out.push(`Ratchet checks (issue #10: 10 000 open positions, a trail and legs on each, every trail ratcheting): ticks/s 10 000 vs 1: object ${c("ratchetObjectTicksPerSecond10kVs1")} (wanted >= 0.5), ` +
  `engine ${c("engineRatchetTicksPerSecond10kVs1", 3)} (steady ticks: ${c("engineRatchetSteadyTicksPerSecond10kVs1")}); rows/1000 ticks ${c("ratchetRowsPer1000Ticks1")} (1) vs ${c("ratchetRowsPer1000Ticks10k")} (10 000) (wanted equal)`);
out.push(`Total ${seconds.toFixed(0)} s. ${FULL ? "Results: bench/results/latest.json" : `Phases ${PHASES.join(", ")} only: latest.json not written`}`);
console.log(out.join("\n"));

if (FULL) {
  mkdirSync(path.join(ROOT, "bench/results"), { recursive: true });
  writeFileSync(
    path.join(ROOT, "bench/results/latest.json"),
    JSON.stringify({ at: new Date().toISOString(), quick: QUICK, seconds, machine, engine, replay, object, webhook, burst, dashboards, checks }, null, 2) + "\n",
  );
}
process.exit(0);
