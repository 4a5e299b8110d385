// Helpers for tests of the objects' storage classes (stores, queues, schedules) on a real Durable Object's
// SqlStorage, without going through the object's own methods.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";

let objects = 0;

/** Runs `cb` on the SqlStorage of a fresh symbol Durable Object named `${prefix}-…` (all the work happens inside
 * the object). */
export function inObjectStorage<R>(prefix: string, cb: (sql: SqlStorage) => R | Promise<R>): Promise<R> {
  const run = runInDurableObject as unknown as (s: unknown, cb: (obj: unknown, state: DurableObjectState) => Promise<R>) => Promise<R>;
  return run(env.SYMBOLS.getByName(`${prefix}-${++objects}-${crypto.randomUUID()}`), async (_obj, state) => cb(state.storage.sql));
}

/** `sql` with its statements counted (`execs.n`): what a cached answer must not read. */
export function countedSql(sql: SqlStorage): { sql: SqlStorage; execs: { n: number } } {
  const execs = { n: 0 };
  const exec = sql.exec.bind(sql);
  const counted = new Proxy(sql, {
    get: (target, prop) => (prop === "exec" ? (q: string, ...b: unknown[]) => (execs.n++, exec(q, ...b)) : Reflect.get(target, prop)),
  });
  return { sql: counted, execs };
}
