// The burst bench's Worker (bench/wrangler.burst.toml; served by `wrangler dev --local` on loopback by
// bench/burst.mjs, never deployed): the production Worker and Durable Object classes, unchanged, each given an
// `env` whose bindings are observed:
//   - DB: every D1 call is counted — round trips (each awaited first/all/run/raw/batch/exec) and statements (one
//     per prepared statement run, each statement of a batch), with the time awaited, by caller (the Worker, the
//     symbol objects, the recorder gates) and by the SQL's table and verb;
//   - SYMBOLS / GATES / DIRECTORY / LIVE: every request into a Durable Object — each RPC call and each fetch on a
//     stub — is counted and timed, by caller (the Worker or the object making it) and method ("fetch" for a fetch);
//   - the symbol object's applySignal and the Worker's whole request are timed from the inside;
//   - the symbol object's alarm calls (getAlarm / setAlarm on its storage) are counted and timed;
//   - every SQLite statement of the symbol objects and the gates (`ctx.storage.sql.exec`) is counted, by caller and
//     by the SQL's table and verb ("symbol sqlite insert outbox"): what a signal costs its object's storage.
// Times are awaited wall time in the isolate (workerd only moves its clock across I/O, which is what is timed here).
// The Worker and its Durable Objects share one isolate under `wrangler dev`, so one module-level tally sees all of
// them; GET /__bench/stats reads it, POST /__bench/reset clears it. The wrappers cost microseconds per call against
// milliseconds of I/O; /health goes through the same wrapper (a Proxy of env, nothing else).
import prod from "../src/index";
import { SymbolObject as ProdSymbolObject } from "../src/durable/symbol-object";
import { RecorderGate as ProdRecorderGate } from "../src/durable/recorder-gate";
import { OutboxDelivery } from "../src/durable/outbox";
import type { SignalReply, SignalRequest } from "../src/durable/protocol";
import { SymbolDirectory as ProdSymbolDirectory } from "../src/durable/symbol-directory";
import { LiveHub as ProdLiveHub } from "../src/durable/live-hub";

type Caller = "worker" | "symbol" | "gate" | "directory" | "live";

interface Tally {
  n: number;
  ms: number;
  statements: number;
}

const stats = {
  since: Date.now(),
  /** `${caller} ${kind}` -> round trips, awaited ms, statements. kind: "d1 <verb> <table>" / "rpc <NS>.<method>" / "span <name>". */
  t: new Map<string, Tally>(),
  /** Statements per D1 batch, caller -> size -> count. */
  batchSizes: new Map<string, Map<number, number>>(),
  /** The most D1 calls in flight at once, per caller. */
  inflight: new Map<string, { now: number; max: number }>(),
};

function add(key: string, ms: number, statements = 0): void {
  let t = stats.t.get(key);
  if (!t) stats.t.set(key, (t = { n: 0, ms: 0, statements: 0 }));
  t.n++;
  t.ms += ms;
  t.statements += statements;
}

async function timed<T>(key: string, p: () => Promise<T> | T, statements = 0, flight?: string): Promise<T> {
  const f = flight ? (stats.inflight.get(flight) ?? stats.inflight.set(flight, { now: 0, max: 0 }).get(flight)!) : null;
  if (f) f.max = Math.max(f.max, ++f.now);
  const t0 = performance.now();
  try {
    return await p();
  } finally {
    if (f) f.now--;
    add(key, performance.now() - t0, statements);
  }
}

const kinds = new Map<string, string>();

/** "select recorders", "insert positions", ... from drizzle's SQL (quoted names) or a hand-written one. Cached by
 * SQL text (drizzle's statements repeat), so the bench's own overhead stays out of the CPU profile. */
function kindOf(sql: string): string {
  let k = kinds.get(sql);
  if (k === undefined) {
    k = classify(sql);
    if (kinds.size < 10_000) kinds.set(sql, k);
  }
  return k;
}

function classify(sql: string): string {
  const s = sql.trim().replace(/\s+/g, " ").toLowerCase();
  const verb = s.split(" ")[0];
  const m = verb === "select" ? /\bfrom "?([a-z_]+)"?/.exec(s) : verb === "insert" ? /^insert (?:or \w+ )?into "?([a-z_]+)"?/.exec(s) : verb === "update" ? /^update "?([a-z_]+)"?/.exec(s) : verb === "delete" ? /^delete from "?([a-z_]+)"?/.exec(s) : null;
  // A select names its first condition's column: "select recorders by token_hash" (the webhook's lookup) is not
  // "select recorders by follows_recorder_id" (its followers).
  const by = verb === "select" ? /\bwhere \(?(?:"?[a-z_]+"?\.)?"?([a-z_]+)"?/.exec(s)?.[1] : undefined;
  return `${verb} ${m?.[1] ?? "?"}${by ? ` by ${by}` : ""}`;
}

const RAW = Symbol("raw");
const KIND = Symbol("kind");

function countingStatement(caller: Caller, raw: D1PreparedStatement, kind: string): D1PreparedStatement {
  const run = (method: "first" | "all" | "run" | "raw") =>
    (...a: unknown[]) => timed(`${caller} d1 ${kind}`, () => Reflect.apply(raw[method] as (...x: unknown[]) => Promise<unknown>, raw, a), 1, caller);
  const wrapped = {
    [RAW]: raw,
    [KIND]: kind,
    bind: (...values: unknown[]) => countingStatement(caller, raw.bind(...values), kind),
    first: run("first"),
    all: run("all"),
    run: run("run"),
    raw: run("raw"),
  };
  return wrapped as unknown as D1PreparedStatement;
}

function countingD1(caller: Caller, db: D1Database): D1Database {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "prepare") return (sql: string) => countingStatement(caller, target.prepare(sql), kindOf(sql));
      if (prop === "batch") {
        return (statements: D1PreparedStatement[]) => {
          const raws = statements.map((s) => (s as unknown as { [RAW]?: D1PreparedStatement })[RAW] ?? s);
          const kinds = [...new Set(statements.map((s) => (s as unknown as { [KIND]?: string })[KIND] ?? "?"))].sort().join("+");
          const sizes = stats.batchSizes.get(caller) ?? stats.batchSizes.set(caller, new Map()).get(caller)!;
          sizes.set(statements.length, (sizes.get(statements.length) ?? 0) + 1);
          return timed(`${caller} d1 batch[${kinds}]`, () => target.batch(raws), statements.length, caller);
        };
      }
      if (prop === "exec") return (sql: string) => timed(`${caller} d1 exec`, () => target.exec(sql), 1, caller);
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

function timedNamespace(caller: Caller, name: string, ns: DurableObjectNamespace): DurableObjectNamespace {
  return new Proxy(ns, {
    get(target, prop) {
      const v = Reflect.get(target, prop);
      if (prop !== "getByName" && prop !== "get") return typeof v === "function" ? v.bind(target) : v;
      return (...a: unknown[]) => {
        const stub = Reflect.apply(v as (...x: unknown[]) => DurableObjectStub, target, a);
        return new Proxy(stub, {
          get(s, method) {
            const m = Reflect.get(s, method);
            if (typeof method !== "string" || typeof m !== "function") return m;
            // "worker fetch LIVE" (a WebSocket upgrade, say) beside "worker rpc SYMBOLS.openPositions"
            const key = method === "fetch" ? `${caller} fetch ${name}` : `${caller} rpc ${name}.${method}`;
            return (...args: unknown[]) => timed(key, () => Reflect.apply(m as (...x: unknown[]) => Promise<unknown>, s, args));
          },
        });
      };
    },
  });
}

function observedEnv(caller: Caller, env: Env): Env {
  const db = countingD1(caller, env.DB);
  const ns: Record<string, DurableObjectNamespace> = {};
  for (const name of ["SYMBOLS", "GATES", "DIRECTORY", "LIVE"]) {
    const binding = (env as unknown as Record<string, DurableObjectNamespace | undefined>)[name];
    if (binding) ns[name] = timedNamespace(caller, name, binding);
  }
  return new Proxy(env, {
    get(target, prop) {
      if (prop === "DB") return db;
      if (typeof prop === "string" && prop in ns) return ns[prop];
      return Reflect.get(target, prop);
    },
  });
}

/** The object's state with getAlarm/setAlarm timed (everything else passes through, bound to the real object). */
function observedState(caller: Caller, ctx: DurableObjectState): DurableObjectState {
  const storage = new Proxy(ctx.storage, {
    get(target, prop) {
      const v = Reflect.get(target, prop);
      if (prop === "getAlarm" || prop === "setAlarm") return (...a: unknown[]) => timed(`${caller} storage ${prop}`, () => Reflect.apply(v as (...x: unknown[]) => Promise<unknown>, target, a));
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return new Proxy(ctx, {
    get(target, prop) {
      if (prop === "storage") return storage;
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

/** Counts each `exec` of the object's SqlStorage as "<caller> sqlite <verb> <table>". Patched on the instance
 * before the object's constructor runs: its stores keep the `sql` handle they are given there. */
function countSql(caller: Caller, ctx: DurableObjectState): DurableObjectState {
  const sql = ctx.storage.sql;
  const exec = sql.exec;
  sql.exec = function (this: SqlStorage, query: string, ...bindings: unknown[]) {
    add(`${caller} sqlite ${kindOf(query)}`, 0, 1);
    return Reflect.apply(exec, this, [query, ...bindings]);
  } as SqlStorage["exec"];
  return ctx;
}

/** The symbol object's own awaits, timed: the follow-up of every reply (D1 delivery started and awaited, alarm,
 * directory) and the gate's admission are separate spans. TypeScript-private members, plain properties at runtime. */
function observeInternals(self: ProdSymbolObject): true {
  const o = self as unknown as { afterChange: () => Promise<void> };
  const afterChange = o.afterChange.bind(self);
  o.afterChange = () => timed("symbol span afterChange", afterChange);
  return true;
}

/** Every outbox flush (symbol objects and gates share the class): a call that joins a running flush waits for it. */
const flush = OutboxDelivery.prototype.flush;
OutboxDelivery.prototype.flush = function (this: OutboxDelivery) {
  return timed("symbol span outbox flush", () => flush.call(this));
};

export class SymbolObject extends ProdSymbolObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(countSql("symbol", ctx), observedEnv("symbol", env));
    add("symbol construct", 0); // an object woken (first use, or after workerd evicted it)
    // The runtime checks the state's type at construction: the observed one replaces it afterwards.
    Object.defineProperty(this, "ctx", { value: observedState("symbol", ctx), configurable: true });
  }

  private observed = observeInternals(this);

  override applySignal(req: SignalRequest): Promise<SignalReply> {
    return timed("symbol span applySignal", () => super.applySignal(req));
  }
}

export class RecorderGate extends ProdRecorderGate {
  constructor(ctx: DurableObjectState, env: Env) {
    super(countSql("gate", ctx), observedEnv("gate", env));
    add("gate construct", 0);
  }
}

export class SymbolDirectory extends ProdSymbolDirectory {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, observedEnv("directory", env));
  }
}

/** The dashboards' hub (GET /api/live): its calls into the directory and the symbol objects are counted too. */
export class LiveHub extends ProdLiveHub {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, observedEnv("live", env));
  }
}

function snapshot() {
  const tallies = [...stats.t.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, t]) => ({ key, ...t }));
  const batchSizes = Object.fromEntries([...stats.batchSizes.entries()].map(([c, m]) => [c, Object.fromEntries([...m.entries()].sort((a, b) => a[0] - b[0]))]));
  const inflightMax = Object.fromEntries([...stats.inflight.entries()].map(([c, f]) => [c, f.max]));
  return { sinceMs: Date.now() - stats.since, tallies, batchSizes, inflightMax };
}

export default {
  async fetch(req: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname === "/__bench/stats") return Response.json(snapshot());
    if (url.pathname === "/__bench/clock") {
      // Does the isolate's clock move during pure CPU (it decides what the spans above can see)?
      const t0 = performance.now();
      let x = 0;
      for (let i = 0; i < 20_000_000; i++) x = (x + i * 7) % 1_000_003;
      return Response.json({ spinMs: performance.now() - t0, x });
    }
    if (url.pathname === "/__bench/reset" && req.method === "POST") {
      stats.t.clear();
      stats.batchSizes.clear();
      stats.inflight.clear();
      stats.since = Date.now();
      return Response.json({ ok: true });
    }
    const span = url.pathname.startsWith("/webhook/") ? "webhook" : url.pathname === "/health" ? "health" : "other";
    return timed(`worker span request ${span}`, () => prod.fetch(req, observedEnv("worker", env), ctx));
  },
  scheduled: prod.scheduled,
} satisfies ExportedHandler<Env>;
