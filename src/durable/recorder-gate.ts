// One Durable Object per recorder (`env.GATES.getByName(recorderId)`): what must be counted or kept per recorder
// whatever the symbol.
// - The rate limit (CONTRACT: `maxSignalsPerMinute`, accepted and rejected signals alike). Symbol objects ask it
//   for every non-duplicate signal; the Worker for every signal refused before a symbol is known.
// - The signal log of signals refused before a symbol is known (invalid JSON or fields, unknown instrument): kept
//   in this object's storage and delivered to D1 through the same outbox as the symbol objects', so a D1 outage
//   loses none of them. A refusal over the limit is logged once per minute, so a flood cannot grow D1.
// - Its notifications (src/notify/): "rejected" for those refusals (queued by the outbox's delivered hook, as in
//   the symbol objects), and the daily summary the cron hands it (notify()).
import { DurableObject } from "cloudflare:workers";
import { RateWindow } from "./admission";
import { OutboxDelivery, type SignalLogRow } from "./outbox";
import { OutboxStore } from "./outbox-store";
import type { NotifyEvent } from "../notify/events";
import { Notifier } from "../notify/notifier";
import { NotifyQueueStore } from "../notify/queue-store";

export interface Admission {
  admitted: boolean;
  /** When refused: whether this refusal should be logged (the first one of its minute). */
  logRefusal: boolean;
}

export class RecorderGate extends DurableObject<Env> {
  private readonly window = new RateWindow();
  private readonly outbox: OutboxStore;
  private readonly delivery: OutboxDelivery;
  private readonly notifier: Notifier;
  /** Feed symbols this recorder ever sent a signal to (persisted): where its positions and owed rows may be. */
  private readonly symbols: Set<string>;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.outbox = new OutboxStore(ctx.storage.sql);
    this.notifier = new Notifier({
      env,
      store: new NotifyQueueStore(ctx.storage.sql),
      wakeAt: (ms) => this.wakeAt(ms),
      name: () => "gate",
    });
    this.delivery = new OutboxDelivery(this.outbox, this.database(), (entries) => this.notifier.onDelivered(entries));
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS symbols (feed_symbol TEXT PRIMARY KEY)");
    this.symbols = new Set(ctx.storage.sql.exec<{ feed_symbol: string }>("SELECT feed_symbol FROM symbols").toArray().map((r) => r.feed_symbol));
  }

  /** Seam for fault injection (test subclass). */
  protected database(): D1Database {
    return this.env.DB;
  }

  /** Counts one signal against the recorder's limit (a symbol object asks, naming itself). */
  async admit(nowMs: number, maxPerMinute: number, feedSymbol?: string): Promise<Admission> {
    if (feedSymbol !== undefined && !this.symbols.has(feedSymbol)) {
      this.symbols.add(feedSymbol);
      this.ctx.storage.sql.exec("INSERT OR IGNORE INTO symbols (feed_symbol) VALUES (?)", feedSymbol);
    }
    if (this.window.admit(nowMs, maxPerMinute)) return { admitted: true, logRefusal: false };
    const logRefusal = nowMs - this.window.lastLoggedRefusalMs >= 60_000;
    if (logRefusal) this.window.lastLoggedRefusalMs = nowMs;
    return { admitted: false, logRefusal };
  }

  /**
   * A signal refused before reaching a symbol object: counts against the limit and is logged durably (a refusal
   * over the limit: once a minute). Returns whether it was within the limit (else the Worker answers 429).
   */
  async refuse(row: SignalLogRow, maxPerMinute: number): Promise<{ admitted: boolean }> {
    const nowMs = Date.parse(row.receivedAt);
    const a = await this.admit(Number.isFinite(nowMs) ? nowMs : Date.now(), maxPerMinute);
    if (a.admitted) this.outbox.enqueue({ t: "signal", row });
    else if (a.logRefusal) {
      this.outbox.enqueue({
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
    return this.outbox.size();
  }

  /** Queues a notification made outside a symbol (the daily summary): once per event key, sent with retries. */
  async notify(event: NotifyEvent): Promise<{ queued: boolean }> {
    return { queued: this.notifier.add(event) };
  }

  /** The recorder's notification targets changed (API). */
  async forgetNotifyTargets(recorderId: string): Promise<void> {
    this.notifier.forget(recorderId);
  }

  override async alarm(): Promise<void> {
    await this.deliver();
    this.notifier.kick();
  }

  /** The alarm at `ms` unless one is set earlier. */
  private async wakeAt(ms: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > ms) await this.ctx.storage.setAlarm(ms);
  }

  private async deliver(): Promise<void> {
    if (this.outbox.size() === 0) return;
    const ok = await this.delivery.flush();
    if (!ok) await this.wakeAt(Date.now() + 5_000);
  }
}

export function rateLimitedError(maxPerMinute: number) {
  return {
    code: "rate_limited",
    message: `More than ${maxPerMinute} signals in a minute for this recorder (accepted and refused alike); slow down. Further refusals this minute are not logged.`,
  };
}
