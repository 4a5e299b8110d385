#!/usr/bin/env node
// `npm run deploy`: D1 migrations, the Worker (which also serves the dashboard from dashboard/dist), and —
// when PAGES_PROJECT is set — the dashboard as a separate Cloudflare Pages site talking to the Worker's API
// (VITE_API_ORIGIN, the Worker's URL; the Pages project is created once with `npx wrangler pages project create`).
// Needs `wrangler login` (or CLOUDFLARE_API_TOKEN) and a real database_id in wrangler.toml.
// Checks first, before anything remote: each problem is one line, then exit code 1.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { databaseIdProblem, pagesProblem } from "./lib/deploy-checks.mjs";

const root = resolve(import.meta.dirname, "..");

const wranglerToml = readFileSync(resolve(root, "wrangler.toml"), "utf8");
const problems = [pagesProblem(process.env), databaseIdProblem(wranglerToml)].filter(Boolean);
if (problems.length) {
  for (const p of problems) console.error(`npm run deploy: ${p}`);
  process.exit(1);
}

function run(cmd, args, env = {}) {
  console.log(`\n$ ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

run("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--remote"]);
// The Worker serves this copy itself: its API is on the same origin, whatever VITE_API_ORIGIN says.
run("npx", ["vite", "build", "dashboard"], { VITE_API_ORIGIN: "" });
run("npx", ["wrangler", "deploy"]);
const project = (process.env.PAGES_PROJECT ?? "").trim();
if (project) {
  const branch = process.env.PAGES_BRANCH?.trim() || "main";
  run("npx", ["vite", "build", "dashboard"], { VITE_API_ORIGIN: process.env.VITE_API_ORIGIN.trim() });
  run("npx", ["wrangler", "pages", "deploy", "dashboard/dist", "--project-name", project, "--branch", branch]);
}
console.log("\nDone. Set the secrets once: npx wrangler secret put ADMIN_TOKEN; npx wrangler secret put TV_SESSION_KEY");
