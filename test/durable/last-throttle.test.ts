// meta.last written at most once a second (issue #13): the durable book (src/durable/durable-book.ts) on a real
// Durable Object's SQLite, with a fake wall clock, and a real symbol object evicted through HTTP. Rows are counted
// with the store's `rowsWritten` (what storage bills), as `npm run bench` counts them.
// What must hold: ticks within one second write meta.last once while a new extreme still writes its journal row; a
// restart keeps every excursion exact and leaves the last price (and the symbol's last tick and tick count) stale by
// design, until the next tick, which makes the book equal to one never restarted; the sequence numbers go on after
// the journal's (a reused one would overwrite a journaled extreme); compactJournal (the object's alarm) writes an
// unsaved last tick; while a session end is pending every tick writes it (the session end closes at the last price).
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SqlBookStore } from "../../src/durable/book-store";
import { DurableBook, LAST_WRITE_MS } from "../../src/durable/durable-book";
import { SymbolBook } from "../../src/engine/book";
import type { NormalizedSignal, Position, RecorderSettings } from "../../src/engine/types";
import { createRecorder, evictSymbol, freshMnq, openPositions, signal, symbolStub, tick } from "../helpers";
import { MNQ, recorder } from "../engine/helpers";

const REC: RecorderSettings = recorder();
/** Wednesday 2 January 2030, 10:00 in New York. */
const T0 = Date.parse("2030-01-02T15:00:00.000Z");
const at = (i: number) => new Date(T0 + i * 100).toISOString();

const inObject = runInDurableObject as unknown as <R>(s: unknown, cb: (obj: any, state: DurableObjectState) => R | Promise<R>) => Promise<R>;

/** Runs `cb` on a SqlBookStore over the SQLite of a fresh (idle) symbol object. */
let objects = 0;
function inStore<R>(cb: (store: SqlBookStore) => R): Promise<R> {
  return inObject(env.SYMBOLS.getByName(`TEST:LAST-${++objects}-${crypto.randomUUID()}`), (_obj, state) => cb(new SqlBookStore(state.storage.sql)));
}

/** A durable book on `store` with a wall clock the test moves, beside a SymbolBook fed the same (never restarted). */
function books(store: SqlBookStore) {
  const clock = { ms: 0 };
  let n = 0;
  const opts = { newId: () => `id${++n}`, now: () => clock.ms };
  let refN = 0;
  const ref = new SymbolBook({ newId: () => `id${++refN}` });
  const run = {
    clock,
    ref,
    durable: DurableBook.load(store, opts),
    restart() {
      run.durable = DurableBook.load(store, opts);
    },
    signal(signal: NormalizedSignal, price: number, when: string, recorder: RecorderSettings = REC) {
      const input = { recorder, instrument: MNQ, signal, price, at: when };
      expect(run.durable.signal(input)).toEqual(ref.applySignal(input));
    },
    tick(price: number, when: string) {
      const out = run.durable.tick(price, when)!;
      expect(out.exits).toEqual(ref.applyTick(price, when).exits);
      return out;
    },
  };
  return run;
}

/** A position without what a restart may leave stale (lastPrice, unrealizedPnl). */
const settled = ({ lastPrice, unrealizedPnl, ...rest }: Position) => rest;

describe("meta.last, at most once a second", () => {
  it("ticks within one second write it once; a new extreme among them still writes its journal row", async () => {
    await inStore((store) => {
      const b = books(store);
      b.signal({ action: "buy" }, 25600, at(0));
      // Ten ticks 90 ms apart on the wall clock. The first writes meta.last (its first write inserts the row: 2 rows
      // with the key's index, an update is 1) and a journal row (the first tick after the checkpoint).
      const prices = [25601, 25600.5, 25600.75, 25602, 25601.5, 25599, 25600, 25601, 25600.25, 25600.5];
      let rows0 = 0;
      prices.forEach((p, i) => {
        b.clock.ms = i * 90;
        b.tick(p, at(i + 1));
        if (i === 0) rows0 = store.rowsWritten;
      });
      // The nine others: only their new extremes' journal rows, no meta.last.
      expect(store.journalSince(0).map((r) => [r.seq, r.price])).toEqual([[1, 25601], [2, 25600.5], [4, 25602], [6, 25599]]);
      expect(store.rowsWritten - rows0).toBe(3);
      expect(store.getLast()).toMatchObject({ seq: 1, price: 25601, ticks: 1 });
      expect(b.durable.last).toMatchObject({ seq: 10, price: 25600.5, at: at(10), ticks: 10 });
      expect(b.durable.lastUnsaved).toBe(true);
      // Still within the second of the write: nothing; a second after it: written.
      b.clock.ms = LAST_WRITE_MS - 1;
      b.tick(25600.75, at(11));
      expect(store.rowsWritten - rows0).toBe(3);
      b.clock.ms = LAST_WRITE_MS;
      b.tick(25601, at(12));
      expect(store.rowsWritten - rows0).toBe(4);
      expect(store.getLast()).toEqual(b.durable.last);
      expect(b.durable.lastUnsaved).toBe(false);
      expect(b.durable.book.open()).toEqual(b.ref.open());
    });
  });

  it("a restart keeps the excursions exact, leaves the last price stale by design, and the next tick makes all equal", async () => {
    await inStore((store) => {
      const b = books(store);
      b.signal({ action: "buy" }, 25600, at(0));
      // All within one wall-clock instant: only the first tick writes meta.last.
      for (const [i, p] of [25590, 25560, 25580, 25640, 25610, 25620].entries()) b.tick(p, at(i + 1));
      expect(store.journalSince(0).map((r) => [r.seq, r.price])).toEqual([[1, 25590], [2, 25560], [4, 25640]]);
      expect(b.durable.lastUnsaved).toBe(true);
      const expected = b.ref.open();
      expect(expected[0]).toMatchObject({ worstUnrealizedPnl: -80, worstPrice: 25560, worstAt: at(2), bestUnrealizedPnl: 80, bestPrice: 25640, bestAt: at(4), lastPrice: 25620, unrealizedPnl: 40 });

      b.restart();
      const restarted = b.durable.book.open();
      // Exact: every excursion, its price and time, and all the rest of the position.
      expect(restarted.map(settled)).toEqual(expected.map(settled));
      // Stale by design: the position's last price is the latest tick the store has after its checkpoint (the new
      // high, journaled), not 25620; the symbol's last tick and count are meta.last's (the first tick).
      expect(restarted[0]).toMatchObject({ lastPrice: 25640, unrealizedPnl: 80 });
      expect(b.durable.last).toMatchObject({ seq: 1, price: 25590, at: at(1), ticks: 1 });

      // The next tick: everything equal again. Its sequence number goes on after the journal's (5, not 2: a reused 2
      // would overwrite the journaled low), so a second restart still has the low.
      b.clock.ms = 5;
      b.tick(25615, at(7));
      expect(b.durable.book.open()).toEqual(b.ref.open());
      expect(b.durable.book.open()[0]).toMatchObject({ lastPrice: 25615, unrealizedPnl: 30, worstPrice: 25560, bestPrice: 25640 });
      expect(store.journalSince(0).map((r) => [r.seq, r.price])).toEqual([[1, 25590], [2, 25560], [4, 25640], [5, 25615]]);
      expect(b.durable.last).toMatchObject({ seq: 5, price: 25615, ticks: 2 }); // the tick count stays short by the 5 lost
      b.restart();
      expect(b.durable.book.open()).toEqual(b.ref.open());
    });
  });

  it("a signal after a restart checkpoints after every stored sequence number", async () => {
    await inStore((store) => {
      const b = books(store);
      b.signal({ action: "buy" }, 25600, at(0));
      for (const [i, p] of [25590, 25560, 25580, 25570].entries()) b.tick(p, at(i + 1));
      b.restart(); // meta.last: seq 1; the journal: seqs 1 and 2
      // An add after the restart: its checkpoint is taken at seq 2, so the journal rows up to it (seen before the
      // add, at the smaller quantity: the low 25560 among them) are never replayed at the new quantity; the next
      // ticks get seqs 3, 4.
      b.signal({ action: "add" }, 25575, at(5));
      b.tick(25550, at(6));
      b.tick(25565, at(7));
      expect(store.loadPositions().map((c) => c.checkpointSeq)).toEqual([2]);
      expect(store.journalSince(0).map((r) => [r.seq, r.price])).toEqual([[1, 25590], [2, 25560], [3, 25550], [4, 25565]]);
      b.restart();
      expect(b.durable.book.open().map(settled)).toEqual(b.ref.open().map(settled));
      b.tick(25566, at(8));
      expect(b.durable.book.open()).toEqual(b.ref.open());
    });
  });

  it("a checkpoint taken after unsaved plain ticks: after a restart the next tick is numbered after it", async () => {
    await inStore((store) => {
      const b = books(store);
      b.signal({ action: "buy" }, 25600, at(0));
      for (const [i, p] of [25590, 25560, 25580, 25570].entries()) b.tick(p, at(i + 1)); // seqs 1-4; 3 and 4 unsaved
      b.signal({ action: "add" }, 25575, at(5)); // checkpointed at seq 4, above meta.last (1) and the journal (2)
      expect(store.loadPositions().map((c) => c.checkpointSeq)).toEqual([4]);
      b.restart();
      // A new low after the restart: journaled at seq 5, after the checkpoint, so a second restart replays it.
      b.tick(25500, at(6));
      expect(store.journalSince(0).map((r) => [r.seq, r.price])).toEqual([[1, 25590], [2, 25560], [5, 25500]]);
      b.restart();
      expect(b.durable.book.open()).toEqual(b.ref.open());
      expect(b.durable.book.open()[0]).toMatchObject({ quantity: 2, worstPrice: 25500, worstUnrealizedPnl: -350 });
    });
  });

  it("compactJournal (the object's alarm) writes an unsaved last tick: a restart after it loses nothing", async () => {
    await inStore((store) => {
      const b = books(store);
      b.signal({ action: "sell" }, 25600, at(0));
      for (const [i, p] of [25605, 25598, 25601, 25602].entries()) b.tick(p, at(i + 1));
      expect(b.durable.lastUnsaved).toBe(true);
      b.durable.compactJournal();
      expect(b.durable.lastUnsaved).toBe(false);
      expect(store.getLast()).toEqual(b.durable.last);
      const rows = store.rowsWritten;
      b.durable.compactJournal(); // nothing unsaved: no meta.last row (and nothing left to compact)
      expect(store.rowsWritten).toBe(rows);
      b.restart();
      expect(b.durable.book.open()).toEqual(b.ref.open());
      expect(b.durable.last).toMatchObject({ seq: 4, price: 25602, ticks: 4 });
    });
  });

  it("while a session end is pending every tick writes it: the session-end exit after a restart is at the exact last price", async () => {
    await inStore((store) => {
      const b = books(store);
      const rec: RecorderSettings = { ...REC, timezone: "America/New_York", sessions: [{ days: ["mon", "tue", "wed", "thu", "fri"], start: "09:30", end: "16:00" }], flattenAtSessionEnd: true };
      b.signal({ action: "buy" }, 25600, at(0), rec);
      b.tick(25590, at(1)); // inserts meta.last
      const rows0 = store.rowsWritten;
      // In the same wall-clock instant: meta.last on every tick, and the journal rows of the low and the high.
      for (const [i, p] of [25560, 25580, 25640, 25610, 25620].entries()) b.tick(p, at(i + 2));
      expect(store.rowsWritten - rows0).toBe(5 + 2);
      expect(b.durable.lastUnsaved).toBe(false);
      b.restart();
      expect(b.durable.book.open()).toEqual(b.ref.open());
      // 16:00 in New York, no tick after 25620: closed there at 25620.
      const end = Date.parse("2030-01-02T21:00:00.000Z");
      const out = b.durable.clock(end);
      expect(out.exits).toEqual(b.ref.applyClock(end).exits);
      expect(out.exits[0].trade).toMatchObject({ exitReason: "session_end", exitPrice: 25620, pnl: 40 });
    });
  });
});

describe("a real symbol object evicted (through HTTP)", () => {
  it("keeps MAE/MFE exact, shows the stored last price until the next tick, then the exact one", async () => {
    const { ticker, feedSymbol } = freshMnq();
    const rec = await createRecorder();
    await signal(rec, { ticker, action: "buy", price: 25600 });
    const stub = symbolStub(feedSymbol);
    // Journaled after the opening's checkpoint: 25590 (the first), 25560 (a low), 25640 (a high); the others not.
    for (const p of [25590, 25560, 25580, 25640, 25610, 25620]) await tick(feedSymbol, p);
    const [before] = await openPositions(rec.id);
    expect(before).toMatchObject({ worstUnrealizedPnl: -80, worstPrice: 25560, bestUnrealizedPnl: 80, bestPrice: 25640, lastPrice: 25620, unrealizedPnl: 40 });
    // What the object's SQLite holds (requests a second apart on a slow machine may have written more than the first).
    const { unsaved, stored } = await inObject(stub, (obj) => ({ unsaved: obj.durable.lastUnsaved as boolean, stored: obj.bookStore.getLast() }));
    const status = await stub.status();
    expect(status).toMatchObject({ ticksProcessed: 6, feed: { lastPrice: 25620 } });

    await evictSymbol(stub);
    const [after] = await openPositions(rec.id);
    const { lastPrice, unrealizedPnl, ...exact } = before;
    expect(after).toMatchObject(exact);
    // The restored last price: meta.last's when it is later than the last journal row (seq 4), else that row's.
    const restoredPrice = unsaved ? (stored.seq > 4 ? stored.price : 25640) : 25620;
    expect(after).toMatchObject({ lastPrice: restoredPrice, unrealizedPnl: (restoredPrice - 25600) * 2 });
    expect(await stub.status()).toMatchObject({ ticksProcessed: stored.ticks, feed: { lastPrice: stored.price } });

    await tick(feedSymbol, 25615);
    const [next] = await openPositions(rec.id);
    expect(next).toMatchObject({ ...exact, lastPrice: 25615, unrealizedPnl: 30 });
    expect(await stub.status()).toMatchObject({ ticksProcessed: stored.ticks + 1, feed: { lastPrice: 25615 } });
  });
});
