// Browser session cookies -> quote-socket auth token, as the open-source clients do it: GET the home page with the
// cookies, following redirects by hand (at most 5, cookies only to the same site), and read `"auth_token":"…"`
// from the HTML. The token is a JWT (~4 h); its `exp` tells when to refresh.

export interface TvCookies {
  sessionid: string;
  sessionid_sign?: string;
}

export interface AuthToken {
  token: string;
  /** Epoch seconds. */
  exp: number;
}

/** The cookies do not log in (no token on the page): the user must paste fresh ones. Not worth retrying. */
export class SessionRejected extends Error {}
/** TradingView could not be reached or answered with a server error: worth retrying later. */
export class ExchangeUnavailable extends Error {}

export const WRONG_SESSION = "wrong or expired session";
const MAX_REDIRECTS = 5;
/** Used when the token is not a readable JWT: assume a short life so it is refreshed soon. */
const UNKNOWN_TTL_SEC = 3600;
const TOKEN_RE = /"auth_token"\s*:\s*"([^"\\]{8,4096})"/;
const UA =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36";

export function cookieHeader(c: TvCookies): string {
  return c.sessionid_sign ? `sessionid=${c.sessionid}; sessionid_sign=${c.sessionid_sign}` : `sessionid=${c.sessionid}`;
}

/** The JWT's `exp` (epoch seconds), or null when the token is not a JWT with one. */
export function jwtExpiry(token: string): number | null {
  const part = token.split(".")[1];
  if (!part) return null;
  try {
    const json = atob(part.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (part.length % 4)) % 4));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === "number" && Number.isFinite(exp) ? exp : null;
  } catch {
    return null;
  }
}

/** Same site: the same host, or both under the home host's parent domain (www. -> uk., etc.). */
function sameSite(home: URL, target: URL): boolean {
  if (target.protocol !== home.protocol && !(home.protocol === "http:" && target.protocol === "https:")) return false;
  if (target.hostname === home.hostname) return true;
  if (/^[\d.]+$|:/.test(home.hostname)) return false; // an IP address has no parent domain
  const parent = home.hostname.split(".").slice(-2).join(".");
  return target.hostname === parent || target.hostname.endsWith(`.${parent}`);
}

export async function exchangeSession(homeUrl: string, cookies: TvCookies, nowSec = Math.floor(Date.now() / 1000)): Promise<AuthToken> {
  const home = new URL(homeUrl);
  let url = home;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    let resp: Response;
    try {
      resp = await fetch(url.toString(), {
        redirect: "manual",
        headers: {
          Accept: "text/html",
          "User-Agent": UA,
          ...(sameSite(home, url) ? { Cookie: cookieHeader(cookies) } : {}),
        },
      });
    } catch (e) {
      throw new ExchangeUnavailable(`TradingView unreachable: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (resp.status >= 300 && resp.status < 400) {
      await resp.body?.cancel();
      const loc = resp.headers.get("location");
      if (!loc) throw new SessionRejected(`${WRONG_SESSION} (redirect without a location)`);
      url = new URL(loc, url);
      continue;
    }
    if (resp.status === 429 || resp.status >= 500) {
      await resp.body?.cancel();
      throw new ExchangeUnavailable(`TradingView answered HTTP ${resp.status}`);
    }
    if (!resp.ok) {
      await resp.body?.cancel();
      throw new SessionRejected(`${WRONG_SESSION} (HTTP ${resp.status})`);
    }
    const m = TOKEN_RE.exec(await resp.text());
    if (!m) throw new SessionRejected(WRONG_SESSION);
    const token = m[1];
    return { token, exp: jwtExpiry(token) ?? nowSec + UNKNOWN_TTL_SEC };
  }
  throw new SessionRejected(`${WRONG_SESSION} (more than ${MAX_REDIRECTS} redirects)`);
}
