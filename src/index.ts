// Worker entry: the Hono app for webhooks and the admin API, the daily housekeeping, and the Durable Object
// classes (symbol objects, recorder gates, the symbol directory).
import { buildApp } from "./api/app";
import { dropExpiredSignals } from "./queries/retention";

export { SymbolObject } from "./durable/symbol-object";
export { RecorderGate } from "./durable/recorder-gate";
export { SymbolDirectory } from "./durable/symbol-directory";

const app = buildApp();

export default {
  fetch: app.fetch,
  // Cron (wrangler.toml [triggers]): signal-log retention.
  async scheduled(_controller, env) {
    await dropExpiredSignals(env.DB, new Date());
  },
} satisfies ExportedHandler<Env>;
