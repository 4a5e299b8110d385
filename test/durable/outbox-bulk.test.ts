// The outbox's bulk statements (src/durable/outbox-sql.ts: one json_each statement per table per page) against the
// statements they replaced (one drizzle-built statement per row, kept below as the reference): the same pages go
// to the real D1 of the tests both ways, under two id prefixes, and every column of every row read back (value,
// SQLite type and bytes) must be the same. A column added to the schema, or a conflict clause drifting from the
// reference, shows up here.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import { fills, positions, signals, symbols, trades } from "../../src/db/schema";
import type { EntryTrade, Position } from "../../src/engine/types";
import { OutboxDelivery, type OutboxOp, type SignalLogRow, type Statement } from "../../src/durable/outbox";
import type { TradeDelivery } from "../../src/durable/outbox-op";
import { BULK_SQL, MAX_PARAM, pageStatements } from "../../src/durable/outbox-sql";
import { OutboxStore } from "../../src/durable/outbox-store";
import { prng } from "../prng";

const TIMEOUT = 60_000;

// --- the reference: the per-row drizzle statements the outbox sent before (verbatim) ----------------------------

type Db = ReturnType<typeof drizzle>;

function referenceStatements(db: Db, seq: number, op: OutboxOp): BatchItem<"sqlite">[] {
  switch (op.t) {
    case "symbol":
      return [db.insert(symbols).values({ feedSymbol: op.feedSymbol, root: op.root, firstSeenAt: op.at }).onConflictDoNothing()];
    case "closed":
      return [...referenceStatements(db, seq, { t: "position", position: op.position }), ...referenceStatements(db, seq, { t: "trade", trade: op.trade })];
    case "position": {
      const p = op.position;
      const row = {
        id: p.id,
        recorderId: p.recorderId,
        symbol: p.symbol,
        feedSymbol: p.feedSymbol,
        status: p.status,
        openedAt: p.openedAt,
        closedAt: p.closedAt,
        data: p,
        version: seq,
      };
      const fillRows = p.fills.map((f, i) => ({
        id: `${p.id}:${i}`,
        positionId: p.id,
        recorderId: p.recorderId,
        symbol: p.symbol,
        ...f,
      }));
      const out: BatchItem<"sqlite">[] = [
        db
          .insert(positions)
          .values(row)
          .onConflictDoUpdate({
            target: positions.id,
            set: { status: row.status, closedAt: row.closedAt, data: row.data, version: row.version },
            setWhere: sql`excluded.version > ${positions.version}`,
          }),
      ];
      for (let i = 0; i < fillRows.length; i += 8) {
        out.push(db.insert(fills).values(fillRows.slice(i, i + 8)).onConflictDoNothing());
      }
      return out;
    }
    case "trade":
      return [db.insert(trades).values(op.trade).onConflictDoNothing()];
    case "signal": {
      const r = op.row;
      const row = {
        id: r.id,
        recorderId: r.recorderId,
        receivedAt: r.receivedAt,
        status: r.status,
        result: r.result,
        reason: r.reason ?? null,
        error: r.error ?? null,
        body: r.body ?? null,
        bodyTruncated: r.bodyTruncated ?? false,
        appliesAt: r.appliesAt ?? null,
        symbol: r.symbol,
        positionId: r.positionId,
      };
      return [
        db
          .insert(signals)
          .values(row)
          .onConflictDoUpdate({
            target: signals.id,
            set: {
              status: sql`excluded.status`,
              result: sql`excluded.result`,
              reason: sql`excluded.reason`,
              error: sql`excluded.error`,
              positionId: sql`excluded.position_id`,
              appliesAt: sql`coalesce(excluded.applies_at, ${signals.appliesAt})`,
            },
            setWhere: sql`${signals.status} = 'scheduled' and excluded.status <> 'scheduled'`,
          }),
      ];
    }
  }
}

type Entry = { seq: number; op: OutboxOp };

async function deliverReference(page: readonly Entry[]): Promise<void> {
  const db = drizzle(env.DB);
  const items = page.flatMap((e) => referenceStatements(db, e.seq, e.op));
  await db.batch(items as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
}

/** The production delivery's own `send` (what the fast path and the per-entry fallback call), on a page. */
class Sender extends OutboxDelivery {
  constructor() {
    super(null as unknown as OutboxStore, env.DB);
  }
  sent: Statement[][] = [];
  deliver(page: readonly Entry[]): Promise<void> {
    const statements = pageStatements(page);
    this.sent.push(statements);
    return this.send(statements);
  }
}

// --- fixtures: the same entities under any id prefix ----------------------------------------------------------

const T0 = "2026-03-02T15:00:00.000Z";
const T1 = "2026-03-02T15:05:00.000Z";

/** Awkward text: quotes, backslashes, a NUL, JSON-looking text, U+2028, an emoji, a lone surrogate, non-ASCII. */
const AWKWARD = `close "MNQ" \\ {not json} \u0000 \u2028 😀 \ud800 é ${"{"}"a":1}`;
/** Doubles whose text form is hard to read back exactly, beside random ones (a seeded PRNG: replayable). */
const EDGE_NUMBERS = [0.1 + 0.2, 1 / 3, -2 / 3, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 123456789.12345679, 2 ** 53 + 2, 1e21, -1e-7, 0, -0];
function doubles(seed: number, n: number): number[] {
  const r = prng(seed);
  const out = [...EDGE_NUMBERS];
  while (out.length < n) {
    const buf = new DataView(new ArrayBuffer(8));
    buf.setUint32(0, Math.floor(r() * 2 ** 32));
    buf.setUint32(4, Math.floor(r() * 2 ** 32));
    const d = buf.getFloat64(0);
    if (Number.isFinite(d)) out.push(d);
    out.push(Math.round(r() * 4e6) / 4 - 5e5, (r() - 0.5) * 1e4); // prices in ticks of 0.25, P&L-like values
  }
  return out;
}

function position(prefix: string, id: string, status: "open" | "closed", fillCount: number, nums: number[] = []): Position {
  const n = (i: number, d: number) => nums[i] ?? d;
  return {
    id: `${prefix}${id}`,
    recorderId: `${prefix}rec`,
    symbol: "MNQ",
    feedSymbol: `${prefix}CME_MINI:MNQH2026`,
    side: "long",
    status,
    quantity: status === "open" ? fillCount : 0,
    maxQuantity: fillCount,
    avgEntryPrice: n(0, 25600.25),
    lastPrice: n(1, 25610.5),
    unrealizedPnl: status === "open" ? n(2, 20.5) : 0,
    realizedPnl: status === "open" ? 0 : n(3, 20.5),
    worstUnrealizedPnl: 0,
    bestUnrealizedPnl: 20,
    worstPrice: 25600,
    bestPrice: 25610,
    worstAt: T0,
    bestAt: T0,
    takeProfitPrice: null,
    stopLossPrice: null,
    commission: n(4, 0.62),
    openedAt: T0,
    closedAt: status === "open" ? null : T1,
    exitPrice: status === "open" ? null : 25610,
    exitReason: status === "open" ? null : "signal",
    fills: Array.from({ length: fillCount }, (_, i) => ({
      at: T0,
      side: i === fillCount - 1 && status === "closed" ? ("sell" as const) : ("buy" as const),
      quantity: n(5 + i, 1),
      price: n(20 + i, 25600 + i * 10.25),
      reason: i === 0 ? ("open" as const) : ("signal" as const),
      ...(i % 2 ? { priceSource: "feed" as const, feedPrice: n(40 + i, 25601) } : {}),
    })),
  };
}

function trade(prefix: string, positionId: string, entryTrades: EntryTrade[] | null | undefined, nums: number[] = []): TradeDelivery {
  const n = (i: number, d: number) => nums[i] ?? d;
  const t: TradeDelivery = {
    id: `${prefix}${positionId}:trade`,
    positionId: `${prefix}${positionId}`,
    recorderId: `${prefix}rec`,
    symbol: "MNQ",
    side: "long",
    quantity: n(0, 2),
    entryPrice: n(1, 25600.25),
    exitPrice: n(2, 25610.5),
    grossPnl: n(3, 41),
    commission: n(4, 1.24),
    pnl: n(5, 39.76),
    maxFavorable: n(6, 50),
    maxAdverse: n(7, -12.5),
    openedAt: T0,
    closedAt: T1,
    exitReason: "signal",
  };
  if (entryTrades !== undefined) t.entryTrades = entryTrades;
  return t;
}

function signal(prefix: string, id: string, over: Partial<SignalLogRow> = {}): SignalLogRow {
  return {
    id: `${prefix}${id}`,
    recorderId: `${prefix}rec`,
    receivedAt: T0,
    status: "applied",
    result: "opened",
    reason: null,
    error: null,
    body: { action: "buy", ticker: "MNQ1!", nested: { a: [1, "two", null, true] } },
    bodyTruncated: false,
    appliesAt: null,
    symbol: "MNQ",
    positionId: null,
    ...over,
  };
}

const entryTrades: EntryTrade[] = [
  { entryAt: T0, exitAt: T1, entryPrice: 25600.25, exitPrice: 25610.5, quantity: 1, grossPnl: 20.5, commission: 0.62, pnl: 19.88, runup: 25, drawdown: -5, exitReason: "signal" },
];

/** Two pages: the first delivers a later version of `pos-ahead`; the second (the one under test) has, in seq order,
 * a symbol, two versions of `pos-a` (ending open with 2 fills), an older version of `pos-ahead` (must not win), a
 * close (position, 3 fills, trade), a trade without `entryTrades` (entries written before the column), a scheduled
 * signal and its outcome, a rejection with an object body, a non-JSON text body, an outcome followed by a stale
 * scheduled version, and an entry as the store wrote it before the second round. */
function pages(prefix: string, nums: number[]): Entry[][] {
  const s = (id: string, over: Partial<SignalLogRow> = {}): OutboxOp => ({ t: "signal", row: signal(prefix, id, over) });
  const { bodyTruncated: _b, appliesAt: _a, reason: _r, ...old } = signal(prefix, "sig-old");
  const ops: OutboxOp[] = [
    { t: "symbol", feedSymbol: `${prefix}CME_MINI:MNQH2026`, root: "MNQ", at: T0 },
    { t: "position", position: position(prefix, "pos-a", "open", 1) },
    s("sig-sched", { status: "scheduled", result: null, appliesAt: "2026-03-02T14:50:00.000Z", body: AWKWARD, bodyTruncated: true }),
    { t: "position", position: position(prefix, "pos-a", "open", 2, nums.slice(0, 60)) },
    { t: "position", position: position(prefix, "pos-ahead", "open", 1) },
    { t: "closed", position: position(prefix, "pos-c", "closed", 3, nums.slice(60, 120)), trade: trade(prefix, "pos-c", entryTrades, nums.slice(120, 128)) },
    { t: "position", position: position(prefix, "pos-d", "closed", 2) },
    { t: "trade", trade: trade(prefix, "pos-d", undefined, nums.slice(128, 136)) },
    // The outcome: applies_at left out (null) keeps the scheduled row's; the body is not replaced.
    s("sig-sched", { status: "applied", result: "ignored", reason: "add_not_allowed", positionId: `${prefix}pos-a`, appliesAt: null, body: "other" }),
    s("sig-rej", { status: "rejected", result: null, error: { code: "stale_signal", message: AWKWARD, details: { age: 12.5 } }, bodyTruncated: true }),
    s("sig-text", { body: AWKWARD, symbol: AWKWARD, reason: AWKWARD, result: "closed" }),
    s("sig-str-json", { body: '{"a":1}' }), // a JSON-looking string stays a string
    s("sig-out", { status: "rejected", result: null, error: { code: "x", message: "y" } }),
    s("sig-out", { status: "scheduled", result: null, appliesAt: T1 }), // never downgrades the outcome
    s("sig-wait", { status: "scheduled", result: null, appliesAt: T1, body: null }),
    s("sig-wait", { status: "scheduled", result: "other", appliesAt: T0, body: null }), // scheduled over scheduled: the first stays
    { t: "signal", row: old as SignalLogRow },
    { t: "symbol", feedSymbol: `${prefix}CME_MINI:MNQH2026`, root: "OTHER", at: T1 }, // already there: no change
  ];
  // As the store hands them out: parsed from their JSON (a -0 is already 0, an absent key absent).
  const parsed = ops.map((op) => JSON.parse(JSON.stringify(op)) as OutboxOp);
  return [[{ seq: 50, op: { t: "position", position: position(prefix, "pos-ahead", "closed", 2) } }], parsed.map((op, i) => ({ seq: 10 + i, op }))];
}

// --- reading D1 ------------------------------------------------------------------------------------------------

const KEYS = { symbols: "feed_symbol", positions: "id", fills: "id", trades: "id", signals: "id" } as const;

/** Every row of the five tables whose key starts with `prefix`: every column's value, typeof and hex (the bytes
 * stored, which a read through D1 could hide), the prefix taken out of every text. */
async function rowsOf(prefix: string): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [table, key] of Object.entries(KEYS)) {
    const cols = (await env.DB.prepare(`SELECT name FROM pragma_table_info('${table}')`).all<{ name: string }>()).results.map((c) => c.name);
    const select = cols.map((c) => `"${c}", typeof("${c}") AS "${c}:type", hex("${c}") AS "${c}:hex"`).join(", ");
    const rows = await env.DB.prepare(`SELECT ${select} FROM "${table}" WHERE substr("${key}", 1, ?) = ? ORDER BY "${key}"`)
      .bind(prefix.length, prefix)
      .all<Record<string, unknown>>();
    const hexPrefix = [...new TextEncoder().encode(prefix)].map((b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
    out[table] = rows.results.map((r) =>
      Object.fromEntries(
        Object.entries(r).map(([k, v]) => [k, typeof v === "string" ? v.split(k.endsWith(":hex") ? hexPrefix : prefix).join("<p>") : v]),
      ),
    );
  }
  return out;
}

const newPrefix = () => `${crypto.randomUUID()}:`;

describe("outbox bulk statements (one per table per page)", () => {
  it(
    "store the same rows as the per-row drizzle statements, and a page delivered again changes nothing",
    async () => {
      const nums = doubles(13, 140);
      const ref = newPrefix();
      const bulk = newPrefix();
      for (const page of pages(ref, nums)) await deliverReference(page);
      const sender = new Sender();
      const bulkPages = pages(bulk, nums);
      for (const page of bulkPages) await sender.deliver(page);

      // One statement per table written, in the order symbols, positions, fills, trades, signals.
      const main = sender.sent[1];
      expect(main.map((s) => s.sql)).toEqual([BULK_SQL.symbols, BULK_SQL.positions, BULK_SQL.fills, BULK_SQL.trades, BULK_SQL.signals]);
      expect(main.every((s) => s.params.length === 1)).toBe(true);

      const want = await rowsOf(ref);
      const got = await rowsOf(bulk);
      expect(got).toEqual(want);

      // What the reference stores, pinned where it matters (so a drift in both would still show).
      const byId = (t: string, id: string) => got[t].find((r) => (r as Record<string, unknown>)[KEYS[t as keyof typeof KEYS]] === `<p>${id}`) as Record<string, any>;
      expect(byId("positions", "pos-a")).toMatchObject({ status: "open", version: 13 });
      expect(JSON.parse(byId("positions", "pos-a").data).fills).toHaveLength(2);
      expect(byId("positions", "pos-ahead")).toMatchObject({ status: "closed", version: 50 });
      expect(got.fills.filter((r) => String((r as Record<string, unknown>).position_id) === "<p>pos-a")).toHaveLength(2);
      expect(got.fills.filter((r) => String((r as Record<string, unknown>).position_id) === "<p>pos-c")).toHaveLength(3);
      expect(byId("trades", "pos-c:trade")).toMatchObject({ "entry_trades:type": "text" });
      expect(byId("trades", "pos-d:trade")).toMatchObject({ entry_trades: null });
      expect(byId("signals", "sig-sched")).toMatchObject({
        status: "applied",
        result: "ignored",
        reason: "add_not_allowed",
        position_id: "<p>pos-a",
        applies_at: "2026-03-02T14:50:00.000Z",
        body_truncated: 1,
        "body_truncated:type": "integer",
      });
      expect(JSON.parse(byId("signals", "sig-sched").body)).toBe(AWKWARD.split(bulk).join("<p>"));
      expect(JSON.parse(byId("signals", "sig-rej").error)).toMatchObject({ code: "stale_signal", details: { age: 12.5 } });
      expect(byId("signals", "sig-str-json").body).toBe(JSON.stringify('{"a":1}'));
      expect(byId("signals", "sig-out")).toMatchObject({ status: "rejected", applies_at: null });
      expect(byId("signals", "sig-wait")).toMatchObject({ status: "scheduled", result: null, applies_at: T1, body: null });
      expect(byId("signals", "sig-old")).toMatchObject({ reason: null, body_truncated: 0, applies_at: null });
      expect(got.symbols).toEqual([expect.objectContaining({ root: "MNQ", first_seen_at: T0 })]);

      // Applied, its answer lost, delivered again (both pages, as the alarm would): nothing changes.
      for (const page of bulkPages) await sender.deliver(page);
      expect(await rowsOf(bulk)).toEqual(want);
    },
    TIMEOUT,
  );

  it(
    "each entry alone (the per-entry fallback) stores the same rows as the page",
    async () => {
      const nums = doubles(29, 140);
      const ref = newPrefix();
      const single = newPrefix();
      for (const page of pages(ref, nums)) await deliverReference(page);
      const sender = new Sender();
      for (const page of pages(single, nums)) for (const e of page) await sender.deliver([e]);
      expect(await rowsOf(single)).toEqual(await rowsOf(ref));
    },
    TIMEOUT,
  );

  it(
    "a table's rows past the parameter limit go on in another statement of the same batch",
    async () => {
      const ref = newPrefix();
      const bulk = newPrefix();
      const page = (prefix: string): Entry[] =>
        Array.from({ length: 120 }, (_, i) => ({
          seq: i + 1,
          op: { t: "signal", row: signal(prefix, `big-${i}`, { body: `${i}:${"é".repeat(8000)}`, bodyTruncated: true }) } as OutboxOp,
        }));
      await deliverReference(page(ref));
      const sender = new Sender();
      await sender.deliver(page(bulk));
      const sent = sender.sent[0];
      expect(sent.length).toBeGreaterThan(1);
      expect(new Set(sent.map((s) => s.sql))).toEqual(new Set([BULK_SQL.signals]));
      for (const s of sent) expect((s.params[0] as string).length).toBeLessThanOrEqual(MAX_PARAM);
      const got = await rowsOf(bulk);
      expect(got.signals).toHaveLength(120);
      expect(got).toEqual(await rowsOf(ref));
    },
    TIMEOUT,
  );

  it(
    "through the store and flush: a burst-sized page of closes is one batch of three statements",
    async () => {
      const ref = newPrefix();
      const bulk = newPrefix();
      const closes = (prefix: string) =>
        Array.from({ length: 40 }, (_, i): OutboxOp => ({ t: "closed", position: position(prefix, `burst-${i}`, "closed", 2), trade: trade(prefix, `burst-${i}`, entryTrades) }));
      const run = runInDurableObject as unknown as (s: unknown, cb: (obj: unknown, state: DurableObjectState) => Promise<void>) => Promise<void>;
      await run(env.SYMBOLS.getByName(`TEST:OUTBOX-BULK-${crypto.randomUUID()}`), async (_obj, state) => {
        const store = new OutboxStore(state.storage.sql);
        for (const op of closes(bulk)) store.enqueue(op);
        const seqs = store.pending(100).map((e) => e.seq);
        const sent: Statement[][] = [];
        const delivery = new (class extends OutboxDelivery {
          protected override send(statements: Statement[]): Promise<void> {
            sent.push(statements);
            return super.send(statements);
          }
        })(store, env.DB);
        expect(await delivery.flush()).toBe(true);
        expect(sent.map((b) => b.length)).toEqual([3]);
        await deliverReference(closes(ref).map((op, i) => ({ seq: seqs[i], op: JSON.parse(JSON.stringify(op)) as OutboxOp })));
      });
      const got = await rowsOf(bulk);
      expect(got.trades).toHaveLength(40);
      expect(got.fills).toHaveLength(80);
      expect(got).toEqual(await rowsOf(ref));
    },
    TIMEOUT,
  );
});
