// The Worker as the tests run it: production code, with the Durable Object classes replaced by test subclasses
// that add hooks (a tick seam, shorter feed timings, D1 fault injection). wrangler.toml binds the classes by
// name, so the subclasses are exported under the production names. Nothing here ships.
import { RecorderGate } from "../src/durable/recorder-gate";
import type { FeedTuning } from "../src/durable/feed-port";
import type { FeedTiming } from "../src/durable/feed-supervisor";
import { SymbolObject } from "../src/durable/symbol-object";
import worker from "../src/index";
import { faultsOf, type FaultyD1 } from "./faulty-d1";

export { SymbolDirectory } from "../src/durable/symbol-directory";
export default worker;

class TestSymbolObject extends SymbolObject {
  /** D1 as this object's outbox sees it: tests make it fail (see faulty-d1.ts). */
  get d1Faults(): FaultyD1 {
    return faultsOf(this, () => this.env.DB);
  }

  protected override database(): D1Database {
    return this.d1Faults.asD1();
  }

  /** The feed's seam, driven directly: a price at a market time (default: now). Resolves once what the tick
   * caused (exits, scheduled signals) has been delivered, so a test can read D1 right after. */
  async tick(price: number, at: string = new Date().toISOString()): Promise<void> {
    await this.onPrice(price, at);
  }

  /** Shorter feed timings and another socket URL (set before the feed starts; test/feed-do/helpers.ts). */
  configureFeed(timing: Partial<FeedTiming>, tuning: FeedTuning): void {
    const defined = Object.fromEntries(Object.entries(timing).filter(([, v]) => typeof v === "number"));
    this.timing = { ...this.timing, ...defined };
    this.feedTuning = tuning;
  }

  /** The platform's eviction of an object holding a live feed drops the socket first (test/helpers.ts). */
  dropFeed(): void {
    this.feed.stop();
  }

  async outboxSize(): Promise<number> {
    return (await this.status()).pendingDeliveries;
  }

  /** The wall clock the alarm ends sessions by (null: the real one), so a test can reach a session end with no
   * tick after it without waiting for it. */
  private fakeNow: number | null = null;

  setClock(ms: number | null): void {
    this.fakeNow = ms;
  }

  protected override clockNow(): number {
    return this.fakeNow ?? Date.now();
  }
}

class TestRecorderGate extends RecorderGate {
  get d1Faults(): FaultyD1 {
    return faultsOf(this, () => this.env.DB);
  }

  protected override database(): D1Database {
    return this.d1Faults.asD1();
  }
}

export { TestSymbolObject as SymbolObject, TestRecorderGate as RecorderGate };
