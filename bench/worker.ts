// The Durable Object bench Worker (bench/wrangler.bench.toml; bundled by bench/run.mjs, served by `wrangler dev`
// on loopback). Two symbol objects, driven the same way:
// - REAL:  the production SymbolObject (src/durable/symbol-object.ts) as it is in the tree;
// - NAIVE: bench/naive-symbol-object.ts, the baseline.
// Positions are seeded through the engine and the object's own checkpoint (no webhook, no D1); ticks go through
// the object's real `onPrice` in a synchronous loop, so the figures are the tick path's CPU and storage rows.
//   GET /seed?kind=real|naive&name=X&n=N              -> {open}
//   GET /ticks?kind=...&name=X&offset=O&count=C        -> {rowsWritten, open}
import { SymbolObject } from "../src/durable/symbol-object";
import { MNQ, openingSignals, times, walk } from "./scenario";
import type { SqlBookStore } from "../src/durable/book-store";
import type { DurableBook } from "../src/durable/durable-book";
import type { OutboxStore } from "../src/durable/outbox-store";
export { NaiveSymbolObject } from "./naive-symbol-object";

/** What the bench reaches inside the real object (TypeScript-private members, plain properties at runtime). */
interface Inside {
  durable: DurableBook;
  bookStore: SqlBookStore;
  outbox: OutboxStore;
  onPrice(price: number, at: string): void;
  rememberSpec(instrument: unknown, at: string): void;
}

function benchable<T extends new (...args: any[]) => SymbolObject>(Base: T) {
  return class extends Base {
    async seed(n: number): Promise<number> {
      const self = this as unknown as Inside;
      self.rememberSpec(MNQ, new Date(Date.UTC(2030, 0, 2)).toISOString());
      // Through the durable book, as a signal would: each opening is checkpointed.
      for (const s of openingSignals(n)) self.durable.signal({ ...s, instrument: MNQ });
      return self.durable.book.size;
    }

    async ticks(offset: number, count: number): Promise<{ rowsWritten: number; open: number }> {
      const self = this as unknown as Inside;
      const prices = walk(offset + count);
      const at = times(count, Date.UTC(2030, 0, 3) + offset * 100);
      const rows = () => self.bookStore.rowsWritten + self.outbox.rowsWritten;
      const before = rows();
      for (let i = 0; i < count; i++) self.onPrice(prices[offset + i], at[i]);
      return { rowsWritten: rows() - before, open: self.durable.book.size };
    }
  };
}

export class RealSymbolObject extends benchable(SymbolObject) {}

interface BenchRpc {
  seed(n: number): Promise<number>;
  ticks(offset: number, count: number): Promise<{ rowsWritten: number; open: number }>;
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
    if (url.pathname === "/seed") return Response.json({ open: await stub.seed(Number(q("n"))) });
    if (url.pathname === "/ticks") return Response.json(await stub.ticks(Number(q("offset")), Number(q("count"))));
    return new Response("not found", { status: 404 });
  },
};
