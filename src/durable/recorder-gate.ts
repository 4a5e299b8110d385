// One Durable Object per recorder (`env.GATES.getByName(recorderId)`): what must be counted or kept per recorder
// whatever the symbol.
// - The rate limit (CONTRACT: `maxSignalsPerMinute`, accepted and rejected signals alike). Symbol objects ask it
//   for every non-duplicate signal; the Worker for every signal refused before a symbol is known.
// - The signal log of signals refused before a symbol is known (invalid JSON or fields, unknown instrument): kept
//   in this object's storage and delivered to D1 through the same outbox as the symbol objects', so a D1 outage
//   loses none of them. A refusal over the limit is logged once per minute, so a flood cannot grow D1.
import { DurableObject } from "cloudflare:workers";
import { RateWindow } from "./admission";
import { OutboxDelivery, type SignalLogRow } from "./outbox";
import { OutboxStore } from "./outbox-store";

export interface Admission {
  admitted: boolean;
  /** When refused: whether this refusal should be logged (the first one of its minute). */
  logRefusal: boolean;
}

export class RecorderGate extends DurableObject<Env> {
  private readonly window = new RateWindow();
  private readonly outbox: OutboxStore;
  private readonly delivery: OutboxDelivery;
  /** Feed symbols this recorder ever sent a signal to (persisted): where its positions and owed rows may be. */
  private readonly symbols: Set<string>;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.outbox = new OutboxStore(ctx.storage.sql);
    this.delivery = new OutboxDelivery(this.outbox, this.database());
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

  override async alarm(): Promise<void> {
    await this.deliver();
  }

  private async deliver(): Promise<void> {
    if (this.outbox.size() === 0) return;
    const ok = await this.delivery.flush();
    if (!ok) await this.ctx.storage.setAlarm(Date.now() + 5_000);
  }
}

export function rateLimitedError(maxPerMinute: number) {
  return {
    code: "rate_limited",
    message: `More than ${maxPerMinute} signals in a minute for this recorder (accepted and refused alike); slow down. Further refusals this minute are not logged.`,
  };
}
