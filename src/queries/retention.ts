// Signal-log retention (CONTRACT: rows older than the recorder's `signalLogRetentionDays`, default 90, are
// dropped). One statement for every recorder, run daily by the Worker's cron trigger; scheduled signals still
// waiting are kept whatever their age.
export async function dropExpiredSignals(db: D1Database, now: Date): Promise<number> {
  const r = await db
    .prepare(
      `DELETE FROM signals
       WHERE status != 'scheduled'
         AND julianday(received_at) < julianday(?1) - COALESCE(
               (SELECT signal_log_retention_days FROM recorders WHERE recorders.id = signals.recorder_id), 90)`,
    )
    .bind(now.toISOString())
    .run();
  return r.meta.changes ?? 0;
}
