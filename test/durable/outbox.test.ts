// The outbox against the real D1 of the tests and a real Durable Object SqlStorage: a statement D1 refuses for good
// is set aside and everything else lands, in order per entity; an unreachable D1 loses and sets aside nothing.
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Position, Trade } from "../../src/engine/types";
import { MAX_ATTEMPTS, OutboxDelivery, type OutboxOp, type SignalLogRow } from "../../src/durable/outbox";
import { OutboxStore } from "../../src/durable/outbox-store";
import { inObjectStorage } from "./storage";

const TIMEOUT = 60_000;

const inObject = <R>(cb: (sql: SqlStorage) => Promise<R>): Promise<R> => inObjectStorage("TEST:OUTBOX", cb);

// --- D1 with faults: a wrapper, no hooks in production code ---------------------------------------------------

/** env.DB behind a switch: while `up` is false every call throws, as when D1 cannot be reached. `lostAnswers`: the
 * next N batches are applied by D1 but throw afterwards (the answer lost on the way back). */
class FaultyD1 {
  up = true;
  lostAnswers = 0;
  batches = 0;
  constructor(private readonly real: D1Database) {}
  private check(): void {
    if (!this.up) throw new Error("D1 unreachable (test)");
  }
  prepare(query: string): D1PreparedStatement {
    this.check();
    return this.real.prepare(query);
  }
  async batch<T>(statements: D1PreparedStatement[]): Promise<D1Result<T>[]> {
    this.check();
    this.batches++;
    const out = await this.real.batch<T>(statements);
    if (this.lostAnswers > 0) {
      this.lostAnswers--;
      throw new Error("answer lost (test)");
    }
    return out;
  }
  exec(query: string): Promise<D1ExecResult> {
    this.check();
    return this.real.exec(query);
  }
  asD1(): D1Database {
    return this as unknown as D1Database;
  }
}

// --- fixtures ------------------------------------------------------------------------------------------------

const uid = (p: string) => `${p}-${crypto.randomUUID()}`;
const T0 = "2026-03-02T15:00:00.000Z";

function position(id: string, recorderId: string, status: "open" | "closed" = "open", fills = 1): Position {
  return {
    id,
    recorderId,
    symbol: "MNQ",
    feedSymbol: "CME_MINI:MNQH2026",
    side: "long",
    status,
    quantity: status === "open" ? 1 : 0,
    maxQuantity: 1,
    avgEntryPrice: 25600,
    lastPrice: 25610,
    unrealizedPnl: status === "open" ? 20 : 0,
    realizedPnl: status === "open" ? 0 : 20,
    worstUnrealizedPnl: 0,
    bestUnrealizedPnl: 20,
    worstPrice: 25600,
    bestPrice: 25610,
    worstAt: T0,
    bestAt: T0,
    takeProfitPrice: null,
    stopLossPrice: null,
    commission: 0,
    openedAt: T0,
    closedAt: status === "open" ? null : T0,
    exitPrice: status === "open" ? null : 25610,
    exitReason: status === "open" ? null : "signal",
    fills: Array.from({ length: fills }, (_, i) => ({
      at: T0,
      side: i === 0 ? ("buy" as const) : ("sell" as const),
      quantity: 1,
      price: 25600 + i * 10,
      reason: i === 0 ? ("open" as const) : ("signal" as const),
    })),
  };
}

function trade(positionId: string, recorderId: string): Trade {
  return {
    id: `${positionId}:trade`,
    positionId,
    recorderId,
    symbol: "MNQ",
    side: "long",
    quantity: 1,
    entryPrice: 25600,
    exitPrice: 25610,
    grossPnl: 20,
    commission: 0,
    pnl: 20,
    maxFavorable: 20,
    maxAdverse: 0,
    openedAt: T0,
    closedAt: T0,
    exitReason: "signal",
  };
}

function signalRow(id: string, recorderId: string, over: Partial<SignalLogRow> = {}): SignalLogRow {
  return {
    id,
    recorderId,
    receivedAt: T0,
    status: "applied",
    result: "opened",
    reason: null,
    error: null,
    body: { action: "buy", ticker: "MNQ1!" },
    symbol: "MNQ",
    positionId: null,
    ...over,
  };
}

const posOp = (p: Position): OutboxOp => ({ t: "position", position: p });
const tradeOp = (t: Trade): OutboxOp => ({ t: "trade", trade: t });
const sigOp = (row: SignalLogRow): OutboxOp => ({ t: "signal", row });

// --- reading D1 ------------------------------------------------------------------------------------------------

async function d1Count(table: "trades" | "positions" | "signals" | "fills", column: string, value: string): Promise<number> {
  const r = await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${column} = ?`).bind(value).first<{ n: number }>();
  return r!.n;
}

async function d1Position(id: string): Promise<{ status: string; version: number } | null> {
  return env.DB.prepare("SELECT status, version FROM positions WHERE id = ?").bind(id).first();
}

async function d1Signal(id: string): Promise<Record<string, any> | null> {
  return env.DB.prepare("SELECT * FROM signals WHERE id = ?").bind(id).first();
}

// D1 refuses these rows for good, whatever is tried: a real refusal by D1 itself.
beforeAll(async () => {
  await env.DB.batch([
    env.DB.prepare(
      "CREATE TRIGGER IF NOT EXISTS poison_trades BEFORE INSERT ON trades WHEN NEW.recorder_id = 'poison' BEGIN SELECT RAISE(ABORT, 'poisoned'); END",
    ),
    env.DB.prepare(
      "CREATE TRIGGER IF NOT EXISTS poison_signals BEFORE INSERT ON signals WHEN NEW.recorder_id = 'poison' BEGIN SELECT RAISE(ABORT, 'poisoned'); END",
    ),
  ]);
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("outbox delivery", () => {
  it(
    "a statement D1 refuses for good is set aside after its retries, and every later entry lands",
    async () => {
      const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
      await inObject(async (sql) => {
        const store = new OutboxStore(sql);
        const delivery = new OutboxDelivery(store, env.DB);
        const recA = uid("recA");
        const recB = uid("recB");
        const before = uid("pos");
        const poisonPos = uid("pos");
        const other = uid("pos");
        const poisonSignal = uid("sig");

        store.enqueue({ t: "symbol", feedSymbol: uid("CME_MINI:MNQ"), root: "MNQ", at: T0 });
        store.enqueue(posOp(position(before, recA)));
        store.enqueue(tradeOp(trade(poisonPos, "poison"))); // refused for good
        store.enqueue(sigOp(signalRow(poisonSignal, "poison", { body: { token: "SECRET-BROKER-TOKEN" } }))); // refused too
        store.enqueue(posOp(position(other, recB)));
        const laterTrades: string[] = [];
        for (let i = 0; i < 50; i++) {
          // More than one batch of other recorders' trades and signals after the refused entries.
          const p = uid("pos");
          laterTrades.push(p);
          store.enqueue(tradeOp(trade(p, i % 2 ? recA : recB)));
          store.enqueue(sigOp(signalRow(uid("sig"), recB, { status: "rejected", result: null, error: { code: "x", message: "y" } })));
        }
        store.enqueue(posOp(position(other, recB, "closed", 2))); // a later version of another entity

        for (let flush = 1; flush < MAX_ATTEMPTS; flush++) {
          expect(await delivery.flush()).toBe(false); // the refused entries are kept for another try
          expect(store.size()).toBe(2);
          expect(store.deadLetters().count).toBe(0);
          expect(store.pending(10).map((e) => e.attempts)).toEqual([flush, flush]);
          // Everything else already landed.
          expect(await d1Position(before)).toMatchObject({ status: "open" });
          expect(await d1Position(other)).toMatchObject({ status: "closed" });
          expect(await d1Count("fills", "position_id", other)).toBe(2);
          for (const p of laterTrades) expect(await d1Count("trades", "position_id", p)).toBe(1);
          expect(await d1Count("signals", "recorder_id", recB)).toBe(50);
          // Something enqueued meanwhile lands too.
          store.enqueue(sigOp(signalRow(uid("sig"), recA)));
        }
        expect(await d1Count("signals", "recorder_id", recA)).toBe(MAX_ATTEMPTS - 2);

        expect(await delivery.flush()).toBe(true);
        expect(store.size()).toBe(0);
        const dead = store.deadLetters();
        expect(dead.count).toBe(2);
        expect(dead.lastError).toContain("poisoned");
        expect(dead.lastAt).not.toBeNull();
        expect(await d1Count("signals", "recorder_id", recA)).toBe(MAX_ATTEMPTS - 1);
        expect(await d1Count("trades", "position_id", poisonPos)).toBe(0);
        expect(await d1Count("signals", "id", poisonSignal)).toBe(0);

        // Set aside for good: a later flush does not bring them back.
        expect(await delivery.flush()).toBe(true);
        expect(store.deadLetters().count).toBe(2);
      });
      const logged = warn.mock.calls.map((c) => c.join(" ")).join("\n");
      expect(logged).toContain("dead letter");
      expect(logged).not.toContain("SECRET-BROKER-TOKEN");
    },
    TIMEOUT,
  );

  it(
    "in order per entity: while an entry is held back, later entries of its entity wait, others go on",
    async () => {
      vi.spyOn(console, "warn").mockImplementation(() => {});
      await inObject(async (sql) => {
        const store = new OutboxStore(sql);
        const delivery = new OutboxDelivery(store, env.DB);
        const held = uid("pos");
        const free = uid("pos");
        const sig = uid("sig");

        store.enqueue(posOp(position(held, "poison"))); // lands (no trigger on positions)
        store.enqueue(tradeOp(trade(held, "poison"))); // refused: holds back its position entity
        store.enqueue(posOp(position(held, "poison", "closed", 2))); // same entity: waits
        store.enqueue(posOp(position(free, "rec-ok")));
        store.enqueue(sigOp(signalRow(sig, "poison", { status: "scheduled", result: null }))); // refused: holds back its signal
        store.enqueue(sigOp(signalRow(sig, "rec-ok", { status: "applied", result: "opened" }))); // same signal id: waits
        store.enqueue(posOp(position(free, "rec-ok", "closed", 2)));

        for (let flush = 1; flush < MAX_ATTEMPTS; flush++) {
          expect(await delivery.flush()).toBe(false);
          expect(await d1Position(held)).toMatchObject({ status: "open" }); // its closed version waits
          expect(await d1Count("fills", "position_id", held)).toBe(1);
          expect(await d1Position(free)).toMatchObject({ status: "closed" });
          expect(await d1Signal(sig)).toBeNull();
          expect(store.size()).toBe(4);
          expect(store.pending(10).map((e) => e.attempts)).toEqual([flush, 0, flush, 0]);
        }

        expect(await delivery.flush()).toBe(true);
        expect(store.deadLetters().count).toBe(2);
        const p = await d1Position(held);
        expect(p).toMatchObject({ status: "closed" });
        expect(await d1Count("fills", "position_id", held)).toBe(2);
        expect(await d1Signal(sig)).toMatchObject({ status: "applied", result: "opened" });
      });
    },
    TIMEOUT,
  );

  it(
    "while D1 is unreachable nothing is set aside or counted, and everything lands once it is back",
    async () => {
      vi.spyOn(console, "warn").mockImplementation(() => {});
      await inObject(async (sql) => {
        const store = new OutboxStore(sql);
        const d1 = new FaultyD1(env.DB);
        const delivery = new OutboxDelivery(store, d1.asD1());
        const rec = uid("rec");
        const pos = uid("pos");
        const poison = uid("pos");

        d1.up = false;
        store.enqueue(posOp(position(pos, rec)));
        store.enqueue(tradeOp(trade(poison, "poison")));
        store.enqueue(sigOp(signalRow(uid("sig"), rec)));
        store.enqueue(posOp(position(pos, rec, "closed", 2)));
        store.enqueue(tradeOp(trade(pos, rec)));
        for (let i = 0; i < MAX_ATTEMPTS + 2; i++) {
          expect(await delivery.flush()).toBe(false);
          expect(store.size()).toBe(5);
          expect(store.deadLetters().count).toBe(0);
          expect(store.pending(10).every((e) => e.attempts === 0)).toBe(true);
        }
        expect(store.pendingForRecorder(rec)).toBe(4);

        d1.up = true;
        expect(await delivery.flush()).toBe(false); // the refused trade starts counting only now
        expect(store.size()).toBe(1);
        expect(await d1Position(pos)).toMatchObject({ status: "closed" });
        expect(await d1Count("trades", "position_id", pos)).toBe(1);
        expect(await d1Count("signals", "recorder_id", rec)).toBe(1);
        expect(store.pendingForRecorder(rec)).toBe(0);
        expect(store.pending(10)[0].attempts).toBe(1);
      });
    },
    TIMEOUT,
  );

  it(
    "a batch D1 applied but whose answer was lost is delivered again without doubling anything",
    async () => {
      vi.spyOn(console, "warn").mockImplementation(() => {});
      await inObject(async (sql) => {
        const store = new OutboxStore(sql);
        const d1 = new FaultyD1(env.DB);
        const delivery = new OutboxDelivery(store, d1.asD1());
        const rec = uid("rec");
        const pos = uid("pos");
        store.enqueue(posOp(position(pos, rec, "closed", 2)));
        store.enqueue(tradeOp(trade(pos, rec)));
        store.enqueue(sigOp(signalRow(uid("sig"), rec)));
        d1.lostAnswers = 1;
        expect(await delivery.flush()).toBe(true);
        expect(d1.batches).toBeGreaterThan(1);
        expect(store.size()).toBe(0);
        expect(store.deadLetters().count).toBe(0);
        expect(await d1Count("trades", "position_id", pos)).toBe(1);
        expect(await d1Count("fills", "position_id", pos)).toBe(2);
        expect(await d1Count("signals", "recorder_id", rec)).toBe(1);
      });
    },
    TIMEOUT,
  );

  it(
    "a scheduled signal row is updated by its outcome, never downgraded, and re-delivery changes nothing",
    async () => {
      await inObject(async (sql) => {
        const store = new OutboxStore(sql);
        const delivery = new OutboxDelivery(store, env.DB);
        const rec = uid("rec");
        const id = uid("sig");
        const pos = uid("pos");
        const scheduled = signalRow(id, rec, {
          status: "scheduled",
          result: null,
          appliesAt: "2026-03-02T14:50:00.000Z",
          body: "x".repeat(100),
          bodyTruncated: true,
        });
        const applied = signalRow(id, rec, {
          status: "applied",
          result: "ignored",
          reason: "add_not_allowed",
          positionId: pos,
          appliesAt: "2026-03-02T14:50:00.000Z",
          body: "x".repeat(100),
          bodyTruncated: true,
        });

        store.enqueue(sigOp(scheduled));
        expect(await delivery.flush()).toBe(true);
        expect(await d1Signal(id)).toMatchObject({ status: "scheduled", result: null, applies_at: "2026-03-02T14:50:00.000Z", body_truncated: 1 });

        store.enqueue(sigOp(applied));
        expect(await delivery.flush()).toBe(true);
        const want = { status: "applied", result: "ignored", reason: "add_not_allowed", position_id: pos, applies_at: "2026-03-02T14:50:00.000Z", body_truncated: 1 };
        expect(await d1Signal(id)).toMatchObject(want);

        // Both delivered again (an answer lost, a restart): still the outcome.
        store.enqueue(sigOp(scheduled));
        store.enqueue(sigOp(applied));
        expect(await delivery.flush()).toBe(true);
        expect(await d1Signal(id)).toMatchObject(want);

        // Out of order (the outcome first): never downgraded back to scheduled. A rejection keeps its error.
        const id2 = uid("sig");
        store.enqueue(sigOp(signalRow(id2, rec, { status: "rejected", result: null, error: { code: "stale_signal", message: "old" } })));
        store.enqueue(sigOp(signalRow(id2, rec, { status: "scheduled", result: null, appliesAt: T0 })));
        expect(await delivery.flush()).toBe(true);
        const row = await d1Signal(id2);
        expect(row).toMatchObject({ status: "rejected", result: null, body_truncated: 0 });
        expect(JSON.parse(row!.error)).toEqual({ code: "stale_signal", message: "old" });

        // A row from before the second round (no bodyTruncated/appliesAt) still lands.
        const id3 = uid("sig");
        const { bodyTruncated: _b, appliesAt: _a, ...old } = signalRow(id3, rec);
        store.enqueue(sigOp(old as SignalLogRow));
        expect(await delivery.flush()).toBe(true);
        expect(await d1Signal(id3)).toMatchObject({ status: "applied", body_truncated: 0, applies_at: null });
      });
    },
    TIMEOUT,
  );
});

describe("outbox store", () => {
  it(
    "pendingForRecorder counts only that recorder's undelivered rows",
    async () => {
      await inObject(async (sql) => {
        const store = new OutboxStore(sql);
        const a = uid("recA");
        const b = uid("recB");
        const pos = uid("pos");
        store.enqueue({ t: "symbol", feedSymbol: uid("CME_MINI:MNQ"), root: "MNQ", at: T0 });
        store.enqueue(posOp(position(pos, a)));
        store.enqueue(tradeOp(trade(pos, a)));
        store.enqueue(sigOp(signalRow(uid("sig"), a)));
        store.enqueue(sigOp(signalRow(uid("sig"), b)));
        expect(store.size()).toBe(5);
        expect(store.pendingForRecorder(a)).toBe(3);
        expect(store.pendingForRecorder(b)).toBe(1);
        expect(store.pendingForRecorder(uid("recC"))).toBe(0);

        const entries = store.pending(10);
        expect(entries.map((e) => e.entity)).toEqual([
          expect.stringMatching(/^symbol:/),
          `position:${pos}`,
          `position:${pos}`, // a trade belongs to its position's entity
          expect.stringMatching(/^signal:/),
          expect.stringMatching(/^signal:/),
        ]);
        store.failed(entries[1].seq, "refused");
        expect(store.pending(10)[1].attempts).toBe(1);
        store.deadLetter(entries[1].seq, "refused for good");
        store.delivered([entries[2].seq, entries[4].seq]);
        expect(store.pendingForRecorder(a)).toBe(1); // dead letters are not pending
        expect(store.pendingForRecorder(b)).toBe(0);
        expect(store.size()).toBe(2);
        expect(store.deadLetters()).toMatchObject({ count: 1, lastError: "refused for good" });
        expect(store.pending(1, entries[0].seq).map((e) => e.seq)).toEqual([entries[3].seq]);
        expect(store.rowsWritten).toBeGreaterThan(0);
      });
    },
    TIMEOUT,
  );

  it(
    "an outbox table created by the previous store is migrated, and its entries are delivered",
    async () => {
      vi.spyOn(console, "warn").mockImplementation(() => {});
      await inObject(async (sql) => {
        sql.exec("DROP TABLE IF EXISTS outbox");
        sql.exec("DROP TABLE IF EXISTS dead_letters");
        sql.exec("CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, op TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0)");
        const rec = uid("rec");
        const pos = uid("pos");
        const sig = uid("sig");
        // Written by the old store (attempts counted outages too).
        sql.exec("INSERT INTO outbox (op, attempts) VALUES (?, 7)", JSON.stringify(posOp(position(pos, rec, "closed", 2))));
        sql.exec("INSERT INTO outbox (op, attempts) VALUES (?, 7)", JSON.stringify(tradeOp(trade(pos, rec))));
        // A signal-log row as the old code wrote it (no bodyTruncated, appliesAt).
        const { bodyTruncated: _b, appliesAt: _a, ...oldRow } = signalRow(sig, rec);
        sql.exec("INSERT INTO outbox (op) VALUES (?)", JSON.stringify({ t: "signal", row: oldRow }));

        const store = new OutboxStore(sql);
        const columns = sql
          .exec<{ name: string }>("PRAGMA table_info(outbox)")
          .toArray()
          .map((c) => c.name);
        expect(columns).toEqual(expect.arrayContaining(["seq", "op", "recorder_id", "entity", "attempts", "last_error"]));
        expect(store.size()).toBe(3);
        expect(store.pendingForRecorder(rec)).toBe(3);
        expect(store.pending(10).map((e) => [e.entity, e.attempts])).toEqual([
          [`position:${pos}`, 0],
          [`position:${pos}`, 0],
          [`signal:${sig}`, 0],
        ]);
        expect(store.deadLetters().count).toBe(0);

        // Building it again (every restart does) changes nothing; a row the old code adds later gets its keys.
        sql.exec("INSERT INTO outbox (op) VALUES (?)", JSON.stringify(sigOp(signalRow(uid("sig"), rec))));
        const again = new OutboxStore(sql);
        expect(again.size()).toBe(4);
        expect(again.pendingForRecorder(rec)).toBe(4);

        expect(await new OutboxDelivery(again, env.DB).flush()).toBe(true);
        expect(again.size()).toBe(0);
        expect(await d1Position(pos)).toMatchObject({ status: "closed" });
        expect(await d1Count("trades", "position_id", pos)).toBe(1);
        expect(await d1Count("signals", "recorder_id", rec)).toBe(2);
      });
    },
    TIMEOUT,
  );

  it(
    "seq never goes back, even once the outbox is empty: a position delivered after a restart still lands as newer",
    async () => {
      await inObject(async (sql) => {
        const store = new OutboxStore(sql);
        const rec = uid("rec");
        const pos = uid("pos");
        const rows0 = store.rowsWritten;
        store.enqueue(posOp(position(pos, rec, "open", 1)));
        store.enqueue(posOp(position(pos, rec, "open", 2)));
        expect(store.rowsWritten - rows0).toBe(2); // one row per entry (no sqlite_sequence row)
        expect(await new OutboxDelivery(store, env.DB).flush()).toBe(true);
        expect(store.size()).toBe(0);
        const delivered = (await d1Position(pos))!.version;
        expect(delivered).toBe(2);

        // A restart with an empty outbox: the next entry's seq (its D1 version) is above every one handed out.
        const again = new OutboxStore(sql);
        again.enqueue(posOp(position(pos, rec, "closed", 3)));
        expect(again.pending(10).map((e) => e.seq)).toEqual([3]);
        expect(await new OutboxDelivery(again, env.DB).flush()).toBe(true);
        expect(await d1Position(pos)).toMatchObject({ status: "closed", version: 3 });

        // Deleting a lower entry while a higher one waits writes no mark; deleting the highest does.
        const third = new OutboxStore(sql);
        third.enqueue(sigOp(signalRow(uid("sig"), rec)));
        third.enqueue(sigOp(signalRow(uid("sig"), rec)));
        const [low, high] = third.pending(10).map((e) => e.seq);
        expect([low, high]).toEqual([4, 5]);
        const r1 = third.rowsWritten;
        third.delivered([low]);
        expect(third.rowsWritten - r1).toBe(1);
        third.delivered([high]);
        expect(new OutboxStore(sql).pending(10)).toEqual([]);
        const fourth = new OutboxStore(sql);
        fourth.enqueue(sigOp(signalRow(uid("sig"), rec)));
        expect(fourth.pending(10).map((e) => e.seq)).toEqual([6]);
      });
    },
    TIMEOUT,
  );

  it(
    "storage from a version that used AUTOINCREMENT resumes above its sqlite_sequence, the table emptied",
    async () => {
      await inObject(async (sql) => {
        // The object already built today's tables: its storage is put back as the older version left it.
        sql.exec("DROP TABLE IF EXISTS outbox");
        sql.exec("DROP TABLE IF EXISTS outbox_mark");
        sql.exec(`CREATE TABLE outbox (
          seq INTEGER PRIMARY KEY AUTOINCREMENT, op TEXT NOT NULL, recorder_id TEXT, entity TEXT,
          attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT)`);
        const rec = uid("rec");
        for (let i = 0; i < 7; i++) sql.exec("INSERT INTO outbox (op, recorder_id, entity) VALUES ('{}', ?, 'x')", rec);
        sql.exec("DELETE FROM outbox");
        const store = new OutboxStore(sql);
        store.enqueue(sigOp(signalRow(uid("sig"), rec)));
        expect(store.pending(10).map((e) => e.seq)).toEqual([8]);
      });
    },
    TIMEOUT,
  );

  it(
    "a close is one entry (one storage row) that lands as the position's last version and its trade",
    async () => {
      await inObject(async (sql) => {
        const store = new OutboxStore(sql);
        const rec = uid("rec");
        const pos = uid("pos");
        store.enqueue(posOp(position(pos, rec, "open", 1)));
        const rows0 = store.rowsWritten;
        store.enqueue({ t: "closed", position: position(pos, rec, "closed", 2), trade: trade(pos, rec) });
        expect(store.rowsWritten - rows0).toBe(1);
        expect(store.pending(10).map((e) => [e.op.t, e.entity])).toEqual([
          ["position", `position:${pos}`],
          ["closed", `position:${pos}`],
        ]);
        expect(store.pendingForRecorder(rec)).toBe(2);
        expect(await new OutboxDelivery(store, env.DB).flush()).toBe(true);
        expect(await d1Position(pos)).toMatchObject({ status: "closed", version: 2 });
        expect(await d1Count("fills", "position_id", pos)).toBe(2);
        expect(await d1Count("trades", "position_id", pos)).toBe(1);
      });
    },
    TIMEOUT,
  );
});
