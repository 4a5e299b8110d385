// A symbol object's live updates to the LiveHub (GET /api/live), throttled. Plain code: the clock and its timer
// are injected (the symbol object passes the real ones, tests a manual clock), and nothing here imports Cloudflare.
//
// Rules:
// - Only while watched: dashboards are open when `now < untilMs`. The hub (watch(), every ~20 s while it has
//   sockets) or the directory (its reply to setActive, when this symbol becomes active) extend the lease; it lapses
//   by itself, and ends early when the hub answers a publish with "nobody listens". Unwatched, every call is one
//   comparison: no timer, no publish.
// - A change of the open positions' SET (an open, a close, a reversal, an add or a partial exit: their ids, sides
//   and quantities) is published at once.
// - Any other change (a tick's P&L, excursions, trailing levels) at most once per interval (1 s): the first at once
//   when the last publish is older than that, the rest by ONE trailing timer, which sends the state as it is then,
//   so the final state of a burst always goes out.
// - Publishing never throws into its caller (the tick path, a webhook's follow-up) and is never awaited by it: a
//   failed publish is logged and retried once per interval while the lease lasts.
// - Every update carries `seq`, increasing per object (hybrid of the clock and a counter, so it keeps increasing
//   across a restart of the object): the hub never sends an older state after a newer one.
import type { LiveFeedView, RecordedPosition, SymbolLive } from "./protocol";

export const LIVE_TICK_INTERVAL_MS = 1_000;

/** The clock and the one timer the publisher uses (real ones in the object, a manual clock in tests). */
export interface LiveClock {
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export const REAL_CLOCK: LiveClock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** The symbol's current state, as the hub sends it (without `at` and `seq`, which the publisher stamps). */
export interface LiveState {
  feedSymbol: string;
  positions: RecordedPosition[];
  feed: LiveFeedView;
}

export interface LivePublisherDeps {
  clock: LiveClock;
  read(): LiveState;
  /** One publish to the hub; resolves to whether any dashboard (or a connecting one) listens. */
  send(update: SymbolLive): Promise<boolean>;
  warn(message: string): void;
  intervalMs?: number;
}

/** What makes a change "the set changed": each open position's id, side and quantity. */
export function positionSetKey(positions: readonly Pick<RecordedPosition, "id" | "side" | "quantity">[]): string {
  return positions
    .map((p) => `${p.id}:${p.side}:${p.quantity}`)
    .sort()
    .join("|");
}

export class LivePublisher {
  private untilMs = 0;
  /** Bumped by every lease extension: a "nobody listens" answer to a publish sent before it must not end it. */
  private lease = 0;
  /** The set key of the last state handed out (published or answered to watch()); null: unknown. */
  private lastKey: string | null = null;
  private lastSentMs = -Infinity;
  private timer: unknown = null;
  private seq = 0;
  private readonly intervalMs: number;

  constructor(private readonly deps: LivePublisherDeps) {
    this.intervalMs = deps.intervalMs ?? LIVE_TICK_INTERVAL_MS;
  }

  /** Dashboards are watching now. */
  get watching(): boolean {
    return this.deps.clock.now() < this.untilMs;
  }

  /** A publish is waiting for the trailing timer. */
  get pending(): boolean {
    return this.timer !== null;
  }

  /** The hub asks (a dashboard connected, or its lease renewal): watched until `untilMs`; the state now. */
  watch(untilMs: number): SymbolLive {
    this.extend(untilMs);
    const update = this.stamp(this.deps.read());
    this.lastKey = positionSetKey(update.positions);
    return update;
  }

  /** The directory's reply to setActive: watched until `untilMs` (0 or past: nothing changes; a lease is never
   * shortened). */
  extend(untilMs: number): void {
    if (!Number.isFinite(untilMs) || untilMs <= this.deps.clock.now()) return;
    this.untilMs = Math.max(this.untilMs, untilMs);
    this.lease++;
  }

  /** Prices moved (a tick): published at most once per interval. */
  tick(): void {
    if (!this.live()) return;
    try {
      this.throttled();
    } catch (err) {
      this.deps.warn(`live update not sent: ${String(err)}`);
    }
  }

  /** Something was recorded (a signal, a close, an exit, the alarm): at once when the set of open positions
   * changed, else as a tick. */
  changed(): void {
    if (!this.live()) return;
    try {
      const state = this.deps.read();
      if (positionSetKey(state.positions) !== this.lastKey) this.sendNow(state);
      else this.throttled();
    } catch (err) {
      this.deps.warn(`live update not sent: ${String(err)}`);
    }
  }

  /** Watched? When the lease has lapsed, the pending timer goes too. */
  private live(): boolean {
    if (this.deps.clock.now() < this.untilMs) return true;
    this.cancelTimer();
    return false;
  }

  private throttled(): void {
    if (this.timer !== null) return; // the trailing publish will send the state as it is then
    const wait = this.lastSentMs + this.intervalMs - this.deps.clock.now();
    if (wait <= 0) this.sendNow(this.deps.read());
    else this.arm(wait);
  }

  private arm(ms: number): void {
    this.timer = this.deps.clock.setTimer(() => {
      this.timer = null;
      if (!this.live()) return;
      try {
        this.sendNow(this.deps.read());
      } catch (err) {
        this.deps.warn(`live update not sent: ${String(err)}`);
      }
    }, ms);
  }

  private sendNow(state: LiveState): void {
    this.cancelTimer();
    const update = this.stamp(state);
    this.lastSentMs = this.deps.clock.now();
    this.lastKey = positionSetKey(update.positions);
    const lease = this.lease;
    let sent: Promise<boolean>;
    try {
      sent = this.deps.send(update);
    } catch (err) {
      sent = Promise.reject(err);
    }
    sent.then(
      (listening) => {
        // Nobody listens (the last dashboard closed): stop before the lease lapses, unless it was renewed since.
        if (!listening && lease === this.lease) {
          this.untilMs = 0;
          this.cancelTimer();
        }
      },
      (err) => {
        this.deps.warn(`live update not delivered, retried in ${this.intervalMs} ms: ${String(err)}`);
        // The hub may not have it: send the whole state again (a set change included) once the interval passed.
        this.lastKey = null;
        if (this.timer === null && this.live()) this.arm(this.intervalMs);
      },
    );
  }

  private stamp(state: LiveState): SymbolLive {
    const now = this.deps.clock.now();
    this.seq = Math.max(this.seq + 1, now);
    return { ...state, at: new Date(now).toISOString(), seq: this.seq };
  }

  private cancelTimer(): void {
    if (this.timer === null) return;
    this.deps.clock.clearTimer(this.timer);
    this.timer = null;
  }
}
