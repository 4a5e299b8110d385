#!/usr/bin/env node
// `npm run dev`: one command, one URL. Writes .dev.vars on first run (never overwrites it), applies the local D1
// migrations, builds the dashboard, and serves the Worker + dashboard with `wrangler dev` on $PORT (default 8787).
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const port = process.env.PORT || "8787";
// Local only by default: the admin API and webhooks are not for the whole network. HOST=0.0.0.0 to share.
const host = process.env.HOST || "127.0.0.1";
const varsPath = resolve(root, ".dev.vars");

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

console.log(`\nTrade recorder: http://localhost:${port}  (dashboard, /api, /webhook/:token, /health)\n`);
// wrangler's own request log prints every URL, and a webhook URL carries its secret token: keep it to warnings.
const dev = spawn("npx", ["wrangler", "dev", "--local", "--port", port, "--ip", host, "--log-level", "warn"], {
  cwd: root,
  stdio: "inherit",
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => dev.kill(sig));
dev.on("exit", (code) => process.exit(code ?? 0));
