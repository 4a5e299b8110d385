#!/usr/bin/env node
// `npm run dev`: one command, one URL. Writes .dev.vars on first run (never overwrites it), applies the local D1
// migrations, builds the dashboard, and serves the Worker + dashboard with `wrangler dev` on $PORT (default 8787).
// It checks the port first: a busy one is one line (which port, how to pick another) and exit code 1.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { nextFreePort, parsePort, portProblem, portProblemMessage } from "./lib/dev-port.mjs";

const root = resolve(import.meta.dirname, "..");
// Local only by default: the admin API and webhooks are not for the whole network. HOST=0.0.0.0 to share.
const host = process.env.HOST || "127.0.0.1";
const varsPath = resolve(root, ".dev.vars");

const parsed = parsePort(process.env.PORT || "8787");
if (parsed.error) {
  console.error(`npm run dev: ${parsed.error}`);
  process.exit(1);
}
const port = String(parsed.port);
const problem = await portProblem(parsed.port, host);
if (problem) {
  console.error(portProblemMessage(parsed.port, problem, await nextFreePort(parsed.port, host)));
  process.exit(1);
}

if (!existsSync(varsPath)) {
  const token = randomBytes(24).toString("base64url");
  const key = randomBytes(32).toString("base64url");
  writeFileSync(
    varsPath,
    `# Local secrets for wrangler dev (git-ignored). Written once by npm run dev; edit freely.\n` +
      `ADMIN_TOKEN=${token}\nTV_SESSION_KEY=${key}\n` +
      `# To watch drawdown move without a TradingView account, run \`npm run feed:sim\` and uncomment:\n` +
      `# TV_WS_URL=http://127.0.0.1:8790/socket.io/websocket\n`,
    { mode: 0o600 },
  );
  console.log(`\nCreated .dev.vars with a random ADMIN_TOKEN: read it with \`grep ADMIN_TOKEN ${varsPath}\`.\n`);
} else {
  console.log(`\nUsing the existing .dev.vars (ADMIN_TOKEN is there).\n`);
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, CI: "true" } });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

run("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local"]);
if (existsSync(resolve(root, "dashboard/index.html"))) run("npx", ["vite", "build", "dashboard", "--logLevel", "warn"]);

console.log(`\nTrade recorder: http://localhost:${port}  (dashboard, /api, /webhook/:token, /health)`);
console.log(
  `TradingView cannot reach localhost: for a public HTTPS URL run \`cloudflared tunnel --url http://127.0.0.1:${port}\`` +
    ` (README: "TradingView and a local npm run dev").\n`,
);
// wrangler's own request log prints every URL, and a webhook URL carries its secret token: keep it to warnings.
// wrangler's bin directly, not through npx: it passes SIGINT/SIGTERM on to wrangler (npx would die alone and leave
// wrangler holding the port).
const wrangler = resolve(root, "node_modules/wrangler/bin/wrangler.js");
const dev = spawn(process.execPath, [wrangler, "dev", "--local", "--port", port, "--ip", host, "--log-level", "warn"], {
  cwd: root,
  stdio: "inherit",
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => dev.kill(sig));
dev.on("exit", (code) => process.exit(code ?? 0));
