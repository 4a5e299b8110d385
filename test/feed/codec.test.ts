import { describe, expect, it } from "vitest";
import { decodeFrames, decodePayload, encodeFrame, encodeMessage, heartbeatReply } from "../../src/feed/codec";

describe("codec", () => {
  it("frames with the JS string length", () => {
    expect(encodeFrame("~h~1")).toBe("~m~4~m~~h~1");
    expect(encodeMessage("set_auth_token", ["unauthorized_user_token"])).toBe(
      '~m~54~m~{"m":"set_auth_token","p":["unauthorized_user_token"]}',
    );
  });

  it("counts UTF-16 code units, not UTF-8 bytes (Korean text)", () => {
    const payload = JSON.stringify({ m: "qsd", p: ["qs_x", { n: "KRX:005930", s: "ok", v: { description: "삼성전자 보통주 나스닥" } }] });
    const bytes = new TextEncoder().encode(payload).length;
    expect(bytes).toBeGreaterThan(payload.length);
    const f = encodeFrame(payload);
    expect(f.startsWith(`~m~${payload.length}~m~`)).toBe(true);
    const frames = decodeFrames(f + encodeFrame("~h~3"));
    expect(frames).toHaveLength(2);
    expect(frames[0]).toMatchObject({ type: "message", m: "qsd" });
    expect((frames[0] as any).p[1].v.description).toBe("삼성전자 보통주 나스닥");
    expect(frames[1]).toEqual({ type: "heartbeat", payload: "~h~3" });
  });

  it("handles astral characters (surrogate pairs count as 2)", () => {
    const payload = JSON.stringify({ m: "x", p: ["📈"] });
    const [f] = decodeFrames(encodeFrame(payload));
    expect(f).toMatchObject({ type: "message", m: "x", p: ["📈"] });
  });

  it("decodes several packets and heartbeats batched in one message", () => {
    const data =
      encodeMessage("qsd", ["qs_a", { n: "A:B", s: "ok", v: { lp: 1 } }]) +
      encodeFrame("~h~12") +
      encodeMessage("qsd", ["qs_a", { n: "A:B", s: "ok", v: { lp: 2 } }]) +
      encodeMessage("quote_completed", ["qs_a", "A:B"]);
    const frames = decodeFrames(data);
    expect(frames.map((f) => f.type)).toEqual(["message", "heartbeat", "message", "message"]);
    expect((frames[2] as any).p[1].v.lp).toBe(2);
  });

  it("never splits on ~m~ inside a payload", () => {
    const payload = JSON.stringify({ m: "qsd", p: ["qs_a", { n: "A:B", s: "ok", v: { description: "weird ~m~5~m~ text ~h~1" } }] });
    const frames = decodeFrames(encodeFrame(payload) + encodeFrame("~h~2"));
    expect(frames).toHaveLength(2);
    expect((frames[0] as any).p[1].v.description).toBe("weird ~m~5~m~ text ~h~1");
  });

  it("decodes the hello packet (JSON without m)", () => {
    const [f] = decodeFrames(encodeFrame('{"session_id":"<0.1.2>_x","protocol":"json","auth_scheme_vsn":2}'));
    expect(f).toEqual({ type: "hello", data: { session_id: "<0.1.2>_x", protocol: "json", auth_scheme_vsn: 2 } });
  });

  it("keeps raw float noise", () => {
    const payload = '{"m":"qsd","p":["qs_a",{"n":"A:B","s":"ok","v":{"lp":8004.8000000000001819}}]}';
    const [f] = decodeFrames(`~m~${payload.length}~m~${payload}`);
    expect((f as any).p[1].v.lp).toBe(8004.8000000000001819);
  });

  it("reports malformed and partial input without throwing or dropping the rest", () => {
    const good = encodeMessage("qsd", ["qs_a", { n: "A:B", s: "ok", v: { lp: 3 } }]);
    // bad JSON inside a well-formed frame, then a good frame
    let frames = decodeFrames(encodeFrame("{not json") + good);
    expect(frames.map((f) => f.type)).toEqual(["malformed", "message"]);
    expect(frames[0]).toMatchObject({ reason: "bad_json" });
    // garbage before a frame: resynchronises on the next header
    frames = decodeFrames("garbage!" + good + encodeFrame("~h~9"));
    expect(frames.map((f) => f.type)).toEqual(["malformed", "message", "heartbeat"]);
    expect(frames[0]).toMatchObject({ reason: "bad_header", raw: "garbage!" });
    // truncated last frame (declared length past the end)
    frames = decodeFrames(good + good.slice(0, 20));
    expect(frames.map((f) => f.type)).toEqual(["message", "malformed"]);
    expect(frames[1]).toMatchObject({ reason: "truncated" });
    // non-numeric length, bad shapes
    expect(decodeFrames("~m~abc~m~{}")[0]).toMatchObject({ type: "malformed", reason: "bad_header" });
    expect(decodePayload("[1,2]")).toMatchObject({ type: "malformed", reason: "bad_shape" });
    expect(decodePayload('{"m":5}')).toMatchObject({ type: "malformed", reason: "bad_shape" });
    expect(decodePayload('{"m":"x","p":{}}')).toMatchObject({ type: "malformed", reason: "bad_shape" });
    expect(decodePayload('{"m":"x"}')).toMatchObject({ type: "message", m: "x", p: [] });
    expect(decodeFrames("")).toEqual([]);
    expect(() => decodeFrames(undefined as unknown as string)).not.toThrow();
  });

  it("heartbeat reply is the same framed ~h~K", () => {
    const [hb] = decodeFrames("~m~5~m~~h~12");
    expect(hb).toEqual({ type: "heartbeat", payload: "~h~12" });
    expect(heartbeatReply(hb as any)).toBe("~m~5~m~~h~12");
    expect(heartbeatReply("~h~7")).toBe("~m~4~m~~h~7");
  });
});
