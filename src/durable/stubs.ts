// The one place that turns names into Durable Object stubs. Their types come from Env (worker-configuration.d.ts,
// `wrangler types`), typed by each class's RPC methods.
import { DIRECTORY_NAME } from "./symbol-directory";

/** The symbol object of a feed symbol (`CME_MINI:MNQ1!`). */
export function symbolStub(env: Env, feedSymbol: string) {
  return env.SYMBOLS.getByName(feedSymbol);
}

/** A recorder's gate: its rate limit and the log of its signals refused before a symbol was known. */
export function gateStub(env: Env, recorderId: string) {
  return env.GATES.getByName(recorderId);
}

export function directoryStub(env: Env) {
  return env.DIRECTORY.getByName(DIRECTORY_NAME);
}

/** The one live hub: the dashboards' WebSockets (GET /api/live), fed by the symbol objects. */
export const LIVE_HUB_NAME = "live";

export function liveHubStub(env: Env) {
  return env.LIVE.getByName(LIVE_HUB_NAME);
}
