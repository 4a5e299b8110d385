// Runs in Node before the Workers-runtime tests: starts the protocol-faithful fake TradingView server on
// 127.0.0.1 and hands its port to the test Worker (TV_WS_URL) through vitest's provide/inject; and the local
// notification receiver (notify-receiver.mjs), whose port the notification tests inject as "receiverPort".
import type { TestProject } from "vitest/node";
import { startFakeTradingView } from "./fake-tv/server.mjs";
import { startReceiver } from "./notify-receiver.mjs";

export default async function setup(project: TestProject) {
  const server = await startFakeTradingView({ port: 0 });
  project.provide("fakeTvPort", server.port);
  const receiver = await startReceiver();
  project.provide("receiverPort", receiver.port);
  return async () => {
    await server.close();
    await receiver.close();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    fakeTvPort: number;
    receiverPort: number;
  }
}
