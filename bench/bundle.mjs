// esbuild settings the bench phases share: a Worker bundle for workerd (served by wrangler dev as is, or rebuilt by
// it) and a Node bundle for the pure-TypeScript phases.
import * as esbuild from "esbuild";

/** Bundles `entry` for workerd (cloudflare:* and node:* stay imports). */
export function bundleForWorkerd(entry, outfile) {
  return esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser", "import"],
    mainFields: ["module", "main"],
    external: ["cloudflare:*", "node:*"],
    outfile,
    logLevel: "warning",
  });
}

/** Bundles `entry` for Node. */
export function bundleForNode(entry, outfile) {
  return esbuild.build({ entryPoints: [entry], bundle: true, platform: "node", format: "esm", outfile, logLevel: "warning" });
}
