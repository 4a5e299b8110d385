// The bench's real Worker + objects under `wrangler dev --local` (bench/app-worker.ts, bench/wrangler.burst.toml),
// shared by the burst and dashboards phases: a fresh admin token and D1 in `persist`, the Worker bundled once
// (wrangler then watches only the bundle, so edits to src/ during a run cannot restart it mid-measurement), and
// the admin API and the bench's counters as functions.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { bundleForWorkerd } from "./bundle.mjs";

const CONFIG = "bench/wrangler.burst.toml";

/** Starts the app Worker; `vars` become .dev.vars lines and `extraArgs` wrangler arguments. */
export async function startAppServer({ ROOT, tmp, name, startWrangler, vars = {}, extraArgs = [] }) {
  const persist = path.join(tmp, name);
  const admin = `bench-${randomBytes(12).toString("hex")}`;
  const envFile = path.join(tmp, `${name}.dev.vars`);
  const lines = { ADMIN_TOKEN: admin, TV_SESSION_KEY: randomBytes(24).toString("hex"), ...vars };
  writeFileSync(envFile, Object.entries(lines).map(([k, v]) => `${k}=${v}\n`).join(""));
  // alone in its directory: wrangler watches it
  await bundleForWorkerd(path.join(ROOT, "bench/app-worker.ts"), path.join(ROOT, "bench/.build/burst/app-worker.mjs"));
  const mig = spawnSync("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--config", CONFIG, "--persist-to", persist], {
    cwd: ROOT, encoding: "utf8", env: { ...process.env, CI: "1", WRANGLER_SEND_METRICS: "false" }, timeout: 120_000,
  });
  if (mig.status !== 0) throw new Error(`${name}: migrations failed:\n${mig.stdout}\n${mig.stderr}`);
  const w = await startWrangler(["--config", CONFIG, "--persist-to", persist, "--env-file", envFile, ...extraArgs], `${name} bench`);
  const auth = { Authorization: `Bearer ${admin}` };
  const api = async (p, init = {}) => {
    const r = await fetch(`${w.base}${p}`, { ...init, headers: { ...auth, ...(init.headers ?? {}) } });
    const j = await r.json().catch(() => null);
    if (!r.ok) throw new Error(`${name}: ${init.method ?? "GET"} ${p.split("?")[0]} -> ${r.status} ${j?.error?.code ?? ""}`);
    return j;
  };
  const stats = async () => (await fetch(`${w.base}/__bench/stats`)).json();
  const reset = async () => (await fetch(`${w.base}/__bench/reset`, { method: "POST" })).json();
  return { w, admin, auth, api, stats, reset };
}
