// Encryption at rest for TradingView credentials (session cookies, auth tokens) kept in D1's `settings` table.
// AES-256-GCM with a key derived from the TV_SESSION_KEY secret by HKDF-SHA-256; the `purpose` (e.g.
// "tv_session") is both the HKDF info and the GCM additional data, so a ciphertext copied into another setting
// does not decrypt. Format: `v1.<iv b64url>.<ciphertext+tag b64url>`.
import { base64url } from "../lib/crypto";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const SALT = encoder.encode("edge-trade-recorder/tradingview/v1");
const keys = new Map<string, Promise<CryptoKey>>();

/** A secret shorter than this is a configuration mistake, not a key. */
export const MIN_SECRET_LENGTH = 16;

export function hasUsableSecret(secret: string | undefined): secret is string {
  return typeof secret === "string" && secret.length >= MIN_SECRET_LENGTH;
}

function fromBase64url(s: string): Uint8Array {
  const b = atob(s.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (s.length % 4)) % 4));
  return Uint8Array.from(b, (c) => c.charCodeAt(0));
}

function deriveKey(secret: string, purpose: string): Promise<CryptoKey> {
  const id = `${purpose}\u0000${secret}`;
  let key = keys.get(id);
  if (!key) {
    key = crypto.subtle
      .importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"])
      .then((base) =>
        crypto.subtle.deriveKey(
          { name: "HKDF", hash: "SHA-256", salt: SALT, info: encoder.encode(purpose) },
          base,
          { name: "AES-GCM", length: 256 },
          false,
          ["encrypt", "decrypt"],
        ),
      );
    keys.set(id, key);
  }
  return key;
}

export async function seal(secret: string, purpose: string, plaintext: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = await deriveKey(secret, purpose);
  const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: encoder.encode(purpose) }, key, encoder.encode(plaintext));
  return `v1.${base64url(iv)}.${base64url(new Uint8Array(ct))}`;
}

/** Throws when the text was not sealed with this secret and purpose (or was altered). */
export async function unseal(secret: string, purpose: string, sealed: string): Promise<string> {
  const [v, iv, ct] = sealed.split(".");
  if (v !== "v1" || !iv || !ct) throw new Error("unknown sealed format");
  const key = await deriveKey(secret, purpose);
  const pt = await crypto.subtle.decrypt({ name: "AES-GCM", iv: fromBase64url(iv), additionalData: encoder.encode(purpose) }, key, fromBase64url(ct));
  return decoder.decode(pt);
}
