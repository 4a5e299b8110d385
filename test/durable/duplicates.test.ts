// Duplicates (src/durable/admission.ts) over an in-memory `seen` table: what find() answers, and changedSince(),
// which lets the symbol object skip re-reading the table after an await when nothing of the recorder was
// remembered or forgotten meanwhile.
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

const reply = { ok: true, signalId: "s1", result: "opened" } as unknown as SignalApplied;

const request = (id: string | undefined, dedupeWindowSeconds = 0, recorderId = "rec") =>
  ({ recorder: { id: recorderId, dedupeWindowSeconds }, signal: { id }, bodyHash: "h" }) as unknown as SignalRequest;

describe("Duplicates", () => {
  it("finds what was remembered, not what was forgotten", () => {
    const d = new Duplicates(memorySeen());
    const req = request("a1");
    expect(d.find(req, 0)).toBeNull();
    d.remember(req, 0, reply);
    expect(d.find(req, 1)).toEqual(reply);
    expect(d.find(request("a2"), 1)).toBeNull();
    expect(d.find(request("a1", 0, "other"), 1), "keys are per recorder").toBeNull();
    d.forget(req);
    expect(d.find(req, 2)).toBeNull();
  });

  it("changedSince: each remember or forget of the recorder's keyed signals, not another recorder's, not a find", () => {
    const d = new Duplicates(memorySeen());
    const mark = d.stamp;
    expect(d.changedSince("rec", mark)).toBe(false);
    d.find(request("a1"), 0);
    d.remember(request("b1", 0, "other"), 0, reply);
    expect(d.changedSince("rec", mark), "another recorder's signal").toBe(false);
    d.remember(request(undefined, 0), 0, reply); // no key: not remembered
    expect(d.changedSince("rec", mark)).toBe(false);
    d.remember(request("a1"), 0, reply);
    expect(d.changedSince("rec", mark)).toBe(true);
    const later = d.stamp;
    expect(d.changedSince("rec", later)).toBe(false);
    d.forget(request("a1"));
    expect(d.changedSince("rec", later)).toBe(true);
  });

  it("changedSince stays true after its memory of recorders is cleared (10 000 of them)", () => {
    const d = new Duplicates(memorySeen());
    const mark = d.stamp;
    d.remember(request("a1"), 0, reply);
    for (let i = 0; i < 10_000; i++) d.remember(request("x", 0, `r${i}`), 0, reply);
    expect(d.changedSince("rec", mark)).toBe(true);
    expect(d.changedSince("never-seen", mark), "unknown after the clear: assumed changed").toBe(true);
  });

  it("a body window keys a signal without an id by its body's hash, within the window", () => {
    const d = new Duplicates(memorySeen());
    const windowed = request(undefined, 10);
    d.remember(windowed, 0, reply);
    expect(d.find(windowed, 9_000)).toEqual(reply);
    expect(d.find(windowed, 10_001), "past the window").toBeNull();
  });
});
