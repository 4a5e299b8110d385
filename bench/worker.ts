// The Durable Object bench Worker (bench/wrangler.bench.toml; bundled by bench/run.mjs, served by `wrangler dev`
// on loopback). Two symbol objects, driven the same way:
// - REAL:  the production SymbolObject (src/durable/symbol-object.ts) as it is in the tree;
// - NAIVE: bench/naive-symbol-object.ts, the baseline.
// Positions are seeded through the engine and the object's own checkpoint (no webhook, no D1); ticks go through
// the object's real `onPrice` in a synchronous loop, so the figures are the tick path's CPU and storage rows.
// Three workloads (bench/scenario.ts), `scenario=flat` (default: far TP/SL never reached, the random walk),
// `scenario=trail` (legs + an active trailing stop on every position, the trend walk) and `scenario=ratchet` (the
// same with legs and trails beyond the walk's reach: every trail ratchets, nothing fills). Trail ticks that fill a leg
// or close a position make the object owe D1 rows: there the loop calls `recording.tick`, which is onPrice's
// synchronous step (the durable book's rows and the outbox rows), without onPrice's follow-up I/O (D1 delivery,
// alarm, directory: async, and its D1 is not migrated here); each outbox entry costs one more row (its delete)
// when D1 has taken it. A flat tick changes nothing, so onPrice is exactly that step there.
//   GET /seed?kind=real|naive&name=X&n=N[&scenario=trail|ratchet]  -> {open, window (TRAIL_WINDOW)}
//   GET /ticks?kind=...&name=X&offset=O&count=C[&scenario=...]     -> {rowsWritten, open, ...}
// The real object's trail answer also counts, over the request: exits, legs filled (positions checkpointed by a
// tick), ticks that had one, rows written on the ticks that had none (`quietRows` over `quietTicks`: meta.last and
// the journal), and the rows of the book store and of the outbox.
import { SymbolObject } from "../src/durable/symbol-object";
import { MNQ, primed, scenarioNamed, SCENARIOS, times, TRAIL_WINDOW, type Scenario } from "./scenario";
import { saveAllExtras, type SqlBookStore } from "../src/durable/book-store";
import type { DurableBook } from "../src/durable/durable-book";
import type { OutboxStore } from "../src/durable/outbox-store";
import type { SymbolRecording } from "../src/durable/recording";
import type { TickOutcome } from "../src/engine/types";
export { NaiveSymbolObject } from "./naive-symbol-object";

/** What the bench reaches inside the real object (TypeScript-private members, plain properties at runtime). */
interface Inside {
  durable: DurableBook;
  bookStore: SqlBookStore;
  outbox: OutboxStore;
  recording: SymbolRecording;
  onPrice(price: number, at: string): void;
  rememberSpec(instrument: unknown, at: string): void;
}

export interface TickReply {
  rowsWritten: number;
  open: number;
  /** Trail scenario, real object only (see the header). */
  exits?: number;
  legs?: number;
  eventTicks?: number;
  quietTicks?: number;
  quietRows?: number;
  bookRows?: number;
  outboxRows?: number;
}

function benchable<T extends new (...args: any[]) => SymbolObject>(Base: T) {
  return class extends Base {
    async seed(n: number, scenario: Scenario = "flat"): Promise<number> {
      const self = this as unknown as Inside;
      self.rememberSpec(MNQ, new Date(Date.UTC(2030, 0, 2)).toISOString());
      // What DurableBook.signal does for each opening (the engine, then a checkpoint of what changed), except that
      // the book's extras (recorder memos) are saved once at the end instead of after every signal: that row holds
      // every recorder's memo, so saving it per signal makes seeding 10 000 positions O(n²) (~40 s here).
      const { durable, bookStore } = self;
      for (const s of SCENARIOS[scenario].signals(n)) {
        const out = durable.book.applySignal({ ...s, instrument: MNQ });
        for (const state of out.changed) bookStore.checkpoint(state, durable.last.seq);
      }
      saveAllExtras(bookStore, durable.book.extras());
      // Saved: what the signals touched is not owed again (DurableBook.signal takes them after each signal).
      durable.book.takeTouched();
      // The trail scenario's priming tick (tick 0 of its walk, not measured; see TRAIL_WINDOW in scenario.ts).
      if (primed(scenario)) self.recording.tick(SCENARIOS[scenario].prices(1)[0], times(1, Date.UTC(2030, 0, 3))[0]);
      return durable.book.size;
    }

    /** Counts what the durable book's ticks produce (exits, legs), by wrapping its `tick` once per instance. */
    private tallied(durable: DurableBook): { exits: number; legs: number } {
      const d = durable as DurableBook & { benchTally?: { exits: number; legs: number } };
      if (d.benchTally === undefined) {
        const tally = (d.benchTally = { exits: 0, legs: 0 });
        const tick = d.tick.bind(d);
        d.tick = (raw: number, at: string, atMs?: number): TickOutcome | null => {
          const out = tick(raw, at, atMs);
          if (out !== null) {
            tally.exits += out.exits.length;
            tally.legs += out.changed?.length ?? 0;
          }
          return out;
        };
      }
      return d.benchTally;
    }

    async ticks(offset: number, count: number, scenario: Scenario = "flat"): Promise<TickReply> {
      const self = this as unknown as Inside;
      const prices = SCENARIOS[scenario].prices(offset + count);
      const at = times(count, Date.UTC(2030, 0, 3) + offset * 100);
      const rows = () => self.bookStore.rowsWritten + self.outbox.rowsWritten;
      const before = rows();
      if (scenario === "flat") {
        for (let i = 0; i < count; i++) self.onPrice(prices[offset + i], at[i]);
        return { rowsWritten: rows() - before, open: self.durable.book.size };
      }
      const book0 = self.bookStore.rowsWritten;
      const outbox0 = self.outbox.rowsWritten;
      const t = this.tallied(self.durable);
      const exits0 = t.exits;
      const legs0 = t.legs;
      let eventTicks = 0;
      let quietRows = 0;
      for (let i = 0; i < count; i++) {
        const r0 = rows();
        const e0 = t.exits + t.legs;
        self.recording.tick(prices[offset + i], at[i]);
        if (t.exits + t.legs !== e0) eventTicks++;
        else quietRows += rows() - r0;
      }
      return {
        rowsWritten: rows() - before,
        open: self.durable.book.size,
        exits: t.exits - exits0,
        legs: t.legs - legs0,
        eventTicks,
        quietTicks: count - eventTicks,
        quietRows,
        bookRows: self.bookStore.rowsWritten - book0,
        outboxRows: self.outbox.rowsWritten - outbox0,
      };
    }
  };
}

export class RealSymbolObject extends benchable(SymbolObject) {}

interface BenchRpc {
  seed(n: number, scenario: Scenario): Promise<number>;
  ticks(offset: number, count: number, scenario: Scenario): Promise<TickReply>;
}

interface BenchEnv {
  REAL: DurableObjectNamespace;
  NAIVE: DurableObjectNamespace;
}

export default {
  async fetch(req: Request, env: BenchEnv): Promise<Response> {
    const url = new URL(req.url);
    const q = (k: string) => url.searchParams.get(k) ?? "";
    const ns = { real: env.REAL, naive: env.NAIVE }[q("kind")];
    if (!ns) return new Response("kind?", { status: 400 });
    const stub = ns.getByName(q("name")) as unknown as BenchRpc;
    const scenario: Scenario = scenarioNamed(q("scenario"));
    if (url.pathname === "/seed") return Response.json({ open: await stub.seed(Number(q("n")), scenario), window: TRAIL_WINDOW });
    if (url.pathname === "/ticks") return Response.json(await stub.ticks(Number(q("offset")), Number(q("count")), scenario));
    return new Response("not found", { status: 404 });
  },
};
