// One Durable Object per feed symbol (`symbolStub(env, "CME_MINI:MNQ1!")`): that symbol's open positions across
// all recorders, its TradingView feed and everything it owes D1. A thin shell: it loads the plain parts, owns
// the awaits, and calls the synchronous steps of recording.ts.
//   recording.ts        the synchronous steps: apply / refuse / schedule a signal, a tick, a manual close
//   durable-book.ts     the engine's book + checkpoints/journal/last tick, and the recovery that replays them
//   admission.ts        duplicates (the recorder-wide rate limit is counted by recorder-gate.ts)
//   schedule.ts         signals waiting for a delayed feed's market time (CONTRACT "Delayed data, aligned")
//   feed-supervisor.ts  when the quote socket runs, its update mode, live prices
//   outbox(-store).ts   D1 deliveries with dead letters
//   position-flags.ts   delayedData / aligned
//   live-publisher.ts   live dashboards (GET /api/live): what changed, published to the live hub while watched
//   ../notify/          notifications: queued by the outbox's delivered hook, sent off the reply path; feed
//                       down/up watched from the alarm
//
// Concurrency: every state change happens in one synchronous step of recording.ts, so no other event
// interleaves with it. Awaits (the gate's rate limit, waiting for a fresh price) happen before it — so duplicates
// are checked again right before the step — or after it (D1 delivery, the directory).
import { DurableObject } from "cloudflare:workers";
import { feedHealth } from "../api/feed-health";
import { findInstrument } from "../engine/instruments";
import { SignalRefusedError } from "../engine/limits";
import { roundToTick } from "../engine/money";
import type { FillOrigin, InstrumentSpec } from "../engine/types";
import { Duplicates, SeenSignals } from "./admission";
import { SqlBookStore } from "./book-store";
import { DurableBook } from "./durable-book";
import type { FeedTuning } from "./feed-port";
import { LivePublisher, REAL_CLOCK, type LiveClock, type LiveState } from "./live-publisher";
import { FEED_TIMING, FeedSupervisor, type FeedTiming } from "./feed-supervisor";
import { OutboxDelivery } from "./outbox";
import { OutboxStore } from "./outbox-store";
import { PositionFlags } from "./position-flags";
import type { FeedView, ManualCloseReply, RecordedPosition, SignalReply, SignalRequest, SymbolLive, SymbolStatus } from "./protocol";
import { HeldLeases, type Admission, type RateState, type StaleWhy } from "./rate-lease";
import { rateLimitedError } from "./recorder-gate";
import { SymbolRecording, usablePrice } from "./recording";
import { ScheduledSignals } from "./schedule";
import { directoryStub, gateStub, liveHubStub } from "./stubs";
import { FeedWatch, feedEvents } from "../notify/feed-watch";
import { Notifier } from "../notify/notifier";
import { NotifyQueueStore } from "../notify/queue-store";

/** A scheduled signal the feed never reached is applied this long after its delay (CONTRACT: N + 120 s). */
const ALIGN_GRACE_MS = 120_000;
const META_SPEC = "spec";
/** What the directory was last told (true: has open positions). */
const META_DIRECTORY = "directory_active";
/** The live dashboards' lease (epoch ms), so a restarted object goes on publishing without waiting for the hub's
 * next renewal (up to 20 s). Written when the lease grows (at most once per renewal), read once at load. */
const META_LIVE_UNTIL = "live_until_ms";
/** The longest lease a watch() may set (the hub asks for 60 s). */
const MAX_WATCH_MS = 10 * 60_000;

export class SymbolObject extends DurableObject<Env> {
  /** Feed timings and socket overrides: defaults here; a test subclass shortens them. */
  protected timing: FeedTiming = { ...FEED_TIMING };
  protected feedTuning: FeedTuning = {};
  protected feed!: FeedSupervisor;
  protected recording!: SymbolRecording;
  private durable!: DurableBook;
  private bookStore!: SqlBookStore;
  private outbox!: OutboxStore;
  private delivery!: OutboxDelivery;
  private duplicates!: Duplicates;
  private scheduled!: ScheduledSignals;
  private flags!: PositionFlags;
  private notifier!: Notifier;
  private feedWatch!: FeedWatch;
  protected live!: LivePublisher;
  private hub: ReturnType<typeof liveHubStub> | null = null;
  private spec: InstrumentSpec | null = null;
  private directoryActive: boolean | null = null;
  /** Per recorder, the tail of its signals still passing the awaits of applySignal (in memory: a restart drops
   * waiting requests, whose callers then get an error and retry). */
  private readonly inFlight = new Map<string, Promise<void>>();
  /** The recorders whose rate limit this object counts itself, leased by their gates (rate-lease.ts; in memory:
   * a restart drops them and the next signal asks the gate again). */
  private readonly leases = new HeldLeases();

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
      // Notifications still owed (the object went away mid-send): the alarm sends them.
      const notifyDue = this.notifier.nextDueMs();
      if (notifyDue !== null) await this.armAlarm(Math.max(0, notifyDue - Date.now()) + 50);
    });
  }

  /** Seam for tests (test subclass): the wall clock the alarm ends sessions and trading days by. */
  protected clockNow(): number {
    return Date.now();
  }

  /** Seam for tests (test subclass): the clock and timer live updates are throttled by. */
  protected liveClock(): LiveClock {
    return REAL_CLOCK;
  }

  /** Seam for fault injection (test subclass): the D1 the outbox delivers to. */
  protected database(): D1Database {
    return this.env.DB;
  }

  private load(): void {
    const sql = this.ctx.storage.sql;
    this.bookStore = new SqlBookStore(sql);
    this.outbox = new OutboxStore(sql);
    const notifyStore = new NotifyQueueStore(sql);
    this.notifier = new Notifier({
      env: this.env,
      store: notifyStore,
      wakeAt: (ms) => this.armAlarm(Math.max(0, ms - Date.now())),
      name: () => this.spec?.feedSymbol ?? "symbol",
      knownKinds: (recorderId, nowMs) => this.leases.notifyKinds(recorderId, nowMs),
    });
    // "Feed down" after two alarm looks without a live feed (one minute in production).
    this.feedWatch = new FeedWatch(notifyStore, () => 2 * this.timing.keepaliveMs);
    this.delivery = new OutboxDelivery(this.outbox, this.database(), (entries) => this.notifier.onDelivered(entries));
    this.duplicates = new Duplicates(new SeenSignals(sql));
    this.scheduled = new ScheduledSignals(sql);
    const meta = this.bookStore.meta;
    this.flags = new PositionFlags(meta);
    this.spec = meta.get<InstrumentSpec>(META_SPEC) ?? null;
    this.directoryActive = meta.get<boolean>(META_DIRECTORY) ?? null;
    const newId = () => crypto.randomUUID();
    // Scheduled signals without a price take the last tick's price: meta.last must then be current.
    this.durable = DurableBook.load(this.bookStore, { newId, lastIsRead: () => this.feed.delayed || this.scheduled.anyDue(Number.MAX_SAFE_INTEGER) });
    this.feed = new FeedSupervisor({
      env: this.env,
      meta,
      feedSymbol: () => this.spec?.feedSymbol ?? null,
      onPrice: (price, at) => void this.onPrice(price, at),
      onMode: () => this.durable.flushLast(),
      timing: () => this.timing,
      tuning: () => this.feedTuning,
    });
    this.live = new LivePublisher({
      clock: this.liveClock(),
      read: () => this.liveState(),
      send: (update) => this.publishLive(update),
      warn: (message) => console.warn(`[${this.spec?.feedSymbol}] ${message}`),
    });
    this.live.extend(meta.get<number>(META_LIVE_UNTIL) ?? 0); // a lapsed lease changes nothing
    this.recording = new SymbolRecording({
      durable: this.durable,
      outbox: this.outbox,
      duplicates: this.duplicates,
      scheduled: this.scheduled,
      flags: this.flags,
      feedDelayed: () => this.feed.delayed,
      newId,
    });
  }

  // --- RPC ----------------------------------------------------------------------------------------------

  async applySignal(req: SignalRequest): Promise<SignalReply> {
    // One recorder's signals pass the awaits below in receive order (a priceless one waiting for the feed must not
    // be overtaken by the next); different recorders do not wait for each other.
    const id = req.recorder.id;
    const prev = this.inFlight.get(id) ?? Promise.resolve();
    const run = prev.then(() => this.admitAndApply(req));
    const tail = run.then(() => undefined, () => undefined);
    this.inFlight.set(id, tail);
    void tail.then(() => {
      if (this.inFlight.get(id) === tail) this.inFlight.delete(id);
    });
    return run;
  }

  private async admitAndApply(req: SignalRequest): Promise<SignalReply> {
    const receivedMs = Date.parse(req.receivedAt);
    // A cached lookup first: honoured only where the recorder's lease here, or else its gate, vouches for its
    // epoch (rate-lease.ts), before anything is remembered or answered (a revoked token must not even get a
    // duplicate's answer); the gate counts the signal when it vouches.
    let counted: Admission | null = null;
    if (req.lookup?.cached) {
      const vouch = this.leases.vouches(req.recorder.id, req.lookup.epoch, receivedMs, hasDailyLimit(req));
      if (vouch === "ask") {
        const asked = await this.askGate(req, receivedMs);
        if ("stale" in asked) return { ok: false, stale: true, why: asked.stale };
        counted = asked;
      } else if (vouch !== "yes") return { ok: false, stale: true, why: vouch };
      // (Vouched for with a daily limit: this is the recorder's only symbol, so no closed P&L elsewhere.)
      if (hasDailyLimit(req)) req = { ...req, otherDayNet: 0 };
    } else if (req.lookup) this.leases.adopt(req.recorder.id, req.lookup.epoch);
    this.rememberSpec(req.instrument, req.receivedAt);
    const rec = this.recording;

    // A retried duplicate gets its first answer, never a 429.
    const dup = this.duplicates.find(req, receivedMs);
    if (dup) return this.after(rec.duplicate(req, dup));
    const checkedAt = this.duplicates.stamp;
    /** The same signal taken by another request since the check above (an await let it in), else null. */
    const takenMeanwhile = () => (this.duplicates.changedSince(req.recorder.id, checkedAt) ? this.duplicates.find(req, receivedMs) : null);
    // The rate limit: counted here while this object holds the recorder's lease, else asked of its gate.
    const gate = counted ?? this.leases.admit(req.recorder.id, receivedMs, req.recorder.maxSignalsPerMinute) ?? (await this.askGate(req, receivedMs));
    if ("stale" in gate) return { ok: false, stale: true, why: gate.stale }; // (only a cached lookup is ever stale)
    // What the recorder's notification targets want, kept with its lease here at the lookup's epoch: events of
    // other kinds are then not queued at all (rate-lease.ts).
    if (req.lookup?.notify) this.leases.learnNotify(req.recorder.id, req.lookup.epoch, req.lookup.notify, receivedMs);
    if (!gate.admitted) {
      const e = rateLimitedError(req.recorder.maxSignalsPerMinute);
      return this.after(rec.refuse(req, crypto.randomUUID(), 429, e.code, e.message, undefined, gate.logRefusal));
    }

    // The gate's await let other requests in: the same signal may have been taken meanwhile.
    const dupAfterGate = takenMeanwhile();
    if (dupAfterGate) return this.after(rec.duplicate(req, dupAfterGate));
    // A TradersPost cancel asks nothing of the record: answered at once, without a price (its body usually has
    // none: waiting for the feed, or a 422 no_price, would be wrong) and without waiting for a delayed feed.
    if (req.signal.cancel) return this.after(rec.ignore(req, crypto.randomUUID(), "cancel_not_applicable"));
    if (this.mustSchedule(req)) return this.schedule(req);

    // Fill price: the signal's own (still > 0 once rounded: a 0 is never booked), else a live feed price.
    let live = this.feed.livePrice();
    let price = usablePrice(req.signal.price, req.instrument.tickSize);
    const priceSource: FillOrigin["priceSource"] = price === null ? "feed" : "signal";
    if (price === null) {
      live = live ?? (await this.feed.freshPrice());
      await this.armAlarm(this.timing.keepaliveMs);
      // (Even if the feed reported a delayed mode while we waited: CONTRACT applies a signal received before the
      // mode was known at once; the market-time rule keeps earlier delayed ticks off its position.)
      price = usablePrice(live?.price, req.instrument.tickSize);
      if (price === null) {
        const message = `The signal has no price and the feed of ${req.instrument.feedSymbol} has no live price (none arrived within ${this.timing.firstPriceWaitMs / 1000} s); add "price": "{{close}}" to the alert message.`;
        return this.after(rec.refuse(req, crypto.randomUUID(), 422, "no_price", message));
      }
    }
    // The awaits above let other requests in: the same signal may have been applied meanwhile.
    const again = takenMeanwhile();
    if (again) return this.after(rec.duplicate(req, again));
    const feedPrice = live ? roundToTick(live.price, req.instrument.tickSize) : null;
    return this.after(rec.apply(req, crypto.randomUUID(), { price, priceSource, feedPrice, aligned: true }));
  }

  async closePosition(positionId: string, price?: number): Promise<ManualCloseReply> {
    if (!this.durable.book.getById(positionId)) return notFound("No open position with this id on this symbol.");
    let live = this.feed.livePrice();
    let fill = price !== undefined && price > 0 ? price : null;
    const priceSource: FillOrigin["priceSource"] = fill === null ? "feed" : "signal";
    if (fill === null) {
      live = live ?? (await this.feed.freshPrice());
      fill = live?.price ?? null;
      if (fill === null) return { ok: false, status: 422, error: { code: "no_price", message: "No price given and the feed has no live price (none arrived within 2 s)." } };
    }
    const position = this.durable.book.getById(positionId);
    if (!position) return notFound("The position is no longer open.");
    // A feed price is stamped with its market time, a given price with the wall clock; never before the open.
    const at = maxIso(priceSource === "feed" && live ? live.at : new Date().toISOString(), position.openedAt);
    const tickSize = this.durable.book.stateTickSize(positionId) ?? this.spec?.tickSize ?? 0.01;
    const feedPrice = live ? roundToTick(live.price, tickSize) : null;
    return this.after(this.recording.closeManual(positionId, fill, at, { priceSource, feedPrice }));
  }

  /** The recorder's gate takes its rate-limit lease back (the recorder signalled on another symbol): this object's
   * window goes with it, and its signals are asked of the gate from now on. */
  async giveBackLease(recorderId: string, grant: number): Promise<RateState | null> {
    return this.leases.giveBack(recorderId, grant);
  }

  async openPositions(): Promise<RecordedPosition[]> {
    return this.durable.book.open().map((p) => this.flags.apply(p));
  }

  /** The live hub: dashboards watch this symbol until `untilMs` (a lease, renewed while they are open); its
   * state now. While watched, every change is published to the hub (live-publisher.ts). */
  async watch(untilMs: number): Promise<SymbolLive> {
    const until = Math.min(untilMs, Date.now() + MAX_WATCH_MS);
    this.keepLiveLease(until);
    return this.live.watch(until);
  }

  /** Stores the live lease when it grows (see META_LIVE_UNTIL). */
  private keepLiveLease(untilMs: number): void {
    if (!Number.isFinite(untilMs) || untilMs <= (this.bookStore.meta.get<number>(META_LIVE_UNTIL) ?? 0)) return;
    this.bookStore.meta.set(META_LIVE_UNTIL, untilMs);
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
      feed: this.feedView(),
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
    // A pending limit/stop entry is a signal not recorded yet: it counts like a delivery still owed.
    const pendingOrder = this.durable.book.pendingOrders().some((p) => p.recorderId === recorderId) ? 1 : 0;
    return {
      openPositions: open ? [open.id] : [],
      pendingDeliveries: this.outbox.pendingForRecorder(recorderId) + this.scheduled.count(recorderId) + pendingOrder,
    };
  }

  /** The recorder's notification targets changed (API): read them again before the next send. */
  async forgetNotifyTargets(recorderId: string): Promise<void> {
    this.notifier.forget(recorderId);
  }

  // --- alarm: scheduled deadlines, delivery retries, feed keepalive, housekeeping ---------------------------

  override async alarm(): Promise<void> {
    const nowMs = Date.now();
    if (this.recording.applyExpired(nowMs) > 0) await this.syncDirectory();
    // Session and trading-day ends on a quiet market: at the feed's market time (a delayed feed lags by its delay).
    if (this.recording.clock(this.clockNow() - this.feedDelayMs())) await this.syncDirectory();
    const delivered = await this.delivery.flush();
    this.duplicates.forgetExpired(nowMs);
    this.durable.compactJournal();
    const feedRunning = this.feed.onAlarm(this.wantsFeed());
    this.watchFeed();
    // Notification retries (not awaited: a slow target never holds the alarm's other work).
    this.notifier.kick();
    await this.syncDirectory();
    // Live dashboards: an exit the clock made, at once; else the feed's state, at most once a second.
    this.live.changed();
    const deadline = this.nextDeadlineMs();
    let next = !delivered ? 5_000 : feedRunning || this.wantsFeed() ? this.timing.keepaliveMs : null;
    if (deadline !== null) next = Math.min(next ?? Infinity, Math.max(0, deadline - Date.now()) + 50);
    if (next !== null) await this.armAlarm(next, true);
  }

  /** The next wall-clock time the alarm must run for: a scheduled signal's deadline, a session or trading-day end
   * (plus the feed's delay). */
  private nextDeadlineMs(): number | null {
    const clock = this.durable.book.nextClockMs();
    const times = [this.scheduled.nextDeadlineMs(), clock === null ? null : clock + this.feedDelayMs(), this.notifier.nextDueMs()];
    const set = times.filter((t): t is number => t !== null);
    return set.length === 0 ? null : Math.min(...set);
  }

  /** Feed down/up notifications (notify/feed-watch.ts), looked at from the alarm. */
  private watchFeed(): void {
    if (!this.spec) return;
    const view = this.feed.view();
    const look = { nowMs: Date.now(), state: view.state, recorders: [...new Set(this.durable.book.open().map((p) => p.recorderId))] };
    const change = this.feedWatch.observe(look);
    if (!change) return;
    for (const e of feedEvents(change, this.spec.feedSymbol, { ...look, error: view.error })) this.notifier.add(e);
  }

  private feedDelayMs(): number {
    return (this.feed.delaySeconds ?? 0) * 1000;
  }

  // --- internals ----------------------------------------------------------------------------------------

  /** The feed's price (synchronous step); the follow-up runs on, its promise returned for the test seam only. */
  protected onPrice(raw: number, at: string): Promise<void> | null {
    if (!this.recording.tick(raw, at)) {
      // Prices moved under open positions: live dashboards hear of it at most once a second.
      if (this.durable.book.size > 0) this.live.tick();
      return null;
    }
    const after = this.afterChange();
    after.catch((err) => console.warn(`[${this.spec?.feedSymbol}] after a tick: ${String(err)}`));
    return after;
  }

  /** No lease held: the gate answers with one (this signal then counted here) or with its own count. */
  private async askGate(req: SignalRequest, receivedMs: number): Promise<Admission | { stale: StaleWhy }> {
    const max = req.recorder.maxSignalsPerMinute;
    const gate = gateStub(this.env, req.recorder.id);
    const lookup = req.lookup ? { epoch: req.lookup.epoch, cached: req.lookup.cached, limited: hasDailyLimit(req) } : undefined;
    const answer = await gate.lease(req.recorder.id, receivedMs, max, req.instrument.feedSymbol, undefined, lookup);
    if ("stale" in answer) return { stale: answer.stale };
    const out = this.leases.answer(req.recorder.id, answer, receivedMs, max);
    if (!("returned" in out)) return out;
    // The gate reclaimed that grant before its answer arrived: give the window back; the gate counts this one.
    const again = await gate.lease(req.recorder.id, receivedMs, max, req.instrument.feedSymbol, out.returned);
    // (Never leased with a window returned, never stale without a cached lookup.)
    return "admission" in again ? again.admission : { admitted: false, logRefusal: false };
  }

  /** CONTRACT "Delayed data, aligned": accepted now (checked against its own price), applied at market time. */
  private async schedule(req: SignalRequest): Promise<SignalReply> {
    const price = usablePrice(req.signal.price, req.instrument.tickSize);
    if (price !== null) {
      try {
        this.durable.book.checkSignal({ recorder: req.recorder, instrument: req.instrument, signal: req.signal, price: roundToTick(price, req.instrument.tickSize), at: req.receivedAt });
      } catch (err) {
        if (err instanceof SignalRefusedError) return this.after(this.recording.refuse(req, crypto.randomUUID(), 400, "invalid_signal", err.message, err.details));
        throw err;
      }
    }
    const delayMs = (this.feed.delaySeconds ?? 0) * 1000;
    const reply = this.recording.schedule(req, Date.parse(req.receivedAt) + delayMs + ALIGN_GRACE_MS);
    this.feed.start();
    return this.after(reply);
  }

  /** Every reply goes out after the follow-up of its step (delivery started, feed and alarm, directory). */
  private async after<R>(reply: R): Promise<R> {
    await this.afterChange();
    return reply;
  }

  /** After any state change: deliver to D1 (started first: the trader's record should land soonest), keep the
   * feed and alarm as the book needs them, tell the directory, and live dashboards (not awaited). */
  private async afterChange(): Promise<void> {
    const delivered = this.delivery.flush();
    if (this.wantsFeed()) {
      this.feed.start();
      await this.armAlarm(this.timing.keepaliveMs);
    } else this.feed.wantFor();
    const deadline = this.nextDeadlineMs();
    if (deadline !== null) await this.armAlarm(Math.max(0, deadline - Date.now()) + 50);
    await this.syncDirectory();
    this.live.changed();
    if (!(await delivered)) await this.armAlarm(2_000, true);
  }

  /** Aligned on a delayed feed; and while a recorder still has signals waiting, its later ones wait too (receive
   * order per recorder, even if the feed turned real-time meanwhile). */
  private mustSchedule(req: SignalRequest): boolean {
    return (req.recorder.delayedFeed === "align" && this.feed.delayed) || this.scheduled.count(req.recorder.id) > 0;
  }

  private wantsFeed(): boolean {
    return this.durable.book.size > 0 || this.scheduled.count() > 0 || this.durable.book.pendingOrders().length > 0;
  }

  /** Tells the directory when this symbol starts or stops having open positions (retried from the alarm). Its
   * answer says whether live dashboards watch (then this symbol publishes its changes from now on). */
  private async syncDirectory(): Promise<void> {
    const active = this.durable.book.size > 0;
    if (active === this.directoryActive || !this.spec) return;
    try {
      const reply = await directoryStub(this.env).setActive(this.spec.feedSymbol, active);
      // (An older directory answered nothing.)
      if (active && reply) {
        this.live.extend(reply.watchedUntilMs);
        this.keepLiveLease(reply.watchedUntilMs);
      }
      this.directoryActive = active;
      this.bookStore.meta.set(META_DIRECTORY, active);
    } catch (err) {
      console.warn(`[${this.spec.feedSymbol}] directory not reachable, retried from the alarm: ${String(err)}`);
      await this.armAlarm(5_000);
    }
  }

  private async armAlarm(inMs: number, force = false): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    const at = Date.now() + inMs;
    if (force || current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  /** The feed as /status and live dashboards show it: the last tick is the book's (the market time it was booked
   * at), the price quoted at the instrument's tick. */
  private feedView(): FeedView {
    const last = this.durable.last;
    return { ...this.feed.view(), lastTickAt: last.at, lastPrice: this.displayPrice(last.price) };
  }

  /** What live dashboards show of this symbol: its open positions (newest first) and its feed. */
  private liveState(): LiveState {
    const feedSymbol = this.spec?.feedSymbol ?? "";
    const positions = this.durable.book
      .open()
      .map((p) => this.flags.apply(p))
      .sort((a, b) => b.openedAt.localeCompare(a.openedAt));
    const feed = this.feedView();
    return { feedSymbol, positions, feed: { ...feed, feedSymbol, health: feedHealth(feed, Date.now()) } };
  }

  /** One publish to the live hub (fire and forget: the publisher never awaits it on a reply's or tick's path). */
  private async publishLive(update: SymbolLive): Promise<boolean> {
    this.hub ??= liveHubStub(this.env);
    try {
      return await this.hub.publish(update);
    } catch (err) {
      this.hub = null; // a broken stub is not used again
      throw err;
    }
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

function maxIso(a: string, b: string): string {
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

function notFound(message: string): ManualCloseReply {
  return { ok: false, status: 404, error: { code: "not_found", message } };
}

/** The recorder has a daily loss limit or profit target (its day net then needs its P&L on other symbols). */
function hasDailyLimit(req: SignalRequest): boolean {
  return req.recorder.dailyLossLimit != null || req.recorder.dailyProfitTarget != null;
}
