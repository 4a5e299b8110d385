// The notification queue and the feed watch on a real Durable Object's SqlStorage: one entry per event key,
// finished keys not queued again, retries and dead letters; feed down only after a minute unhealthy, up once.
import { describe, expect, it } from "vitest";
import type { NotifyEvent } from "../../src/notify/events";
import { DOWN_AFTER_MS, FeedWatch, feedEvents } from "../../src/notify/feed-watch";
import { NotifyQueueStore } from "../../src/notify/queue-store";
import { countedSql, inObjectStorage } from "../durable/storage";

const inObject = <R>(cb: (sql: SqlStorage) => R | Promise<R>): Promise<R> => inObjectStorage("TEST:NOTIFY", cb);

const ev = (key: string): NotifyEvent => ({ kind: "rejected", key, recorderId: "r1", at: "t", signalId: key, symbol: null, code: "c", message: "m" });

describe("queue store", () => {
  it("one entry per key; a finished key is not queued again", async () => {
    await inObject((sql) => {
      const q = new NotifyQueueStore(sql);
      expect(q.enqueue(ev("a"), 1000)).toBe(true);
      expect(q.enqueue(ev("a"), 1001)).toBe(false);
      expect(q.enqueue(ev("b"), 1002)).toBe(true);
      expect(q.due(1001, 10).map((e) => e.key)).toEqual(["a"]);
      q.targetDone("a", "t1");
      expect(q.due(5000, 10)[0].done).toEqual(["t1"]);
      q.finish("a", 2000);
      expect(q.enqueue(ev("a"), 3000)).toBe(false);
      expect(q.size()).toBe(1);
    });
  });

  it("a failed round waits until its next time; a dead letter leaves the queue for good", async () => {
    await inObject((sql) => {
      const q = new NotifyQueueStore(sql);
      q.enqueue(ev("a"), 1000);
      q.retry("a", "HTTP 500", 3000);
      expect(q.due(2999, 10)).toEqual([]);
      expect(q.due(3000, 10)[0]).toMatchObject({ key: "a", attempts: 1 });
      expect(q.nextDueMs()).toBe(3000);
      q.deadLetter("a", "HTTP 500", 4000);
      expect(q.size()).toBe(0);
      expect(q.deadCount()).toBe(1);
      expect(q.nextDueMs()).toBeNull();
      expect(q.enqueue(ev("a"), 5000)).toBe(false);
    });
  });

  it("an empty queue is known empty: asking when the next event is due reads nothing until one is queued", async () => {
    await inObject((raw) => {
      const { sql, execs } = countedSql(raw);
      const q = new NotifyQueueStore(sql);
      expect(q.nextDueMs()).toBeNull();
      execs.n = 0;
      expect([q.nextDueMs(), q.size()]).toEqual([null, 0]);
      expect(execs.n).toBe(0);
      expect(q.enqueue(ev("a"), 1000)).toBe(true);
      expect([q.nextDueMs(), q.size()]).toEqual([1000, 1]);
      q.finish("a", 2000);
      expect(q.enqueue(ev("a"), 3000)).toBe(false); // finished lately: not queued, and the queue stays empty
      expect([q.nextDueMs(), q.size()]).toEqual([null, 0]);
      // A restart with an event owed: a new store does not assume empty.
      q.enqueue(ev("b"), 4000);
      expect(new NotifyQueueStore(raw).nextDueMs()).toBe(4000);
    });
  });
});

describe("feed watch", () => {
  it("down after a minute unhealthy with positions open, once; up at the first healthy look, to the same recorders", async () => {
    await inObject((sql) => {
      const store = new NotifyQueueStore(sql);
      const w = new FeedWatch(store);
      const t0 = 1_000_000;
      expect(w.observe({ nowMs: t0, state: "streaming", recorders: ["r1"] })).toBeNull();
      expect(w.observe({ nowMs: t0 + 1, state: "backoff", recorders: ["r1"] })).toBeNull();
      expect(w.observe({ nowMs: t0 + DOWN_AFTER_MS - 1, state: "connecting", recorders: ["r1"] })).toBeNull();
      const down = w.observe({ nowMs: t0 + DOWN_AFTER_MS + 1, state: "backoff", recorders: ["r1", "r2"] });
      expect(down).toEqual({ kind: "feed_down", recorders: ["r1", "r2"], sinceMs: t0 + 1 });
      expect(w.observe({ nowMs: t0 + 2 * DOWN_AFTER_MS, state: "backoff", recorders: ["r1", "r2"] })).toBeNull();
      // The "down" survives a restart: a new watch over the same storage sends the "up".
      const after = new FeedWatch(store);
      const up = after.observe({ nowMs: t0 + 3 * DOWN_AFTER_MS, state: "streaming", recorders: ["r1"] });
      expect(up).toMatchObject({ kind: "feed_up", recorders: ["r1", "r2"] });
      expect(after.observe({ nowMs: t0 + 3 * DOWN_AFTER_MS + 1, state: "streaming", recorders: ["r1"] })).toBeNull();
      const events = feedEvents(down!, "CME_MINI:MNQ1!", { nowMs: t0 + DOWN_AFTER_MS + 1, state: "backoff", error: null });
      expect(events.map((e) => [e.kind, e.recorderId, e.key])).toEqual([
        ["feed_down", "r1", `feed_down:CME_MINI:MNQ1!:${t0 + 1}:r1`],
        ["feed_down", "r2", `feed_down:CME_MINI:MNQ1!:${t0 + 1}:r2`],
      ]);
    });
  });

  it("a reconnect within the minute, or a feed down without positions, says nothing", async () => {
    await inObject((sql) => {
      const w = new FeedWatch(new NotifyQueueStore(sql));
      expect(w.observe({ nowMs: 0, state: "backoff", recorders: ["r1"] })).toBeNull();
      expect(w.observe({ nowMs: DOWN_AFTER_MS - 10, state: "streaming", recorders: ["r1"] })).toBeNull();
      expect(w.observe({ nowMs: DOWN_AFTER_MS + 10, state: "backoff", recorders: ["r1"] })).toBeNull();
      expect(w.observe({ nowMs: 10 * DOWN_AFTER_MS, state: "idle", recorders: [] })).toBeNull();
    });
  });
});
