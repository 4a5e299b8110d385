// Merges `qsd` deltas per subscribed symbol string. `n` echoes exactly what the client subscribed, so it is
// the routing key. `v` holds only the fields that changed since the previous packet (a packet may lack `lp`).
// Pure: no Cloudflare imports.

export interface SymbolQuote {
  /** Exactly the string passed to quote_add_symbols. */
  symbol: string;
  status: "pending" | "ok" | "error";
  errmsg: string | null;
  /** Last price, raw float as received (rounding to the tick is the caller's job). */
  lp: number | null;
  /** Epoch seconds of the last trade, as received. */
  lpTime: number | null;
  updateMode: string | null;
  /** quote_completed received (first snapshot done). */
  completed: boolean;
  /** Every field merged so far (bid, ask, volume, ...). */
  fields: Record<string, unknown>;
}

export type QuoteEvent =
  /** A new last price: emitted only when a packet actually carries a finite `lp`. */
  | { type: "price"; symbol: string; price: number; lpTime: number | null; lpTimeInPacket: boolean }
  | { type: "status"; symbol: string; status: "ok" | "error"; errmsg: string | null }
  | { type: "update_mode"; symbol: string; updateMode: string }
  | { type: "completed"; symbol: string };

export function isDelayedMode(updateMode: string | null | undefined): boolean {
  return typeof updateMode === "string" && updateMode.startsWith("delayed");
}

function finiteNumber(x: unknown): number | null {
  if (typeof x === "number" && Number.isFinite(x)) return x;
  if (typeof x === "string" && x.trim() !== "") {
    const n = Number(x);
    if (Number.isFinite(n)) return n;
  }
  return null;
}

export class QuoteState {
  private readonly quotes = new Map<string, SymbolQuote>();

  constructor(symbols: Iterable<string> = []) {
    for (const s of symbols) this.add(s);
  }

  add(symbol: string): void {
    if (!this.quotes.has(symbol)) {
      this.quotes.set(symbol, {
        symbol,
        status: "pending",
        errmsg: null,
        lp: null,
        lpTime: null,
        updateMode: null,
        completed: false,
        fields: {},
      });
    }
  }

  remove(symbol: string): void {
    this.quotes.delete(symbol);
  }

  has(symbol: string): boolean {
    return this.quotes.has(symbol);
  }

  get(symbol: string): SymbolQuote | undefined {
    return this.quotes.get(symbol);
  }

  symbols(): string[] {
    return [...this.quotes.keys()];
  }

  /** Forget the merged fields (a new session starts from a fresh snapshot) but keep the subscriptions. */
  resetSession(): void {
    for (const s of this.symbols()) {
      this.quotes.delete(s);
      this.add(s);
    }
  }

  /**
   * Applies the params of one `qsd` packet: `[qs_id, {n, s, v, errmsg?}]`. Packets for symbols that were
   * not subscribed, or of an unexpected shape, are ignored (returns []). Never throws.
   */
  applyQsd(p: unknown[]): QuoteEvent[] {
    const body = p[1];
    if (!body || typeof body !== "object" || Array.isArray(body)) return [];
    const b = body as Record<string, unknown>;
    if (typeof b.n !== "string") return [];
    const q = this.quotes.get(b.n);
    if (!q) return [];
    const events: QuoteEvent[] = [];

    if (b.s === "ok" || b.s === "error") {
      const errmsg =
        b.s === "error" ? (typeof b.errmsg === "string" ? b.errmsg : "error") : null;
      if (q.status !== b.s || q.errmsg !== errmsg) {
        q.status = b.s;
        q.errmsg = errmsg;
        events.push({ type: "status", symbol: q.symbol, status: b.s, errmsg });
      }
    }

    const v = b.v;
    if (!v || typeof v !== "object" || Array.isArray(v)) return events;
    const delta = v as Record<string, unknown>;
    Object.assign(q.fields, delta);

    let lpTimeInPacket = false;
    if ("lp_time" in delta) {
      const t = finiteNumber(delta.lp_time);
      if (t !== null) {
        q.lpTime = t;
        lpTimeInPacket = true;
      }
    }
    if (typeof delta.update_mode === "string" && delta.update_mode !== q.updateMode) {
      q.updateMode = delta.update_mode;
      events.push({ type: "update_mode", symbol: q.symbol, updateMode: delta.update_mode });
    }
    if ("lp" in delta) {
      const lp = finiteNumber(delta.lp);
      if (lp !== null) {
        q.lp = lp;
        events.push({ type: "price", symbol: q.symbol, price: lp, lpTime: q.lpTime, lpTimeInPacket });
      }
    }
    return events;
  }

  /** Applies `quote_completed` `[qs_id, sym]`. */
  applyCompleted(p: unknown[]): QuoteEvent[] {
    const sym = p[1];
    if (typeof sym !== "string") return [];
    const q = this.quotes.get(sym);
    if (!q || q.completed) return [];
    q.completed = true;
    return [{ type: "completed", symbol: sym }];
  }
}

/**
 * The time of a tick, epoch ms. `lp_time` has one-second resolution: when it falls in the current second, the
 * local clock (ms precision) is used; otherwise (delayed data, clock skew) the exchange's `lp_time` wins.
 */
export function tickTimeMs(lpTime: number | null, nowMs: number): number {
  if (lpTime === null) return nowMs;
  const t = lpTime * 1000;
  if (nowMs >= t && nowMs - t < 1000) return nowMs;
  return t;
}
