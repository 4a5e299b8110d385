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
  /**
   * A new last price: emitted only when a packet actually carries a finite `lp`. `lpTime` is the merged
   * `lp_time` (TradingView sends only changed fields, so a packet without `lp_time` keeps the previous one);
   * null when the feed has not sent one on this session. `updateMode` is the merged mode at that moment (an
   * `update_mode` in the same packet counts).
   */
  | {
      type: "price";
      symbol: string;
      price: number;
      lpTime: number | null;
      lpTimeInPacket: boolean;
      updateMode: string | null;
    }
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
        events.push({
          type: "price",
          symbol: q.symbol,
          price: lp,
          lpTime: q.lpTime,
          lpTimeInPacket,
          updateMode: q.updateMode,
        });
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
 * N of a delayed update mode (`"delayed_streaming_900"` -> 900): how many seconds the data lags real time.
 * null for real-time modes (`"streaming"`), for a delayed mode that names no delay, and for null/garbage.
 */
export function delaySeconds(updateMode: string | null | undefined): number | null {
  if (typeof updateMode !== "string") return null;
  const m = /^delayed(?:_[a-z]+)*?_(\d{1,7})$/i.exec(updateMode.trim());
  if (!m) return null;
  const n = Number(m[1]);
  return Number.isFinite(n) ? n : null;
}

/**
 * The market time of a tick, epoch ms (CONTRACT "Market time"):
 * - the feed's `lp_time` (epoch seconds) when there is one; `lp_time` has one-second resolution, so when it
 *   falls in the current second of the local clock, the local clock (ms precision) is used instead;
 * - without `lp_time`: the receipt time `nowMs`, except for a delayed update mode `delayed_streaming_N`, where
 *   it is `nowMs - N s` (the data is N seconds behind).
 *
 * Nothing here (nor in QuoteFeed) forces market time to move forward: a feed that sends an older `lp_time`
 * than before (a correction, a snapshot after reconnecting, skewed clocks) is reported as it is. Consumers that
 * need monotonic time must enforce it themselves (the engine ignores ticks older than a position's openedAt).
 * A `lp_time` ahead of the local clock (clock skew) is likewise reported as sent.
 */
export function tickTimeMs(lpTime: number | null, nowMs: number, updateMode?: string | null): number {
  if (lpTime === null || !Number.isFinite(lpTime)) {
    const d = delaySeconds(updateMode);
    return d !== null ? nowMs - d * 1000 : nowMs;
  }
  if (Math.floor(lpTime) === Math.floor(nowMs / 1000)) return nowMs;
  return Math.round(lpTime * 1000);
}
