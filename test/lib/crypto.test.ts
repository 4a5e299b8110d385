// The token hash (src/lib/crypto.ts): the stored `token_hash` of every recorder is sha256Hex of its token, so the
// function must stay standard SHA-256 in lowercase hex (FIPS 180-2 test vectors), whatever its implementation.
import { describe, expect, it } from "vitest";
import { newToken, secretEquals, sha256Hex } from "../../src/lib/crypto";

describe("sha256Hex", () => {
  it("is SHA-256 in lowercase hex", async () => {
    expect(await sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(await sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(await sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).toBe(
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
  });

  it("hashes a token; equal secrets compare equal, others not", async () => {
    const t = newToken();
    expect(await sha256Hex(t)).toMatch(/^[0-9a-f]{64}$/);
    expect([await secretEquals(t, t), await secretEquals(t, `${t}x`)]).toEqual([true, false]);
  });
});
