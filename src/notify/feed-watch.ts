// "Feed down" / "feed up" for a symbol object: a small state machine over what the object's alarm sees of its
// feed (every keepalive, 30 s, while positions are open). Pure but for the two persisted facts (notify_meta):
// whether "down" was announced and to which recorders, so the matching "up" survives a restart.
//
// Rules:
// - Down: the feed has not been healthy (connected or streaming) for `downAfterMs` while positions are open:
//   announced once, to each recorder with an open position on the symbol. The object passes two alarm periods
//   (2 × keepalive = DOWN_AFTER_MS, one minute, in production): a reconnect within a minute is nobody's
//   business, and a flapping feed cannot produce more than one down/up pair a minute.
// - Up: the first healthy look after a "down", to the same recorders.
// - No positions left while down (closed meanwhile, the feed then stops): the watch resets without an "up".
import type { NotifyEvent } from "./events";
import type { NotifyQueueStore } from "./queue-store";

export const DOWN_AFTER_MS = 60_000;
const META = "feed_watch";

export interface FeedLook {
  nowMs: number;
  /** The feed's state as the object sees it (FeedView.state). */
  state: string;
  /** Recorders with an open position on the symbol. */
  recorders: string[];
}

export interface FeedChange {
  kind: "feed_down" | "feed_up";
  recorders: string[];
  /** When the trouble started (a down) or ended (an up), ms. */
  sinceMs: number;
}

interface Persisted {
  /** Recorders told "down" (null: not down). */
  downTold: string[] | null;
  downSinceMs: number | null;
}

export function healthy(state: string): boolean {
  return state === "connected" || state === "streaming";
}

export class FeedWatch {
  /** Since when the feed has looked unhealthy (in memory: after a restart the minute starts again). */
  private badSince: number | null = null;
  private p: Persisted;

  constructor(
    private readonly store: NotifyQueueStore,
    private readonly downAfterMs: () => number = () => DOWN_AFTER_MS,
  ) {
    this.p = store.getMeta<Persisted>(META) ?? { downTold: null, downSinceMs: null };
  }

  observe(look: FeedLook): FeedChange | null {
    const ok = healthy(look.state);
    if (ok) this.badSince = null;
    else this.badSince ??= look.nowMs;

    if (this.p.downTold !== null) {
      if (ok) {
        const change: FeedChange = { kind: "feed_up", recorders: this.p.downTold, sinceMs: this.p.downSinceMs ?? look.nowMs };
        this.save({ downTold: null, downSinceMs: null });
        return change;
      }
      if (look.recorders.length === 0) this.save({ downTold: null, downSinceMs: null });
      return null;
    }
    if (!ok && look.recorders.length > 0 && this.badSince !== null && look.nowMs - this.badSince >= this.downAfterMs()) {
      this.save({ downTold: [...look.recorders], downSinceMs: this.badSince });
      return { kind: "feed_down", recorders: [...look.recorders], sinceMs: this.badSince };
    }
    return null;
  }

  private save(p: Persisted): void {
    this.p = p;
    this.store.setMeta(META, p);
  }
}

/** The events of a change, one per recorder (keyed by symbol, start of the trouble and recorder: never twice). */
export function feedEvents(change: FeedChange, feedSymbol: string, look: { nowMs: number; state: string; error: string | null }): NotifyEvent[] {
  const minutes = Math.max(1, Math.round((look.nowMs - change.sinceMs) / 60_000));
  const detail =
    change.kind === "feed_down"
      ? `no live prices for ${minutes} min (state ${look.state}${look.error ? `: ${look.error.slice(0, 120)}` : ""}); take-profit/stop-loss and excursions wait for prices`
      : `live again after about ${minutes} min`;
  return change.recorders.map((recorderId) => ({
    kind: change.kind,
    key: `${change.kind}:${feedSymbol}:${change.sinceMs}:${recorderId}`,
    recorderId,
    at: new Date(look.nowMs).toISOString(),
    feedSymbol,
    detail,
  }));
}
