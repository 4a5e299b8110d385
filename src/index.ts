import { DurableObject } from "cloudflare:workers";
export class SymbolObject extends DurableObject<Env> {
  async ping() { return "pong"; }
}
export default { async fetch() { return new Response("ok"); } } satisfies ExportedHandler<Env>;
