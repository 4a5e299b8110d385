// The Worker as the tests run it: production code, with the Durable Object classes replaced by test subclasses
// that add hooks (a tick seam, shorter feed timings, D1 fault injection, live-update counters and clock).
// wrangler.toml binds the classes by name, so the subclasses are exported under the production names. Nothing
// here ships.
import { RecorderGate } from "../src/durable/recorder-gate";
import type { FeedTuning } from "../src/durable/feed-port";
import type { FeedTiming } from "../src/durable/feed-supervisor";
import { LiveHub } from "../src/durable/live-hub";
import type { LiveClock } from "../src/durable/live-publisher";
import type { ManualCloseReply, RecordedPosition, SignalReply, SignalRequest, SymbolLive, SymbolStatus } from "../src/durable/protocol";
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
    return (await super.status()).pendingDeliveries;
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

  // --- live dashboards (test/live): production RPC calls counted, the publisher's clock driven by hand ---------

  /** Production RPC calls this object answered, by method (the test seams above are not counted). */
  private rpcCalls: Record<string, number> = {};

  private counted(method: string): void {
    this.rpcCalls[method] = (this.rpcCalls[method] ?? 0) + 1;
  }

  rpcCounts(): Record<string, number> {
    return { ...this.rpcCalls };
  }

  resetRpcCounts(): void {
    this.rpcCalls = {};
  }

  override async applySignal(req: SignalRequest): Promise<SignalReply> {
    this.counted("applySignal");
    return super.applySignal(req);
  }

  override async closePosition(positionId: string, price?: number): Promise<ManualCloseReply> {
    this.counted("closePosition");
    return super.closePosition(positionId, price);
  }

  override async openPositions(): Promise<RecordedPosition[]> {
    this.counted("openPositions");
    return super.openPositions();
  }

  override async status(): Promise<SymbolStatus> {
    this.counted("status");
    return super.status();
  }

  override async watch(untilMs: number): Promise<SymbolLive> {
    this.counted("watch");
    return super.watch(untilMs);
  }

  /** The live publisher's clock: null = the real one; a number = a manual clock at that time, whose timers fire
   * only from advanceLiveClock. */
  private manualLive: { now: number; timers: Map<number, { fn: () => void; at: number }>; next: number } | null = null;

  protected override liveClock(): LiveClock {
    // Read lazily: this runs in the base constructor, before this class's fields exist.
    return {
      now: () => this.manualLive?.now ?? Date.now(),
      setTimer: (fn, ms) => {
        const m = this.manualLive;
        if (!m) return setTimeout(fn, ms);
        const id = m.next++;
        m.timers.set(id, { fn, at: m.now + ms });
        return { manual: id };
      },
      clearTimer: (h) => {
        if (h !== null && typeof h === "object" && "manual" in h) this.manualLive?.timers.delete((h as { manual: number }).manual);
        else clearTimeout(h as ReturnType<typeof setTimeout>);
      },
    };
  }

  setLiveClock(ms: number | null): void {
    this.manualLive = ms === null ? null : { now: ms, timers: new Map(), next: 1 };
  }

  /** Moves the manual clock on, firing the timers due by then in order. */
  advanceLiveClock(ms: number): void {
    const m = this.manualLive;
    if (!m) throw new Error("setLiveClock first");
    const end = m.now + ms;
    for (;;) {
      const due = [...m.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!due) break;
      m.timers.delete(due[0]);
      m.now = Math.max(m.now, due[1].at);
      due[1].fn();
    }
    m.now = end;
  }

  liveInfo(): { watching: boolean; pending: boolean; manualTimers: number } {
    return { watching: this.live.watching, pending: this.live.pending, manualTimers: this.manualLive?.timers.size ?? 0 };
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

/** The live hub with counters (in its storage: they survive hibernation) and a settable renewal period. */
class TestLiveHub extends LiveHub {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.renewEveryMs = ctx.storage.kv.get<number>("test:renewEveryMs") ?? this.renewEveryMs;
  }

  override async publish(update: SymbolLive): Promise<boolean> {
    const key = `test:publish:${update.feedSymbol}`;
    this.ctx.storage.kv.put(key, (this.ctx.storage.kv.get<number>(key) ?? 0) + 1);
    return super.publish(update);
  }

  /** publish() calls received for a feed symbol since the last reset. */
  publishCount(feedSymbol: string): number {
    return this.ctx.storage.kv.get<number>(`test:publish:${feedSymbol}`) ?? 0;
  }

  resetPublishCount(feedSymbol: string): void {
    this.ctx.storage.kv.delete(`test:publish:${feedSymbol}`);
  }

  socketCount(): number {
    return this.ctx.getWebSockets().length;
  }

  /** The renewal period from now on (the running alarm is moved to it). */
  async setRenewEvery(ms: number): Promise<void> {
    this.renewEveryMs = ms;
    this.ctx.storage.kv.put("test:renewEveryMs", ms);
    if ((await this.ctx.storage.getAlarm()) !== null) await this.ctx.storage.setAlarm(Date.now() + ms);
  }

  /** Runs the renewal alarm now. */
  async renewNow(): Promise<void> {
    await this.alarm();
  }

  /** While held, a snapshot being built waits after reading the symbols' states (until releaseSnapshots), so a
   * test can make changes race it. */
  private hold: { release: () => void; promise: Promise<void>; reached: number } | null = null;

  holdSnapshots(): void {
    let release!: () => void;
    const promise = new Promise<void>((r) => (release = r));
    this.hold = { release, promise, reached: 0 };
  }

  /** Builds that read their states and are waiting. */
  heldSnapshots(): number {
    return this.hold?.reached ?? 0;
  }

  releaseSnapshots(): void {
    this.hold?.release();
    this.hold = null;
  }

  protected override async watchAll(): Promise<SymbolLive[]> {
    const states = await super.watchAll();
    const hold = this.hold;
    if (hold) {
      hold.reached++;
      await hold.promise;
    }
    return states;
  }
}

export { TestSymbolObject as SymbolObject, TestRecorderGate as RecorderGate, TestLiveHub as LiveHub };
