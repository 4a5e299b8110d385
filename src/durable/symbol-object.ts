// One Durable Object per feed symbol (`symbolStub(env, "CME_MINI:MNQ1!")`): that symbol's open positions across
// all recorders, its TradingView feed and everything it owes D1. A thin shell over plain parts:
//   durable-book.ts     the engine's book + checkpoints/journal/last tick, and the recovery that replays them
//   admission.ts        duplicates (the recorder-wide rate limit is counted by recorder-gate.ts)
//   schedule.ts         signals waiting for a delayed feed's market time (CONTRACT "Delayed data, aligned")
//   feed-supervisor.ts  when the quote socket runs, its update mode, live prices
//   outbox(-store).ts   D1 deliveries with dead letters
//   position-flags.ts   delayedData / aligned
//
// Concurrency: every state change (engine call + storage writes + outbox entries) happens in one synchronous
// step, so no other event interleaves with it. Awaits (the gate's rate limit, waiting for a fresh price) happen
// before it — so duplicates are checked again right before the step — or after it (D1 delivery).
//
// Market time: fills of a signal applied at once are stamped with its receive time; a scheduled signal's with
// its receive time too (the market time it was aligned to); ticks with the feed's market time (feed-port.ts).
import { DurableObject } from "cloudflare:workers";
import { findInstrument } from "../engine/instruments";
import { SignalRefusedError } from "../engine/limits";
import { roundToTick } from "../engine/money";
import type { FillOrigin, InstrumentSpec, Position, Trade } from "../engine/types";
import { Duplicates, SeenSignals } from "./admission";
import { SqlBookStore } from "./book-store";
import { DurableBook } from "./durable-book";
import type { FeedTuning } from "./feed-port";
import { FEED_TIMING, FeedSupervisor, type FeedTiming } from "./feed-supervisor";
import { OutboxDelivery, type SignalLogRow } from "./outbox";
import { OutboxStore } from "./outbox-store";
import { PositionFlags } from "./position-flags";
import type { ManualCloseReply, RecordedPosition, SignalApplied, SignalRefused, SignalReply, SignalRequest, SymbolStatus } from "./protocol";
import { rateLimitedError } from "./recorder-gate";
import { ScheduledSignals, type ScheduledSignal } from "./schedule";
import { directoryStub, gateStub } from "./stubs";

/** A scheduled signal the feed never reached is applied this long after its delay (CONTRACT: N + 120 s). */
const ALIGN_GRACE_MS = 120_000;
const META_SPEC = "spec";
/** What the directory was last told (true: has open positions). */
const META_DIRECTORY = "directory_active";

export class SymbolObject extends DurableObject<Env> {
  /** Feed timings and socket overrides: defaults here; a test subclass shortens them. */
  protected timing: FeedTiming = { ...FEED_TIMING };
  protected feedTuning: FeedTuning = {};
  protected durable!: DurableBook;
  protected feed!: FeedSupervisor;
  private bookStore!: SqlBookStore;
  private outbox!: OutboxStore;
  private delivery!: OutboxDelivery;
  private duplicates!: Duplicates;
  private scheduled!: ScheduledSignals;
  private flags!: PositionFlags;
  private spec: InstrumentSpec | null = null;
  private directoryActive: boolean | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Nothing may run against a half-loaded book: hold every event until the state is rebuilt.
    ctx.blockConcurrencyWhile(async () => {
      this.load();
      // After a restart or deploy with positions open (or signals waiting), the feed comes back by itself.
      if (this.wantsFeed()) {
        this.feed.start();
        await this.armAlarm(this.timing.keepaliveMs);
      }
    });
  }

  /** Seam for fault injection (test subclass): the D1 the outbox delivers to. */
  protected database(): D1Database {
    return this.env.DB;
  }

  private load(): void {
    const sql = this.ctx.storage.sql;
    this.bookStore = new SqlBookStore(sql);
    this.outbox = new OutboxStore(sql);
    this.delivery = new OutboxDelivery(this.outbox, this.database());
    this.duplicates = new Duplicates(new SeenSignals(sql));
    this.scheduled = new ScheduledSignals(sql);
    const meta = this.bookStore.meta;
    this.flags = new PositionFlags(meta);
    this.spec = meta.get<InstrumentSpec>(META_SPEC) ?? null;
    this.directoryActive = meta.get<boolean>(META_DIRECTORY) ?? null;
    this.durable = DurableBook.load(this.bookStore, { newId: () => crypto.randomUUID() });
    this.feed = new FeedSupervisor({
      env: this.env,
      meta,
      feedSymbol: () => this.spec?.feedSymbol ?? null,
      onPrice: (price, at) => void this.onPrice(price, at),
      timing: () => this.timing,
      tuning: () => this.feedTuning,
    });
  }

  // --- RPC: signals -------------------------------------------------------------------------------------

  async applySignal(req: SignalRequest): Promise<SignalReply> {
    this.rememberSpec(req.instrument, req.receivedAt);
    const receivedMs = Date.parse(req.receivedAt);

    // A retried duplicate gets its first answer, never a 429.
    const dup = this.duplicates.find(req, receivedMs);
    if (dup) return this.replyDuplicate(req, dup);
    const gate = await gateStub(this.env, req.recorder.id).admit(receivedMs, req.recorder.maxSignalsPerMinute, req.instrument.feedSymbol);
    if (!gate.admitted) {
      const e = rateLimitedError(req.recorder.maxSignalsPerMinute);
      return this.refuse(req, crypto.randomUUID(), 429, e.code, e.message, undefined, gate.logRefusal);
    }

    // Aligned on a delayed feed; and while a recorder still has signals waiting, its later ones wait too (receive
    // order per recorder, even if the feed turned real-time meanwhile).
    if ((req.recorder.delayedFeed === "align" && this.feed.delayed) || this.scheduled.count(req.recorder.id) > 0) {
      return this.schedule(req);
    }

    // Fill price: the signal's own (still > 0 once rounded: a 0 is never booked), else a live feed price.
    let live = this.feed.livePrice();
    let price = usable(req.signal.price, req.instrument.tickSize);
    const priceSource: FillOrigin["priceSource"] = price === null ? "feed" : "signal";
    if (price === null) {
      live = live ?? (await this.feed.freshPrice());
      await this.armAlarm(this.timing.keepaliveMs);
      price = usable(live?.price, req.instrument.tickSize);
      if (price === null) {
        return this.refuse(req, crypto.randomUUID(), 422, "no_price", `The signal has no price and the feed of ${req.instrument.feedSymbol} has no live price (none arrived within ${this.timing.firstPriceWaitMs / 1000} s); add "price": "{{close}}" to the alert message.`);
      }
    }
    // The awaits above let other requests in: the same signal may have been applied meanwhile.
    const again = this.duplicates.find(req, receivedMs);
    if (again) return this.replyDuplicate(req, again);

    const reply = this.applyNow(req, crypto.randomUUID(), { price, priceSource, feedPrice: this.feedPriceOf(live?.price, req.instrument), aligned: true });
    await this.afterChange();
    return reply;
  }

  async closePosition(positionId: string, price?: number): Promise<ManualCloseReply> {
    const found = this.durable.book.getById(positionId);
    if (!found) return notFound("No open position with this id on this symbol.");
    let live = this.feed.livePrice();
    let fill = price !== undefined && price > 0 ? price : null;
    const priceSource: FillOrigin["priceSource"] = fill === null ? "feed" : "signal";
    if (fill === null) {
      live = live ?? (await this.feed.freshPrice());
      fill = live?.price ?? null;
    }
    const noPrice = { ok: false, status: 422, error: { code: "no_price", message: "No price given and the feed has no live price (none arrived within 2 s)." } } as const;
    if (fill === null) return noPrice;
    const position = this.durable.book.getById(positionId);
    if (!position) return notFound("The position is no longer open.");
    // A feed price is stamped with its market time (never before the open); a given price with the wall clock.
    const now = new Date().toISOString();
    const at = priceSource === "feed" && live ? maxIso(live.at, position.openedAt) : maxIso(now, position.openedAt);
    let closed;
    try {
      // The book rounds to the position's own tick (a recorder may override it).
      closed = this.durable.closeManual(positionId, fill, at, { priceSource, feedPrice: this.feedPriceOf(live?.price, { tickSize: this.durable.book.stateTickSize(positionId) ?? this.spec?.tickSize ?? 0.01 }) });
    } catch (err) {
      if (err instanceof RangeError) return noPrice; // rounds to 0, or out of bounds: never booked
      throw err;
    }
    if (!closed) return notFound("The position is no longer open.");
    const flagged = this.flags.apply(closed.position);
    this.recordClose(closed.position, closed.trade);
    await this.afterChange();
    return { ok: true, position: flagged, trade: closed.trade };
  }

  async openPositions(): Promise<RecordedPosition[]> {
    return this.durable.book.open().map((p) => this.flags.apply(p));
  }

  /** New TradingView credentials (POST/DELETE /api/tradingview/session): reconnect a running feed now, also one
   * stopped by a refused token; an idle symbol stays idle. */
  async restartFeed(): Promise<void> {
    this.feed.restart(this.wantsFeed());
  }

  async status(): Promise<SymbolStatus> {
    const last = this.durable.last;
    const dead = this.outbox.deadLetters();
    return {
      feedSymbol: this.spec?.feedSymbol ?? "",
      openPositions: this.durable.book.size,
      feed: { ...this.feed.view(), lastTickAt: last.at, lastPrice: this.displayPrice(last.price) },
      ticksProcessed: last.ticks,
      scheduledSignals: this.scheduled.count(),
      deadLetters: dead.count,
      lastDeadLetterError: dead.lastError,
      pendingDeliveries: this.outbox.size(),
    };
  }

  /** What this symbol still holds for a recorder: open positions, and its own D1 deliveries and scheduled
   * signals not made yet (a recorder is not deleted while any is non-zero, since D1 alone may not know them). */
  async recorderActivity(recorderId: string): Promise<{ openPositions: string[]; pendingDeliveries: number }> {
    const open = this.durable.book.get(recorderId);
    return {
      openPositions: open ? [open.id] : [],
      pendingDeliveries: this.outbox.pendingForRecorder(recorderId) + this.scheduled.count(recorderId),
    };
  }

  // --- alarm: delivery retries, scheduled deadlines, feed keepalive, housekeeping ---------------------------

  override async alarm(): Promise<void> {
    const nowMs = Date.now();
    this.applyExpired(nowMs);
    const delivered = await this.delivery.flush();
    this.duplicates.forgetExpired(nowMs);
    this.durable.compactJournal();
    const feedRunning = this.feed.onAlarm(this.wantsFeed());
    await this.syncDirectory();
    const deadline = this.scheduled.nextDeadlineMs();
    let next = !delivered ? 5_000 : feedRunning || this.wantsFeed() ? this.timing.keepaliveMs : null;
    if (deadline !== null) next = Math.min(next ?? Infinity, Math.max(0, deadline - Date.now()) + 50);
    if (next !== null) await this.armAlarm(next, true);
  }

  // --- internals ----------------------------------------------------------------------------------------

  /** The feed's price: first any scheduled signal the market just reached, then the tick itself. Synchronous;
   * the follow-up (D1 delivery, directory) runs on, and its promise is returned for the test seam only. */
  protected onPrice(raw: number, at: string): Promise<void> | null {
    const atMs = Date.parse(at);
    const appliedScheduled = this.scheduled.anyDue(atMs) && this.applyDue(atMs) > 0;
    const out = this.durable.tick(raw, at);
    for (const e of out?.exits ?? []) this.recordClose(e.position, e.trade);
    if (!appliedScheduled && (out?.exits.length ?? 0) === 0) return null;
    const after = this.afterChange();
    after.catch((err) => console.warn(`[${this.spec?.feedSymbol}] after a tick: ${String(err)}`));
    return after;
  }

  /** CONTRACT "Delayed data, aligned": accepted now (checked against its own price), applied at market time. */
  private async schedule(req: SignalRequest): Promise<SignalReply> {
    const price = usable(req.signal.price, req.instrument.tickSize);
    if (price !== null) {
      try {
        this.durable.book.checkSignal({ recorder: req.recorder, instrument: req.instrument, signal: req.signal, price: roundToTick(price, req.instrument.tickSize), at: req.receivedAt });
      } catch (err) {
        if (err instanceof SignalRefusedError) return this.refuse(req, crypto.randomUUID(), 400, "invalid_signal", err.message, err.details);
        throw err;
      }
    }
    const again = this.duplicates.find(req, Date.parse(req.receivedAt));
    if (again) return this.replyDuplicate(req, again);
    const signalId = crypto.randomUUID();
    const delayMs = (this.feed.delaySeconds ?? 0) * 1000;
    this.scheduled.add(signalId, req, Date.parse(req.receivedAt) + delayMs + ALIGN_GRACE_MS);
    const current = this.durable.book.get(req.recorder.id);
    const reply: SignalApplied = {
      ok: true,
      signalId,
      recorderId: req.recorder.id,
      symbol: req.instrument.root,
      result: "scheduled",
      appliesAt: req.receivedAt,
      position: current ? this.flags.apply(current) : null,
    };
    this.logSignal(req, signalId, "scheduled", "scheduled", null, current?.id ?? null, null, req.receivedAt);
    this.duplicates.remember(req, Date.parse(req.receivedAt), reply);
    this.feed.start();
    await this.afterChange();
    return reply;
  }

  /** Applies the scheduled signals the market reached (before the tick at `atMs`). Returns how many. */
  private applyDue(atMs: number): number {
    const due = this.scheduled.dueBy(atMs);
    for (const s of due) {
      // Without a price: the last feed price at or before its receive time (this tick is the first after it).
      const last = this.durable.last;
      const lastUsable = last.at !== null && Date.parse(last.at) <= s.receivedMs ? usable(last.price, s.req.instrument.tickSize) : null;
      this.applyScheduled(s, lastUsable, true);
    }
    return due.length;
  }

  /** Scheduled signals the feed never reached within N + 120 s: applied with their own price (aligned: false). */
  private applyExpired(nowMs: number): void {
    const expired = this.scheduled.expired(nowMs);
    for (const s of expired) this.applyScheduled(s, null, false);
    if (expired.length > 0) void this.afterChange();
  }

  private applyScheduled(s: ScheduledSignal, feedPrice: number | null, aligned: boolean): void {
    const own = usable(s.req.signal.price, s.req.instrument.tickSize);
    const price = own ?? feedPrice;
    this.scheduled.remove(s.seq);
    if (price === null) {
      this.refuse(s.req, s.signalId, 422, "no_price", `The scheduled signal has no price and no feed price at or before ${s.req.receivedAt} arrived${aligned ? "" : ` within ${Math.round((s.deadlineMs - s.receivedMs) / 1000)} s`}.`);
      return;
    }
    this.applyNow(s.req, s.signalId, {
      price,
      priceSource: own !== null ? "signal" : "feed",
      feedPrice: this.feedPriceOf(feedPrice, s.req.instrument),
      aligned,
    });
  }

  /** The synchronous step: engine + durable state + outbox + signal log + duplicate memory. */
  private applyNow(
    req: SignalRequest,
    signalId: string,
    fill: { price: number; priceSource: FillOrigin["priceSource"]; feedPrice: number | null; aligned: boolean },
  ): SignalReply {
    let out;
    try {
      out = this.durable.signal({
        recorder: req.recorder,
        instrument: req.instrument,
        signal: req.signal,
        price: roundToTick(fill.price, req.instrument.tickSize),
        at: req.receivedAt,
        priceSource: fill.priceSource,
        feedPrice: fill.feedPrice,
      });
    } catch (err) {
      if (err instanceof SignalRefusedError) return this.refuse(req, signalId, 400, "invalid_signal", err.message, err.details);
      if (err instanceof RangeError) return this.refuse(req, signalId, 422, "no_price", "The price rounds to 0 at this instrument's tick: a price of 0 is never booked.");
      throw err;
    }
    if (out.opened) this.flags.opened(out.opened.id, { delayed: this.feed.delayed, aligned: fill.aligned });
    const position = out.position && this.flags.apply(out.position); // before recordClose forgets a closed one's flags
    if (out.closed) this.recordClose(out.closed.position, out.closed.trade);
    for (const state of out.changed) {
      const p = this.durable.book.getById(state.id);
      if (p) this.outbox.enqueue({ t: "position", position: this.flags.apply(p) });
    }
    const reply: SignalApplied = {
      ok: true,
      signalId,
      recorderId: req.recorder.id,
      symbol: req.instrument.root,
      result: out.result,
      ...(out.reason ? { reason: out.reason } : {}),
      position,
      ...(out.closed ? { trade: out.closed.trade } : {}),
    };
    this.logSignal(req, signalId, "applied", reply.result, null, out.position?.id ?? null, out.reason ?? null);
    this.duplicates.remember(req, Date.parse(req.receivedAt), reply);
    return reply;
  }

  private recordClose(position: Position, trade: Trade): void {
    this.outbox.enqueue({ t: "position", position: this.flags.apply(position) });
    this.outbox.enqueue({ t: "trade", trade });
    this.flags.closed(position.id);
  }

  /** After any state change: deliver to D1 (started first: the trader's record should land soonest), keep the
   * feed and alarm as the book needs them, tell the directory. */
  private async afterChange(): Promise<void> {
    const delivered = this.delivery.flush();
    if (this.wantsFeed()) {
      this.feed.start();
      await this.armAlarm(this.timing.keepaliveMs);
    } else this.feed.wantFor();
    await this.syncDirectory();
    if (!(await delivered)) await this.armAlarm(2_000, true);
  }

  private wantsFeed(): boolean {
    return this.durable.book.size > 0 || this.scheduled.count() > 0;
  }

  /** Tells the directory when this symbol starts or stops having open positions (retried from the alarm). */
  private async syncDirectory(): Promise<void> {
    const active = this.durable.book.size > 0;
    if (active === this.directoryActive || !this.spec) return;
    try {
      await directoryStub(this.env).setActive(this.spec.feedSymbol, active);
      this.directoryActive = active;
      this.bookStore.meta.set(META_DIRECTORY, active);
    } catch (err) {
      console.warn(`[${this.spec.feedSymbol}] directory not reachable, retried from the alarm: ${String(err)}`);
      await this.armAlarm(5_000);
    }
  }

  private async replyDuplicate(req: SignalRequest, first: SignalApplied): Promise<SignalReply> {
    this.logSignal(req, crypto.randomUUID(), "duplicate", first.result, null, first.position?.id ?? null, first.reason ?? null);
    await this.afterChange();
    return { ...first, duplicate: true };
  }

  /** A refusal: logged (under `signalId`: a scheduled signal's row moves to "rejected") and answered. */
  private refuse(
    req: SignalRequest,
    signalId: string,
    status: SignalRefused["status"],
    code: string,
    message: string,
    details?: unknown,
    log = true,
  ): SignalRefused {
    const error = details === undefined ? { code, message } : { code, message, details };
    if (log) this.logSignal(req, signalId, "rejected", null, error, null);
    void this.afterChange();
    return { ok: false, status, error };
  }

  private logSignal(
    req: SignalRequest,
    id: string,
    status: SignalLogRow["status"],
    result: string | null,
    error: unknown,
    positionId: string | null,
    reason: string | null = null,
    appliesAt: string | null = null,
  ): void {
    this.outbox.enqueue({
      t: "signal",
      row: {
        id,
        recorderId: req.recorder.id,
        receivedAt: req.receivedAt,
        status,
        result,
        reason,
        error,
        body: req.body,
        bodyTruncated: req.bodyTruncated,
        appliesAt,
        symbol: req.instrument.root,
        positionId,
      },
    });
  }

  private async armAlarm(inMs: number, force = false): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    const at = Date.now() + inMs;
    if (force || current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  /** A feed price as the instrument quotes it (null: no live feed). */
  private feedPriceOf(price: number | null | undefined, spec: { tickSize: number }): number | null {
    return price == null || !(price > 0) ? null : roundToTick(price, spec.tickSize);
  }

  /** The last price as the instrument quotes it (its table tick, else the first recorder's tick). */
  private displayPrice(price: number | null): number | null {
    if (price === null || !this.spec) return price;
    return roundToTick(price, findInstrument(this.spec.root)?.tickSize ?? this.spec.tickSize);
  }

  private rememberSpec(instrument: InstrumentSpec, at: string): void {
    if (this.spec) return;
    this.spec = instrument;
    this.bookStore.meta.set(META_SPEC, instrument);
    this.outbox.enqueue({ t: "symbol", feedSymbol: instrument.feedSymbol, root: instrument.root, at });
  }
}

/** A price is usable when it is still > 0 once rounded to the tick (a 0 is never booked). */
function usable(p: number | null | undefined, tickSize: number): number | null {
  return p != null && Number.isFinite(p) && roundToTick(p, tickSize) > 0 ? p : null;
}

function maxIso(a: string, b: string): string {
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

function notFound(message: string): ManualCloseReply {
  return { ok: false, status: 404, error: { code: "not_found", message } };
}
