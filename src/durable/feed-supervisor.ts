// The symbol object's feed supervision: when its one TradingView quote socket runs, and what it last said about
// data quality. Plain code over a FeedPort (feed-port.ts) and the object's meta rows; the object drives it.
//
// Lifecycle: the feed runs while positions are open or a price was asked for (until wantedUntil). An outbound
// socket cannot hibernate and keeps the object alive at most 15 minutes, so the object's alarm fires every
// keepaliveMs while the feed is wanted and calls onAlarm(): it (re)starts a missing feed (after an eviction the
// constructor or the alarm rebuilds it), retries a refused token rarely, or stops an unwanted feed.
//
// Data quality: the last update_mode is persisted, so a position opened before a fresh connection reports the
// mode still knows whether this login gets real-time data (delayed: CONTRACT "Delayed data, aligned").
import { delaySeconds, isDelayedMode } from "../feed/quote-state";
import type { MetaStore } from "./book-store";
import { createFeed, type FeedPort, type FeedTuning, type LivePrice } from "./feed-port";
import type { FeedView } from "./protocol";

export interface FeedTiming {
  /** While positions are open the alarm fires this often (keepalive past the 15-minute limit, reconnects). */
  keepaliveMs: number;
  /** The feed is closed this long after the last position closed (or the last price request). */
  idleFeedMs: number;
  /** A signal without a price waits this long for a fresh price (TradingView allows 3 s in all). */
  firstPriceWaitMs: number;
  /** With positions open, a feed whose token was refused is tried again (fresh token or anonymous) this rarely. */
  refusedRetryMs: number;
}

export const FEED_TIMING: FeedTiming = {
  keepaliveMs: 30_000,
  idleFeedMs: 3 * 60_000,
  firstPriceWaitMs: 2_000,
  refusedRetryMs: 10 * 60_000,
};

const META_FEED_MODE = "feed_mode";

export interface FeedSupervisorDeps {
  env: Env;
  meta: MetaStore;
  feedSymbol: () => string | null;
  onPrice: (price: number, at: string) => void;
  onMode?: () => void;
  timing: () => FeedTiming;
  tuning: () => FeedTuning;
}

export class FeedSupervisor {
  private feed: FeedPort | null = null;
  private wantedUntil = 0;
  /** When the feed's token was refused (0: not refused). */
  private refusedAt = 0;
  /** The feed's last update_mode (persisted). */
  private mode: string | null;

  constructor(private readonly deps: FeedSupervisorDeps) {
    this.mode = deps.meta.get<string>(META_FEED_MODE) ?? null;
  }

  get running(): boolean {
    return this.feed !== null;
  }

  /** The feed's last update mode says its quotes are delayed. */
  get delayed(): boolean {
    return isDelayedMode(this.mode);
  }

  /** N of `delayed_streaming_N` (null: not delayed or unknown). */
  get delaySeconds(): number | null {
    return this.delayed ? delaySeconds(this.mode) : null;
  }

  start(): void {
    const symbol = this.deps.feedSymbol();
    if (this.feed || !symbol) return;
    this.feed = createFeed(
      this.deps.env,
      symbol,
      { onPrice: this.deps.onPrice, onState: (v) => this.onState(v) },
      this.deps.tuning(),
    );
    this.feed.start();
  }

  /** Keep the feed for idleFeedMs from now (a price was asked for, or the last position just closed). */
  wantFor(ms = this.deps.timing().idleFeedMs): void {
    this.wantedUntil = Math.max(this.wantedUntil, Date.now() + ms);
  }

  livePrice(): LivePrice | null {
    return this.feed?.livePrice() ?? null;
  }

  /** A live price, else (re)start the feed and wait up to firstPriceWaitMs for a fresh one. */
  async freshPrice(): Promise<LivePrice | null> {
    const live = this.livePrice();
    if (live) return live;
    this.start();
    this.wantFor();
    this.feed?.ensureConnected();
    return (await this.feed?.waitForLivePrice(this.deps.timing().firstPriceWaitMs)) ?? null;
  }

  /** From the alarm. Returns true while the feed still needs the alarm (running or wanted). */
  onAlarm(positionsOpen: boolean): boolean {
    if (positionsOpen || Date.now() < this.wantedUntil) {
      if (!this.feed) this.start();
      else if (positionsOpen && this.feed.status().state === "refused" && Date.now() - this.refusedAt > this.deps.timing().refusedRetryMs) {
        // Open positions must not go without prices for good: the refused token was dropped (session.ts), so a
        // retry this rare uses a fresh exchange or anonymous data; it never becomes a reconnect loop.
        this.refusedAt = Date.now();
        this.feed.restart();
      } else this.feed.ensureConnected();
    } else if (this.feed) {
      this.stop();
    }
    return this.feed !== null;
  }

  /** New credentials: reconnect a running feed now (also one stopped by a refused token). */
  restart(positionsOpen: boolean): void {
    // New credentials, new data quality: the old update mode no longer describes what comes next.
    this.mode = null;
    this.deps.meta.set(META_FEED_MODE, null);
    if (this.feed) this.feed.restart();
    else if (positionsOpen) this.start();
  }

  stop(): void {
    this.feed?.stop();
    this.feed = null;
  }

  view(): FeedView {
    const live = this.feed?.status();
    // A fresh connection has not reported its mode yet: show the one this object goes by (the saved one).
    if (live) return live.updateMode !== null ? live : { ...live, updateMode: this.mode, delayed: isDelayedMode(this.mode) };
    return (
      live ?? {
        state: "idle",
        lastTickAt: null,
        lastPrice: null,
        updateMode: this.mode,
        reconnects: 0,
        delayed: isDelayedMode(this.mode),
        marketLagSeconds: null,
        error: null,
      }
    );
  }

  private onState(view: FeedView): void {
    if (view.state === "refused" && this.refusedAt === 0) this.refusedAt = Date.now();
    if (view.state !== "refused") this.refusedAt = 0;
    if (view.updateMode !== null && view.updateMode !== this.mode) {
      this.mode = view.updateMode;
      this.deps.meta.set(META_FEED_MODE, view.updateMode);
      this.deps.onMode?.();
    }
  }
}
