// Secrets are not in wrangler.toml, so `wrangler types` cannot see them: declare them here.
interface Env {
  /** Bearer token for /api/* and /status (`wrangler secret put ADMIN_TOKEN`; `.dev.vars` locally). */
  ADMIN_TOKEN: string;
  /** Key material for encrypting stored TradingView cookies (AES-GCM). */
  TV_SESSION_KEY: string;
}
declare namespace Cloudflare {
  interface Env {
    ADMIN_TOKEN: string;
    TV_SESSION_KEY: string;
  }
}
