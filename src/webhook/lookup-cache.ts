// The webhook's lookup, cached in the isolate (issue #13: a bar-close burst spends a D1 round trip per alert on a
// lookup whose answer changes only when someone edits the recorder).
//
// Correctness does not rest on this cache: a signal sent from a cached lookup carries the recorder's lookup epoch
// (schema.ts `configEpoch`), and its symbol object records it only while the recorder's rate lease vouches for
// exactly that epoch (durable/rate-lease.ts). Every change made through the API bumps the epoch in D1 and tells
// the recorder's gate, which reclaims the lease: the next signal of every isolate's stale entry is refused as
// stale, looked up again from D1 and sent again (a rotated token: 404 at once). So an entry may be stale; it is
// never trusted. What is cached:
//   - only a lookup without followers (a leader's signal fans out to several recorders, each checked separately:
//     those always go to D1), keyed by the token's SHA-256 (the token itself is never kept);
//   - for LIFE_MS (an hour) at most. Only one failure needs it: a gate that cannot reach its lease's holder
//     within 10 s to reclaim it (the API's change is saved all the same, and logged). That holder then vouches
//     for the old epoch until its lease ends (at most LEASE_MS, an hour, as it keeps counting the rate), and a
//     stale entry ends with its life. An hour, not less, because strategies on hourly bars send an alert an hour:
//     a shorter life would send every bar-close burst to D1 again;
//   - at most MAX_ENTRIES, the oldest dropped first.
// Cost: O(1) per webhook (a Map lookup; a set on a miss).
import type { RecorderRow } from "../recorders/repository";

export const LIFE_MS = 3_600_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  recorder: RecorderRow;
  untilMs: number;
}

export class LookupCache {
  private readonly entries = new Map<string, Entry>();

  get(tokenHash: string, nowMs: number): RecorderRow | undefined {
    const e = this.entries.get(tokenHash);
    if (e === undefined) return undefined;
    if (nowMs >= e.untilMs) {
      this.entries.delete(tokenHash);
      return undefined;
    }
    return e.recorder;
  }

  set(tokenHash: string, recorder: RecorderRow, nowMs: number): void {
    this.entries.delete(tokenHash); // (re-inserted last: the oldest stay first)
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(tokenHash, { recorder, untilMs: nowMs + LIFE_MS });
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
