// Sends a Durable Object's queued notifications (queue-store.ts), with retries, off every reply path.
//
// Flow: the outbox's delivered hook calls onDelivered() in the same synchronous step as it marks entries
// delivered; the events they stand for are queued there (lost neither on a restart nor between the two), then
// kick() arms the object's alarm as a backstop and starts a send round without awaiting it. The webhook reply
// never waits for a target. The alarm calls kick() again; flush() re-arms the alarm for the next retry.
//
// Rounds: for each due event, every enabled target of its recorder that wants the event and has not taken it yet
// gets one POST (targets of one event in parallel, events in queue order). A target that answers 2xx is recorded
// at once (never sent it again); the others are retried after BACKOFF_MS[attempts] (or the target's Retry-After,
// if longer). After MAX_ROUNDS failed rounds the event is set aside (notify_dead) with a log line naming the event
// and the target ids and statuses, never a URL or token.
//
// Delivery is at least once: a target that took the message but whose answer was lost (or the object restarted
// right after it answered) is sent it again; the plain webhook body's `id` lets a receiver drop the repeat.
//
// Targets are read from D1 per recorder and cached TARGET_TTL_MS (dropped by forget() when the API changes them,
// forget.ts). While the cache says no target wants an event kind, such events are not queued at all: a recorder
// without notifications costs one queued event (3 row writes, 1 D1 read) per object and cache period, no more —
// and none at all where the object's lease knows which events its targets want (`knownKinds`, rate-lease.ts): the
// case of a bar-close burst's signals, each its recorder's first in minutes.
import type { PendingEntry } from "../durable/outbox-store";
import { eventOf, type EventKind, type NotifyEvent } from "./events";
import { buildRequest } from "./format";
import type { NotifyQueueStore, QueuedEvent } from "./queue-store";
import { sendRequest, type SendOutcome } from "./send";
import { loadSendable, type Sendable } from "./targets";

/** Wait before round n+1 after n failed rounds. */
export const BACKOFF_MS = [2_000, 5_000, 15_000, 60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000];
/** Failed rounds before an event is set aside (about 1.4 h of retries). */
export const MAX_ROUNDS = BACKOFF_MS.length + 1;
/** Targets are re-read this often at most; the API's changes drop the cache at once (forget.ts). */
export const TARGET_TTL_MS = 5 * 60_000;
/** Recorders whose targets one object keeps cached (a few hundred bytes each). */
const MAX_CACHED_RECORDERS = 20_000;
/** "rejected" notifications per recorder and minute (per object); beyond, refusals are counted and the next one
 * notified says how many were skipped: a flood of bad alerts must not flood a chat (or its rate limit). */
export const REJECTED_PER_MINUTE = 5;
/** The alarm backstop armed before each round: if the object goes away mid-round, the alarm finishes it. */
const BACKSTOP_MS = 15_000;
const PAGE = 20;

interface CachedTargets {
  at: number;
  recorderName: string;
  targets: Sendable[];
}

export interface NotifierDeps {
  env: Env;
  store: NotifyQueueStore;
  /** Have the object's alarm run at or before this wall-clock time. */
  wakeAt: (ms: number) => Promise<void>;
  /** Where this object is, for log lines. */
  name: () => string;
  /** The events a recorder's targets want, when known for certain without reading them (a symbol object's lease:
   * rate-lease.ts `notifyKinds`); null when not known. */
  knownKinds?: (recorderId: string, nowMs: number) => readonly string[] | null;
}

export class Notifier {
  private running: Promise<void> | null = null;
  private rerun = false;
  private readonly cache = new Map<string, CachedTargets>();
  private lastPrune = 0;
  private readonly rejectedWindow = new Map<string, { minute: number; count: number; suppressed: number }>();

  constructor(private readonly deps: NotifierDeps) {}

  /** Outbox hook (synchronous, inside the step that marks `entries` delivered). */
  onDelivered(entries: readonly PendingEntry[]): void {
    let queued = false;
    const now = Date.now();
    for (const e of entries) {
      const event = eventOf(e.op);
      if (!event || this.knownUnwanted(event, now) || !this.withinRejectedLimit(event, now)) continue;
      if (this.deps.store.enqueue(event, now)) queued = true;
    }
    if (queued) this.kick();
  }

  /** Queues an event made by the object itself (feed down/up, daily summary) and starts sending it. */
  add(event: NotifyEvent): boolean {
    const now = Date.now();
    if (this.knownUnwanted(event, now)) return false;
    const queued = this.deps.store.enqueue(event, now);
    if (queued) this.kick();
    return queued;
  }

  /** Starts a round now if anything is due (not awaited by the caller), with the alarm armed behind it; else
   * makes sure the alarm comes back for the next retry (and not sooner: an idle object is not kept awake). */
  kick(): void {
    const next = this.deps.store.nextDueMs();
    if (next === null) return;
    const now = Date.now();
    const warn = (err: unknown) => console.warn(`notify[${this.deps.name()}]: alarm not armed: ${String(err)}`);
    if (next > now) {
      this.deps.wakeAt(next).catch(warn);
      return;
    }
    this.deps.wakeAt(now + BACKSTOP_MS).catch(warn);
    void this.flush();
  }

  /** The target list changed (API): read it again before the next send. */
  forget(recorderId: string): void {
    this.cache.delete(recorderId);
  }

  /** When the alarm must run next for a retry (null: nothing waiting). */
  nextDueMs(): number | null {
    // While a round runs it re-arms the alarm itself when it ends (an alarm for an event being sent would only
    // start the same round again).
    return this.running ? null : this.deps.store.nextDueMs();
  }

  /** One round over everything due; concurrent callers share it (a call during a round runs another after it). */
  flush(): Promise<void> {
    if (this.running) {
      this.rerun = true;
      return this.running;
    }
    const run = (async () => {
      try {
        do {
          this.rerun = false;
          await this.round();
        } while (this.rerun);
      } catch (err) {
        console.warn(`notify[${this.deps.name()}]: round stopped: ${String(err)}`);
      } finally {
        this.running = null;
      }
      const next = this.deps.store.nextDueMs();
      if (next !== null) await this.deps.wakeAt(Math.max(next, Date.now() + 100)).catch(() => undefined);
    })();
    this.running = run;
    return run;
  }

  private async round(): Promise<void> {
    const now = Date.now();
    if (now - this.lastPrune > 3_600_000) {
      this.lastPrune = now;
      this.deps.store.prune(now);
    }
    const seen = new Set<string>();
    for (;;) {
      const page = this.deps.store.due(Date.now(), PAGE).filter((q) => !seen.has(q.key));
      if (page.length === 0) return;
      for (const q of page) {
        seen.add(q.key);
        await this.sendOne(q);
      }
    }
  }

  private async sendOne(q: QueuedEvent): Promise<void> {
    const store = this.deps.store;
    let cached: CachedTargets;
    try {
      cached = await this.targets(q.recorderId);
    } catch (err) {
      this.failed(q, [`targets not readable: ${String(err).slice(0, 200)}`], null);
      return;
    }
    const wanted = cached.targets.filter((t) => wants(t, q.event.kind) && !q.done.includes(t.id));
    if (wanted.length === 0) {
      store.finish(q.key, Date.now());
      return;
    }
    const ctx = { recorderName: cached.recorderName };
    const outcomes = await Promise.all(wanted.map(async (t) => ({ t, out: await sendRequest(buildRequest(t.dest, q.event, ctx)) })));
    // One synchronous step: who took it, and what happens next.
    const failures: string[] = [];
    let retryAfter: number | null = null;
    for (const { t, out } of outcomes) {
      if (out.ok) store.targetDone(q.key, t.id);
      else {
        failures.push(describe(t, out));
        if (out.retryAfterMs !== null) retryAfter = Math.max(retryAfter ?? 0, out.retryAfterMs);
      }
    }
    if (failures.length === 0) store.finish(q.key, Date.now());
    else this.failed(q, failures, retryAfter);
  }

  private failed(q: QueuedEvent, failures: string[], retryAfterMs: number | null): void {
    const store = this.deps.store;
    const error = failures.join("; ").slice(0, 500);
    const now = Date.now();
    if (q.attempts + 1 >= MAX_ROUNDS) {
      store.deadLetter(q.key, error, now);
      console.warn(`notify[${this.deps.name()}]: ${q.event.kind} ${q.key} of recorder ${q.recorderId} given up after ${MAX_ROUNDS} rounds: ${error}`);
      return;
    }
    const wait = Math.max(BACKOFF_MS[q.attempts] ?? BACKOFF_MS[BACKOFF_MS.length - 1], retryAfterMs ?? 0);
    store.retry(q.key, error, now + wait);
  }

  private async targets(recorderId: string): Promise<CachedTargets> {
    const hit = this.cache.get(recorderId);
    if (hit && Date.now() - hit.at < TARGET_TTL_MS) return hit;
    const loaded = await loadSendable(this.deps.env, recorderId);
    const entry = { at: Date.now(), recorderName: loaded.recorderName ?? recorderId, targets: loaded.targets };
    // Bounded, oldest first (Map order is insertion order; a refreshed entry moves last). Clearing it whole at a
    // few hundred recorders made every signal of a 1 000-recorder bar-close burst a miss (2 D1 reads each).
    this.cache.delete(recorderId);
    if (this.cache.size >= MAX_CACHED_RECORDERS) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(recorderId, entry);
    return entry;
  }

  /** Counts a "rejected" event against its recorder's minute; true when it may be queued (then carrying the
   * number skipped before it). Other kinds always may. */
  private withinRejectedLimit(e: NotifyEvent, now: number): boolean {
    if (e.kind !== "rejected") return true;
    const minute = Math.floor(now / 60_000);
    let w = this.rejectedWindow.get(e.recorderId);
    if (!w) {
      if (this.rejectedWindow.size > 1_000) this.rejectedWindow.clear();
      this.rejectedWindow.set(e.recorderId, (w = { minute, count: 0, suppressed: 0 }));
    }
    if (w.minute !== minute) {
      w.minute = minute;
      w.count = 0;
    }
    if (w.count >= REJECTED_PER_MINUTE) {
      w.suppressed++;
      return false;
    }
    w.count++;
    if (w.suppressed > 0) {
      e.suppressedBefore = w.suppressed;
      w.suppressed = 0;
    }
    return true;
  }

  /** No target of the recorder wants this kind: so its lease says (when it knows), or the cache, while fresh. */
  private knownUnwanted(e: NotifyEvent, now: number): boolean {
    if (this.deps.knownKinds?.(e.recorderId, now)?.includes(e.kind) === false) return true;
    const hit = this.cache.get(e.recorderId);
    return hit !== undefined && now - hit.at < TARGET_TTL_MS && !hit.targets.some((t) => wants(t, e.kind));
  }
}

function wants(t: Sendable, kind: NotifyEvent["kind"]): boolean {
  return t.enabled && kind !== "test" && t.events.includes(kind as EventKind);
}

function describe(t: Sendable, out: SendOutcome): string {
  return `target ${t.id} (${t.kind}): ${out.error ?? "failed"}`;
}
