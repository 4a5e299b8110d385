// One Durable Object per feed symbol (`env.SYMBOLS.getByName("CME_MINI:MNQ1!")`). It holds that symbol's open
// positions across all recorders in memory (the engine's SymbolBook), applies signals and ticks through the pure
// engine, keeps its state durable in its own SQLite storage (see store.ts for why a tick writes O(1) rows), and
// delivers positions, fills, trades and the signal log to D1 through an outbox (see outbox.ts).
//
// Concurrency: every state change (engine call + storage writes) happens in one synchronous step, so no other
// event can interleave with it; awaits happen only before (waiting for a first price) or after (D1 delivery).
//
// The feed (feed-port.ts): one TradingView quote socket per object, held while positions are open or a price was
// asked for. An outbound socket cannot hibernate and keeps the object alive at most 15 minutes, so the alarm is
// re-armed every keepaliveMs while it is wanted: each alarm checks the socket (ensureConnected), and after an
// eviction the alarm (or any request) rebuilds the object, whose constructor reconnects. It closes idleFeedMs
// after the last position closed. A refused token stops it until restartFeed() (new credentials).
import { DurableObject } from "cloudflare:workers";
import { SymbolBook } from "../engine/book";
import { findInstrument } from "../engine/instruments";
import { cleanPrice, roundToTick } from "../engine/money";
import type { InstrumentSpec, Position, PositionState, Trade } from "../engine/types";
import { isDelayedMode } from "../feed/quote-state";
import { OutboxDelivery, type SignalLogRow } from "./outbox";
import type { FeedView, ManualCloseReply, RecordedPosition, SignalApplied, SignalReply, SignalRequest, SymbolStatus } from "./protocol";
import { SymbolStore, type LastTick } from "./store";
import { createFeed, type FeedPort, type FeedTuning } from "./feed-port";

const FEED_TIMING = {
  /** While positions are open the alarm fires this often: it keeps the feed alive past the platform's 15-minute
   * limit for an object held only by an outbound WebSocket, and reconnects it after any restart. */
  keepaliveMs: 30_000,
  /** The feed is closed this long after the last position closed (or the last price request). */
  idleFeedMs: 3 * 60_000,
  /** A signal without a price waits this long for the feed's first tick (TradingView allows 3 s in all). */
  firstPriceWaitMs: 2_000,
  /** With positions open, a feed whose token was refused is tried again (fresh token or anonymous) this rarely. */
  refusedRetryMs: 10 * 60_000,
};
/** Storage meta keys of the feed: the last update_mode seen, and the open positions opened under delayed data. */
const META_FEED_MODE = "feed_mode";
const META_DELAYED = "delayed_positions";
/** Per recorder and symbol. TradingView itself stops an alert firing more than 15 times in 3 minutes. */
const RATE_LIMIT = { max: 60, windowMs: 60_000 };
/** How long signal ids are remembered for duplicate detection. */
const SEEN_RETENTION_MS = 30 * 24 * 3600_000;

export class SymbolObject extends DurableObject<Env> {
  private store!: SymbolStore;
  private outbox!: OutboxDelivery;
  private book!: SymbolBook;
  private spec: InstrumentSpec | null = null;
  private last: LastTick = { seq: 0, price: null, at: null, ticks: 0 };
  /** Price range since the latest position checkpoint: a tick outside it is journaled (store.ts). */
  private runMin: number | null = null;
  private runMax: number | null = null;
  private feed: FeedPort | null = null;
  private feedWantedUntil = 0;
  /** When the feed's token was refused (0: not refused). */
  private refusedAt = 0;
  /** The feed's last update_mode (persisted: a position opened before a fresh connection reports it still
   * knows whether this login gets real-time data for the symbol). */
  private feedMode: string | null = null;
  /** Open positions opened while the feed was delayed. */
  private delayedIds = new Set<string>();
  private recentSignals = new Map<string, number[]>();
  /** Test hooks (set through runInDurableObject before the feed starts): shorter timings, another socket URL. */
  timing = { ...FEED_TIMING };
  feedTuning: FeedTuning = {};

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Nothing may run against a half-loaded book: hold every event until the state is rebuilt.
    ctx.blockConcurrencyWhile(async () => {
      this.load();
      // After a restart or deploy with positions open, the feed comes back by itself.
      if (this.book.size > 0) {
        this.startFeed();
        await this.armAlarm(this.timing.keepaliveMs);
      }
    });
  }

  private load(): void {
    this.store = new SymbolStore(this.ctx.storage.sql);
    this.outbox = new OutboxDelivery(this.store, this.env.DB);
    this.spec = this.store.getMeta<InstrumentSpec>("spec") ?? null;
    this.last = this.store.getMeta<LastTick>("last") ?? this.last;
    this.feedMode = this.store.getMeta<string>(META_FEED_MODE) ?? null;
    this.delayedIds = new Set(this.store.getMeta<string[]>(META_DELAYED) ?? []);
    const saved = this.store.loadPositions();
    this.book = SymbolBook.restore(
      saved.map((s) => s.state),
      { newId: () => crypto.randomUUID() },
    );
    if (saved.length === 0) return;
    // Replay the journaled extremes each position has not seen yet, then the last tick (a real tick too).
    const oldest = Math.min(...saved.map((s) => s.checkpointSeq));
    const rows = this.store.journalSince(oldest);
    if (this.last.price !== null && this.last.at !== null && rows.at(-1)?.seq !== this.last.seq) {
      rows.push({ seq: this.last.seq, price: this.last.price, at: this.last.at });
    }
    for (const { state, checkpointSeq } of saved) {
      const id = stateId(state);
      for (const r of rows) if (r.seq > checkpointSeq) this.book.replayPrice(id, r.price, r.at);
    }
  }

  // --- RPC: signals -------------------------------------------------------------------------------------

  async applySignal(req: SignalRequest): Promise<SignalReply> {
    this.rememberSpec(req.instrument, req.receivedAt);
    const recorderId = req.recorder.id;
    const nowMs = Date.parse(req.receivedAt);

    // A retried duplicate gets its first answer, never a 429.
    const dup = this.findDuplicate(req, nowMs);
    if (dup) return this.replyDuplicate(req, dup);
    if (this.rateLimited(recorderId, nowMs)) {
      return this.refuse(req, 429, "rate_limited", `More than ${RATE_LIMIT.max} signals in ${RATE_LIMIT.windowMs / 1000} s for this recorder and symbol; slow down.`);
    }

    // A price is usable when it is still > 0 once rounded to the tick (a 0 is never booked).
    const tick = req.instrument.tickSize;
    const usable = (p: number | null | undefined) => (p != null && roundToTick(p, tick) > 0 ? p : null);
    let price = usable(req.signal.price) ?? usable(this.last.price);
    if (price === null) {
      // The feed may be just starting: wait briefly for its first tick (only priceless signals ever wait).
      this.startFeed();
      this.feedWantedUntil = Date.now() + this.timing.idleFeedMs;
      await this.armAlarm(this.timing.keepaliveMs);
      price = usable(await this.feed?.waitForPrice(this.timing.firstPriceWaitMs)) ?? usable(this.last.price);
      if (price === null) {
        return this.refuse(req, 422, "no_price", `The signal has no price and no price for ${req.instrument.feedSymbol} has arrived from the feed yet; add "price": "{{close}}" to the alert message.`);
      }
      const again = this.findDuplicate(req, Date.now());
      if (again) return this.replyDuplicate(req, again);
    }

    // --- one synchronous step: engine + durable state + outbox ---
    const out = this.book.applySignal({
      recorder: req.recorder,
      instrument: req.instrument,
      signal: req.signal,
      price: roundToTick(price, req.instrument.tickSize),
      at: req.receivedAt,
    });
    if (out.opened) this.flagIfDelayed(out.opened.id);
    const position = out.position && this.withFlags(out.position); // before recordClose forgets a closed one's flag
    if (out.closed) this.recordClose(out.closed.position, out.closed.trade);
    for (const state of out.changed) this.checkpoint(state);
    for (const p of out.changed.map((s) => this.book.getById(stateId(s)))) if (p) this.store.enqueue({ t: "position", position: this.withFlags(p) });
    const reply: SignalApplied = {
      ok: true,
      signalId: crypto.randomUUID(),
      recorderId,
      symbol: req.instrument.root,
      result: out.result,
      ...(out.reason ? { reason: out.reason } : {}),
      position,
      ...(out.closed ? { trade: out.closed.trade } : {}),
    };
    this.logSignal(req, reply.signalId, "applied", reply.result, null, out.position?.id ?? null, out.reason ?? null);
    this.rememberSignal(req, nowMs, reply);

    if (this.book.size > 0) {
      this.startFeed();
      await this.armAlarm(this.timing.keepaliveMs);
    } else if (out.closed) {
      this.feedWantedUntil = Date.now() + this.timing.idleFeedMs;
    }
    await this.deliver();
    return reply;
  }

  /** The tick seam: the feed drives it; tests and the simulator may call it directly. */
  async tick(price: number, at: string = new Date().toISOString()): Promise<void> {
    this.onPrice(price, at);
  }

  async closePosition(positionId: string, price?: number): Promise<ManualCloseReply> {
    const position = this.book.getById(positionId);
    if (!position) return { ok: false, status: 404, error: { code: "not_found", message: "No open position with this id on this symbol." } };
    const at = new Date().toISOString();
    const fill = price !== undefined && price > 0 ? price : this.last.price;
    const noPrice = { ok: false, status: 422, error: { code: "no_price", message: "No usable price given and no feed price yet." } } as const;
    if (fill === null) return noPrice;
    let closed;
    try {
      // The book rounds to the position's own tick (a recorder may override it).
      closed = this.book.closeManual(positionId, fill, at);
    } catch (err) {
      if (err instanceof RangeError) return noPrice; // rounds to 0: never booked
      throw err;
    }
    if (!closed) return { ok: false, status: 404, error: { code: "not_found", message: "The position is no longer open." } };
    const flagged = this.withFlags(closed.position);
    this.recordClose(closed.position, closed.trade);
    if (this.book.size === 0) this.feedWantedUntil = Date.now() + this.timing.idleFeedMs;
    await this.deliver();
    return { ok: true, position: flagged, trade: closed.trade };
  }

  async openPositions(): Promise<RecordedPosition[]> {
    return this.book.open().map((p) => this.withFlags(p));
  }

  /** New TradingView credentials (POST/DELETE /api/tradingview/session): reconnect a running feed now, also one
   * stopped by a refused token; an idle symbol stays idle. */
  async restartFeed(): Promise<void> {
    // New credentials, new data quality: the old update mode no longer describes what comes next.
    this.feedMode = null;
    this.store.setMeta(META_FEED_MODE, null);
    if (this.feed) this.feed.restart();
    else if (this.book.size > 0) this.startFeed();
  }

  async status(): Promise<SymbolStatus> {
    const feed: FeedView = this.feed?.status() ?? {
      state: "idle",
      lastTickAt: this.last.at,
      lastPrice: this.displayPrice(this.last.price),
      updateMode: this.feedMode,
      reconnects: 0,
      delayed: isDelayedMode(this.feedMode),
      error: null,
    };
    return {
      feedSymbol: this.spec?.feedSymbol ?? "",
      openPositions: this.book.size,
      feed: { ...feed, lastTickAt: this.last.at, lastPrice: this.displayPrice(this.last.price) },
      ticksProcessed: this.last.ticks,
    };
  }

  /** What this symbol still holds for a recorder: open positions, and D1 deliveries not made yet (a recorder is
   * not deleted while either is non-zero, since D1 alone may not know about them yet). */
  async recorderActivity(recorderId: string): Promise<{ openPositions: string[]; pendingDeliveries: number }> {
    const open = this.book.get(recorderId);
    return { openPositions: open ? [open.id] : [], pendingDeliveries: this.store.outboxSize() };
  }

  /** Pending D1 deliveries (for /status and tests). */
  async outboxSize(): Promise<number> {
    return this.store.outboxSize();
  }

  // --- alarm: delivery retries, feed keepalive, housekeeping -----------------------------------------------

  override async alarm(): Promise<void> {
    const delivered = await this.outbox.flush();
    this.store.forgetSeenBefore(Date.now() - SEEN_RETENTION_MS);
    this.store.compactJournal();
    const open = this.book.size > 0;
    if (open || Date.now() < this.feedWantedUntil) {
      if (!this.feed) this.startFeed();
      else if (open && this.feed.status().state === "refused" && Date.now() - this.refusedAt > this.timing.refusedRetryMs) {
        // Open positions must not go without prices for good: the refused token was dropped (session.ts), so a
        // retry this rare uses a fresh exchange or anonymous data; it never becomes a reconnect loop.
        this.refusedAt = Date.now();
        this.feed.restart();
      } else this.feed.ensureConnected();
    } else if (this.feed) {
      this.feed.stop();
      this.feed = null;
    }
    if (!delivered) await this.armAlarm(5_000, true);
    else if (open || this.feed) await this.armAlarm(this.timing.keepaliveMs, true);
  }

  // --- internals ----------------------------------------------------------------------------------------

  private onPrice(raw: number, at: string): void {
    if (!(raw > 0)) return;
    // Not rounded here: positions may use different tick sizes (a recorder may override it) and the book rounds
    // per tick size. Float noise is stripped; the journal keeps the cleaned price, replay rounds it per position.
    const price = cleanPrice(raw);
    const seq = this.last.seq + 1;
    this.last = { seq, price, at, ticks: this.last.ticks + 1 };
    this.store.setMeta("last", this.last);
    if (this.book.size === 0) return;
    if (this.runMin === null || this.runMax === null || price < this.runMin || price > this.runMax) {
      this.store.journal({ seq, price, at });
      this.runMin = this.runMin === null ? price : Math.min(this.runMin, price);
      this.runMax = this.runMax === null ? price : Math.max(this.runMax, price);
    }
    const { exits } = this.book.applyTick(price, at);
    if (exits.length === 0) return;
    for (const e of exits) this.recordClose(e.position, e.trade);
    if (this.book.size === 0) this.feedWantedUntil = Date.now() + this.timing.idleFeedMs;
    void this.deliver();
  }

  private checkpoint(state: PositionState): void {
    const p = this.book.getById(stateId(state));
    if (!p) return;
    this.store.checkpoint(p.id, p.recorderId, state, this.last.seq);
    // A new checkpoint restarts the journal's running range (store.ts explains why this keeps replay exact).
    this.runMin = this.runMax = null;
  }

  private recordClose(position: Position, trade: Trade): void {
    this.store.removePosition(position.id);
    this.store.enqueue({ t: "position", position: this.withFlags(position) });
    this.store.enqueue({ t: "trade", trade });
    if (this.delayedIds.delete(position.id)) this.store.setMeta(META_DELAYED, [...this.delayedIds]);
  }

  private async deliver(): Promise<void> {
    const ok = await this.outbox.flush();
    if (!ok) await this.armAlarm(2_000, true);
  }

  private async armAlarm(inMs: number, force = false): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    const at = Date.now() + inMs;
    if (force || current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  /** The last price as the instrument quotes it (its table tick, else the first recorder's tick). */
  private displayPrice(price: number | null): number | null {
    if (price === null || !this.spec) return price;
    return roundToTick(price, findInstrument(this.spec.root)?.tickSize ?? this.spec.tickSize);
  }

  private rememberSpec(instrument: InstrumentSpec, at: string): void {
    if (this.spec) return;
    this.spec = instrument;
    this.store.setMeta("spec", instrument);
    this.store.enqueue({ t: "symbol", feedSymbol: instrument.feedSymbol, root: instrument.root, at });
  }

  private startFeed(): void {
    if (this.feed || !this.spec) return;
    this.feed = createFeed(
      this.env,
      this.spec.feedSymbol,
      { onPrice: (price, at) => this.onPrice(price, at), onState: (v) => this.onFeedState(v) },
      this.feedTuning,
    );
    this.feed.start();
  }

  private onFeedState(view: FeedView): void {
    if (view.state === "refused" && this.refusedAt === 0) this.refusedAt = Date.now();
    if (view.state !== "refused") this.refusedAt = 0;
    if (view.updateMode !== null && view.updateMode !== this.feedMode) {
      this.feedMode = view.updateMode;
      this.store.setMeta(META_FEED_MODE, view.updateMode);
    }
  }

  /** A position opened while the feed's quotes were delayed carries `delayedData: true` for its whole life. */
  private flagIfDelayed(positionId: string): void {
    if (!isDelayedMode(this.feedMode) || this.delayedIds.has(positionId)) return;
    this.delayedIds.add(positionId);
    this.store.setMeta(META_DELAYED, [...this.delayedIds]);
  }

  private withFlags(p: Position): RecordedPosition {
    return this.delayedIds.has(p.id) ? { ...p, delayedData: true } : p;
  }

  private rateLimited(recorderId: string, nowMs: number): boolean {
    const times = (this.recentSignals.get(recorderId) ?? []).filter((t) => t > nowMs - RATE_LIMIT.windowMs);
    const limited = times.length >= RATE_LIMIT.max;
    if (!limited) times.push(nowMs);
    this.recentSignals.set(recorderId, times);
    return limited;
  }

  /** CONTRACT "Duplicates": by id forever (well, 30 days); without an id, a byte-identical body in the window. */
  private findDuplicate(req: SignalRequest, nowMs: number): SignalApplied | null {
    const key = dedupeKey(req);
    if (!key) return null;
    const seen = this.store.seen(req.recorder.id, key);
    if (!seen) return null;
    if (!req.signal.id && nowMs - seen.atMs > req.recorder.dedupeWindowSeconds * 1000) return null;
    return JSON.parse(seen.reply) as SignalApplied;
  }

  private rememberSignal(req: SignalRequest, nowMs: number, reply: SignalApplied): void {
    const key = dedupeKey(req);
    if (key) this.store.remember(req.recorder.id, key, nowMs, JSON.stringify(reply));
  }

  private async replyDuplicate(req: SignalRequest, first: SignalApplied): Promise<SignalReply> {
    this.logSignal(req, crypto.randomUUID(), "duplicate", first.result, null, first.position?.id ?? null, first.reason ?? null);
    await this.deliver();
    return { ...first, duplicate: true };
  }

  private async refuse(req: SignalRequest, status: 422 | 429, code: string, message: string): Promise<SignalReply> {
    this.logSignal(req, crypto.randomUUID(), "rejected", null, { code, message }, null);
    await this.deliver();
    return { ok: false, status, error: { code, message } };
  }

  private logSignal(
    req: SignalRequest,
    id: string,
    status: SignalLogRow["status"],
    result: string | null,
    error: unknown,
    positionId: string | null,
    reason: string | null = null,
  ): void {
    this.store.enqueue({
      t: "signal",
      row: { id, recorderId: req.recorder.id, receivedAt: req.receivedAt, status, result, reason, error, body: req.body, symbol: req.instrument.root, positionId },
    });
  }
}

function dedupeKey(req: SignalRequest): string | null {
  if (req.signal.id) return `id:${req.signal.id}`;
  if (req.recorder.dedupeWindowSeconds > 0) return `body:${req.bodyHash}`;
  return null;
}

function stateId(state: PositionState): string {
  return state.id;
}
