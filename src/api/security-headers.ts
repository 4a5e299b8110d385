// Security headers on every response the Worker itself produces (CONTRACT "Bad input and faults"): routes,
// errors, 404s and CORS preflights alike. Everything the Worker answers is JSON or CSV (the dashboard's HTML and
// JS are static assets with their own headers, dashboard/public/_headers), so the CSP allows nothing at all.
import { createMiddleware } from "hono/factory";

export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Cache-Control": "no-store",
};

/** Sets the headers on `res`, copying it first when its headers are immutable (a response from fetch()). */
export function withSecurityHeaders(res: Response): Response {
  try {
    for (const [k, v] of Object.entries(API_SECURITY_HEADERS)) res.headers.set(k, v);
    return res;
  } catch {
    const copy = new Response(res.body, res);
    for (const [k, v] of Object.entries(API_SECURITY_HEADERS)) copy.headers.set(k, v);
    return copy;
  }
}

/** Registered first, so it wraps everything else and sees the final response, error handler's included. */
export const securityHeaders = createMiddleware(async (c, next) => {
  await next();
  const res = withSecurityHeaders(c.res);
  if (res !== c.res) c.res = res;
});

const WEBHOOK_PATH = /\/webhook(?:\/[^\s"'<>?#]*)?/gi;

function fullyDecoded(path: string): string {
  let p = path;
  for (let i = 0; i < 4; i++) {
    try {
      const d = decodeURIComponent(p);
      if (d === p) break;
      p = d;
    } catch {
      break;
    }
  }
  return p;
}

/**
 * A request path fit to be shown in an error message, or null when it must not be: anything that is (or decodes
 * to) a webhook path carries a secret token. Long opaque segments (a token under a mistyped prefix) are masked too.
 */
export function displayPath(rawPath: string): string | null {
  const decoded = fullyDecoded(rawPath);
  if (/webhook/i.test(decoded) || /webhook/i.test(rawPath)) return null;
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const masked = rawPath
    .split("/")
    .map((seg) => (seg.length >= 24 && !uuid.test(seg) ? "***" : seg))
    .join("/");
  return masked.length > 200 ? `${masked.slice(0, 200)}…` : masked;
}

/** Masks any webhook path inside a free-text message (e.g. an HTTPException's). */
export function redactWebhookPaths(text: string): string {
  return text.replace(WEBHOOK_PATH, "/webhook/***");
}
