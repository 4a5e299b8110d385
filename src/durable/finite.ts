// The storage invariant "every stored number is finite", as a check every store runs before it writes. The
// engine and the parser bound every input, so this never fires on a correct build; if it does, the write is
// refused loudly instead of turning into a null that D1 rejects forever or a NaN that a restart reloads.
// Cost: one walk over the value being written (a position state, an outbox op), same order as JSON.stringify.

export class NonFiniteError extends Error {
  constructor(where: string, path: string) {
    super(`non-finite number at ${path} in ${where}: refused before it reached storage`);
    this.name = "NonFiniteError";
  }
}

export function assertFinite(value: unknown, where: string): void {
  const bad = findNonFinite(value, "$", 0);
  if (bad !== null) throw new NonFiniteError(where, bad);
}

/** The path of the first non-finite number in a JSON-like value, or null. */
export function findNonFinite(value: unknown, path = "$", depth = 0): string | null {
  if (typeof value === "number") return Number.isFinite(value) ? null : path;
  if (value === null || typeof value !== "object" || depth > 64) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = findNonFinite(value[i], `${path}[${i}]`, depth + 1);
      if (bad !== null) return bad;
    }
    return null;
  }
  for (const k in value as Record<string, unknown>) {
    const bad = findNonFinite((value as Record<string, unknown>)[k], `${path}.${k}`, depth + 1);
    if (bad !== null) return bad;
  }
  return null;
}
