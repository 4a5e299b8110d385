// The recorder settings' defaults: what an absent field means on POST /api/recorders. One table, read by the
// API's schema (src/recorders/settings.ts `.default(...)`) and by the dashboard's form (which sends only what
// differs from it), so the two cannot drift apart. Pure data: the dashboard bundles it.
export const RECORDER_DEFAULTS = {
  enabled: true,
  initialQuantity: 1,
  addQuantity: 1,
  allowAdd: true,
  reverseOnOpposite: true,
  commissionPerContract: 0,
  dedupeWindowSeconds: 10,
  quantityStep: 1,
  maxSignalsPerMinute: 60,
  signalLogRetentionDays: 90,
  delayedFeed: "align",
  takeProfitLegs: null,
  trailingStop: null,
  breakEven: null,
  directionFilter: "both",
  maxContracts: null,
  cooldownSeconds: 0,
  maxSignalAgeSeconds: null,
  slippageTicks: 0,
  timezone: "America/New_York",
  sessions: [],
  flattenAtSessionEnd: false,
  tradingDayStart: "18:00",
  dailyLossLimit: null,
  dailyProfitTarget: null,
  flattenOnDailyLimit: false,
  initialCapital: null,
  followsRecorderId: null,
} as const;

export type RecorderDefaults = typeof RECORDER_DEFAULTS;
