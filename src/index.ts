// Worker entry: the Hono app for webhooks and the admin API, and the symbol Durable Object class.
import { buildApp } from "./api/app";

export { SymbolObject } from "./durable/symbol-object";

const app = buildApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
