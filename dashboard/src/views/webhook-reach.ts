// Whether TradingView can reach a webhook URL: it sends webhooks only to public HTTPS addresses on ports 443/80,
// so a URL on http, localhost or a private network address gets the set-up helper's explanation (the text is the
// one `npm run dev` users read in the README) with this dashboard's own port filled in.
import { h } from "../dom";

/** True for http:, localhost, loopback, private (RFC 1918), link-local and .local hosts. */
export function unreachableByTradingView(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return true;
  }
  if (u.protocol !== "https:") return true;
  if (u.port && u.port !== "443") return true;
  const host = u.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost") || host.endsWith(".local") || host === "::1") return true;
  const ip = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  if (ip) {
    const [a, b] = [Number(ip[1]), Number(ip[2])];
    return a === 127 || a === 10 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
  }
  return /^(fc|fd|fe80)/.test(host);
}

function portOf(url: string): string {
  try {
    const u = new URL(url);
    return u.port || (u.protocol === "https:" ? "443" : "80");
  } catch {
    return "8787";
  }
}

/** The explanation, or null when the URL is one TradingView can call. */
export function reachNote(url: string): HTMLElement | null {
  if (!unreachableByTradingView(url)) return null;
  const port = portOf(url);
  return h(
    "div",
    { class: "alert alert-warn tunnel-help", "data-testid": "tunnel-help" },
    "TradingView can't reach this address. It sends webhooks only to public HTTPS addresses (ports 443/80). To try alerts against your own machine, run ",
    h("code", null, `cloudflared tunnel --url http://127.0.0.1:${port}`),
    ", open this dashboard at the ",
    h("code", null, "https://….trycloudflare.com"),
    " address it prints, and copy the webhook URL from there (the address changes each time the tunnel restarts). For alerts you rely on, deploy with ",
    h("code", null, "npm run deploy"),
    ". TradingView webhook alerts need a paid plan with 2-factor authentication turned on.",
  );
}
