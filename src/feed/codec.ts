// TradingView quote-socket framing: `~m~<len>~m~<payload>`, several packets per WebSocket message.
// <len> is the JavaScript string length (UTF-16 code units) of the payload. Parsing goes strictly by the
// declared length (a payload may itself contain the text `~m~`). Pure: no Cloudflare imports.

export const FRAME_MARK = "~m~";
export const HEARTBEAT_PREFIX = "~h~";

export type Frame =
  /** `~h~K`; `payload` is the whole heartbeat text (e.g. "~h~12"), to be echoed framed. */
  | { type: "heartbeat"; payload: string }
  /** First server packet: a JSON object without `m` (session_id, release, protocol, auth_scheme_vsn...). */
  | { type: "hello"; data: Record<string, unknown> }
  /** `{"m": method, "p": [...]}`; `raw` = the full JSON payload (server packets may carry `t`, `t_ms`). */
  | { type: "message"; m: string; p: unknown[]; raw: Record<string, unknown> }
  /**
   * Input that could not be decoded. Never thrown: decoding continues with the next frame when possible.
   * reason: "bad_header" (no `~m~<digits>~m~` where a frame should start; skipped up to the next header),
   *         "truncated" (declared length runs past the end of the data: partial input, always the last item),
   *         "bad_json" (payload is neither a heartbeat nor valid JSON),
   *         "bad_shape" (valid JSON but not an object / `m` not a string / `p` not an array).
   */
  | { type: "malformed"; reason: "bad_header" | "truncated" | "bad_json" | "bad_shape"; raw: string };

export interface ClientMessage {
  m: string;
  p: unknown[];
}

/** `~m~<len>~m~<payload>` with len = payload.length (UTF-16 code units). */
export function encodeFrame(payload: string): string {
  return `${FRAME_MARK}${payload.length}${FRAME_MARK}${payload}`;
}

/** Frames `{"m": m, "p": p}`. */
export function encodeMessage(m: string, p: unknown[]): string {
  return encodeFrame(JSON.stringify({ m, p }));
}

/** The reply to a heartbeat frame: the same `~h~K`, framed. */
export function heartbeatReply(frame: { payload: string } | string): string {
  return encodeFrame(typeof frame === "string" ? frame : frame.payload);
}

const HEADER = /~m~(\d{1,9})~m~/y;
const HEADER_ANYWHERE = /~m~\d{1,9}~m~/g;

/** Decodes every packet of one WebSocket message. Never throws. */
export function decodeFrames(data: string): Frame[] {
  const out: Frame[] = [];
  if (typeof data !== "string") return out;
  let i = 0;
  while (i < data.length) {
    HEADER.lastIndex = i;
    const h = HEADER.exec(data);
    if (!h) {
      // Not at a frame header: report the garbage and resynchronise on the next header, if any.
      HEADER_ANYWHERE.lastIndex = i + 1;
      const next = HEADER_ANYWHERE.exec(data);
      const end = next ? next.index : data.length;
      out.push({ type: "malformed", reason: "bad_header", raw: data.slice(i, end) });
      i = end;
      continue;
    }
    const len = Number(h[1]);
    const start = i + h[0].length;
    if (start + len > data.length) {
      out.push({ type: "malformed", reason: "truncated", raw: data.slice(i) });
      break;
    }
    out.push(decodePayload(data.slice(start, start + len)));
    i = start + len;
  }
  return out;
}

/** Decodes one payload (the text inside a frame). Never throws. */
export function decodePayload(payload: string): Frame {
  if (payload.startsWith(HEARTBEAT_PREFIX)) return { type: "heartbeat", payload };
  let v: unknown;
  try {
    v = JSON.parse(payload);
  } catch {
    return { type: "malformed", reason: "bad_json", raw: payload };
  }
  if (!v || typeof v !== "object" || Array.isArray(v)) {
    return { type: "malformed", reason: "bad_shape", raw: payload };
  }
  const o = v as Record<string, unknown>;
  if (!("m" in o)) return { type: "hello", data: o };
  if (typeof o.m !== "string") return { type: "malformed", reason: "bad_shape", raw: payload };
  const p = o.p === undefined ? [] : o.p;
  if (!Array.isArray(p)) return { type: "malformed", reason: "bad_shape", raw: payload };
  return { type: "message", m: o.m, p, raw: o };
}
