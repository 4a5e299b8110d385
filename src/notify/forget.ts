// After the API changes a recorder's targets: every object that may send for it (its gate, and the symbol
// objects it ever sent a signal to, as the gate remembers them) drops its cached copy, so the next event uses the
// new list at once rather than when the cache expires (TARGET_TTL_MS). Best effort: an unreachable object still re-reads the
// list within TARGET_TTL_MS (notifier.ts).
import { gateStub, symbolStub } from "../durable/stubs";

export async function forgetTargetsEverywhere(env: Env, recorderId: string): Promise<void> {
  try {
    const gate = gateStub(env, recorderId);
    const symbols = await gate.touchedSymbols();
    await Promise.allSettled([gate.forgetNotifyTargets(recorderId), ...symbols.map((s) => symbolStub(env, s).forgetNotifyTargets(recorderId))]);
  } catch (err) {
    console.warn(`notify: target caches of recorder ${recorderId} not cleared (they expire within TARGET_TTL_MS): ${String(err)}`);
  }
}
