// The set-up scripts' checks (plain Node, `node --test test/scripts/*.test.mjs`, part of `npm test`): dev's port check, deploy's refusals.
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
const lib = new URL("../../scripts/lib/", import.meta.url).href;
const { parsePort, portProblem, nextFreePort, portProblemMessage } = await import(`${lib}dev-port.mjs`);
const { pagesProblem, databaseIdProblem } = await import(`${lib}deploy-checks.mjs`);

test("parsePort", () => {
  assert.deepEqual(parsePort("8787"), { port: 8787 });
  for (const bad of ["", "abc", "0", "65536", "87.5", "-1", "8787x"]) assert.ok(parsePort(bad).error, bad);
});

test("a busy port is one line naming it and a free one", async () => {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address();
  try {
    const problem = await portProblem(port, "127.0.0.1");
    assert.equal(problem?.code, "EADDRINUSE");
    const next = await nextFreePort(port, "127.0.0.1");
    assert.equal(await portProblem(next, "127.0.0.1"), null);
    const line = portProblemMessage(port, problem, next);
    assert.ok(!line.includes("\n"));
    assert.match(line, new RegExp(`port ${port} is already in use.*PORT=${next} npm run dev$`));
  } finally {
    s.close();
  }
});

test("pagesProblem", () => {
  assert.equal(pagesProblem({}), null);
  assert.equal(pagesProblem({ PAGES_PROJECT: " " }), null);
  assert.match(pagesProblem({ PAGES_PROJECT: "p" }), /needs VITE_API_ORIGIN/);
  assert.match(pagesProblem({ PAGES_PROJECT: "p", VITE_API_ORIGIN: "" }), /needs VITE_API_ORIGIN/);
  for (const bad of ["x.workers.dev", "http://x.workers.dev", "https://x.workers.dev/api", "https://x.dev?a=1"])
    assert.match(pagesProblem({ PAGES_PROJECT: "p", VITE_API_ORIGIN: bad }), /must be the Worker's https origin/, bad);
  assert.equal(pagesProblem({ PAGES_PROJECT: "p", VITE_API_ORIGIN: "https://x.me.workers.dev/" }), null);
});

test("databaseIdProblem", () => {
  assert.match(databaseIdProblem('database_id = "00000000-0000-0000-0000-000000000000"'), /wrangler d1 create/);
  assert.match(databaseIdProblem("name = 'x'"), /wrangler d1 create/);
  assert.equal(databaseIdProblem('database_id = "3f1c2b9e-1111-2222-3333-444455556666"'), null);
});
