// The one place that turns names into Durable Object stubs, typed by their RPC surface.
import type { RecorderGate } from "./recorder-gate";
import type { SymbolDirectory } from "./symbol-directory";
import { DIRECTORY_NAME } from "./symbol-directory";
import type { SymbolObject } from "./symbol-object";

/** The symbol object of a feed symbol (`CME_MINI:MNQ1!`). */
export function symbolStub(env: Env, feedSymbol: string): DurableObjectStub<SymbolObject> {
  return env.SYMBOLS.getByName(feedSymbol);
}

/** A recorder's gate: its rate limit and the log of its signals refused before a symbol was known. */
export function gateStub(env: Env, recorderId: string): DurableObjectStub<RecorderGate> {
  return env.GATES.getByName(recorderId);
}

export function directoryStub(env: Env): DurableObjectStub<SymbolDirectory> {
  return env.DIRECTORY.getByName(DIRECTORY_NAME);
}
