// One Durable Object per recorder (`env.GATES.getByName(recorderId)`): what must be counted or kept per recorder
// whatever the symbol.
// - The rate limit (CONTRACT: `maxSignalsPerMinute`, accepted and rejected signals alike). It leases the count to
//   the symbol object the recorder trades on, which then counts locally (rate-lease.ts says why and how), and
//   counts itself the signals the Worker refuses before a symbol is known, and while the recorder uses two symbols.
// - The signal log of signals refused before a symbol is known (invalid JSON or fields, unknown instrument): kept
//   in this object's storage and delivered to D1 through the same outbox as the symbol objects', so a D1 outage
//   loses none of them. A refusal over the limit is logged once per minute, so a flood cannot grow D1.
// - Its notifications (src/notify/): "rejected" for those refusals (queued by the outbox's delivered hook, as in
//   the symbol objects), and the daily summary the cron hands it (notify()).
import { DurableObject } from "cloudflare:workers";
import { LeaseLedger, type Admission, type LeaseAnswer, type LeaseRecord, type RateState, type StaleWhy } from "./rate-lease";
import { OutboxDelivery, type SignalLogRow } from "./outbox";
import { OutboxStore } from "./outbox-store";
import { symbolStub } from "./stubs";
import type { NotifyEvent } from "../notify/events";
import { Notifier } from "../notify/notifier";
import { NotifyQueueStore } from "../notify/queue-store";

export type { Admission } from "./rate-lease";

/** How long a reclaim waits for the holder before treating it as unreachable. */
const RECLAIM_TIMEOUT_MS = 10_000;
/** A lease ended longer ago than this (clocks of two objects may differ a little) is not reclaimed by a revoke. */
const LAPSED_GRACE_MS = 60_000;

export class RecorderGate extends DurableObject<Env> {
  private readonly ledger: LeaseLedger;
  /** Lease operations one at a time: a reclaim awaits the holder, and nothing may be granted meanwhile. */
  private serial: Promise<unknown> = Promise.resolve();
  /** The refusal log's outbox and the notifier, built on first use (see `log`). */
  private parts: { outbox: OutboxStore; delivery: OutboxDelivery; notifier: Notifier } | null = null;
  /** Feed symbols this recorder ever sent a signal to (persisted): where its positions and owed rows may be. */
  private readonly symbols: Set<string>;
  /** `symbols` was completed from D1's positions once (onlySymbolAfter). */
  private symbolsComplete: boolean;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // A gate is woken cold for each recorder's first signal in a while (a bar-close burst wakes one per recorder):
    // its tables are made in one statement list and read in one statement.
    ctx.storage.sql.exec(`
      CREATE TABLE IF NOT EXISTS symbols (feed_symbol TEXT PRIMARY KEY);
      CREATE TABLE IF NOT EXISTS symbols_complete (id INTEGER PRIMARY KEY CHECK (id = 1));
      CREATE TABLE IF NOT EXISTS lease (id INTEGER PRIMARY KEY CHECK (id = 1), record TEXT NOT NULL);`);
    const state = ctx.storage.sql
      .exec<{ complete: number | null; symbols: string; record: string | null }>(
        `SELECT (SELECT 1 FROM symbols_complete) AS complete, (SELECT json_group_array(feed_symbol) FROM symbols) AS symbols,
          (SELECT record FROM lease) AS record`,
      )
      .one();
    this.symbolsComplete = state.complete !== null;
    this.symbols = new Set(JSON.parse(state.symbols) as string[]);
    const saved = state.record;
    this.ledger = new LeaseLedger(saved ? (JSON.parse(saved) as LeaseRecord) : null, (record) =>
      ctx.storage.sql.exec("INSERT INTO lease (id, record) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET record = excluded.record", JSON.stringify(record)),
    );
  }

  /** Seam for fault injection (test subclass). */
  protected database(): D1Database {
    return this.env.DB;
  }

  /** The refusal log's outbox, its delivery and the notifier. Built on first use, not in the constructor: a gate
   * woken for a lease (a recorder's first signal, in a bar-close burst once per recorder) needs none of them, and
   * their stores' set-up queries were most of a cold gate's start. Its alarm builds them too (after a restart with
   * rows or notifications owed, the alarm set before is what wakes the gate). */
  private get log() {
    if (this.parts) return this.parts;
    const outbox = new OutboxStore(this.ctx.storage.sql);
    const notifier = new Notifier({
      env: this.env,
      store: new NotifyQueueStore(this.ctx.storage.sql),
      wakeAt: (ms) => this.wakeAt(ms),
      name: () => "gate",
    });
    const delivery = new OutboxDelivery(outbox, this.database(), (entries) => notifier.onDelivered(entries));
    this.parts = { outbox, delivery, notifier };
    return this.parts;
  }

  /** A symbol object without a current lease asks to admit a signal of this recorder: it gets the lease (and
   * counts the signal itself) or the gate's own count (another symbol held the lease lately). `lookup`: where the
   * Worker found the recorder. Looked up from D1: its config epoch is learnt (the highest is kept). From an
   * isolate's cache: the gate vouches for it (rate-lease.ts) — at the epoch it knows and, for a recorder with a
   * daily limit, only if this is the recorder's only symbol — else `{stale}`, with nothing counted or touched. */
  async lease(
    recorderId: string,
    nowMs: number,
    maxPerMinute: number,
    feedSymbol: string,
    returned?: RateState,
    lookup?: { epoch: number; cached: boolean; limited: boolean },
  ): Promise<LeaseAnswer | { stale: StaleWhy }> {
    return this.oneAtATime(async () => {
      const limited = lookup?.limited ?? false;
      if (lookup?.cached) {
        if (this.ledger.epoch !== lookup.epoch) return { stale: "epoch" as const };
        if (limited && !(await this.onlySymbolAfter(recorderId, feedSymbol))) return { stale: "symbols" as const };
      } else this.ledger.knowEpoch(lookup?.epoch ?? null);
      const onlySymbol = limited && (await this.onlySymbolAfter(recorderId, feedSymbol));
      this.touch(feedSymbol);
      await this.reclaimFor(recorderId, feedSymbol, nowMs);
      return this.ledger.ask(feedSymbol, nowMs, maxPerMinute, returned, onlySymbol);
    });
  }

  /**
   * The recorder changed (API: settings, token, enabled, followers, notification targets; `epoch` is its new
   * config epoch in D1): lookups cached at an older epoch stop being honoured. The lease is reclaimed, so its holder
   * forgets the old epoch (and so is one not given back before, if it is still running). Resolves false when a
   * holder could not be reached within 10 s: cached lookups then end with its lease or the cache's life
   * (src/webhook/lookup-cache.ts).
   */
  async revoke(recorderId: string, epoch: number): Promise<boolean> {
    return this.oneAtATime(async () => {
      this.ledger.knowEpoch(epoch);
      const nowMs = Date.now();
      // A lease that ended long ago vouches for nothing: its holder (perhaps asleep) is not woken for it.
      if (this.ledger.leaseLapsed(nowMs, LAPSED_GRACE_MS)) return true;
      // (Not "contested": the next ask from any symbol may get the lease at once.)
      return this.reclaimFor(recorderId, null, nowMs, false);
    });
  }

  /** The recorder was just created (API): it has no position anywhere, so `symbols` is complete as it is and its
   * first signal needs no D1 read for it (onlySymbolAfter). */
  async newRecorder(): Promise<void> {
    this.markSymbolsComplete();
  }

  private markSymbolsComplete(): void {
    this.ctx.storage.sql.exec("INSERT OR IGNORE INTO symbols_complete (id) VALUES (1)");
    this.symbolsComplete = true;
  }

  /**
   * Whether `feedSymbol` is, or would be once touched, the only symbol this recorder ever sent a signal to — then
   * its closed P&L on other symbols is 0 without asking D1. The `symbols` table began with the gates' rate
   * counting: positions of recorders older than that may be on symbols it never saw, so the first time this is
   * asked the table is completed from D1 (the recorder's positions, once; a D1 failure answers false, and it is
   * tried again next time).
   */
  private async onlySymbolAfter(recorderId: string, feedSymbol: string): Promise<boolean> {
    if (!this.symbolsComplete) {
      try {
        const rows = await this.database().prepare("SELECT DISTINCT feed_symbol FROM positions WHERE recorder_id = ?").bind(recorderId).all<{ feed_symbol: string }>();
        for (const r of rows.results) this.touch(r.feed_symbol);
        this.markSymbolsComplete();
      } catch (err) {
        console.warn(`gate: the recorder's symbols could not be read from D1: ${String(err)}`);
        return false;
      }
    }
    return this.symbols.size === 0 || (this.symbols.size === 1 && this.symbols.has(feedSymbol));
  }

  /** Counts one signal here (the lease, if any, is reclaimed first). */
  async admit(recorderId: string, nowMs: number, maxPerMinute: number): Promise<Admission> {
    return this.oneAtATime(async () => {
      await this.reclaimFor(recorderId, null, nowMs);
      return this.ledger.admit(nowMs, maxPerMinute);
    });
  }

  /** The symbol object holding the lease, if any (tests, /status). */
  async leaseHolder(): Promise<string | null> {
    return this.ledger.holder;
  }

  private touch(feedSymbol: string): void {
    if (this.symbols.has(feedSymbol)) return;
    this.symbols.add(feedSymbol);
    this.ctx.storage.sql.exec("INSERT OR IGNORE INTO symbols (feed_symbol) VALUES (?)", feedSymbol);
  }

  /** Takes the lease back from a holder other than `asker` before the gate answers anyone else. Resolves false
   * when the holder could not be reached. */
  private async reclaimFor(recorderId: string, asker: string | null, nowMs: number, contested = true): Promise<boolean> {
    const lease = this.ledger.toReclaim(asker, nowMs);
    if (lease === null) return true;
    const { holder, grant } = lease;
    try {
      // Bounded: a hung holder must not hold every signal of this recorder (it then counts as unreachable).
      const back = symbolStub(this.env, holder).giveBackLease(recorderId, grant);
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no answer within 10 s")), RECLAIM_TIMEOUT_MS));
      this.ledger.reclaimed(await Promise.race([back, timeout]), nowMs, true, contested);
      return true;
    } catch (err) {
      // Unreachable: it stops counting by itself when the lease ends; no lease is granted before that.
      console.warn(`gate: the lease holder ${holder} was not reachable: ${String(err)}`);
      this.ledger.reclaimed(null, nowMs, false, contested);
      return false;
    }
  }

  private oneAtATime<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.serial.then(fn);
    this.serial = run.catch(() => undefined);
    return run;
  }

  /**
   * A signal refused before reaching a symbol object: counts against the limit and is logged durably (a refusal
   * over the limit: once a minute). Returns whether it was within the limit (else the Worker answers 429).
   */
  async refuse(row: SignalLogRow, maxPerMinute: number): Promise<{ admitted: boolean }> {
    const nowMs = Date.parse(row.receivedAt);
    const a = await this.admit(row.recorderId, Number.isFinite(nowMs) ? nowMs : Date.now(), maxPerMinute);
    if (a.admitted) this.log.outbox.enqueue({ t: "signal", row });
    else if (a.logRefusal) {
      this.log.outbox.enqueue({
        t: "signal",
        row: { ...row, error: rateLimitedError(maxPerMinute), body: null, bodyTruncated: false },
      });
    }
    await this.deliver();
    return { admitted: a.admitted };
  }

  /** The feed symbols this recorder has sent signals to, D1 or no D1. */
  async touchedSymbols(): Promise<string[]> {
    return [...this.symbols].sort();
  }

  /** Undelivered D1 rows of this recorder (a recorder is not deleted while any remain). */
  async pendingDeliveries(): Promise<number> {
    return this.log.outbox.size();
  }

  /** Queues a notification made outside a symbol (the daily summary): once per event key, sent with retries. */
  async notify(event: NotifyEvent): Promise<{ queued: boolean }> {
    return { queued: this.log.notifier.add(event) };
  }

  /** The recorder's notification targets changed (API). */
  async forgetNotifyTargets(recorderId: string): Promise<void> {
    this.log.notifier.forget(recorderId);
  }

  override async alarm(): Promise<void> {
    await this.deliver();
    this.log.notifier.kick();
  }

  /** The alarm at `ms` unless one is set earlier. */
  private async wakeAt(ms: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > ms) await this.ctx.storage.setAlarm(ms);
  }

  private async deliver(): Promise<void> {
    if (this.log.outbox.size() === 0) return;
    const ok = await this.log.delivery.flush();
    if (!ok) await this.wakeAt(Date.now() + 5_000);
  }
}

export function rateLimitedError(maxPerMinute: number) {
  return {
    code: "rate_limited",
    message: `More than ${maxPerMinute} signals in a minute for this recorder (accepted and refused alike); slow down. Further refusals this minute are not logged.`,
  };
}
