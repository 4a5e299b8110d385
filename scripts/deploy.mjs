#!/usr/bin/env node
// `npm run deploy`: D1 migrations, the Worker (which also serves the dashboard from dashboard/dist), and —
// when PAGES_PROJECT is set — the dashboard as a separate Cloudflare Pages site talking to the Worker's API.
// Needs `wrangler login` (or CLOUDFLARE_API_TOKEN) and a real database_id in wrangler.toml.
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
function run(cmd, args, env = {}) {
  console.log(`\n$ ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

run("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--remote"]);
run("npx", ["vite", "build", "dashboard"]);
run("npx", ["wrangler", "deploy"]);
if (process.env.PAGES_PROJECT) {
  // A Pages build needs to know where the API lives (VITE_API_ORIGIN, e.g. https://edge-trade-recorder.<you>.workers.dev).
  run("npx", ["vite", "build", "dashboard"], { VITE_API_ORIGIN: process.env.VITE_API_ORIGIN ?? "" });
  run("npx", ["wrangler", "pages", "deploy", "dashboard/dist", "--project-name", process.env.PAGES_PROJECT]);
}
console.log("\nDone. Set the secrets once: npx wrangler secret put ADMIN_TOKEN; npx wrangler secret put TV_SESSION_KEY");
