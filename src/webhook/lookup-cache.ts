// The webhook's lookup, cached in the isolate (issue #13: a bar-close burst spends a D1 round trip per alert on a
// lookup whose answer changes only when someone edits the recorder).
//
// Correctness does not rest on this cache: a signal sent from a cached lookup carries the recorder's config epoch
// (schema.ts `configEpoch`), and its symbol object records it only where the recorder's rate lease there, or else
// its gate, vouches for exactly that epoch (durable/rate-lease.ts). Every change made through the API bumps the
// epoch in D1 and tells the gate, which reclaims the lease: the next signal of every isolate's stale entry is
// refused as stale, looked up again from D1 and sent again (a rotated token: 404 at once). So an entry may be
// stale; it is never trusted. What is cached:
//   - only a lookup without followers (a leader's signal fans out to several recorders, each checked separately:
//     those always go to D1), keyed by the token's SHA-256 (the token itself is never kept);
//   - for LIFE_MS (an hour) at most. Only one failure needs it: a lease holder its gate cannot reach within 10 s
//     to reclaim (the API's change is saved all the same, and logged; the gate tries it again at every later
//     reclaim). That holder may vouch for the old epoch until its lease ends (at most LEASE_MS, an hour, as it
//     keeps counting the rate), and a stale entry ends with its life. An hour, not less, so that strategies on
//     hourly bars still find their entry (a lease that ended meanwhile is renewed by the gate, which vouches);
//   - not at all for a token whose symbol object said it can never vouch (bypass(): a recorder with a daily limit
//     that traded on several symbols needs D1 for its day net), for LIFE_MS;
//   - at most MAX_ENTRIES, the oldest dropped first.
// Cost: O(1) per webhook (a Map lookup; a set on a miss).
import type { EventKind } from "../notify/events";
import type { RecorderRow } from "../recorders/repository";

export const LIFE_MS = 3_600_000;
const MAX_ENTRIES = 10_000;

/** A lookup without followers as D1 gave it: the recorder's row, and the events its notification targets wanted
 * at the row's config epoch (webhook-lookup.ts `notify`). */
export interface CachedLookup {
  recorder: RecorderRow;
  notify: readonly EventKind[];
}

interface Entry {
  /** null: not to be cached (bypass). */
  lookup: CachedLookup | null;
  untilMs: number;
}

export class LookupCache {
  private readonly entries = new Map<string, Entry>();

  get(tokenHash: string, nowMs: number): CachedLookup | undefined {
    return this.live(tokenHash, nowMs)?.lookup ?? undefined;
  }

  /** Caches a lookup, unless this token's lookups are not to be cached (bypass) for now. */
  set(tokenHash: string, lookup: CachedLookup, nowMs: number): void {
    if (this.live(tokenHash, nowMs)?.lookup === null) return;
    this.put(tokenHash, { lookup, untilMs: nowMs + LIFE_MS });
  }

  /** This token's lookups are not to be cached for LIFE_MS: its symbol object can never vouch for them (a recorder
   * with a daily limit that traded on several symbols: its day net needs D1), so each try would cost a call. */
  bypass(tokenHash: string, nowMs: number): void {
    this.put(tokenHash, { lookup: null, untilMs: nowMs + LIFE_MS });
  }

  private live(tokenHash: string, nowMs: number): Entry | undefined {
    const e = this.entries.get(tokenHash);
    if (e !== undefined && nowMs >= e.untilMs) {
      this.entries.delete(tokenHash);
      return undefined;
    }
    return e;
  }

  private put(tokenHash: string, entry: Entry): void {
    this.entries.delete(tokenHash); // (re-inserted last: the oldest stay first)
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(tokenHash, entry);
  }

  delete(tokenHash: string): void {
    this.entries.delete(tokenHash);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** The isolate's cache (module state: one per isolate, shared by its requests). */
export const lookupCache = new LookupCache();
