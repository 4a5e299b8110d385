// Shared helpers for Workers-runtime tests that go through HTTP, as a user does.
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";

export const ADMIN = "test-admin-token";
const BASE = "http://recorder.test";

export async function api(method: string, path: string, body?: unknown, token = ADMIN): Promise<Response> {
  return exports.default.fetch(`${BASE}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export async function apiJson<T = any>(method: string, path: string, body?: unknown, expectStatus = 200): Promise<T> {
  const r = await api(method, path, body);
  const json = (await r.json()) as T;
  if (r.status !== expectStatus) throw new Error(`${method} ${path} -> ${r.status} ${JSON.stringify(json)}`);
  return json;
}

export interface TestRecorder {
  id: string;
  webhookToken: string;
  webhookPath: string;
  [k: string]: unknown;
}

export async function createRecorder(settings: Record<string, unknown> = {}): Promise<TestRecorder> {
  const { recorder } = await apiJson<{ recorder: TestRecorder }>("POST", "/api/recorders", { name: "test", ...settings }, 201);
  return recorder;
}

/** Posts a webhook body (an object is JSON-encoded; a string is sent as is, as TradingView's text/plain). */
export async function webhook(rec: { webhookPath: string }, body: unknown, contentType = "text/plain"): Promise<Response> {
  return exports.default.fetch(`${BASE}${rec.webhookPath}`, {
    method: "POST",
    headers: { "Content-Type": contentType },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export async function signal<T = any>(rec: { webhookPath: string }, body: unknown, expectStatus = 200): Promise<T> {
  const r = await webhook(rec, body);
  const json = (await r.json()) as T;
  if (r.status !== expectStatus) throw new Error(`webhook -> ${r.status} ${JSON.stringify(json)}`);
  return json;
}

/** The symbol object's RPC surface as tests use it (typed by hand: the inferred stub type is too deep for tsc). */
export interface SymbolRpc {
  tick(price: number, at?: string): Promise<void>;
  outboxSize(): Promise<number>;
  status(): Promise<any>;
  openPositions(): Promise<any[]>;
}

export function symbolStub(feedSymbol: string): DurableObjectStub & SymbolRpc {
  return env.SYMBOLS.getByName(feedSymbol) as unknown as DurableObjectStub & SymbolRpc;
}

/** Drives the symbol's tick seam, as the feed does. */
export async function tick(feedSymbol: string, price: number, at?: string): Promise<void> {
  await symbolStub(feedSymbol).tick(price, at ?? new Date().toISOString());
}

export async function openPositions(recorderId: string): Promise<any[]> {
  const { positions } = await apiJson<{ positions: any[] }>("GET", `/api/positions?status=open&recorderId=${recorderId}`);
  return positions;
}

export async function tradesOf(recorderId: string): Promise<any[]> {
  const { trades } = await apiJson<{ trades: any[] }>("GET", `/api/trades?recorderId=${recorderId}`);
  return trades;
}

let contractCounter = 0;
/** A distinct MNQ contract month per call, so tests in one file never share a symbol Durable Object. */
export function freshMnq(): { ticker: string; feedSymbol: string } {
  const months = "FGHJKMNQUVXZ";
  const n = contractCounter++;
  const month = months[n % 12];
  const year = 2030 + Math.floor(n / 12);
  return { ticker: `MNQ${month}${year}`, feedSymbol: `CME_MINI:MNQ${month}${year}` };
}

export function expectError(json: any, code: string) {
  expect(json.ok).toBe(false);
  expect(json.error.code).toBe(code);
  expect(typeof json.error.message).toBe("string");
  expect(json.error.message.length).toBeGreaterThan(5);
}

/**
 * Evicts a symbol's object the way the platform does it to an object holding a live feed: the quote socket goes
 * first, then the instance. (workerd's test eviction waits for an object's outbound WebSocket and pending timers
 * to end, i.e. forever for a live feed, and fails after 30 s; the platform instead drops the socket.)
 * Wakes the object if it is not running.
 */
export async function evictSymbol(stub: DurableObjectStub): Promise<void> {
  const run = runInDurableObject as unknown as (s: unknown, cb: (obj: { dropFeed(): void }) => void) => Promise<void>;
  await run(stub, (obj) => obj.dropFeed());
  await evictDurableObject(stub);
}
