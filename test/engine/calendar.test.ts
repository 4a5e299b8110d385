// Wall-clock rules in a recorder's timezone (src/engine/calendar.ts): the trading day, the session containing an
// instant, and when a position is flattened at a session's end. Hand-computed cases in America/New_York across
// both 2025 DST changes (Sun 03-09 02:00 EST -> 03:00 EDT; Sun 11-02 02:00 EDT -> 01:00 EST) with an overnight
// session (18:00–17:00), and in Europe/London (Sun 03-30 01:00 GMT -> 02:00 BST; Sun 10-26 02:00 BST -> 01:00
// GMT); then a randomized comparison with a plain wall-clock reading of Intl over several zones.
import { describe, expect, it } from "vitest";
import { sessionAt, sessionEndAfter, tradingDay } from "../../src/engine/calendar";
import type { SessionSpec, Weekday } from "../../src/engine/types";
import { prng } from "../prng";

const NY = "America/New_York";
const LONDON = "Europe/London";
const ms = (iso: string) => Date.parse(iso);
const iso = (x: number) => new Date(x).toISOString();
const day = (at: string, tz: string, start: string) => {
  const d = tradingDay(ms(at), tz, start);
  return [iso(d.startMs), iso(d.endMs)];
};
const session = (at: string, tz: string, sessions: SessionSpec[]) => {
  const s = sessionAt(ms(at), tz, sessions);
  return s === null ? null : [iso(s.startMs), iso(s.endMs)];
};
const endAfter = (at: string, tz: string, sessions: SessionSpec[]) => {
  const e = sessionEndAfter(ms(at), tz, sessions);
  return e === null ? null : iso(e);
};

/** CME-style futures week: Sunday to Thursday evenings 18:00, each to 17:00 the next day. */
const OVERNIGHT: SessionSpec[] = [{ days: ["sun", "mon", "tue", "wed", "thu"], start: "18:00", end: "17:00" }];
/** An overnight session that spans the US DST changes (Saturday night into Sunday). */
const SATURDAY_NIGHT: SessionSpec[] = [{ days: ["sat"], start: "18:00", end: "17:00" }];

describe("tradingDay", () => {
  it("America/New_York, 18:00: an ordinary day is 24 h, from 18:00 the evening before", () => {
    // Fri 2025-03-07 17:00 EST belongs to the day that started Thu 18:00 EST.
    expect(day("2025-03-07T22:00:00Z", NY, "18:00")).toEqual(["2025-03-06T23:00:00.000Z", "2025-03-07T23:00:00.000Z"]);
    // Exactly at 18:00 a new day starts (start inclusive, end exclusive).
    expect(day("2025-03-07T23:00:00Z", NY, "18:00")).toEqual(["2025-03-07T23:00:00.000Z", "2025-03-08T23:00:00.000Z"]);
    expect(day("2025-03-07T22:59:59.999Z", NY, "18:00")).toEqual(["2025-03-06T23:00:00.000Z", "2025-03-07T23:00:00.000Z"]);
  });

  it("America/New_York, 18:00: the spring-forward day is 23 h, the fall-back day 25 h", () => {
    // Sat 03-08 18:00 EST (23:00Z) to Sun 03-09 18:00 EDT (22:00Z).
    expect(day("2025-03-08T23:30:00Z", NY, "18:00")).toEqual(["2025-03-08T23:00:00.000Z", "2025-03-09T22:00:00.000Z"]);
    expect(day("2025-03-09T21:59:59Z", NY, "18:00")).toEqual(["2025-03-08T23:00:00.000Z", "2025-03-09T22:00:00.000Z"]);
    expect(day("2025-03-09T22:00:00Z", NY, "18:00")).toEqual(["2025-03-09T22:00:00.000Z", "2025-03-10T22:00:00.000Z"]);
    // Sat 11-01 18:00 EDT (22:00Z) to Sun 11-02 18:00 EST (23:00Z).
    expect(day("2025-11-02T06:30:00Z", NY, "18:00")).toEqual(["2025-11-01T22:00:00.000Z", "2025-11-02T23:00:00.000Z"]);
    expect(day("2025-11-02T23:00:00Z", NY, "18:00")).toEqual(["2025-11-02T23:00:00.000Z", "2025-11-03T23:00:00.000Z"]);
  });

  it("a day start inside the DST gap is shifted forward by the gap, one in the repeated hour is its first", () => {
    // 02:30 does not exist on Sun 03-09 in New York: that day starts at 03:30 EDT (07:30Z).
    expect(day("2025-03-09T12:00:00Z", NY, "02:30")).toEqual(["2025-03-09T07:30:00.000Z", "2025-03-10T06:30:00.000Z"]);
    expect(day("2025-03-09T07:00:00Z", NY, "02:30")).toEqual(["2025-03-08T07:30:00.000Z", "2025-03-09T07:30:00.000Z"]);
    // 01:30 happens twice on Sun 11-02: the first (EDT, 05:30Z) starts the day; the day is 25 h.
    expect(day("2025-11-02T06:10:00Z", NY, "01:30")).toEqual(["2025-11-02T05:30:00.000Z", "2025-11-03T06:30:00.000Z"]);
  });

  it("Europe/London, midnight: 23 h on 03-30, 25 h on 10-26", () => {
    expect(day("2025-03-30T12:00:00Z", LONDON, "00:00")).toEqual(["2025-03-30T00:00:00.000Z", "2025-03-30T23:00:00.000Z"]);
    expect(day("2025-03-30T23:00:00Z", LONDON, "00:00")).toEqual(["2025-03-30T23:00:00.000Z", "2025-03-31T23:00:00.000Z"]);
    expect(day("2025-10-26T12:00:00Z", LONDON, "00:00")).toEqual(["2025-10-25T23:00:00.000Z", "2025-10-27T00:00:00.000Z"]);
    // 22:00 local: 21:00Z in summer, 22:00Z in winter.
    expect(day("2025-10-26T21:30:00Z", LONDON, "22:00")).toEqual(["2025-10-25T21:00:00.000Z", "2025-10-26T22:00:00.000Z"]);
  });
});

describe("sessionAt", () => {
  it("an overnight session 18:00–17:00, Sunday to Thursday, in New York", () => {
    // Sun 03-09 (EDT from 02:00): opens 18:00 EDT = 22:00Z, closes Mon 17:00 EDT = 21:00Z.
    expect(session("2025-03-09T21:59:59Z", NY, OVERNIGHT)).toBeNull();
    expect(session("2025-03-09T22:00:00Z", NY, OVERNIGHT)).toEqual(["2025-03-09T22:00:00.000Z", "2025-03-10T21:00:00.000Z"]);
    expect(session("2025-03-10T20:59:59Z", NY, OVERNIGHT)).toEqual(["2025-03-09T22:00:00.000Z", "2025-03-10T21:00:00.000Z"]);
    // The daily break 17:00–18:00, then Monday's session.
    expect(session("2025-03-10T21:00:00Z", NY, OVERNIGHT)).toBeNull();
    expect(session("2025-03-10T21:30:00Z", NY, OVERNIGHT)).toBeNull();
    expect(session("2025-03-10T22:00:00Z", NY, OVERNIGHT)).toEqual(["2025-03-10T22:00:00.000Z", "2025-03-11T21:00:00.000Z"]);
    // Thursday's session ends Friday 17:00; nothing Friday evening or Saturday.
    expect(session("2025-03-14T14:00:00Z", NY, OVERNIGHT)).toEqual(["2025-03-13T22:00:00.000Z", "2025-03-14T21:00:00.000Z"]);
    expect(session("2025-03-14T22:00:00Z", NY, OVERNIGHT)).toBeNull();
    expect(session("2025-03-15T16:00:00Z", NY, OVERNIGHT)).toBeNull();
    // Before the change the same session is 23:00Z–22:00Z.
    expect(session("2025-03-05T12:00:00Z", NY, OVERNIGHT)).toEqual(["2025-03-04T23:00:00.000Z", "2025-03-05T22:00:00.000Z"]);
  });

  it("a session that spans a DST change is 22 h (spring) or 24 h (fall) long", () => {
    // Sat 03-08 18:00 EST (23:00Z) to Sun 03-09 17:00 EDT (21:00Z).
    expect(session("2025-03-09T12:00:00Z", NY, SATURDAY_NIGHT)).toEqual(["2025-03-08T23:00:00.000Z", "2025-03-09T21:00:00.000Z"]);
    expect(session("2025-03-09T21:00:00Z", NY, SATURDAY_NIGHT)).toBeNull();
    // Sat 11-01 18:00 EDT (22:00Z) to Sun 11-02 17:00 EST (22:00Z).
    expect(session("2025-11-02T06:30:00Z", NY, SATURDAY_NIGHT)).toEqual(["2025-11-01T22:00:00.000Z", "2025-11-02T22:00:00.000Z"]);
    expect(session("2025-11-02T21:59:00Z", NY, SATURDAY_NIGHT)).toEqual(["2025-11-01T22:00:00.000Z", "2025-11-02T22:00:00.000Z"]);
  });

  it("Europe/London day sessions and an overnight one across the fall-back", () => {
    const day: SessionSpec[] = [{ days: ["mon", "tue", "wed", "thu", "fri"], start: "08:00", end: "16:30" }];
    expect(session("2025-03-28T08:00:00Z", LONDON, day)).toEqual(["2025-03-28T08:00:00.000Z", "2025-03-28T16:30:00.000Z"]); // GMT
    expect(session("2025-03-31T07:00:00Z", LONDON, day)).toEqual(["2025-03-31T07:00:00.000Z", "2025-03-31T15:30:00.000Z"]); // BST
    expect(session("2025-03-31T06:59:00Z", LONDON, day)).toBeNull();
    expect(session("2025-03-29T12:00:00Z", LONDON, day)).toBeNull(); // Saturday
    const night: SessionSpec[] = [{ days: ["sat"], start: "22:00", end: "06:00" }];
    // Sat 10-25 22:00 BST (21:00Z) to Sun 10-26 06:00 GMT (06:00Z): 9 h.
    expect(session("2025-10-26T03:00:00Z", LONDON, night)).toEqual(["2025-10-25T21:00:00.000Z", "2025-10-26T06:00:00.000Z"]);
  });

  it("no sessions: always open", () => {
    expect(sessionAt(ms("2025-03-15T12:00:00Z"), NY, [])).not.toBeNull();
  });
});

describe("sessionEndAfter", () => {
  it("inside a session: its end; outside: the end of the next session to start; no sessions: never", () => {
    expect(endAfter("2025-03-10T15:00:00Z", NY, OVERNIGHT)).toBe("2025-03-10T21:00:00.000Z");
    // In the daily break: Monday evening's session, ending Tuesday 17:00 EDT.
    expect(endAfter("2025-03-10T21:30:00Z", NY, OVERNIGHT)).toBe("2025-03-11T21:00:00.000Z");
    // Friday evening: Sunday's session, ending Monday 17:00 EDT.
    expect(endAfter("2025-03-14T22:00:00Z", NY, OVERNIGHT)).toBe("2025-03-17T21:00:00.000Z");
    // Saturday before the change: Sunday's session starts after it (EDT).
    expect(endAfter("2025-03-08T17:00:00Z", NY, OVERNIGHT)).toBe("2025-03-10T21:00:00.000Z");
    // The week of the fall-back: Thursday 10-30's session ends Fri 10-31 17:00 EDT (21:00Z); the next one is
    // Sunday 11-02 18:00 EST, ending Monday 17:00 EST (22:00Z).
    expect(endAfter("2025-10-31T12:00:00Z", NY, OVERNIGHT)).toBe("2025-10-31T21:00:00.000Z");
    expect(endAfter("2025-11-01T12:00:00Z", NY, OVERNIGHT)).toBe("2025-11-03T22:00:00.000Z");
    expect(endAfter("2025-11-01T12:00:00Z", NY, SATURDAY_NIGHT)).toBe("2025-11-02T22:00:00.000Z");
    expect(endAfter("2025-03-26T12:00:00Z", LONDON, [{ days: ["mon"], start: "08:00", end: "16:30" }])).toBe("2025-03-31T15:30:00.000Z");
    expect(sessionEndAfter(ms("2025-03-10T15:00:00Z"), NY, [])).toBeNull();
  });
});

// ---------- randomized: against a plain wall-clock reading ----------
const WEEKDAYS: Weekday[] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const formatters = new Map<string, Intl.DateTimeFormat>();
/** Local weekday and minutes after midnight of instant `t` in `tz`, read straight from Intl. */
function wallClock(t: number, tz: string): { weekday: Weekday; minutes: number } {
  let f = formatters.get(tz);
  if (!f) formatters.set(tz, (f = new Intl.DateTimeFormat("en-US", { timeZone: tz, hourCycle: "h23", weekday: "short", hour: "numeric", minute: "numeric" })));
  const parts = f.formatToParts(new Date(t));
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return { weekday: get("weekday").toLowerCase().slice(0, 3) as Weekday, minutes: (Number(get("hour")) % 24) * 60 + Number(get("minute")) };
}
const mins = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
/** Inside a session by the wall clock: today's instance from its start, or yesterday's overnight one until its end. */
function insideByWallClock(t: number, tz: string, sessions: SessionSpec[]): boolean {
  const { weekday, minutes } = wallClock(t, tz);
  const yesterday = WEEKDAYS[(WEEKDAYS.indexOf(weekday) + 6) % 7];
  return sessions.some((s) => {
    const start = mins(s.start);
    const end = mins(s.end);
    if (end > start) return s.days.includes(weekday) && start <= minutes && minutes < end;
    return (s.days.includes(weekday) && minutes >= start) || (s.days.includes(yesterday) && minutes < end);
  });
}

describe("calendar vs a wall-clock reading (randomized)", () => {
  // Boundaries outside 01:00–03:00 local, where DST changes happen in these zones (so a wall-clock reading and
  // the instants agree exactly); Asia/Kolkata has a :30 offset, Australia/Sydney southern-hemisphere DST.
  const ZONES = ["America/New_York", "America/Chicago", "Europe/London", "Asia/Tokyo", "Asia/Kolkata", "Australia/Sydney"];
  const TIMES = ["00:00", "04:15", "08:00", "09:30", "12:45", "16:00", "17:00", "18:00", "21:30", "23:45"];
  const FROM = ms("2025-01-01T00:00:00Z");
  const SPAN = 365 * 86_400_000;
  const STEP = 15 * 60_000; // every boundary is on a quarter hour in every zone here

  it("tradingDay: starts at the latest day start at or before the instant, 23–25 h long", () => {
    const rnd = prng(11);
    for (let i = 0; i < 400; i++) {
      const tz = ZONES[Math.floor(rnd() * ZONES.length)];
      const start = TIMES[Math.floor(rnd() * TIMES.length)];
      const t = FROM + Math.floor(rnd() * SPAN);
      const d = tradingDay(t, tz, start);
      const what = `${tz} ${start} ${iso(t)} -> ${iso(d.startMs)} .. ${iso(d.endMs)}`;
      expect(d.startMs <= t && t < d.endMs, what).toBe(true);
      expect(wallClock(d.startMs, tz).minutes, what).toBe(mins(start));
      expect(wallClock(d.endMs, tz).minutes, what).toBe(mins(start));
      const hours = (d.endMs - d.startMs) / 3_600_000;
      expect([23, 23.5, 24, 24.5, 25].includes(hours), what).toBe(true);
      // No other day start in between.
      for (let x = d.startMs + STEP; x < d.endMs; x += STEP) {
        if (wallClock(x, tz).minutes === mins(start)) throw new Error(`${what}: ${iso(x)} is a day start too`);
      }
    }
  });

  it("sessionAt and sessionEndAfter agree with the wall clock", () => {
    const rnd = prng(12);
    for (let i = 0; i < 300; i++) {
      const tz = ZONES[Math.floor(rnd() * ZONES.length)];
      const start = TIMES[Math.floor(rnd() * TIMES.length)];
      let end = TIMES[Math.floor(rnd() * TIMES.length)];
      if (end === start) end = start === "00:00" ? "08:00" : "00:00";
      const days = WEEKDAYS.filter(() => rnd() < 0.6);
      const sessions: SessionSpec[] = [{ days: days.length > 0 ? days : ["wed"], start, end }];
      const t = Math.floor((FROM + Math.floor(rnd() * SPAN)) / STEP) * STEP + (rnd() < 0.5 ? 0 : Math.floor(rnd() * STEP));
      const what = `${tz} ${JSON.stringify(sessions)} at ${iso(t)}`;
      const s = sessionAt(t, tz, sessions);
      expect(s !== null, what).toBe(insideByWallClock(t, tz, sessions));
      // The end: the first quarter hour after t (or after the next session's start) outside every session.
      let x = Math.floor(t / STEP) * STEP + STEP;
      if (s === null) {
        while (!insideByWallClock(x, tz, sessions)) x += STEP;
        if (s === null) expect(sessionAt(x, tz, sessions), what).not.toBeNull();
      }
      while (insideByWallClock(x, tz, sessions)) x += STEP;
      if (s !== null) expect(iso(s.endMs), what).toBe(iso(x));
      expect(iso(sessionEndAfter(t, tz, sessions)!), what).toBe(iso(x));
    }
  });
});
