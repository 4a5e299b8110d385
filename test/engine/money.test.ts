import { describe, expect, it } from "vitest";
import { cleanPrice, roundCents, roundToTick } from "../../src/engine/money";

describe("roundCents", () => {
  it("rounds half away from zero despite float noise", () => {
    expect(roundCents(1.005)).toBe(1.01);
    expect(roundCents(-1.005)).toBe(-1.01);
    expect(roundCents(0.1 + 0.2)).toBe(0.3);
    expect(roundCents(15.625)).toBe(15.63);
    expect(roundCents(-15.625)).toBe(-15.63);
    expect(roundCents(2.675)).toBe(2.68);
    expect(roundCents(1.004999)).toBe(1);
  });
  it("never returns -0", () => {
    expect(Object.is(roundCents(-0.001), 0)).toBe(true);
    expect(Object.is(roundCents(-0), 0)).toBe(true);
  });
});

describe("roundToTick", () => {
  it("strips float noise", () => {
    expect(roundToTick(25580.000000000004, 0.25)).toBe(25580);
    expect(roundToTick(25600.13, 0.25)).toBe(25600.25);
    expect(roundToTick(25600.12, 0.25)).toBe(25600);
    expect(roundToTick(25600.125, 0.25)).toBe(25600.25); // half a tick rounds up
  });
  it("is exact for 6E, ZN, ZB, RTY, SI ticks", () => {
    expect(roundToTick(1.08507, 0.00005)).toBe(1.08505);
    expect(roundToTick(1.085076, 0.00005)).toBe(1.0851);
    expect(roundToTick(110.5, 0.015625)).toBe(110.5);
    expect(roundToTick(110.016, 0.015625)).toBe(110.015625);
    expect(roundToTick(120.03, 0.03125)).toBe(120.03125);
    expect(roundToTick(2000.3, 0.1)).toBe(2000.3);
    expect(roundToTick(0.1 + 0.2, 0.1)).toBe(0.3);
    expect(roundToTick(30.123, 0.005)).toBe(30.125);
  });
});

describe("cleanPrice", () => {
  it("keeps real decimals, drops noise", () => {
    expect(cleanPrice(0.30000000000000004)).toBe(0.3);
    expect(cleanPrice(25600.083333333332)).toBe(25600.0833333);
    expect(cleanPrice(1.0850500000000001)).toBe(1.08505);
  });
});

describe("fast paths", () => {
  // cleanPrice and roundCents skip toPrecision for quarter multiples and whole cents: the same answer, always.
  const slowClean = (x: number) => (!Number.isFinite(x) || x === 0 ? x + 0 : Number(x.toPrecision(12)) + 0);
  const slowCents = (x: number) => {
    const r = Math.round(Number((Math.abs(x) * 100).toPrecision(12)));
    return (x < 0 ? -r : r) / 100 + 0;
  };
  it("give what the 12-digit form gives, on quarter multiples, cents, noise and huge values", () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const xs: number[] = [1e10 - 0.25, 1e10, 1e10 + 0.25, -(1e10 - 0.25), 9_999_999_999.75, 123456789012.5, 0.25, -0.75];
    for (let i = 0; i < 20_000; i++) {
      const scale = 10 ** Math.floor(rnd() * 14 - 2);
      const q = Math.round(rnd() * 4 * scale) / 4;
      xs.push(q, -q, Math.round(rnd() * 1e6 * scale) / 100, rnd() * scale, q + 1e-9, (q * 3) / 7);
    }
    for (const x of xs) {
      expect(cleanPrice(x)).toBe(slowClean(x));
      expect(roundCents(x)).toBe(slowCents(x));
    }
  });
});
