// The one directory object (`env.DIRECTORY.getByName("directory")`): which symbol objects hold open positions.
// `GET /api/positions?status=open` asks it instead of D1, so a position is listed from the moment it opens even
// while D1 refuses writes (its row is then still in its symbol object's outbox). Symbol objects tell it only when
// they go from no open position to some, and back (rare events, not per signal or tick), and again after a
// restart if the last word may not have arrived.
import { DurableObject } from "cloudflare:workers";

export const DIRECTORY_NAME = "directory";

export class SymbolDirectory extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS active (feed_symbol TEXT PRIMARY KEY, since TEXT NOT NULL)");
  }

  async setActive(feedSymbol: string, active: boolean): Promise<void> {
    if (active) {
      this.ctx.storage.sql.exec(
        "INSERT INTO active (feed_symbol, since) VALUES (?, ?) ON CONFLICT(feed_symbol) DO NOTHING",
        feedSymbol,
        new Date().toISOString(),
      );
    } else this.ctx.storage.sql.exec("DELETE FROM active WHERE feed_symbol = ?", feedSymbol);
  }

  /** Feed symbols whose objects have open positions. */
  async active(): Promise<string[]> {
    return this.ctx.storage.sql
      .exec<{ feed_symbol: string }>("SELECT feed_symbol FROM active ORDER BY feed_symbol")
      .toArray()
      .map((r) => r.feed_symbol);
  }
}
