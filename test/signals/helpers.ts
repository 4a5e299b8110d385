import { expect } from "vitest";
import type { NormalizedSignal } from "../../src/engine/types";
import { parseWebhookBody, type ParseError } from "../../src/signals/parse";

/** Parses `body` (an object is JSON-encoded first) and expects success. */
export function ok(body: unknown): NormalizedSignal {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const r = parseWebhookBody(text);
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.signal;
}

/** Parses `body` and expects an error; returns it. */
export function err(body: unknown): ParseError {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const r = parseWebhookBody(text);
  if (r.ok) throw new Error(`expected an error, got ${JSON.stringify(r.signal)}`);
  return r.error;
}

/** Expects invalid_signal whose details name exactly `fields` (in any order); returns the details by field. */
export function invalidFields(body: unknown, fields: string[]): Record<string, string> {
  const e = err(body);
  expect(e.code).toBe("invalid_signal");
  const byField = Object.fromEntries((e.details ?? []).map((d) => [d.field, d.problem]));
  expect(Object.keys(byField).sort()).toEqual([...fields].sort());
  for (const f of fields) expect(e.message).toContain(f);
  return byField;
}
