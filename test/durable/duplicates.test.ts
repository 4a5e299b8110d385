// Duplicates (src/durable/admission.ts) over an in-memory `seen` table: what find() answers, and the change count
// that lets the symbol object skip re-reading the table after an await when nothing was remembered or forgotten.
import { describe, expect, it } from "vitest";
import { Duplicates, type SeenSignals } from "../../src/durable/admission";
import type { SignalApplied, SignalRequest } from "../../src/durable/protocol";

function memorySeen(): SeenSignals {
  const rows = new Map<string, { atMs: number; reply: string }>();
  return {
    get: (recorderId: string, key: string) => rows.get(`${recorderId} ${key}`),
    put: (recorderId: string, key: string, atMs: number, reply: string) => void rows.set(`${recorderId} ${key}`, { atMs, reply }),
    remove: (recorderId: string, key: string) => void rows.delete(`${recorderId} ${key}`),
    forgetBefore: () => undefined,
  } as unknown as SeenSignals;
}

const request = (id: string | undefined, dedupeWindowSeconds = 0) =>
  ({ recorder: { id: "rec", dedupeWindowSeconds }, signal: { id }, bodyHash: "h" }) as unknown as SignalRequest;
const reply = { ok: true, signalId: "s1", result: "opened" } as unknown as SignalApplied;

describe("Duplicates", () => {
  it("counts each remember and forget of a keyed signal, never a find", () => {
    const d = new Duplicates(memorySeen());
    const req = request("a1");
    expect(d.find(req, 0)).toBeNull();
    expect(d.changes).toBe(0);
    d.remember(req, 0, reply);
    expect(d.changes).toBe(1);
    expect(d.find(req, 1)).toEqual(reply);
    expect(d.find(request("a2"), 1)).toBeNull();
    expect(d.changes).toBe(1);
    d.forget(req);
    expect(d.changes).toBe(2);
    expect(d.find(req, 2)).toBeNull();
  });

  it("a signal without a key (no id, no body window) is neither remembered nor counted", () => {
    const d = new Duplicates(memorySeen());
    const req = request(undefined, 0);
    d.remember(req, 0, reply);
    d.forget(req);
    expect(d.changes).toBe(0);
    expect(d.find(req, 0)).toBeNull();
    // With a body window it is keyed by the body's hash.
    const windowed = request(undefined, 10);
    d.remember(windowed, 0, reply);
    expect(d.changes).toBe(1);
    expect(d.find(windowed, 9_000)).toEqual(reply);
    expect(d.find(windowed, 10_001), "past the window").toBeNull();
  });
});
