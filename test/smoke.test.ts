import { env, exports } from "cloudflare:workers";
import { expect, it } from "vitest";
it("boots", async () => {
  const r = await exports.default.fetch("http://x/health");
  expect(await r.text()).toBe("ok");
  expect(await env.SYMBOLS.getByName("a").ping()).toBe("pong");
});
