// Worker entry: the Hono app for webhooks and the admin API, the daily housekeeping, and the Durable Object
// classes (symbol objects, recorder gates, the symbol directory, the live hub of the dashboards' WebSockets).
import { buildApp } from "./api/app";
import { runDailySummaries } from "./notify/daily-summary";
import { dropExpiredSignals } from "./queries/retention";

export { SymbolObject } from "./durable/symbol-object";
export { RecorderGate } from "./durable/recorder-gate";
export { SymbolDirectory } from "./durable/symbol-directory";
export { LiveHub } from "./durable/live-hub";

const app = buildApp();
/** Must match the daily entry of `crons` in wrangler.toml. */
const RETENTION_CRON = "17 4 * * *";

export default {
  fetch: app.fetch,
  // Crons (wrangler.toml [triggers]): signal-log retention once a day; daily notification summaries on every run
  // (every 5 minutes, so a trading day's summary goes out within minutes of its end).
  async scheduled(controller, env) {
    if (controller.cron === RETENTION_CRON) await dropExpiredSignals(env.DB, new Date());
    await runDailySummaries(env, controller.scheduledTime);
  },
} satisfies ExportedHandler<Env>;
