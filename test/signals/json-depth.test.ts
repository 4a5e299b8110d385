// CONTRACT "Bad input and faults": JSON nested deeper than 32 levels (the top-level object is level 1) is 400
// invalid_json, refused by a scan of the text before anything walks the value.
import { describe, expect, it } from "vitest";
import { nestsDeeperThan } from "../../src/signals/json-depth";
import { MAX_JSON_DEPTH } from "../../src/signals/limits";
import { err, ok } from "./helpers";

/** An object whose `a` holds `levels - 1` more nested levels: `levels` in all, the top-level object included. */
function nestedObjects(levels: number): string {
  return '{"action":"buy","a":' + '{"a":'.repeat(levels - 2) + "{}" + "}".repeat(levels - 2) + "}";
}
/** The top-level object plus `levels - 1` arrays inside one another. */
function nestedArrays(levels: number): string {
  return '{"action":"buy","a":' + "[".repeat(levels - 1) + "]".repeat(levels - 1) + "}";
}

describe("JSON depth", () => {
  it("the limit is 32", () => {
    expect(MAX_JSON_DEPTH).toBe(32);
  });

  it("32 levels are accepted, 33 are invalid_json (objects)", () => {
    expect(ok(nestedObjects(32))).toEqual({ action: "buy" });
    const e = err(nestedObjects(33));
    expect(e.code).toBe("invalid_json");
    expect(e.message).toMatch(/nested deeper than 32 levels/);
  });

  it("32 levels are accepted, 33 are invalid_json (arrays count as levels)", () => {
    expect(ok(nestedArrays(32))).toEqual({ action: "buy" });
    expect(err(nestedArrays(33)).code).toBe("invalid_json");
    expect(err("[".repeat(33) + "]".repeat(33)).code).toBe("invalid_json");
    // A top-level array of 32 is not too deep; it is refused for not being an object.
    expect(err("[".repeat(32) + "]".repeat(32)).code).toBe("invalid_signal");
  });

  it("4000 levels of objects or arrays are refused as invalid_json, no stack overflow", () => {
    const objects = '{"a":'.repeat(4000) + "1" + "}".repeat(4000);
    const arrays = "[".repeat(4000) + "]".repeat(4000);
    const unclosed = '{"action":"buy","x":' + "[".repeat(60_000);
    for (const text of [objects, arrays, unclosed]) {
      const e = err(text);
      expect(e.code).toBe("invalid_json");
      expect(e.message).toMatch(/nested deeper than 32 levels/);
    }
  });

  it("brackets inside strings do not count, escaped quotes included", () => {
    const deepText = "[".repeat(4000) + "{".repeat(4000);
    expect(ok({ action: "buy", comment: deepText })).toEqual({ action: "buy", comment: deepText });
    // An escaped quote does not end a string; an escaped backslash before the closing quote does not hide it.
    expect(ok(`{"action":"buy","k\\"{{":"\\\\","v":"${"[".repeat(40)}"}`)).toEqual({ action: "buy" });
  });

  it("nestsDeeperThan scans the text", () => {
    expect(nestsDeeperThan("{}", 1)).toBe(false);
    expect(nestsDeeperThan("{[]}", 1)).toBe(true);
    expect(nestsDeeperThan('{"a":"[[[["}', 1)).toBe(false);
    expect(nestsDeeperThan('{"a\\"":"[[[["}', 1)).toBe(false);
    expect(nestsDeeperThan('{"a\\\\":[]}', 1)).toBe(true);
    expect(nestsDeeperThan("[][][]", 1)).toBe(false);
    expect(nestsDeeperThan('{"a":[{}],"b":[{}]}', 3)).toBe(false);
    expect(nestsDeeperThan('{"a":[{}],"b":[{}]}', 2)).toBe(true);
  });
});
