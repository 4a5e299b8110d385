// The one directory object (`env.DIRECTORY.getByName("directory")`): which symbol objects hold open positions.
// `GET /api/positions?status=open` asks it instead of D1, so a position is listed from the moment it opens even
// while D1 refuses writes (its row is then still in its symbol object's outbox). Symbol objects tell it only when
// they go from no open position to some, and back (rare events, not per signal or tick), and again after a
// restart if the last word may not have arrived.
//
// Live dashboards (GET /api/live, live-hub.ts): while any is open, the hub renews a lease here (watch()), and the
// reply to a symbol's setActive(true) carries it, so a symbol that becomes active while dashboards watch starts
// publishing at once, without one more request on the signal's path.
import { DurableObject } from "cloudflare:workers";

export const DIRECTORY_NAME = "directory";

const WATCHED_UNTIL = "watched_until_ms";

export class SymbolDirectory extends DurableObject<Env> {
  /** Dashboards watch until then (epoch ms; persisted, so an eviction between renewals keeps it). */
  private watchedUntilMs: number;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS active (feed_symbol TEXT PRIMARY KEY, since TEXT NOT NULL)");
    this.watchedUntilMs = ctx.storage.kv.get<number>(WATCHED_UNTIL) ?? 0;
  }

  /** Returns the live dashboards' lease (epoch ms, 0: none) when `active`: the symbol publishes until then. */
  async setActive(feedSymbol: string, active: boolean): Promise<{ watchedUntilMs: number }> {
    if (active) {
      this.ctx.storage.sql.exec(
        "INSERT INTO active (feed_symbol, since) VALUES (?, ?) ON CONFLICT(feed_symbol) DO NOTHING",
        feedSymbol,
        new Date().toISOString(),
      );
    } else this.ctx.storage.sql.exec("DELETE FROM active WHERE feed_symbol = ?", feedSymbol);
    return { watchedUntilMs: active && this.watchedUntilMs > Date.now() ? this.watchedUntilMs : 0 };
  }

  /** Feed symbols whose objects have open positions. */
  async active(): Promise<string[]> {
    return this.ctx.storage.sql
      .exec<{ feed_symbol: string }>("SELECT feed_symbol FROM active ORDER BY feed_symbol")
      .toArray()
      .map((r) => r.feed_symbol);
  }

  /** The live hub: dashboards watch until `untilMs` (it only ever extends). Returns the active symbols. */
  async watch(untilMs: number): Promise<string[]> {
    if (Number.isFinite(untilMs) && untilMs > this.watchedUntilMs) {
      this.watchedUntilMs = untilMs;
      this.ctx.storage.kv.put(WATCHED_UNTIL, untilMs);
    }
    return this.active();
  }
}
