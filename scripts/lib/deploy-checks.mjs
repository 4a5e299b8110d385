// The checks `npm run deploy` makes before it touches the network: each returns null or a one-line reason to stop.
// Plain functions of the environment and wrangler.toml's text, so they can be tested without Cloudflare.

const PLACEHOLDER_DB_ID = "00000000-0000-0000-0000-000000000000";

/** A Pages build needs the Worker's origin: without VITE_API_ORIGIN the dashboard would call the Pages site itself. */
export function pagesProblem(env) {
  const project = (env.PAGES_PROJECT ?? "").trim();
  if (!project) return null;
  const origin = (env.VITE_API_ORIGIN ?? "").trim();
  const example = "VITE_API_ORIGIN=https://edge-trade-recorder.<you>.workers.dev";
  if (!origin) {
    return (
      `PAGES_PROJECT=${project} needs VITE_API_ORIGIN, the Worker's URL (the Pages dashboard would otherwise call ` +
      `the Pages site for its API): run again with ${example}`
    );
  }
  let url;
  try {
    url = new URL(origin);
  } catch {
    url = null;
  }
  if (!url || url.protocol !== "https:" || url.username || url.password || url.search || url.hash || url.pathname !== "/") {
    return `VITE_API_ORIGIN must be the Worker's https origin, nothing after the host (got "${origin}"), e.g. ${example}`;
  }
  return null;
}

/** wrangler.toml as shipped has a placeholder D1 id: deploying with it fails at the first remote step. */
export function databaseIdProblem(wranglerToml) {
  const m = /^\s*database_id\s*=\s*"([^"]*)"/m.exec(wranglerToml);
  if (m && m[1] !== PLACEHOLDER_DB_ID && m[1].trim() !== "") return null;
  return (
    `wrangler.toml has no real D1 database_id yet: run \`npx wrangler d1 create trade-recorder\` and put the ` +
    `database_id it prints into wrangler.toml`
  );
}
