// Runs in Node before the Workers-runtime tests: starts the protocol-faithful fake TradingView server on
// 127.0.0.1 and hands its port to the test Worker (TV_WS_URL) through vitest's provide/inject.
import type { TestProject } from "vitest/node";
import { startFakeTradingView } from "./fake-tv/server.mjs";

export default async function setup(project: TestProject) {
  const server = await startFakeTradingView({ port: 0 });
  project.provide("fakeTvPort", server.port);
  return async () => {
    await server.close();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    fakeTvPort: number;
  }
}
