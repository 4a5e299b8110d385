// Secrets handling: webhook tokens are random 256-bit URL-safe strings, stored only as SHA-256 hashes, and every
// comparison against a secret is constant-time (crypto.subtle.timingSafeEqual, a Workers extension).

const encoder = new TextEncoder();

export function base64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** A new webhook token: 256 random bits, URL-safe (CONTRACT: ≥128 bits). */
export function newToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** "00".."ff", by byte: every webhook hashes its token (sha256Hex), and a table is several times cheaper than
 * formatting each byte. */
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
  let hex = "";
  for (let i = 0; i < digest.length; i++) hex += HEX[digest[i]];
  return hex;
}

/** Constant-time string equality: both sides are hashed first so lengths never leak. */
export async function secretEquals(a: string, b: string): Promise<boolean> {
  const [da, db] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(a)),
    crypto.subtle.digest("SHA-256", encoder.encode(b)),
  ]);
  return crypto.subtle.timingSafeEqual(da, db);
}
