// The "Data" column of the positions screen: where this position's prices come from right now, in one badge —
// live / delayed / stale / feed down — from GET /status's `health` (src/api/feed-health.ts, the same rules the
// Worker uses), plus what the position itself carries (opened on delayed data, not aligned).
//
// Until /status has answered, nothing is claimed: a position opened on delayed data says "delayed" (its own flag,
// from the API), any other says "checking…" — never a green "live" the page cannot back up.
import type { FeedHealth, Position } from "./api";
import { lag } from "./format";

export type Badge = { text: string; cls: string; title: string };

export interface DataView {
  /** The badges (the first is the feed's state). */
  badges: Badge[];
  /** A few words beside them: "15 min behind", "no tick for 45 s", the feed's error. */
  detail: string;
  /** The last price is not moving (stale or down): the screen greys it. */
  frozen: boolean;
}

export function dataView(p: Position, health: FeedHealth | undefined): DataView {
  const out: Badge[] = [];
  let detail = "";
  let frozen = false;
  if (!health) {
    out.push(p.delayedData ? { text: "delayed", cls: "badge badge-warn", title: "Opened while the feed sent delayed prices (feed status not loaded yet)" } : { text: "checking…", cls: "badge badge-muted", title: "Waiting for the feed status" });
  } else {
    const since = health.secondsSinceTick !== null ? `last tick ${health.secondsSinceTick} s ago` : "no tick since the feed connected";
    switch (health.state) {
      case "live":
        out.push({ text: "live", cls: "badge badge-ok", title: `Real-time prices · ${since}` });
        break;
      case "delayed":
        out.push({ text: "delayed", cls: "badge badge-warn", title: `The feed sends delayed prices (${health.reason ?? "delayed"}) · ${since}` });
        detail = health.delaySeconds !== null ? lag(health.delaySeconds) : "";
        break;
      case "stale":
        out.push({ text: "stale", cls: "badge badge-warn badge-stale", title: `Connected, but ${health.reason ?? "no recent tick"}: the last price is not moving` });
        detail = health.reason ?? "";
        frozen = true;
        break;
      case "down":
        out.push({ text: "feed down", cls: "badge badge-err", title: `Not connected (${health.reason ?? "down"}): the last price is from before` });
        detail = health.reason ?? "";
        frozen = true;
        break;
    }
    // Excursions recorded while the data was delayed stay so even once the feed is real-time (a login added).
    if (p.delayedData && health.state !== "delayed") out.push({ text: "opened delayed", cls: "badge badge-warn", title: "Opened while the feed sent delayed prices: part of worst/best comes from delayed data" });
  }
  if (p.aligned === false) out.push({ text: "not aligned", cls: "badge badge-err", title: "A scheduled signal was applied with its own price because no feed tick of its time arrived: the excursions may miss part of the path" });
  return { badges: out, detail, frozen };
}
