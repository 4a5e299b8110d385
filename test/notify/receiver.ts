// The local notification receiver (test/notify-receiver.mjs, started by global-setup.ts) as tests use it: a fresh
// "box" per test, its URL for a target, its controls and its log.
import { inject } from "vitest";
import { apiJson } from "../helpers";

export const RECEIVER = `http://127.0.0.1:${inject("receiverPort")}`;
/** The fake feed reports a delayed mode once it is connected; signals here are applied at once (no tick needed). */
export const IMMEDIATE = { delayedFeed: "immediate" };

export interface Received {
  path: string;
  body: string;
  contentType: string | null;
  receivedAt: number;
  answeredAt: number | null;
  status: number | null;
}

/** A fresh receiver box: its URL and its controls. */
export function newBox() {
  const name = `box-${crypto.randomUUID()}`;
  return {
    url: `${RECEIVER}/r/${name}/hook`,
    async configure(cfg: Record<string, unknown>) {
      const r = await fetch(`${RECEIVER}/_ctl/${name}`, { method: "POST", body: JSON.stringify(cfg) });
      await r.text();
    },
    async release() {
      await (await fetch(`${RECEIVER}/_release/${name}`, { method: "POST" })).text();
    },
    async log(): Promise<Received[]> {
      return (await fetch(`${RECEIVER}/_log/${name}`)).json();
    },
    async bodies(): Promise<any[]> {
      return (await this.log()).filter((e) => e.status !== null && e.status < 300).map((e) => JSON.parse(e.body));
    },
    /** Polls until `pred` holds on the log (generous: no test may fail for being slow). */
    async waitFor(pred: (log: Received[]) => boolean, what: string, timeoutMs = 90_000): Promise<Received[]> {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const log = await this.log();
        if (pred(log)) return log;
        if (Date.now() > end) throw new Error(`receiver: timed out waiting for ${what}; got ${JSON.stringify(log.map((e) => [e.status, e.body.slice(0, 80)]))}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

export const delivered = (log: Received[]) => log.filter((e) => e.status !== null && e.status < 300);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Adds a notification target to a recorder (201 expected). */
export async function addTarget(recorderId: string, body: Record<string, unknown>) {
  return (await apiJson("POST", `/api/recorders/${recorderId}/notifications`, body, 201)).target;
}
