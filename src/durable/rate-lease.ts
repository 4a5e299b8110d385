// The recorder's rate limit (CONTRACT `maxSignalsPerMinute`: recorder-wide, accepted and refused signals alike),
// counted where the signals are. Plain code, no Cloudflare import: recorder-gate.ts (the ledger) and
// symbol-object.ts (the held leases) drive it; test/durable/rate-lease.test.ts drives it directly.
//
// Why a lease (issue #13, docs/BENCHMARKS.md "The bar-close burst"): asking the recorder's gate object for every
// signal put one object wake and one RPC on the critical path of every alert — in a bar-close burst the gates are
// cold (their recorders sent nothing since the previous bar), and that hop was the largest share of a signal's
// time. A recorder almost always trades one symbol, so the gate LEASES the count to that symbol's object, which then
// counts locally and synchronously; the gate stays the one authority:
// - one holder at a time. A signal of the same recorder on another symbol (or one refused before any symbol, which
//   the Worker hands the gate) makes the gate RECLAIM the lease first: the holder gives back its window and stops
//   counting, the gate merges it, and then counts centrally until one symbol asks twice in a row (a recorder
//   that alternates symbols would otherwise move the lease back and forth on every signal; one that moved on to
//   another symbol has a lease again from its second signal there);
// - every grant has a number. The gate's reply granting a lease and its next call reclaiming it travel separately,
//   so a reclaim may reach the holder before the grant does: the holder then remembers that grant as given back
//   and, when it arrives, does not install it but returns its window with a second ask, which the gate counts
//   itself (never two counters, no count lost);
// - a lease lasts LEASE_MS; its holder asks again after it (keeping its own window), so a holder the gate could not
//   reach to reclaim stops by itself — until then, no new lease is granted (at most one lease at a time, always);
// - the windows live in memory, as the gate's did: a restarted holder or gate forgets at most one minute of counts,
//   which at worst lets one extra minute's worth through. The holder's name and the shared period are persisted by
//   the gate, so a restarted gate never grants a second lease while the first may still count.
// Cost: O(signals in the last minute) per admission, as before; one RPC per recorder per symbol switch or per hour
// instead of one per signal.
//
// The lease also vouches for an isolate's cached webhook lookup (src/webhook/lookup-cache.ts): a recorder's config
// epoch (schema.ts `configEpoch`, bumped with every change of its settings, token, enabled, followers or
// notification targets) travels with every grant and every central answer. The gate knows the highest epoch it was
// told — by the API after each change (revoke: it also reclaims the lease, so its holder forgets the old epoch; a
// lease it could not reclaim is tried again at every later reclaim) and by every signal looked up from D1 that asks
// it — and a holder adopts the epoch of every signal looked up from D1. A signal from a cached lookup is honoured
// only where a current lease holds exactly its epoch, or, with no current lease there, where the gate knows exactly
// that epoch (else the Worker looks it up again): a change made through the API is seen by the next signal, in every
// isolate. The grant also says whether this symbol is the only one the recorder ever sent a signal to (then its
// closed P&L on other symbols, which daily limits add, is 0 without asking D1; any other symbol asking reclaims the
// lease first).
//
// The same epoch lets a holder skip notifications nobody wants (notifyKinds): each signal says which events the
// recorder's notification targets wanted when the Worker read them with its row (SignalRequest.lookup.notify), and
// while the lease here holds exactly that epoch, an event of another kind is not queued at all — no queue rows, no
// D1 read of the targets. Every change of the targets bumps the epoch in the same D1 batch (notify/targets.ts) and
// revokes (api/routes/notifications.ts), which ends the lease and what it knew; the knowledge is never persisted (a
// restarted holder has no lease). What a failed revoke leaves: a holder the gate cannot reach keeps it until its
// lease ends (an hour); a gate that cannot be told at all keeps vouching for the old epoch, so cached lookups teach
// the old kinds again until they end (an hour) and a lease renewed meanwhile keeps them until it ends: two hours at
// most, and both are logged.

/** How long a lease lasts before its holder asks again. */
export const LEASE_MS = 3_600_000;
/** The limit's window. */
const WINDOW_MS = 60_000;

export interface Admission {
  admitted: boolean;
  /** When refused: whether this refusal should be logged (the first one of its minute). */
  logRefusal: boolean;
}

/** A window as it travels between the gate and a holder (structured-clone safe). */
export interface RateState {
  times: number[];
  lastLoggedRefusalMs: number;
}

/** The gate's answer to a symbol object asking to admit a signal. `epoch`: the highest config epoch the gate knows
 * for the recorder (null: none yet); `onlySymbol`: the asker is the only symbol the recorder ever traded. */
export type LeaseAnswer =
  | { leased: true; grant: number; untilMs: number; state: RateState; epoch: number | null; onlySymbol: boolean }
  | { leased: false; admission: Admission; epoch: number | null };

/** Why a cached lookup is not vouched for: its epoch is not the current one, or the recorder (with a daily limit)
 * traded on another symbol, whose closed P&L only D1 has. */
export type StaleWhy = "epoch" | "symbols";

/** What a symbol object knows of a cached lookup before counting its signal: vouched for by a current lease, not
 * vouched for (why), or no current lease here (the gate is asked, and vouches or not: RecorderGate.lease). */
export type Vouch = "yes" | StaleWhy | "ask";

/** The higher of two epochs (null: unknown). */
export function laterEpoch(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}

/** A sliding one-minute window of signal times. */
export class RateWindow {
  private times: number[] = [];
  /** When the last refusal was logged (one refusal row per window is enough to explain the 429s). */
  private lastLoggedRefusalMs = -Infinity;

  /** Counts a signal at `nowMs` unless `max` were already counted in the minute before. */
  admit(nowMs: number, max: number): Admission {
    const from = nowMs - WINDOW_MS;
    let i = 0;
    while (i < this.times.length && this.times[i] <= from) i++;
    if (i > 0) this.times.splice(0, i);
    if (this.times.length < max) {
      this.times.push(nowMs);
      return { admitted: true, logRefusal: false };
    }
    const logRefusal = nowMs - this.lastLoggedRefusalMs >= WINDOW_MS;
    if (logRefusal) this.lastLoggedRefusalMs = nowMs;
    return { admitted: false, logRefusal };
  }

  /** Hands the window over and empties it. */
  take(): RateState {
    const state = { times: this.times, lastLoggedRefusalMs: this.lastLoggedRefusalMs };
    this.times = [];
    this.lastLoggedRefusalMs = -Infinity;
    return state;
  }

  /** Adds a window handed over (times kept in order; the latest logged refusal wins). */
  merge(state: RateState | null): void {
    if (!state) return;
    if (state.times.length > 0) this.times = [...this.times, ...state.times].sort((a, b) => a - b);
    this.lastLoggedRefusalMs = Math.max(this.lastLoggedRefusalMs, state.lastLoggedRefusalMs);
  }
}

/** What the gate persists about its lease. */
export interface LeaseRecord {
  holder: string | null;
  untilMs: number;
  /** A lease was reclaimed and none granted since: the next goes to a symbol that asks twice in a row. */
  contested: boolean;
  /** The symbol of the last signal the gate counted itself while contested (null: none, or a Worker refusal). */
  lastAsker: string | null;
  /** No lease before this (an unreachable holder's lease runs until then). */
  noLeaseBeforeMs: number;
  /** The number of the latest grant. */
  grant: number;
  /** The highest config epoch known for the recorder (null: none yet). */
  epoch: number | null;
  /** A lease whose holder could not be reached when it was reclaimed: it may go on vouching for its epoch until
   * `untilMs`, so every later reclaim (a revoke included) tries it again. */
  unreached: { holder: string; grant: number; untilMs: number } | null;
}

/** The gate's side: who holds the lease, and the central window while nobody does. */
export class LeaseLedger {
  private readonly window = new RateWindow();
  private record: LeaseRecord;

  constructor(saved: LeaseRecord | null, private readonly save: (record: LeaseRecord) => void) {
    this.record = { holder: null, untilMs: 0, contested: false, lastAsker: null, noLeaseBeforeMs: 0, grant: 0, epoch: null, unreached: null, ...saved };
  }

  /** The symbol object that must give the lease back before `asker` (a feed symbol, or null for the gate itself)
   * is answered; null when none. */
  toReclaim(asker: string | null, nowMs = 0): { holder: string; grant: number } | null {
    const { holder, grant, unreached } = this.record;
    if (holder !== null) return holder !== asker ? { holder, grant } : null;
    // A lease not given back when it was reclaimed, still running: tried again.
    if (unreached !== null && nowMs < unreached.untilMs && unreached.holder !== asker) return { holder: unreached.holder, grant: unreached.grant };
    return null;
  }

  /** The current holder's lease ended more than `graceMs` ago (it vouches for nothing any more). */
  leaseLapsed(nowMs: number, graceMs: number): boolean {
    return this.record.holder !== null && this.record.untilMs + graceMs < nowMs;
  }

  /** The holder gave its window back (null: it had none, e.g. it restarted) or could not be reached (`reached`
   * false: it stops counting by itself at the lease's end, and no lease is granted before that). */
  reclaimed(state: RateState | null, nowMs: number, reached: boolean, contested = true): void {
    this.window.merge(state);
    const { holder, grant, untilMs } = this.record;
    if (holder === null) {
      // The unreached lease, tried again (toReclaim).
      if (reached) this.setRecord({ ...this.record, unreached: null });
      return;
    }
    const noLeaseBeforeMs = Math.max(this.record.noLeaseBeforeMs, reached ? nowMs : untilMs);
    // (No lease is granted before an unreached one ends, so there is never more than one still out.)
    const unreached = reached ? this.record.unreached : { holder, grant, untilMs };
    this.setRecord({ ...this.record, holder: null, untilMs: 0, contested, lastAsker: null, noLeaseBeforeMs, unreached });
  }

  /** An epoch learnt (the API's change, or a signal looked up from D1): the highest is kept. */
  knowEpoch(epoch: number | null): void {
    const next = laterEpoch(this.record.epoch, epoch);
    if (next !== this.record.epoch) this.setRecord({ ...this.record, epoch: next });
  }

  /** Answers a symbol object after any reclaim: a lease (the window moves to it) or the gate's own count.
   * `returned`: the window of a grant the asker refused (given back before it arrived): merged, and counted here. */
  ask(feedSymbol: string, nowMs: number, max: number, returned?: RateState, onlySymbol = false): LeaseAnswer {
    // The holder of an unreached lease that asks has none any more (ended, or lost in a restart).
    if (this.record.unreached?.holder === feedSymbol) this.setRecord({ ...this.record, unreached: null });
    const { holder, contested, lastAsker, noLeaseBeforeMs, epoch, unreached } = this.record;
    this.window.merge(returned ?? null);
    const free = holder === feedSymbol || (holder === null && (!contested || lastAsker === feedSymbol));
    if (free && !returned && nowMs >= noLeaseBeforeMs) {
      const untilMs = nowMs + LEASE_MS;
      const grant = this.record.grant + 1;
      this.setRecord({ holder: feedSymbol, untilMs, contested: false, lastAsker: null, noLeaseBeforeMs, grant, epoch, unreached });
      return { leased: true, grant, untilMs, state: this.window.take(), epoch, onlySymbol };
    }
    if (lastAsker !== feedSymbol) this.setRecord({ ...this.record, lastAsker: feedSymbol });
    return { leased: false, admission: this.window.admit(nowMs, max), epoch };
  }

  /** A signal counted by the gate itself (refused before any symbol), after any reclaim. */
  admit(nowMs: number, max: number): Admission {
    if (this.record.lastAsker !== null) this.setRecord({ ...this.record, lastAsker: null });
    return this.window.admit(nowMs, max);
  }

  get holder(): string | null {
    return this.record.holder;
  }

  /** The highest config epoch known (null: none yet). */
  get epoch(): number | null {
    return this.record.epoch;
  }

  private setRecord(record: LeaseRecord): void {
    this.record = record;
    this.save(record);
  }
}

/** A symbol object's side: the leases it holds, by recorder. */
export class HeldLeases {
  private readonly held = new Map<
    string,
    {
      grant: number;
      untilMs: number;
      window: RateWindow;
      epoch: number | null;
      onlySymbol: boolean;
      /** The events the recorder's notification targets want, as read at config epoch `epoch` (learnNotify). */
      notify: { epoch: number; kinds: readonly string[] } | null;
    }
  >();
  /** Windows of expired leases, kept until the gate answers again (so a renewal loses no count). */
  private readonly expired = new Map<string, RateWindow>();
  /** Grants given back before they arrived (`recorder grant`), refused when they do. */
  private readonly refused = new Set<string>();

  /** Counts a signal locally when a lease is held and current; null when the gate must be asked. */
  admit(recorderId: string, nowMs: number, max: number): Admission | null {
    const lease = this.held.get(recorderId);
    if (!lease) return null;
    if (nowMs >= lease.untilMs) {
      this.held.delete(recorderId);
      this.expired.set(recorderId, lease.window);
      return null;
    }
    return lease.window.admit(nowMs, max);
  }

  /** The gate's answer to this object's ask: installs a granted lease (with any window kept from an expired one)
   * and counts the signal on it, or returns the gate's own count; `{returned}` when the grant was already
   * reclaimed: ask again with that window (the gate then counts the signal itself). */
  answer(recorderId: string, answer: LeaseAnswer, nowMs: number, max: number): Admission | { returned: RateState } {
    const kept = this.expired.get(recorderId);
    this.expired.delete(recorderId);
    if (!answer.leased) return answer.admission;
    if (this.refused.delete(`${recorderId} ${answer.grant}`)) {
      const window = kept ?? new RateWindow();
      window.merge(answer.state);
      return { returned: window.take() };
    }
    // (The object asks for one recorder at a time — applySignal queues a recorder's signals — so a lease is not
    // normally held here already; if it were, its window is kept.)
    const before = this.held.get(recorderId);
    const window = before?.window ?? kept ?? new RateWindow();
    window.merge(answer.state);
    const epoch = laterEpoch(before?.epoch ?? null, answer.epoch);
    this.held.set(recorderId, { grant: answer.grant, untilMs: answer.untilMs, window, epoch, onlySymbol: answer.onlySymbol, notify: before?.notify ?? null });
    return window.admit(nowMs, max);
  }

  /** Whether a signal from a cached lookup at `epoch` may be recorded here (nothing counted: admit() does that):
   * "yes" when a current lease holds exactly that epoch (and, when `needsOnlySymbol`, says this is the recorder's
   * only symbol); "ask" without a current lease. */
  vouches(recorderId: string, epoch: number, nowMs: number, needsOnlySymbol: boolean): Vouch {
    const lease = this.held.get(recorderId);
    if (lease === undefined || nowMs >= lease.untilMs) return "ask";
    if (lease.epoch !== epoch) return "epoch";
    return needsOnlySymbol && !lease.onlySymbol ? "symbols" : "yes";
  }

  /** A signal looked up from D1 at `epoch`: a lease held here adopts it when it is the highest seen. */
  adopt(recorderId: string, epoch: number): void {
    const lease = this.held.get(recorderId);
    if (lease) lease.epoch = laterEpoch(lease.epoch, epoch);
  }

  /** A signal admitted here says which events the recorder's notification targets wanted at config epoch `epoch`:
   * kept with a current lease (valid while the lease holds that very epoch: notifyKinds). */
  learnNotify(recorderId: string, epoch: number, kinds: readonly string[], nowMs: number): void {
    const lease = this.held.get(recorderId);
    if (lease && nowMs < lease.untilMs && lease.epoch === epoch) lease.notify = { epoch, kinds };
  }

  /** The events the recorder's notification targets want, when a current lease here holds exactly the epoch they
   * were read at; null when not known (then every event is queued and the targets read, as without a lease). */
  notifyKinds(recorderId: string, nowMs: number): readonly string[] | null {
    const lease = this.held.get(recorderId);
    if (!lease || nowMs >= lease.untilMs || lease.notify === null || lease.notify.epoch !== lease.epoch) return null;
    return lease.notify.kinds;
  }

  /** The gate reclaims grant `grant`: the window goes back, nothing is counted here any more. When that grant
   * has not arrived yet (the gate's reply granting it is still on its way), it is refused when it does. */
  giveBack(recorderId: string, grant: number): RateState | null {
    const lease = this.held.get(recorderId);
    const kept = this.expired.get(recorderId);
    this.held.delete(recorderId);
    this.expired.delete(recorderId);
    if (!lease || lease.grant < grant) {
      if (this.refused.size >= 10_000) this.refused.clear(); // grants lost to a restart of the gate's caller never arrive
      this.refused.add(`${recorderId} ${grant}`);
    }
    const window = lease?.window ?? kept;
    if (lease && kept) window!.merge(kept.take());
    return window ? window.take() : null;
  }

  get size(): number {
    return this.held.size;
  }
}
