// After the API changed recorders (settings, token, enabled, followers, notification targets), their gates learn
// the new config epochs and reclaim their leases, so every isolate's cached lookup of them is refused by its next
// signal and made again from D1 (src/webhook/lookup-cache.ts, src/durable/rate-lease.ts): a rotated token stops
// working at once, and no symbol object goes on skipping events a new target wants.
// The change is saved before this runs and stays saved if a gate cannot be told: that is logged, and the cached
// lookups then end with the lease or the cache's life (an hour at most: lookup-cache.ts says why).
import type { EpochBump } from "../recorders/repository";
import { gateStub } from "../durable/stubs";

export async function revokeLookups(env: Env, bumped: readonly EpochBump[]): Promise<void> {
  const told = await Promise.allSettled(bumped.map((b) => gateStub(env, b.id).revoke(b.id, b.epoch)));
  told.forEach((t, i) => {
    if (t.status === "rejected" || !t.value) {
      const why = t.status === "rejected" ? String(t.reason) : "its lease holder did not answer";
      console.warn(`recorder ${bumped[i].id} changed, but cached webhook lookups may last up to an hour: ${why}`);
    }
  });
}
