// JSON text for hostile webhook bodies, written by hand so a body can hold what JSON.stringify never writes:
// literal tokens such as -0, 1e400 or 12345678901234567890 (Raw), duplicate keys and keys like "__proto__"
// (Obj keeps its entries as a list), and nesting thousands of levels deep (Raw text, never a recursive value).

/** A literal piece of JSON text, inserted as is. `depth`: the nesting levels it opens (0 for a scalar). */
export class Raw {
  constructor(
    readonly text: string,
    readonly depth = 0,
  ) {}
}

/** An object as an ordered list of entries: duplicate keys and any key name allowed. */
export class Obj {
  constructor(readonly entries: [string, JVal][]) {}
}

export type JVal = string | number | boolean | null | Raw | Obj | JVal[];

export function ser(v: JVal): string {
  if (v instanceof Raw) return v.text;
  if (v instanceof Obj) return `{${v.entries.map(([k, x]) => `${JSON.stringify(k)}:${ser(x)}`).join(",")}}`;
  if (Array.isArray(v)) return `[${v.map(ser).join(",")}]`;
  if (typeof v === "number" && !Number.isFinite(v)) throw new Error(`not JSON: ${v} (use Raw)`);
  return JSON.stringify(v);
}

/** Nesting levels of a value (a scalar is 0, [] is 1). */
export function depthOf(v: JVal): number {
  if (v instanceof Raw) return v.depth;
  if (v instanceof Obj) return 1 + Math.max(0, ...v.entries.map(([, x]) => depthOf(x)));
  if (Array.isArray(v)) return 1 + Math.max(0, ...v.map(depthOf));
  return 0;
}

export function utf8Length(s: string): number {
  return new TextEncoder().encode(s).byteLength;
}

/** `n` levels of arrays or objects around `inner` (a Raw of depth n + inner's). */
export function nested(n: number, kind: "array" | "object", inner = "1"): Raw {
  const text = kind === "array" ? `${"[".repeat(n)}${inner}${"]".repeat(n)}` : `${'{"a":'.repeat(n)}${inner}${"}".repeat(n)}`;
  return new Raw(text, n);
}

/** Nesting depth of a JSON text (brackets inside strings do not count); the contract's top-level object is 1. */
export function textDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "[" || c === "{") max = Math.max(max, ++depth);
    else if (c === "]" || c === "}") depth--;
  }
  return max;
}

export const LOG_LIMIT = 8 * 1024;
export const BODY_LIMIT = 64 * 1024;

/**
 * What the signal log must hold for a body text, as JSON text for comparison (CONTRACT: at most its first 8 KiB,
 * `bodyTruncated` beyond): the parsed value when the text is at most 8 KiB and valid JSON within 32 levels, else
 * the text itself; beyond 8 KiB, `null` here (the row must then hold a prefix of the text, checked separately).
 */
export function expectedLogBody(text: string): string | null {
  if (utf8Length(text) > LOG_LIMIT) return null;
  const trimmed = text.replace(/^\uFEFF/, "").trim();
  let value: unknown = text;
  if (trimmed !== "" && textDepth(trimmed) <= 32) {
    try {
      value = JSON.parse(trimmed);
    } catch {
      value = text;
    }
  }
  return JSON.stringify(value) ?? "null";
}
