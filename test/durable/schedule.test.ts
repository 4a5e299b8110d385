// ScheduledSignals (src/durable/schedule.ts) on a real Durable Object's SqlStorage: the counts per recorder, the
// earliest deadline and the earliest receive time are kept in memory and answered without a storage read (every
// signal asks the first, every reply the second), they follow add and remove, and a restarted object (a new
// instance over the same storage) reads them back.
import { describe, expect, it } from "vitest";
import type { SignalRequest } from "../../src/durable/protocol";
import { ScheduledSignals } from "../../src/durable/schedule";
import { countedSql, inObjectStorage } from "./storage";

const inObject = <R>(cb: (sql: SqlStorage) => R | Promise<R>): Promise<R> => inObjectStorage("TEST:SCHEDULE", cb);

const request = (recorderId: string, receivedMs: number) =>
  ({ recorder: { id: recorderId }, receivedAt: new Date(receivedMs).toISOString(), signal: {} }) as unknown as SignalRequest;

describe("ScheduledSignals", () => {
  it("counts per recorder and the earliest deadline follow add and remove, with no storage read to ask them", async () => {
    await inObject((raw) => {
      const { sql, execs: reads } = countedSql(raw);
      const s = new ScheduledSignals(sql);
      expect([s.count(), s.count("a"), s.nextDeadlineMs(), s.anyDue(Date.parse("2030-01-01T00:00:00Z"))]).toEqual([0, 0, null, false]);
      const t = Date.parse("2026-12-03T14:30:00Z");
      s.add("s1", request("a", t), t + 60_000);
      s.add("s2", request("b", t + 1000), t + 30_000);
      s.add("s3", request("a", t + 2000), t + 10_000); // raised to a's earlier deadline: receive order per recorder
      reads.n = 0;
      expect([s.count(), s.count("a"), s.count("b"), s.count("c"), s.nextDeadlineMs()]).toEqual([3, 2, 1, 0, t + 30_000]);
      expect([s.anyDue(t - 1), s.anyDue(t)]).toEqual([false, true]);
      expect(reads.n).toBe(0);
      expect(s.pendingFor("a").map((x) => [x.signalId, x.deadlineMs])).toEqual([["s1", t + 60_000], ["s3", t + 60_000]]);

      const [b] = s.pendingFor("b");
      s.remove(b.seq);
      expect([s.count(), s.count("a"), s.count("b"), s.nextDeadlineMs()]).toEqual([2, 2, 0, t + 60_000]);
      // A restart: a new instance over the same storage reads the same state back.
      const again = new ScheduledSignals(raw);
      expect([again.count(), again.count("a"), again.count("b"), again.nextDeadlineMs(), again.anyDue(t)]).toEqual([2, 2, 0, t + 60_000, true]);
      for (const x of s.pendingFor()) s.remove(x.seq);
      expect([s.count(), s.count("a"), s.nextDeadlineMs(), s.anyDue(Date.parse("2030-01-01T00:00:00Z"))]).toEqual([0, 0, null, false]);
      s.remove(12345); // a row already gone changes nothing
      expect([s.count(), s.nextDeadlineMs()]).toEqual([0, null]);
    });
  });
});
