// The hostile suite's world: its recorders and symbols, the requests it sent and what came back, the per-reply
// properties, and the invariants checked once a run is over (through the HTTP API and D1 itself).
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { api, apiJson, createRecorder, symbolStub, tick, type TestRecorder } from "../helpers";
import type { GenWorld, HostileRequest, RecorderDef, SymbolDef } from "./generators";
import { expectedLogBody, LOG_LIMIT, utf8Length } from "./json";

const BASE = "http://recorder.test";

/** Error codes the contract gives each webhook status. */
const WEBHOOK_CODES: Record<number, string[]> = {
  400: ["invalid_json", "invalid_signal"],
  404: ["unknown_token"],
  413: ["payload_too_large"],
  422: ["unknown_instrument", "no_price", "stale_signal"],
  429: ["rate_limited"],
};
const RESULTS = ["opened", "added", "reduced", "closed", "reversed", "ignored", "scheduled"];
const EXIT_REASONS = ["signal", "reverse", "take_profit", "stop_loss", "manual"];

/** Tokens no recorder has (well-formed, too short, too long, odd characters). */
const UNKNOWN_TOKENS = ["Zz9fakeTokenThatLooksReal_0123456789abcdefXY", "short", "L".repeat(200), "%E2%80%AEtok%00en-0123456789abcdef"];

/** A reply that broke the contract: `problem` groups alike ones, the message has the request and reply. */
export class Violation extends Error {
  constructor(
    readonly problem: string,
    message: string,
  ) {
    super(wellFormed(message));
  }
}

/** Lone surrogates (a cut emoji) replaced: test output travels as UTF-8, which cannot carry them. */
export function wellFormed(s: string): string {
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
}

export interface LiveRecorder extends RecorderDef {
  id: string;
  webhookPath: string;
  webhookToken: string;
}

export interface Sent {
  n: number;
  req: HostileRequest;
  recorderId: string | null;
  status: number;
  text: string;
  json: any;
  at: number;
  /** A 200 that is no duplicate: whether its signalId was new. */
  firstOfId?: boolean;
}

export class HostileWorld implements GenWorld {
  recorders: LiveRecorder[] = [];
  readonly sent: Sent[] = [];
  /** Random-walk position of each symbol, in ticks from its center. */
  readonly walk = new Map<string, number>();
  ticks = 0;
  /** The signalIds of each recorder's non-duplicate replies (a duplicate must repeat one of them). */
  readonly signalIds = new Map<string, Set<string>>();
  /** Replies that broke the contract (collected, so one run shows every kind). */
  readonly violations: Violation[] = [];

  constructor(
    readonly defs: RecorderDef[],
    readonly symbols: SymbolDef[],
    readonly unknownTokenWeight: number,
    readonly profile: "full" | "light",
    readonly seed: number,
  ) {}

  static async create(defs: RecorderDef[], symbols: SymbolDef[], opts: { unknownTokenWeight: number; profile: "full" | "light"; seed: number }) {
    const w = new HostileWorld(defs, symbols, opts.unknownTokenWeight, opts.profile, opts.seed);
    for (const d of defs) {
      const r: TestRecorder = await createRecorder({ name: d.name, ...d.settings });
      w.recorders.push({ ...d, id: r.id, webhookPath: r.webhookPath, webhookToken: r.webhookToken });
      w.signalIds.set(r.id, new Set());
    }
    for (const s of symbols) {
      w.walk.set(s.feedSymbol, 0);
      await prepareSymbol(s.feedSymbol);
    }
    return w;
  }

  /** Every secret a reply must never show (the unknown ones too: a reply must not echo the path). */
  get secrets(): string[] {
    return [...this.recorders.map((r) => r.webhookToken), UNKNOWN_TOKENS[0], UNKNOWN_TOKENS[2]];
  }

  priceOf(s: SymbolDef): number {
    return Number((s.center + this.walk.get(s.feedSymbol)! * s.tickSize).toPrecision(12));
  }

  /** One step of the symbol's random walk (kept within ±60 ticks of its center), sent through the tick seam. */
  async step(symbolIndex: number, delta: number): Promise<void> {
    const s = this.symbols[symbolIndex % this.symbols.length];
    const k = Math.max(-60, Math.min(60, this.walk.get(s.feedSymbol)! + delta));
    this.walk.set(s.feedSymbol, k);
    await tick(s.feedSymbol, this.priceOf(s));
    this.ticks++;
  }

  async send(req: HostileRequest): Promise<Sent> {
    const n = this.sent.length;
    const rec = req.target >= 0 ? this.recorders[req.target] : null;
    const path = rec ? rec.webhookPath : `/webhook/${UNKNOWN_TOKENS[n % UNKNOWN_TOKENS.length]}`;
    const contentType = ["text/plain", "application/json", "text/plain; charset=utf-8", "", "application/x-www-form-urlencoded"][n % 5];
    const r = await exports.default.fetch(`${BASE}${path}`, {
      method: "POST",
      headers: contentType ? { "Content-Type": contentType } : {},
      body: req.text,
    });
    const text = await r.text();
    let json: any = undefined;
    try {
      json = JSON.parse(text);
    } catch {
      /* checked below */
    }
    const sent: Sent = { n, req, recorderId: rec && !rec.disabled ? rec.id : null, status: r.status, text, json, at: Date.now() };
    this.sent.push(sent);
    try {
      this.checkReply(sent, rec);
    } catch (err) {
      if (!(err instanceof Violation)) throw err;
      this.violations.push(err);
    }
    return sent;
  }

  /** The reply violations so far, grouped by problem (count, then the first examples in full). */
  violationReport(): string | null {
    if (this.violations.length === 0) return null;
    const groups = new Map<string, Violation[]>();
    for (const v of this.violations) groups.set(v.problem, [...(groups.get(v.problem) ?? []), v]);
    const parts = [...groups].map(([problem, vs]) => `${vs.length} × ${problem}
${vs.slice(0, 2).map((v) => v.message).join("\n")}`);
    return `seed ${this.seed}: ${this.violations.length} replies broke the contract:\n\n${parts.join("\n\n")}`;
  }

  fail(s: Sent, problem: string): never {
    throw new Violation(
      problem.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "<id>"),
      `${problem}\n  seed ${this.seed}, request #${s.n} to ${s.req.target >= 0 ? this.recorders[s.req.target].name : "an unknown token"}` +
        `\n  mutations: ${s.req.notes.join("; ") || "none"}\n  oracle: ${JSON.stringify(s.req.oracle)}` +
        `\n  body (${s.req.oracle.bytes} bytes): ${excerpt(s.req.text)}\n  reply ${s.status}: ${excerpt(s.text)}`,
    );
  }

  /** The properties of one reply. */
  private checkReply(s: Sent, rec: LiveRecorder | null): void {
    const { status, json } = s;
    const o = s.req.oracle;
    // Signal ids first: a later duplicate must find this reply's id even when this reply breaks a rule below.
    if (status === 200 && rec && typeof json?.signalId === "string" && json.duplicate !== true) {
      const ids = this.signalIds.get(rec.id)!;
      s.firstOfId = !ids.has(json.signalId);
      ids.add(json.signalId);
    }
    if (status >= 500) this.fail(s, `5xx reply`);
    for (const secret of this.secrets) if (s.text.includes(secret)) this.fail(s, "the reply shows a webhook token");
    if (json === undefined || json === null || typeof json !== "object") this.fail(s, "the reply is not a JSON object");
    assertFinite(json, "reply", (m) => this.fail(s, m));

    if (status !== 200) {
      const codes = WEBHOOK_CODES[status];
      if (!codes) this.fail(s, `status ${status} is not one the contract gives the webhook`);
      if (json.ok !== false || typeof json.error !== "object" || json.error === null) this.fail(s, "a 4xx without {ok:false, error}");
      if (!codes.includes(json.error.code)) this.fail(s, `code ${json.error.code} is not one of ${codes.join(", ")} for ${status}`);
      if (typeof json.error.message !== "string" || json.error.message.length < 5) this.fail(s, "a 4xx without a message");
      if (json.error.details !== undefined) {
        if (!Array.isArray(json.error.details)) this.fail(s, "details is not an array");
        for (const d of json.error.details) {
          if (typeof d?.field !== "string" || typeof d?.problem !== "string") this.fail(s, "a detail without {field, problem}");
          if (d.problem === "wrong_side" && !["takeProfit", "stopLoss"].includes(d.field)) this.fail(s, `wrong_side names ${d.field}, not takeProfit / stopLoss`);
          // CONTRACT "Levels on the right side": the message names both prices.
          if (d.problem === "wrong_side" && (json.error.message.match(/\d+(?:\.\d+)?/g) ?? []).length < 2) this.fail(s, "a wrong_side refusal whose message does not name both prices");
        }
      }
    }

    // What the body deserves, where the contract says so.
    if (o.tooLarge) {
      if (status !== 413) this.fail(s, `a body of ${o.bytes} bytes (> 64 KiB) must be 413 payload_too_large`);
      return;
    }
    if (!rec || rec.disabled) {
      if (status !== 404 || json.error.code !== "unknown_token") this.fail(s, "an unknown or disabled recorder's token must be 404 unknown_token");
      return;
    }
    if (status === 429) {
      if (!rec.limited) this.fail(s, `429 from a recorder allowed ${String(rec.settings.maxSignalsPerMinute)} signals a minute`);
      return;
    }
    const codeIs = (st: number, code: string, why: string) => {
      if (status !== st || json.error?.code !== code) this.fail(s, `expected ${st} ${code} (${why})`);
    };
    if (o.invalidJson) return codeIs(400, "invalid_json", "not JSON, or nested deeper than 32 levels");
    if (o.notObject) return codeIs(400, "invalid_signal", "not a JSON object");
    if (o.invalidKeys.length > 0 || o.stepFields.length > 0) {
      codeIs(400, "invalid_signal", `invalid ${[...o.invalidKeys, ...o.stepFields].join(", ")}`);
      const fields: string[] = (json.error.details ?? []).map((d: any) => String(d.field));
      for (const k of [...o.invalidKeys, ...o.stepFields]) {
        if (!fields.some((f) => f === k || f.startsWith(`${k}.`))) this.fail(s, `400 invalid_signal without a detail naming ${k} (details: ${fields.join(", ")})`);
      }
      return;
    }
    if (o.mustFail && status === 200) this.fail(s, "a signal no instrument can take (or without a ticker) was accepted");
    if (status === 200) this.checkApplied(s, rec);
  }

  private checkApplied(s: Sent, rec: LiveRecorder): void {
    const j = s.json;
    if (j.ok !== true || typeof j.signalId !== "string" || j.recorderId !== rec.id) this.fail(s, "a 200 without ok, signalId, recorderId");
    if (!RESULTS.includes(j.result)) this.fail(s, `result ${j.result}`);
    const ids = this.signalIds.get(rec.id)!;
    if (j.duplicate === true) {
      if (!ids.has(j.signalId)) this.fail(s, "a duplicate that repeats no earlier reply of this recorder");
    } else if (s.firstOfId === false) this.fail(s, "a signalId given twice without duplicate: true");
    if (j.result === "scheduled" && typeof j.appliesAt !== "string") this.fail(s, "scheduled without appliesAt");
    if (["opened", "added", "reduced", "closed", "reversed"].includes(j.result) && (j.position === null || typeof j.position !== "object")) this.fail(s, `${j.result} without a position`);
    if (j.position) {
      const problem = positionProblem(j.position, rec.quantityStep);
      if (problem) this.fail(s, `reply position: ${problem}`);
    }
    if (j.trade) {
      const problem = tradeProblem(j.trade);
      if (problem) this.fail(s, `reply trade: ${problem}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Objects

const run = runInDurableObject as unknown as <R>(stub: unknown, cb: (obj: any) => R | Promise<R>) => Promise<R>;

/** A signal without a price waits for a fresh feed price: 2 s by default, 50 ms here (the fake feed never sends
 * a price for these symbols, so the wait always ends in 422 no_price; its length changes nothing else). */
export async function prepareSymbol(feedSymbol: string): Promise<void> {
  await run(symbolStub(feedSymbol), (obj) => {
    obj.timing = { ...obj.timing, firstPriceWaitMs: 50 };
  });
}

export function gateStub(recorderId: string): DurableObjectStub & { pendingDeliveries(): Promise<number> } {
  return env.GATES.getByName(recorderId) as unknown as DurableObjectStub & { pendingDeliveries(): Promise<number> };
}

export async function setD1Down(stub: DurableObjectStub, down: boolean): Promise<void> {
  await run(stub, (obj) => {
    obj.d1Faults.down = down;
  });
}

/** Runs the alarms of every symbol object and recorder gate until nothing waits for D1 (or gives up). */
export async function drain(feedSymbols: string[], recorderIds: string[]): Promise<void> {
  for (let round = 0; round < 8; round++) {
    let pending = 0;
    for (const fs of feedSymbols) {
      const st = await symbolStub(fs).status();
      if (st.pendingDeliveries > 0) {
        pending += st.pendingDeliveries;
        await runDurableObjectAlarm(symbolStub(fs));
      }
    }
    for (const id of recorderIds) {
      const n = await gateStub(id).pendingDeliveries();
      if (n > 0) {
        pending += n;
        await runDurableObjectAlarm(gateStub(id));
      }
    }
    if (pending === 0) return;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Shapes and numbers

/** Every number anywhere in `v` is finite (a JSON text can hold 1e999, which parses to Infinity). */
export function assertFinite(v: unknown, path: string, fail: (m: string) => void): void {
  if (typeof v === "number") {
    if (!Number.isFinite(v)) fail(`${path} is ${v}`);
  } else if (Array.isArray(v)) v.forEach((x, i) => assertFinite(x, `${path}[${i}]`, fail));
  else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) assertFinite(x, `${path}.${k}`, fail);
}

const POSITION_NUMBERS = ["quantity", "maxQuantity", "avgEntryPrice", "lastPrice", "unrealizedPnl", "realizedPnl", "worstUnrealizedPnl", "bestUnrealizedPnl", "worstPrice", "bestPrice", "commission"];
const TRADE_NUMBERS = ["quantity", "entryPrice", "exitPrice", "grossPnl", "commission", "pnl", "maxFavorable", "maxAdverse"];

const isNum = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);
const onStep = (q: number, step: number) => {
  const m = Math.round(q / step);
  return m >= 1 && Math.abs(q / step - m) < 1e-6;
};

export function positionProblem(p: any, step: number): string | null {
  for (const k of POSITION_NUMBERS) if (!isNum(p[k])) return `${k} is ${p[k]}`;
  for (const k of ["takeProfitPrice", "stopLossPrice", "exitPrice"]) if (p[k] !== null && p[k] !== undefined && !isNum(p[k])) return `${k} is ${p[k]}`;
  if (!["open", "closed"].includes(p.status)) return `status ${p.status}`;
  if (!["long", "short"].includes(p.side)) return `side ${p.side}`;
  if (p.worstUnrealizedPnl > 0) return `worstUnrealizedPnl ${p.worstUnrealizedPnl} > 0`;
  if (p.bestUnrealizedPnl < 0) return `bestUnrealizedPnl ${p.bestUnrealizedPnl} < 0`;
  if (p.status === "open" && !(p.quantity > 0)) return `open with quantity ${p.quantity}`;
  if (p.status === "closed" && p.quantity !== 0) return `closed with quantity ${p.quantity}`;
  if (p.status === "closed" && !EXIT_REASONS.includes(p.exitReason)) return `exitReason ${p.exitReason}`;
  if (!(p.avgEntryPrice > 0 && p.avgEntryPrice < 1e9)) return `avgEntryPrice ${p.avgEntryPrice}`;
  if (!Array.isArray(p.fills) || p.fills.length === 0) return "no fills";
  for (const f of p.fills) {
    if (!isNum(f.price) || !(f.price > 0 && f.price < 1e9)) return `a fill at ${f.price}`;
    if (!isNum(f.quantity) || !(f.quantity > 0)) return `a fill of ${f.quantity}`;
    if (!onStep(f.quantity, step)) return `a fill of ${f.quantity} contracts, not a multiple of the quantityStep ${step}`;
    if (!["signal", "feed"].includes(f.priceSource)) return `a fill with priceSource ${f.priceSource}`;
    if (f.feedPrice !== null && !isNum(f.feedPrice)) return `a fill with feedPrice ${f.feedPrice}`;
  }
  return null;
}

export function tradeProblem(t: any): string | null {
  for (const k of TRADE_NUMBERS) if (!isNum(t[k])) return `${k} is ${t[k]}`;
  if (Math.abs(t.grossPnl - t.commission - t.pnl) > 0.005 + 1e-9) return `pnl ${t.pnl} is not grossPnl ${t.grossPnl} - commission ${t.commission}`;
  if (t.maxAdverse > 0 || t.maxFavorable < 0) return `maxAdverse ${t.maxAdverse} / maxFavorable ${t.maxFavorable}`;
  return null;
}

function excerpt(s: string): string {
  const shown = s.length > 300 ? `${s.slice(0, 300)}… (${s.length} chars)` : s;
  return JSON.stringify(shown);
}

// ---------------------------------------------------------------------------------------------------------
// After a run: the invariants

/** How checkInvariants hears of a problem in an API response, and the tokens no response may show. */
let reportProblem: (m: string) => void = (m) => {
  throw new Error(m);
};
let apiSecrets: string[] = [];

/** GET through the API: every number finite, no webhook token. */
async function getJson(path: string): Promise<any> {
  const json = await apiJson("GET", path);
  assertFinite(json, path, (m) => reportProblem(`GET ${path}: ${m}`));
  const text = JSON.stringify(json);
  if (apiSecrets.some((t) => text.includes(t))) reportProblem(`GET ${path} shows a webhook token`);
  return json;
}

async function allTrades(recorderId: string): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | null = null;
  for (;;) {
    const page: any = await getJson(`/api/trades?recorderId=${recorderId}&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    out.push(...page.trades);
    if (!page.nextCursor) return out;
    cursor = page.nextCursor;
  }
}

export interface InvariantOptions {
  /** Feed symbols of the run (they get the last tick). */
  feedSymbols: string[];
  /** Tick every symbol of the run once more, at its walk price and the time now, before checking. */
  finalTick: boolean;
}

export interface RunSummary {
  trades: number;
  exits: Record<string, number>;
  statuses: Record<string, number>;
  /** Invariant violations, with the seed (empty when the record is whole). */
  problems: string[];
}

/**
 * The invariants of a finished run. Collects every violation (one failure shows all that went wrong, with the
 * seed to replay it); the caller reports them with invariantReport.
 */
export async function checkInvariants(w: HostileWorld, opts: InvariantOptions): Promise<RunSummary> {
  const problems: string[] = [];
  const bad = (m: string) => {
    problems.push(m);
  };
  reportProblem = bad;
  apiSecrets = w.secrets;
  const mine = w.recorders.filter((r) => !r.disabled);
  const ids = new Set(mine.map((r) => r.id));

  // A last tick for every symbol at its walk price (a run of the tick seam with the time now): scheduled signals
  // apply, and levels a signal set since the symbol's last tick are checked.
  const status0 = await getJson("/status");
  const allSymbols = [...new Set([...opts.feedSymbols, ...status0.symbols.map((s: any) => s.feedSymbol)])];
  const open0: any[] = (await getJson("/api/positions?status=open")).positions.filter((p: any) => ids.has(p.recorderId));
  const ticked = new Set([...opts.feedSymbols, ...open0.map((p) => p.feedSymbol as string)]);
  if (opts.finalTick) {
    // The run's symbols, and any other one a recorder with a tick override opened a position on.
    for (const fs of ticked) {
      const def = w.symbols.find((s) => s.feedSymbol === fs);
      await tick(fs, def ? w.priceOf(def) : 100);
    }
  }
  await drain(allSymbols, mine.map((r) => r.id));

  // /status: drained, nothing set aside, nothing left scheduled.
  const status = await getJson("/status");
  for (const s of status.symbols) {
    if (s.pendingDeliveries !== 0) bad(`/status: ${s.feedSymbol} still has pendingDeliveries ${s.pendingDeliveries} after its alarms ran`);
    if (s.deadLetters !== 0) bad(`/status: ${s.feedSymbol} has deadLetters ${s.deadLetters}: ${s.lastDeadLetterError}`);
    if (opts.finalTick && ticked.has(s.feedSymbol) && s.scheduledSignals !== 0) bad(`/status: ${s.feedSymbol} still has ${s.scheduledSignals} scheduled signals after a tick at the time now`);
    for (const k of ["openPositions", "ticksProcessed", "pendingDeliveries", "deadLetters"]) if (!isNum(s[k])) bad(`/status: ${s.feedSymbol}.${k} is ${s[k]}`);
  }
  for (const r of mine) {
    const n = await gateStub(r.id).pendingDeliveries();
    if (n !== 0) bad(`recorder gate of ${r.name}: ${n} signal-log rows never delivered`);
  }

  // Open positions: at most one per recorder and feed symbol; consistent; levels not crossed at the last tick.
  const open: any[] = (await getJson("/api/positions?status=open")).positions.filter((p: any) => ids.has(p.recorderId));
  const seen = new Map<string, string>();
  for (const p of open) {
    const key = `${p.recorderId} ${p.feedSymbol}`;
    if (seen.has(key)) bad(`two open positions for recorder ${p.recorderId} on ${p.feedSymbol}: ${seen.get(key)} and ${p.id}`);
    seen.set(key, p.id);
    const rec = mine.find((r) => r.id === p.recorderId)!;
    const problem = positionProblem(p, rec.quantityStep);
    if (problem) bad(`open position ${p.id} (${rec.name}, ${p.feedSymbol}): ${problem}`);
    if (p.status !== "open") bad(`GET ?status=open lists ${p.id} as ${p.status}`);
    if (opts.finalTick) {
      const long = p.side === "long";
      const tp = p.takeProfitPrice;
      const sl = p.stopLossPrice;
      if (tp !== null && (long ? p.lastPrice >= tp : p.lastPrice <= tp)) bad(`open ${p.side} ${p.id} (${rec.name}, ${p.feedSymbol}) at ${p.lastPrice} past its take-profit ${tp} after a tick`);
      if (sl !== null && (long ? p.lastPrice <= sl : p.lastPrice >= sl)) bad(`open ${p.side} ${p.id} (${rec.name}, ${p.feedSymbol}) at ${p.lastPrice} past its stop-loss ${sl} after a tick`);
    }
  }

  // D1 agrees with the objects.
  const placeholders = mine.map(() => "?").join(",");
  const d1Positions = (
    await env.DB.prepare(`SELECT id, recorder_id, status, feed_symbol, data FROM positions WHERE recorder_id IN (${placeholders})`)
      .bind(...mine.map((r) => r.id))
      .all<{ id: string; recorder_id: string; status: string; feed_symbol: string; data: string }>()
  ).results;
  const d1ById = new Map(d1Positions.map((r) => [r.id, r]));
  for (const p of open) {
    const row = d1ById.get(p.id);
    if (!row) bad(`open position ${p.id} (${p.feedSymbol}) is not in D1`);
    else if (row.status !== "open" || row.recorder_id !== p.recorderId) bad(`open position ${p.id}: D1 has status ${row.status}, recorder ${row.recorder_id}`);
  }
  const openIds = new Set(open.map((p) => p.id));
  for (const row of d1Positions) if (row.status === "open" && !openIds.has(row.id)) bad(`D1 has position ${row.id} (${row.feed_symbol}) open, the objects do not`);

  const d1Trades = (
    await env.DB.prepare(`SELECT id, position_id, recorder_id, pnl, commission, gross_pnl, exit_reason FROM trades WHERE recorder_id IN (${placeholders})`)
      .bind(...mine.map((r) => r.id))
      .all<{ id: string; position_id: string; recorder_id: string; pnl: number; commission: number; gross_pnl: number; exit_reason: string }>()
  ).results;
  const tradesByPosition = new Map<string, typeof d1Trades>();
  for (const t of d1Trades) tradesByPosition.set(t.position_id, [...(tradesByPosition.get(t.position_id) ?? []), t]);
  const exits: Record<string, number> = {};
  for (const row of d1Positions) {
    if (row.status !== "closed") continue;
    const data = JSON.parse(row.data);
    const ts = tradesByPosition.get(row.id) ?? [];
    if (ts.length !== 1) {
      bad(`closed position ${row.id} has ${ts.length} trade rows in D1`);
      continue;
    }
    const t = ts[0];
    exits[t.exit_reason] = (exits[t.exit_reason] ?? 0) + 1;
    const want = data.realizedPnl - data.commission;
    if (!isNum(t.pnl) || Math.abs(t.pnl - want) > 0.005 + 1e-9) bad(`trade ${t.id}: pnl ${t.pnl}, but the position's realizedPnl ${data.realizedPnl} - commission ${data.commission} = ${want}`);
    if (t.recorder_id !== row.recorder_id) bad(`trade ${t.id} belongs to ${t.recorder_id}, its position to ${row.recorder_id}`);
    const problem = positionProblem(data, mine.find((r) => r.id === row.recorder_id)!.quantityStep);
    if (problem) bad(`closed position ${row.id} in D1: ${problem}`);
  }
  for (const t of d1Trades) if (d1ById.get(t.position_id)?.status !== "closed") bad(`trade ${t.id} of position ${t.position_id}, which D1 has ${d1ById.get(t.position_id)?.status ?? "not at all"}`);

  // The API's own views: every number finite, shapes as the contract says.
  await getJson("/api/positions?status=closed");
  await getJson("/api/positions");
  for (const r of mine) {
    const trades = await allTrades(r.id);
    const inD1 = d1Trades.filter((t) => t.recorder_id === r.id).length;
    if (trades.length !== inD1) bad(`${r.name}: GET /api/trades lists ${trades.length} trades, D1 has ${inD1}`);
    for (const t of trades) {
      const problem = tradeProblem(t);
      if (problem) bad(`trade ${t.id}: ${problem}`);
    }
    const { stats } = await getJson(`/api/recorders/${r.id}/stats`);
    for (const k of ["netProfit", "grossProfit", "grossLoss", "totalClosedTrades", "winningTrades", "losingTrades", "maxDrawdown", "maxRunup", "commissionPaid"]) {
      if (!isNum(stats[k])) bad(`${r.name} stats.${k} is ${stats[k]}`);
    }
    if (stats.totalClosedTrades !== trades.length) bad(`${r.name} stats.totalClosedTrades ${stats.totalClosedTrades}, trades ${trades.length}`);
    if (stats.grossLoss < 0 || stats.maxDrawdown < 0) bad(`${r.name} stats: grossLoss ${stats.grossLoss}, maxDrawdown ${stats.maxDrawdown} must be positive numbers`);
    if (stats.totalClosedTrades > 0 && (!isNum(stats.percentProfitable) || stats.percentProfitable < 0 || stats.percentProfitable > 100)) bad(`${r.name} stats.percentProfitable ${stats.percentProfitable}`);
    for (const [k, v] of Object.entries(stats)) if (v !== null && typeof v === "number" && !Number.isFinite(v)) bad(`${r.name} stats.${k} is ${v}`);
    await getJson(`/api/recorders/${r.id}/equity`);
    await getJson(`/api/recorders/${r.id}`);
    const csv = await (await api("GET", `/api/recorders/${r.id}/trades.csv`)).text();
    const junk = /NaN|Infinity|undefined/.exec(csv);
    if (junk) bad(`${r.name}: trades.csv holds "${junk[0]}"`);
    if (apiSecrets.some((t) => csv.includes(t))) bad(`${r.name}: trades.csv shows a webhook token`);
  }

  // The signal log: a row for every request that reached a recorder, except rate-limited ones past the first of
  // each minute; bodies cut at 8 KiB and flagged.
  const statuses: Record<string, number> = {};
  for (const r of mine) {
    const sent = w.sent.filter((s) => s.recorderId === r.id && s.status !== 413);
    const rows = (
      await env.DB.prepare("SELECT id, received_at, status, result, error, body, body_truncated FROM signals WHERE recorder_id = ?")
        .bind(r.id)
        .all<{ id: string; received_at: string; status: string; result: string | null; error: string | null; body: string | null; body_truncated: number }>()
    ).results;
    const isRateLimited = (row: (typeof rows)[number]) => row.error !== null && JSON.parse(row.error)?.code === "rate_limited";
    const limitedRows = rows.filter(isRateLimited);
    const logged = rows.filter((row) => !isRateLimited(row));
    const n429 = sent.filter((s) => s.status === 429).length;
    const others = sent.filter((s) => s.status !== 429);
    for (const row of rows) statuses[row.status] = (statuses[row.status] ?? 0) + 1;
    if (logged.length !== others.length) {
      bad(`${r.name}: ${others.length} requests reached it (not rate-limited), the signal log has ${logged.length} rows for them (${countBy(others.map((s) => String(s.status)))} sent; ${countBy(logged.map((x) => x.status))} logged)`);
    }
    if (n429 === 0 && limitedRows.length > 0) bad(`${r.name}: ${limitedRows.length} rate_limited rows without a 429`);
    if (n429 > 0 && (limitedRows.length < 1 || limitedRows.length > n429)) bad(`${r.name}: ${n429} replies were 429, the log has ${limitedRows.length} rate_limited rows`);
    const times = limitedRows.map((x) => Date.parse(x.received_at)).sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) if (times[i] - times[i - 1] < 60_000) bad(`${r.name}: two rate_limited rows ${times[i] - times[i - 1]} ms apart (one a minute at most)`);
    const dupReplies = sent.filter((s) => s.status === 200 && s.json.duplicate === true).length;
    const dupRows = rows.filter((x) => x.status === "duplicate").length;
    if (dupReplies !== dupRows) bad(`${r.name}: ${dupReplies} duplicate replies, ${dupRows} duplicate rows`);
    const byId = new Map(rows.map((x) => [x.id, x]));
    // The API's view of the log: the same rows, statuses of the contract, bodyTruncated as stored.
    const { signals: listed } = await getJson(`/api/signals?recorderId=${r.id}&limit=1000`);
    if (rows.length <= 1000 && listed.length !== rows.length) bad(`${r.name}: GET /api/signals lists ${listed.length} rows, D1 has ${rows.length}`);
    for (const x of listed) {
      if (!["applied", "duplicate", "rejected", "scheduled"].includes(x.status)) bad(`${r.name}: signal ${x.id} has status ${x.status}`);
      if (Boolean(x.bodyTruncated) !== Boolean(byId.get(x.id)?.body_truncated)) bad(`${r.name}: signal ${x.id}: bodyTruncated ${x.bodyTruncated} in the API, ${byId.get(x.id)?.body_truncated} in D1`);
    }
    for (const s of sent) {
      if (s.status !== 200 || s.json.duplicate) continue;
      const row = byId.get(s.json.signalId);
      if (!row) bad(`${r.name}: signal ${s.json.signalId} (reply ${s.json.result}) has no signal-log row`);
      else if (row.status === "scheduled" && opts.finalTick) bad(`${r.name}: signal ${row.id} is still "scheduled" in the log after a tick at the time now`);
      else if (s.json.result !== "scheduled" && row.status !== "applied") bad(`${r.name}: signal ${row.id} replied ${s.json.result}, logged ${row.status}`);
    }
    // Bodies.
    const expected = new Set<string>();
    const long: string[] = [];
    for (const s of sent) {
      const e = expectedLogBody(s.req.text);
      if (e === null) long.push(s.req.text);
      else expected.add(e);
    }
    for (const row of rows) {
      const body = row.body === null ? null : JSON.parse(row.body);
      if (isRateLimited(row) && body === null) continue;
      if (row.body_truncated) {
        if (typeof body !== "string") {
          bad(`${r.name}: row ${row.id} is bodyTruncated but its body is not text`);
          continue;
        }
        const bytes = utf8Length(body);
        if (bytes > LOG_LIMIT || bytes < LOG_LIMIT - 3) bad(`${r.name}: row ${row.id} keeps ${bytes} bytes of a cut body (the first 8 KiB)`);
        if (!long.some((t) => t.startsWith(body))) bad(`${r.name}: row ${row.id} keeps a cut body that begins no body sent over 8 KiB: ${excerpt(body)}`);
      } else if (!expected.has(JSON.stringify(body) ?? "null")) {
        const over = typeof body === "string" && utf8Length(body) > LOG_LIMIT;
        bad(`${r.name}: row ${row.id} (${row.status}) keeps a body that is no body sent${over ? " (over 8 KiB and not flagged bodyTruncated)" : ""}: ${excerpt(row.body ?? "null")}`);
      }
    }
  }

  return { trades: d1Trades.length, exits, statuses, problems };
}

/** The invariant violations of a summary as one message (null when there are none). */
export function invariantReport(seed: number, problems: string[]): string | null {
  if (problems.length === 0) return null;
  const shown = problems.slice(0, 40).join("\n  - ");
  return wellFormed(`seed ${seed}: ${problems.length} invariant violations after the run:\n  - ${shown}${problems.length > 40 ? `\n  … and ${problems.length - 40} more` : ""}`);
}

function countBy(xs: string[]): string {
  const m = new Map<string, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return [...m].map(([k, v]) => `${k}: ${v}`).join(", ");
}
